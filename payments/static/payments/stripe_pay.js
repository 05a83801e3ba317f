// The Stripe payment page: mounts Stripe's Payment Element with the configuration the page
// embedded with json_script (#stripe-config) and confirms the payment on submit. Stripe.js
// itself is loaded from js.stripe.com by the page, before this file.
(function () {
  var config = JSON.parse(document.getElementById("stripe-config").textContent);
  var message = document.getElementById("payment-message");
  if (typeof Stripe === "undefined") {
    message.textContent = message.getAttribute("data-unavailable");
    return;
  }
  var stripe = Stripe(config.publishableKey, {locale: "zh"});
  var elements = stripe.elements({clientSecret: config.clientSecret, locale: "zh"});
  elements.create("payment").mount("#payment-element");
  var form = document.getElementById("payment-form");
  var button = document.getElementById("pay-submit");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    // Card, Alipay and WeChat Pay all end on the return page; the order turns paid only
    // when Stripe's signed webhook reaches the server.
    stripe.confirmPayment({elements: elements, confirmParams: {return_url: config.returnUrl}}).then(function (result) {
      if (result.error) {
        message.textContent = result.error.message;
        button.disabled = false;
      }
    });
  });
})();
