/* Draws each <div data-figure="ID"> with the Plotly figure in the JSON script #ID (built in indicators/charts.py). */
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.dataset.figure);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout, { displayModeBar: false, responsive: true });
  });
})();
