// The checkout form: the institution fields, shown only for a buyer who is not an
// individual, and the new-address fields, hidden while a saved address is chosen.
// (The region selects are regions.js.)
(function () {
  var institution = document.querySelector(".institution-fields");
  function toggleInstitution() {
    var checked = document.querySelector("input[name=buyer_type]:checked");
    institution.hidden = !checked || checked.value === "individual";
  }
  if (institution) {
    document.querySelectorAll("input[name=buyer_type]").forEach(function (r) { r.addEventListener("change", toggleInstitution); });
    toggleInstitution();
  }
  var newAddress = document.querySelector(".new-address");
  var saved = document.querySelectorAll("input[name=address]");
  function toggleAddress() {
    var checked = document.querySelector("input[name=address]:checked");
    newAddress.hidden = Boolean(checked && checked.value);
  }
  if (newAddress && saved.length) {
    saved.forEach(function (r) { r.addEventListener("change", toggleAddress); });
    toggleAddress();
  }
})();
