/* Import report: poll the job's status URL (from data-import-status-url) until it has finished, then reload. */
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status-url]");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  var url = box.dataset.importStatusUrl;
  var interval = parseInt(box.dataset.pollInterval || "1500", 10);
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "nl");

  function setText(name, value) {
    box.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
      el.textContent = value;
    });
  }

  function render(data) {
    var bar = box.querySelector(".progress-bar");
    if (bar) {
      bar.style.width = data.percent + "%";
      bar.textContent = data.percent + "%";
      bar.parentElement.setAttribute("aria-valuenow", String(data.percent));
    }
    var badge = box.querySelector("[data-badge]");
    if (badge) {
      badge.className = "badge " + data.badge;
    }
    setText("status_display", data.status_display);
    setText("phase", data.phase);
    ["rows_done", "rows_total", "created", "updated", "unchanged", "error_count"].forEach(function (name) {
      setText(name, numbers.format(data[name]));
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
        render(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, interval);
        }
      })
      .catch(function () {
        window.setTimeout(poll, interval * 4);
      });
  }

  window.setTimeout(poll, interval);
})();
