// As-you-type suggestions for the site search box: asks /search/suggest/ (titles for
// Chinese, pinyin or initials typed so far) and shows a list under the box. Arrow keys
// move, Enter opens the highlighted title as a search, Escape closes.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest-url]");
  if (!input) return;
  var url = input.getAttribute("data-suggest-url");
  var list = document.createElement("ul");
  list.className = "search-suggest";
  list.id = "search-suggest-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  input.setAttribute("aria-controls", list.id);
  input.parentNode.style.position = "relative";
  input.parentNode.appendChild(list);
  var timer = null;
  var active = -1;
  var lastQuery = "";
  var composing = false;

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    active = -1;
  }

  function choose(text) {
    input.value = text;
    close();
    input.form.submit();
  }

  function render(items) {
    list.innerHTML = "";
    active = -1;
    items.forEach(function (text) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.textContent = text;
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(text);
      });
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }

  function fetchSuggestions() {
    var q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (!q) {
      close();
      return;
    }
    fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { q: q, suggestions: [] }; })
      .then(function (data) {
        if (data.q === input.value.trim()) render(data.suggestions || []);
      })
      .catch(close);
  }

  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function () {
    composing = false;
    fetchSuggestions();
  });
  input.addEventListener("input", function () {
    if (composing) return; // wait for the IME to finish the characters
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener("keydown", function (event) {
    var items = list.querySelectorAll("li");
    if (list.hidden || !items.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (active >= 0) items[active].classList.remove("active");
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items[active].classList.add("active");
      items[active].setAttribute("aria-selected", "true");
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(items[active].textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
