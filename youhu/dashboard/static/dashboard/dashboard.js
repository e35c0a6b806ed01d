/* Command dashboard: fetches /api/dashboard/summary, draws with the bundled Plotly, refreshes itself. */
(function () {
  "use strict";
  var root = document.getElementById("dash");
  if (!root || !window.Plotly) { return; }
  var dark = root.dataset.dark === "1";
  var REFRESH_MS = 60000;
  var shapes = null;
  var ink = dark ? "#e6edf7" : "#1f2933";
  var baseLayout = {
    margin: { l: 40, r: 10, t: 10, b: 40 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: ink, family: "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif", size: dark ? 16 : 12 },
    legend: { orientation: "h", y: -0.2 },
    xaxis: { gridcolor: dark ? "#21345a" : "#e5e9f0" }, yaxis: { gridcolor: dark ? "#21345a" : "#e5e9f0" },
  };
  var config = { displayModeBar: false, responsive: true };
  var statusEl = document.getElementById("dash-status");
  var daysEl = document.getElementById("dash-days");

  function setStatus(text, loading) {
    if (!statusEl) { return; }
    statusEl.textContent = text;
    statusEl.classList.toggle("is-loading", !!loading);
  }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function text(el, value) { if (el) { el.textContent = value; } }
  function listInto(id, items, render, emptyText) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.innerHTML = "";
    if (!items.length) {
      var li = document.createElement("li"); li.className = "empty"; li.textContent = emptyText; el.appendChild(li); return;
    }
    items.forEach(function (item) { var li = document.createElement("li"); li.textContent = render(item); el.appendChild(li); });
  }
  // An empty chart says so in words instead of showing bare axes (empty state).
  function emptyNote(layout, isEmpty, message) {
    if (!isEmpty) { return layout; }
    return Object.assign({}, layout, {
      xaxis: { visible: false }, yaxis: { visible: false }, margin: { l: 10, r: 10, t: 10, b: 10 },
      annotations: [{ text: message, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
                      font: { size: dark ? 18 : 14, color: dark ? "#9fb3d1" : "#616e7c" } }],
    });
  }
  function heat(value, max) {
    // white-yellow-red, readable on both themes
    var t = max > 0 ? value / max : 0;
    var r = 255, g = Math.round(240 - 190 * t), b = Math.round(200 - 190 * t);
    return "rgba(" + r + "," + g + "," + b + "," + (dark ? 0.85 : 0.9) + ")";
  }

  function drawMap(streets) {
    if (!shapes) { return; }
    var byName = {};
    streets.forEach(function (s) { byName[s.street] = s; });
    var max = Math.max.apply(null, [1].concat(streets.map(function (s) { return s.intake; })));
    var figOf = function (f) { return byName[f.properties.name] || { intake: 0, open: 0, overdue: 0 }; };
    var traces = window.YouhuMap.outlineTraces(shapes, {
      fill: function (f) { return heat(figOf(f).intake, max); }, line: dark ? "#0b1426" : "#ffffff",
      text: function (f) { var fig = figOf(f); return f.properties.name + "：受理 " + fig.intake + "，在办 " + fig.open + "，超期 " + fig.overdue; },
      customdata: function (f) { return [figOf(f).street_id || null]; },
    });
    traces.push({
      type: "scatter", mode: "text", showlegend: false, hoverinfo: "skip",
      x: shapes.features.map(function (f) { return f.properties.centre[0]; }),
      y: shapes.features.map(function (f) { return f.properties.centre[1]; }),
      text: shapes.features.map(function (f) {
        var fig = byName[f.properties.name]; return f.properties.name.replace("街道", "") + "<br>" + (fig ? fig.intake : 0);
      }),
      textfont: { size: dark ? 14 : 11, color: dark ? "#0b1426" : "#1f2933" },
    });
    var layout = window.YouhuMap.mapLayout(baseLayout);
    var el = document.getElementById("dash-map");
    Plotly.react(el, traces, layout, config);
    if (!el.dataset.bound) {
      el.dataset.bound = "1";
      el.on("plotly_click", function (ev) {
        var id = ev.points && ev.points[0] && ev.points[0].data.customdata && ev.points[0].data.customdata[0];
        if (id) { window.location.href = root.dataset.streetUrl + id + "/"; }
      });
    }
  }

  function render(data) {
    var o = data.overview;
    text(root.querySelector('[data-kpi="today"]'), o.today);
    text(root.querySelector('[data-kpi="open"]'), o.open);
    text(root.querySelector('[data-kpi="overdue"]'), o.overdue);
    (data.rates || []).forEach(function (r) { text(root.querySelector('[data-rate="' + r.key + '"]'), pct(r.value)); });

    var trend = data.trend.series.map(function (s) {
      return { type: "scatter", mode: "lines", name: s.label, x: data.trend.dates, y: s.counts, stackgroup: "one" };
    });
    var noIntake = !data.trend.series.some(function (s) { return s.counts.some(function (n) { return n > 0; }); });
    Plotly.react("dash-trend", trend, emptyNote(Object.assign({}, baseLayout, {
      xaxis: Object.assign({}, baseLayout.xaxis, { tickformat: "%m-%d" }),
      yaxis: Object.assign({}, baseLayout.yaxis, { rangemode: "tozero", title: { text: "件" } }),
    }), noIntake, "所选区间内暂无受理"), config);

    var cats = data.top_categories.slice().reverse();
    Plotly.react("dash-categories", [{
      type: "bar", orientation: "h", x: cats.map(function (c) { return c.count; }), y: cats.map(function (c) { return c.category; }),
      marker: { color: dark ? "#5ec2ff" : "#1f5fbf" },
    }], emptyNote(Object.assign({}, baseLayout, { margin: { l: 110, r: 10, t: 10, b: 30 } }), !cats.length,
      "所选区间内暂无诉求"), config);

    drawMap(data.streets);
    // The counts are the rollups' (refreshed every minute by the queue): say of when, not when the page asked.
    setStatus(data.updated_at ? "数据更新于 " + hhmm(data.updated_at) : "统计数据生成中，稍后自动刷新", false);
  }

  function hhmm(iso) {
    return new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function renderHotspots(data) {
    var note = document.getElementById("dash-hotspots-at");
    text(note, data.computed_at ? "计算于 " + hhmm(data.computed_at) : "计算中…");
    listInto("dash-hotspots", data.hotspots || [], function (h) {
      var place = h.place && h.place !== "地点不详" ? h.place : "";
      return h.title + (place ? "（" + place + "）" : "") + " · " + h.size + " 件 · 热度 " + h.heat;
    }, data.computed_at ? "暂无热点" : "热点计算中，稍后自动刷新");
  }

  function renderLists(data) {
    listInto("dash-surges", data.surges, function (s) {
      return (s.dimension === "street" ? "街道 " : "分类 ") + s.name + "：今日 " + s.today + " 件（基线日均 " + s.baseline_mean + "）";
    }, "今日无激增");
    listInto("dash-overdue", data.overdue_units, function (u) { return u.unit + "：" + u.overdue + " 件"; }, "没有超期工单");
  }

  // The city's staff may look at one district (?district=); a district's staff get theirs whatever is asked.
  function districtParam(sep) {
    var district = root.dataset.district;
    return district ? sep + "district=" + encodeURIComponent(district) : "";
  }

  function load() {
    setStatus("加载中…", true);
    var days = daysEl ? daysEl.value : "30";
    var need = shapes ? Promise.resolve(shapes) : fetch(root.dataset.streetsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (g) { shapes = g; return g; });
    need.then(function () {
      return fetch(root.dataset.summaryUrl + "?days=" + days + districtParam("&"), { credentials: "same-origin" });
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) { renderLists(data); render(data); }).catch(function (err) {
      setStatus("加载失败：" + err.message + "，稍后自动重试", false);
    });
    fetch(root.dataset.hotspotsUrl + districtParam("?"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; }).then(renderHotspots)
      .catch(function () { renderHotspots({}); });
  }

  var clock = document.getElementById("dash-clock");
  if (clock) { setInterval(function () { clock.textContent = new Date().toLocaleString("zh-CN"); }, 1000); }
  if (daysEl) { daysEl.addEventListener("change", load); }
  load();
  setInterval(load, REFRESH_MS);
})();
