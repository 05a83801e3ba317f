// The QR payment page (payments/pay_views.py): asks the status endpoint every few seconds
// and goes to the return page once the order is paid. A static file, started from data
// attributes: the storefront's Content-Security-Policy runs no inline script.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("pay-poll");
  if (!box) return;
  const statusUrl = box.dataset.statusUrl;
  const returnUrl = box.dataset.returnUrl;
  const interval = Number(box.dataset.interval) || 3000;
  const ask = () => {
    fetch(statusUrl, {headers: {Accept: "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then((response) => (response.ok ? response.json() : {paid: false}))
      .then((answer) => {
        if (answer.paid) {
          window.location.assign(returnUrl);
        } else {
          window.setTimeout(ask, interval);
        }
      })
      .catch(() => window.setTimeout(ask, interval));
  };
  window.setTimeout(ask, interval);
});
