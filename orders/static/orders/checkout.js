// The checkout form: the three-level region selects (province -> city -> county, each
// filled from the URL in .region-selects[data-children-url]) and the institution fields,
// shown only for a buyer who is not an individual.
(function () {
  var box = document.querySelector(".region-selects");
  if (!box) return;
  var url = box.getAttribute("data-children-url");
  var province = box.querySelector("[data-region-level=province]");
  var city = box.querySelector("[data-region-level=city]");
  var county = box.querySelector("[data-region-level=county]");
  function fill(select, parent) {
    select.innerHTML = '<option value="">请选择</option>';
    if (!parent) return Promise.resolve();
    return fetch(url + "?parent=" + encodeURIComponent(parent)).then(function (r) { return r.json(); }).then(function (data) {
      data.regions.forEach(function (r) {
        var o = document.createElement("option"); o.value = r.code; o.textContent = r.name; select.appendChild(o);
      });
    });
  }
  province.addEventListener("change", function () { fill(city, province.value); fill(county, ""); });
  city.addEventListener("change", function () { fill(county, city.value); });
  function toggleInstitution() {
    var checked = document.querySelector("input[name=buyer_type]:checked");
    document.querySelector(".institution-fields").hidden = !checked || checked.value === "individual";
  }
  document.querySelectorAll("input[name=buyer_type]").forEach(function (r) { r.addEventListener("change", toggleInstitution); });
  toggleInstitution();
})();
