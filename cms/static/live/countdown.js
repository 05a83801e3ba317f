// An upcoming live event's countdown: .live-countdown[data-seconds] holds the seconds to
// the start (computed by the server); the .countdown inside shows days, hours, minutes and
// seconds, once a second.
(function () {
  var box = document.querySelector(".live-countdown");
  if (!box) return;
  var left = parseInt(box.getAttribute("data-seconds"), 10), out = box.querySelector(".countdown");
  function show() {
    if (left <= 0) { out.textContent = "即将开播，请刷新页面"; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    out.textContent = (d ? d + " 天 " : "") + h + " 小时 " + m + " 分 " + s + " 秒";
    left -= 1;
  }
  show(); setInterval(show, 1000);
})();
