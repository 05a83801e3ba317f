// Province -> city -> county selects (.region-selects[data-children-url]): each level is
// refilled from /checkout/regions/?parent=<code> when the level above changes. A city with
// one county only (东莞市, 济源市, 仙桃市 …) gets that county chosen at once. Every such box
// on the page works on its own (the pairing form has two); each select keeps the empty
// choice's text the server wrote for it, in the page's language.
(function () {
  function setUp(box) {
    var url = box.getAttribute("data-children-url");
    var province = box.querySelector("[data-region-level=province]");
    var city = box.querySelector("[data-region-level=city]");
    var county = box.querySelector("[data-region-level=county]");
    if (!url || !province || !city || !county) return;
    function emptyText(select) {
      return select.options.length && !select.options[0].value ? select.options[0].textContent : "";
    }
    var pick = emptyText(province);
    var empties = { city: emptyText(city) || pick, county: emptyText(county) || pick };
    function fill(select, parent) {
      select.innerHTML = "";
      var empty = document.createElement("option");
      empty.value = "";
      empty.textContent = empties[select.getAttribute("data-region-level")] || pick;
      select.appendChild(empty);
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
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".region-selects"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
