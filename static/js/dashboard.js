/* Dashboard: draw the Plotly figures passed through json_script, start the help popovers and submit the
   filter form when a filter changes. No inline script: everything the page needs is in data attributes. */
(function () {
  "use strict";

  function registerDutch() {
    if (!window.Plotly || !window.Plotly.register) {
      return;
    }
    window.Plotly.register({
      moduleType: "locale",
      name: "nl",
      dictionary: {
        "Download plot as a png": "Download als png",
        "Zoom": "Zoomen",
        "Pan": "Verschuiven",
        "Zoom in": "Inzoomen",
        "Zoom out": "Uitzoomen",
        "Reset axes": "Assen herstellen",
        "Toggle Spike Lines": "Hulplijnen aan/uit",
        "Show closest data on hover": "Dichtstbijzijnde gegevens tonen",
        "Compare data on hover": "Gegevens vergelijken",
        "Double-click to zoom back out": "Dubbelklik om uit te zoomen"
      },
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
  }

  function drawFigures() {
    var source = document.getElementById("dashboard-figures");
    if (!source || !window.Plotly) {
      return;
    }
    var payload = JSON.parse(source.textContent);
    var figures = payload.figures || {};
    var months = payload.months || [];
    var locale = (document.documentElement.lang || "nl").slice(0, 2) === "nl" ? "nl" : "en";
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var figure = figures[el.dataset.figure];
      if (!figure) {
        return;
      }
      // traces over time carry no x: the month list is sent once for all of them
      figure.data.forEach(function (trace) {
        if (!trace.x) {
          trace.x = months;
        }
      });
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        locale: locale,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"],
        toImageButtonOptions: { filename: "foodvalley-" + el.dataset.figure, scale: 2 }
      });
    });
  }

  function startPopovers() {
    if (!window.bootstrap || !window.bootstrap.Popover) {
      return;
    }
    document.querySelectorAll("[data-help]").forEach(function (button) {
      var content = document.getElementById(button.dataset.help);
      if (!content) {
        return;
      }
      new window.bootstrap.Popover(button, {
        title: button.dataset.helpTitle || "",
        content: content.innerHTML,
        html: true,
        trigger: "hover focus",
        placement: "auto",
        container: "body",
        customClass: "help-popover"
      });
    });
  }

  function autosubmit() {
    var form = document.querySelector("form[data-autosubmit]");
    if (!form) {
      return;
    }
    form.querySelectorAll("select, input").forEach(function (field) {
      field.addEventListener("change", function () {
        if (field.type === "month" && !field.value) {
          return;
        }
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      });
    });
  }

  registerDutch();
  drawFigures();
  startPopovers();
  autosubmit();
})();
