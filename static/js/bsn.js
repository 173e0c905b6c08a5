/* The 11-check of a BSN field (input[data-bsn]) in the browser, before the form is sent: the server never sends a
   typed BSN back, so without this a typing error would empty the field. The message is the field's data-bsn text;
   the server checks again. No inline script (CSP). */
(function () {
  "use strict";
  var WEIGHTS = [9, 8, 7, 6, 5, 4, 3, 2, -1];

  function valid(raw) {
    var digits = raw.replace(/[\s.\-]/g, "");
    if (/^\d{8}$/.test(digits)) {
      digits = "0" + digits;
    }
    if (!/^\d{9}$/.test(digits) || digits === "000000000") {
      return false;
    }
    var total = 0;
    for (var i = 0; i < 9; i += 1) {
      total += parseInt(digits.charAt(i), 10) * WEIGHTS[i];
    }
    return total % 11 === 0;
  }

  function check(input) {
    var value = input.value.trim();
    input.setCustomValidity(value && !valid(value) ? input.dataset.bsn : "");
    return input.checkValidity();
  }

  document.querySelectorAll("input[data-bsn]").forEach(function (input) {
    input.addEventListener("input", function () { check(input); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check(input)) {
          event.preventDefault();
          event.stopImmediatePropagation();
          input.reportValidity();
        }
      }, true);
    }
  });
})();
