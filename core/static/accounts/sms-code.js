// 获取验证码: posts the number to the page's send_code URL (data-url) and counts down on
// the button until another code may be asked for. Without this script the button submits
// the form with action=send and the page comes back the same way (accounts/_code_fields.html).
(function () {
  var button = document.querySelector("[data-sms-send]");
  if (!button) { return; }
  var form = button.form;
  var status = form.querySelector("[data-sms-status]");
  var label = button.textContent;
  // The words come from the page, in its language (accounts/_code_fields.html).
  var waitText = button.dataset.waitText || "{n} 秒后重新获取";
  var networkError = button.dataset.networkError || "网络异常，请稍后再试。";
  var timer = null;

  function say(text, isError) {
    if (!status) { return; }
    status.textContent = text || "";
    status.classList.toggle("error", Boolean(isError));
  }

  function countDown(seconds) {
    var left = parseInt(seconds, 10) || 0;
    if (timer) { clearInterval(timer); }
    if (left <= 0) { button.disabled = false; button.textContent = label; return; }
    button.disabled = true;
    button.textContent = waitText.replace("{n}", left);
    timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        timer = null;
        button.disabled = false;
        button.textContent = label;
      } else {
        button.textContent = waitText.replace("{n}", left);
      }
    }, 1000);
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    var mobile = form.elements.mobile;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    data.append("mobile", mobile ? mobile.value : "");
    data.append("purpose", button.dataset.purpose);
    button.disabled = true;
    fetch(button.dataset.url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        say(result.ok ? result.body.message : result.body.error, !result.ok);
        countDown(result.body.wait);
        if (result.ok && form.elements.code) { form.elements.code.focus(); }
      })
      .catch(function () {
        say(networkError, true);
        countDown(0);
      });
  });

  countDown(button.dataset.wait);
})();
