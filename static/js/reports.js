/* Report detail: poll the report's status URL (data-report-status-url) and move the progress bar until the
   report is done or failed; then show the download buttons (done) or reload to show the message (failed). */
(function () {
  "use strict";
  var box = document.querySelector("[data-report-status-url]");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  var url = box.dataset.reportStatusUrl;
  var interval = parseInt(box.dataset.pollInterval || "1000", 10);
  var failures = 0;

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
      badge.textContent = data.status_display;
    }
    document.querySelectorAll('[data-field="phase"]').forEach(function (el) {
      el.textContent = data.phase || "–";
    });
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
        if (data.status === "done") {
          var doneBar = box.querySelector(".progress-bar");
          if (doneBar) {
            doneBar.classList.remove("progress-bar-striped", "progress-bar-animated");
            doneBar.classList.add("bg-success");
          }
          var downloads = box.querySelector("[data-downloads]");
          if (downloads) {
            downloads.classList.remove("d-none");
          }
        } else if (data.finished) {
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
