/* Consumption-support report charts (Apache ECharts, vendored: echarts-6.1.0.common.min.js).
 * Reads the figures the page embedded with json_script; draws the daily timeline with
 * each live event marked, the region bars (a click drills down) and the category share.
 * <body data-chart-renderer="svg"> (the printable view) draws SVG, which prints crisply. */
function drawReportCharts() {
  "use strict";
  var source = document.getElementById("report-chart-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var words = data.labels || {};
  var renderer = document.body.getAttribute("data-chart-renderer") || "canvas";
  var animate = renderer !== "svg";

  function yuan(value) {
    return "¥" + Number(value || 0).toLocaleString(document.documentElement.lang || "zh-CN", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }

  function chart(id) {
    var el = document.getElementById(id);
    if (!el) {
      return null;
    }
    var instance = echarts.init(el, null, { renderer: renderer });
    window.addEventListener("resize", function () {
      instance.resize();
    });
    return instance;
  }

  var timeline = chart("chart-timeline");
  if (timeline) {
    var days = data.timeline.days;
    var long = days.length > 62;
    var plainTimeline = {
      animation: animate,
      color: ["#b5472a", "#8c8c8c"],
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { top: 0 },
      grid: { left: 80, right: 40, top: 40, bottom: long ? 70 : 40 },
      xAxis: { type: "category", data: days, boundaryGap: false },
      yAxis: { type: "value", name: words.yuan },
      dataZoom: long ? [{ type: "slider", bottom: 10 }, { type: "inside" }] : [],
      series: [
        {
          name: words.net,
          type: "line",
          data: data.timeline.net,
          showSymbol: !long,
          areaStyle: { opacity: 0.08 },
          markLine: {
            symbol: ["none", "pin"],
            symbolSize: 14,
            silent: false,
            lineStyle: { type: "dashed", color: "#1f6f8b", width: 1.5 },
            label: { formatter: "{b}", position: "insideEndTop", color: "#1f6f8b", fontSize: 11 },
            tooltip: { formatter: words.event },
            data: data.timeline.events.map(function (event) {
              return { name: event.title, xAxis: event.date };
            }),
          },
        },
        {
          name: words.uncertified,
          type: "line",
          data: data.timeline.uncertified,
          showSymbol: false,
          lineStyle: { type: "dotted" },
        },
      ],
    };
    // The same days stacked by sales channel (线上商城, 直播带货, 单位采购, 专柜, 专馆, 专区,
    // 其他): one stacked area per channel, whose heights add up to the net line above.
    var channelColours = ["#b5472a", "#1f6f8b", "#7a5c99", "#d08c1f", "#3f8f4f", "#c2577a", "#8c8c8c"];
    var stackedTimeline = {
      animation: animate,
      color: channelColours,
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { top: 0, type: "scroll" },
      grid: { left: 80, right: 40, top: 40, bottom: long ? 70 : 40 },
      xAxis: { type: "category", data: days, boundaryGap: false },
      yAxis: { type: "value", name: words.yuan },
      dataZoom: long ? [{ type: "slider", bottom: 10 }, { type: "inside" }] : [],
      series: (data.timeline.channels || []).map(function (channel) {
        return {
          name: channel.name,
          type: "line",
          stack: "channels",
          data: channel.data,
          showSymbol: false,
          areaStyle: { opacity: 0.55 },
          lineStyle: { width: 1 },
          emphasis: { focus: "series" },
        };
      }),
    };
    timeline.setOption(plainTimeline);
    // The 按销售渠道堆叠 option: hidden until this script runs (without it there is nothing to switch).
    var stack = document.getElementById("timeline-stack");
    if (stack && data.timeline.channels) {
      stack.closest(".chart-option").hidden = false;
      stack.addEventListener("change", function () {
        timeline.setOption(stack.checked ? stackedTimeline : plainTimeline, { notMerge: true });
      });
    }
  }

  // Region bars: horizontal, one row per region, every row labelled (interval 0: ECharts
  // would otherwise drop every second name when they crowd, leaving the largest bar beside
  // another region's name) and every bar carrying its own value; the chart grows with the
  // number of regions rather than squeezing them. The table beside it has the same rows.
  var regionsEl = document.getElementById("chart-regions");
  if (regionsEl) {
    regionsEl.style.height = Math.max(320, data.regions.length * 30 + 60) + "px";
  }
  var regions = chart("chart-regions");
  if (regions) {
    var bars = data.regions.slice().reverse();
    regions.setOption({
      animation: animate,
      color: ["#b5472a"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: yuan },
      grid: { left: 10, right: 90, top: 10, bottom: 30, containLabel: true },
      xAxis: { type: "value", name: words.yuan, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "category",
        data: bars.map(function (r) { return r.name; }),
        axisTick: { alignWithLabel: true, interval: 0 },
        axisLabel: { interval: 0, width: 120, overflow: "break", color: "#333" },
      },
      series: [
        {
          name: words.net,
          type: "bar",
          data: bars.map(function (r) { return r.value; }),
          label: {
            show: true,
            position: "right",
            color: "#333",
            formatter: function (p) { return yuan(p.value); },
          },
          labelLayout: { hideOverlap: false },
        },
      ],
    });
    regions.on("click", function (params) {
      var target = bars[params.dataIndex];
      if (target && target.url) {
        window.location.href = target.url;
      }
    });
  }

  var categories = chart("chart-categories");
  if (categories) {
    categories.setOption({
      animation: animate,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return p.name + "：" + yuan(p.value) + "（" + p.percent + "%）";
        },
      },
      legend: { type: "scroll", bottom: 0 },
      series: [
        {
          name: words.categories,
          type: "pie",
          radius: ["35%", "65%"],
          center: ["50%", "45%"],
          label: { formatter: "{b} {d}%" },
          data: data.categories,
        },
      ],
    });
  }
}

// The admin loads scripts before the page body: draw once the document is parsed.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawReportCharts);
} else {
  drawReportCharts();
}
