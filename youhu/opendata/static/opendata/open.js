/* The open data page's charts: the district map (shared drawing: dashboard/districtmap.js) coloured by each
   street's count, categories as bars, the monthly trend as a line. The tables beside them carry the same figures. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("open-data").textContent);
  var root = document.getElementById("open-root");
  if (!window.Plotly || !window.YouhuMap) { return; }
  var base = { font: { family: "PingFang SC, Microsoft YaHei, sans-serif" }, paper_bgcolor: "rgba(0,0,0,0)",
               plot_bgcolor: "rgba(0,0,0,0)", margin: { l: 40, r: 10, t: 10, b: 40 } };
  var config = { displayModeBar: false, responsive: true, locale: "zh-CN" };

  function drawMap(shapes) {
    var byName = {};
    data.streets.forEach(function (s) { byName[s.name] = s.count; });
    var max = Math.max.apply(null, [1].concat(data.streets.map(function (s) { return s.count; })));
    var traces = window.YouhuMap.outlineTraces(shapes, {
      fill: function (f) {
        var share = (byName[f.properties.name] || 0) / max;
        return "rgba(185,28,28," + (0.08 + 0.8 * share).toFixed(2) + ")";
      },
      text: function (f) { return f.properties.name + "：" + (byName[f.properties.name] || 0) + " 件"; },
    });
    Plotly.newPlot("open-map", traces, window.YouhuMap.mapLayout(base), config);
  }

  fetch(root.dataset.streetsUrl).then(function (r) { return r.json(); }).then(drawMap).catch(function () {});
  Plotly.newPlot("open-categories", [{ type: "bar", orientation: "h",
    x: data.categories.map(function (c) { return c.count; }), y: data.categories.map(function (c) { return c.name; }),
    marker: { color: "#b91c1c" }, hovertemplate: "%{y}：%{x} 件<extra></extra>" }],
    Object.assign({}, base, { margin: { l: 110, r: 10, t: 10, b: 30 }, yaxis: { autorange: "reversed" } }), config);
  Plotly.newPlot("open-trend", [{ type: "scatter", mode: "lines+markers",
    x: data.trend.map(function (t) { return t.month; }), y: data.trend.map(function (t) { return t.count; }),
    line: { color: "#b91c1c" }, hovertemplate: "%{x}：%{y} 件<extra></extra>" }],
    Object.assign({}, base, { xaxis: { type: "category" }, yaxis: { rangemode: "tozero" } }), config);
})();
