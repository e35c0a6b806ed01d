/* Key-project board: projects on the district map by light, and the nodes' Gantt chart (planned vs actual). */
(function () {
  "use strict";
  var dataEl = document.getElementById("pj-data");
  if (!dataEl || !window.Plotly) { return; }
  var data = JSON.parse(dataEl.textContent);
  var COLOURS = { red: "#d32f2f", yellow: "#f0a500", green: "#2e9d5b" };
  var LABELS = { red: "红灯", yellow: "黄灯", green: "绿灯" };
  var config = { displayModeBar: false, responsive: true };
  var base = {
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", legend: { orientation: "h", y: -0.12 },
    font: { color: "#1f2933", family: "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif", size: 12 },
  };
  var root = document.getElementById("pj-root");

  function drawMap(shapes) {
    var el = document.getElementById("pj-map");
    var traces = window.YouhuMap.outlineTraces(shapes, { fill: function () { return "rgba(31,95,191,0.08)"; }, line: "#9aa5b1" });
    ["green", "yellow", "red"].forEach(function (light) {
      var pts = data.points.filter(function (p) { return p.light === light; });
      if (!pts.length) { return; }
      traces.push({
        type: "scatter", mode: "markers", name: LABELS[light] + "（" + pts.length + "）",
        x: pts.map(function (p) { return p.lon; }), y: pts.map(function (p) { return p.lat; }),
        marker: { size: light === "red" ? 14 : 11, color: COLOURS[light], line: { color: "#fff", width: 1 } },
        text: pts.map(function (p) { return p.name + "<br>" + p.stage + " · " + p.unit; }), hoverinfo: "text",
        customdata: pts.map(function (p) { return p.code; }),
      });
    });
    var layout = Object.assign(window.YouhuMap.mapLayout(base), { showlegend: true, legend: { orientation: "h", y: 0 } });
    Plotly.react(el, traces, layout, config);
    el.on("plotly_click", function (ev) {
      var code = ev.points && ev.points[0] && ev.points[0].customdata;
      if (typeof code === "string") { window.location.href = root.dataset.projectUrl + encodeURIComponent(code) + "/"; }
    });
  }

  function drawGantt() {
    var el = document.getElementById("pj-gantt");
    if (!el) { return; }
    var today = new Date().toISOString().slice(0, 10);
    var labels = [];
    data.bars.forEach(function (b) { if (labels.indexOf(b.label) < 0) { labels.push(b.label); } });
    if (!labels.length) {
      Plotly.react(el, [], Object.assign({}, base, { xaxis: { visible: false }, yaxis: { visible: false },
        annotations: [{ text: "暂无节点", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }] }), config);
      return;
    }
    var traces = ["planned", "actual"].map(function (kind) {
      var bars = data.bars.filter(function (b) { return b.kind === kind; });
      return {
        type: "bar", orientation: "h", name: kind === "planned" ? "计划" : "实际", y: bars.map(function (b) { return b.label; }),
        base: bars.map(function (b) { return b.start; }),
        x: bars.map(function (b) { return new Date(b.end || today) - new Date(b.start) + 86400000; }),
        marker: { color: bars.map(function (b) { return kind === "planned" ? "rgba(154,165,177,0.45)" : COLOURS[b.light]; }) },
        width: kind === "planned" ? 0.8 : 0.4, offset: kind === "planned" ? -0.4 : -0.2,
        text: bars.map(function (b) { return b.start + " ~ " + (b.end || "进行中") + "：" + b.reason; }), hoverinfo: "y+text", textposition: "none",
      };
    });
    var height = Math.max(320, Math.min(labels.length, 400) * 18 + 80);
    el.style.height = height + "px";
    // the height by the number of rows, the width by the container (a layout height would stop autosize)
    Plotly.react(el, traces, Object.assign({}, base, {
      barmode: "overlay", margin: { l: 10, r: 10, t: 30, b: 40 }, legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom" },
      xaxis: { type: "date", gridcolor: "#e5e9f0" }, yaxis: { autorange: "reversed", automargin: true, tickfont: { size: 10 } },
      shapes: [{ type: "line", x0: today, x1: today, yref: "paper", y0: 0, y1: 1, line: { color: "#b71c1c", width: 1, dash: "dot" } }],
    }), config);
  }

  function drawTally() {
    var el = document.getElementById("pj-tally");
    var tallyEl = document.getElementById("pj-tallies");
    if (!el || !tallyEl) { return; }
    var stages = JSON.parse(tallyEl.textContent).stage;
    var traces = ["green", "yellow", "red"].map(function (light) {
      return { type: "bar", name: LABELS[light], x: stages.map(function (s) { return s.label; }),
               y: stages.map(function (s) { return s[light]; }), marker: { color: COLOURS[light] } };
    });
    Plotly.react(el, traces, Object.assign({}, base, { barmode: "stack", margin: { l: 30, r: 10, t: 10, b: 40 } }), config);
  }

  drawGantt();
  drawTally();
  if (document.getElementById("pj-map") && root) {
    fetch(root.dataset.streetsUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(drawMap);
  }
})();
