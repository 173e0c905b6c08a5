/* The progress of a background job (a run, an import, a report, an export): poll the element's
   data-job-status-url (core.views.job_status) and show what it says: the progress bar, the status badge
   ([data-badge]), and every element with a data-field named in the answer (status_display, phase, message, and
   the job's own figures). When the job has finished, the page is loaded again once to show the result. */
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  var url = box.dataset.jobStatusUrl;
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
    document.querySelectorAll("[data-badge]").forEach(function (badge) {
      badge.classList.remove("text-bg-secondary", "text-bg-primary", "text-bg-success", "text-bg-danger", "text-bg-warning");
      badge.classList.add(data.badge);
    });
    setText("status_display", data.status_display);
    setText("phase", data.phase || "–");
    Object.keys(data.fields || {}).forEach(function (name) {
      setText(name, data.fields[name]);
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
