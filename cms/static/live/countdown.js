// An upcoming live event's (or campaign's) countdown: .live-countdown[data-starts] holds the
// start (ISO 8601), [data-seconds] the seconds to it when the server wrote the page (used if
// the start cannot be read; a page from the page cache may be a minute old); the .countdown
// inside shows days, hours, minutes and seconds, once a second, in the words the page gives
// (data-units, data-soon: live/event_page.html).
(function () {
  var box = document.querySelector(".live-countdown");
  if (!box) return;
  var starts = Date.parse(box.getAttribute("data-starts") || "");
  var left = isNaN(starts) ? parseInt(box.getAttribute("data-seconds"), 10) : Math.max(0, Math.round((starts - Date.now()) / 1000));
  var out = box.querySelector(".countdown");
  var units = (box.getAttribute("data-units") || "天|小时|分|秒").split("|");
  var soon = box.getAttribute("data-soon") || "即将开播，请刷新页面";
  function show() {
    if (left <= 0) { out.textContent = soon; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    out.textContent = (d ? d + " " + units[0] + " " : "") + h + " " + units[1] + " " + m + " " + units[2] + " " + s + " " + units[3];
    left -= 1;
  }
  show(); setInterval(show, 1000);
})();
