/* The district map's shared drawing: street outlines (GeoJSON from /api/dashboard/streets) as Plotly
   traces and the map's axes. Used by the dashboard and the key-project board. */
(function () {
  "use strict";
  // opts: fill(feature) -> colour, text(feature) -> hover text, customdata(feature) -> array, line -> colour
  function outlineTraces(shapes, opts) {
    var traces = [];
    shapes.features.forEach(function (f) {
      var polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      polys.forEach(function (poly) {
        var ring = poly[0];
        traces.push({
          type: "scatter", mode: "lines", fill: "toself", x: ring.map(function (p) { return p[0]; }),
          y: ring.map(function (p) { return p[1]; }), fillcolor: opts.fill(f),
          line: { color: opts.line || "#ffffff", width: 1 }, name: f.properties.name, showlegend: false,
          hoveron: "fills", hoverinfo: "text", text: opts.text ? opts.text(f) : f.properties.name,
          customdata: opts.customdata ? opts.customdata(f) : [null],
        });
      });
    });
    return traces;
  }
  // The map's layout on top of a page's base layout: no axes, equal-ish scale, no zoom.
  function mapLayout(base) {
    return Object.assign({}, base, {
      margin: { l: 0, r: 0, t: 0, b: 0 }, hovermode: "closest",
      xaxis: { visible: false, fixedrange: true }, yaxis: { visible: false, scaleanchor: "x", scaleratio: 1.1, fixedrange: true },
    });
  }
  window.YouhuMap = { outlineTraces: outlineTraces, mapLayout: mapLayout };
})();
