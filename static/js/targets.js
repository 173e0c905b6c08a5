/* Targets page: draw each target's small Plotly chart from the figure JSON the page passes through
   json_script (element id in data-figure), and start the definition tooltips. No inline script (CSP). */
(function () {
  "use strict";

  function registerDutch() {
    if (!window.Plotly || !window.Plotly.register) {
      return;
    }
    try {
      window.Plotly.register({
        moduleType: "locale",
        name: "nl",
        dictionary: {},
        format: {
          days: ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
          shortDays: ["zo", "ma", "di", "wo", "do", "vr", "za"],
          months: ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
          shortMonths: ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
          date: "%d-%m-%Y",
          decimal: ",",
          thousands: "."
        }
      });
    } catch (e) {
      /* already registered by another script on the page */
    }
  }

  function drawCharts() {
    if (!window.Plotly) {
      return;
    }
    var lang = (document.documentElement.lang || "nl").slice(0, 2);
    document.querySelectorAll(".target-chart[data-figure], .forecast-chart[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.figure);
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        displayModeBar: false,
        responsive: true,
        locale: lang === "nl" ? "nl" : "en"
      });
    });
  }

  function startTooltips() {
    if (!window.bootstrap || !window.bootstrap.Tooltip) {
      return;
    }
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (el) {
      new window.bootstrap.Tooltip(el, {container: "body"});
    });
  }

  registerDutch();
  drawCharts();
  startTooltips();
})();
