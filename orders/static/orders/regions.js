// Province -> city -> county selects (.region-selects[data-children-url]): each level is
// refilled from /checkout/regions/?parent=<code> when the level above changes. A city with
// one county only (东莞市, 济源市, 仙桃市 …) gets that county chosen at once.
(function () {
  var box = document.querySelector(".region-selects");
  if (!box) return;
  var url = box.getAttribute("data-children-url");
  var province = box.querySelector("[data-region-level=province]");
  var city = box.querySelector("[data-region-level=city]");
  var county = box.querySelector("[data-region-level=county]");
  // The empty choice's text as the server wrote it, in the page's language.
  var pick = province.options.length && !province.options[0].value ? province.options[0].textContent : "";
  function fill(select, parent) {
    select.innerHTML = "";
    var empty = document.createElement("option"); empty.value = ""; empty.textContent = pick; select.appendChild(empty);
    if (!parent) return Promise.resolve();
    return fetch(url + "?parent=" + encodeURIComponent(parent))
      .then(function (r) { return r.ok ? r.json() : { regions: [] }; })
      .then(function (data) {
        data.regions.forEach(function (r) {
          var o = document.createElement("option"); o.value = r.code; o.textContent = r.name; select.appendChild(o);
        });
        if (data.regions.length === 1) select.value = data.regions[0].code;
      });
  }
  province.addEventListener("change", function () {
    fill(county, "");
    fill(city, province.value).then(function () { if (city.value) fill(county, city.value); });
  });
  city.addEventListener("change", function () { fill(county, city.value); });
})();
