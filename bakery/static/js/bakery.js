// Small behaviours the server cannot do: keypad taps, confirmations, the idle lock.
// No inline script anywhere (the CSP forbids it); everything hangs off data- attributes.
(function () {
  "use strict";

  // PIN keypad: digits append to the input, "clear" empties it. Works with a keyboard too.
  document.addEventListener("click", function (event) {
    var key = event.target.closest("[data-key]");
    if (!key) { return; }
    var pad = key.closest("[data-keypad-for]");
    var input = pad && document.getElementById(pad.getAttribute("data-keypad-for"));
    if (!input) { return; }
    var value = key.getAttribute("data-key");
    if (value === "clear") { input.value = ""; }
    else if (input.value.length < (input.maxLength > 0 ? input.maxLength : 6)) { input.value += value; }
    input.focus();
  });

  // The product picker closes on Cancel and after its line has been added.
  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close]");
    if (closer) {
      var target = document.getElementById(closer.getAttribute("data-close"));
      if (target) { target.innerHTML = ""; }
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.target.id === "picker-form" && event.detail.xhr && event.detail.xhr.status === 200) {
      var picker = document.getElementById("picker");
      if (picker) { picker.innerHTML = ""; }
    }
  });

  // The scan box clears after each scan so the next barcode starts fresh.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-reset-after]");
    if (form) { form.reset(); var box = form.querySelector("input[name=code]"); if (box) { box.focus(); } }
  });

  // Destructive actions ask first.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);

  // Idle lock: after N seconds without a touch or key, submit the lock form. The server
  // enforces the same limit, so a sleeping tablet is locked even if this never runs.
  var seconds = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  var formId = document.body.getAttribute("data-idle-form");
  if (seconds > 0 && formId) {
    var timer = null;
    var arm = function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () {
        var form = document.getElementById(formId);
        if (form) { form.submit(); }
      }, seconds * 1000);
    };
    ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true });
    });
    arm();
  }
})();
