// The checkout form: the buyer type and the institution fields, hidden while buying for
// one of the buyer's organisations (采购单位), the institution fields shown only for a buyer
// who is not an individual, and the new-address fields, hidden while a saved address is chosen.
// (The region selects are regions.js.)
(function () {
  var institution = document.querySelector(".institution-fields");
  var ownType = document.querySelector(".own-buyer-type");
  function forOrganisation() {
    var chosen = document.querySelector("input[name=buying_for]:checked");
    return Boolean(chosen && chosen.value);
  }
  function toggleInstitution() {
    var checked = document.querySelector("input[name=buyer_type]:checked");
    var organisation = forOrganisation();
    if (ownType) { ownType.hidden = organisation; }
    institution.hidden = organisation || !checked || checked.value === "individual";
  }
  if (institution) {
    document.querySelectorAll("input[name=buyer_type], input[name=buying_for]").forEach(function (r) {
      r.addEventListener("change", toggleInstitution);
    });
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
