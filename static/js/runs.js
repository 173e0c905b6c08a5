/* Run detail: poll the run's status URL (data-run-status-url) and move the progress bar until the run
   has finished or failed, then reload the page once to show the result. */
(function () {
  "use strict";
  var box = document.querySelector("[data-run-status-url]");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  var url = box.dataset.runStatusUrl;
  var interval = parseInt(box.dataset.pollInterval || "1500", 10);
  var failures = 0;

  function setText(name, value) {
    document.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
      el.textContent = value;
    });
  }

  function render(data) {
    var bar = box.querySelector(".progress-bar");
    if (bar) {
      bar.style.width = data.progress + "%";
      bar.textContent = data.progress + "%";
      bar.parentElement.setAttribute("aria-valuenow", String(data.progress));
    }
    var badge = document.querySelector("[data-badge]");
    if (badge) {
      badge.className = "badge fs-6 align-middle " + data.badge;
    }
    setText("status_display", data.status_display);
    setText("phase", data.phase || "–");
    setText("series_count", String(data.series_count));
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        render(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, interval);
        }
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, interval * Math.min(8, 2 * failures));
      });
  }

  window.setTimeout(poll, interval);
})();
