// The header's language switch: choosing a language submits its form at once (without
// JavaScript the form's own button, inside <noscript>, does).
(function () {
  var select = document.getElementById("lang-select");
  if (!select) return;
  select.addEventListener("change", function () { select.form.submit(); });
})();
