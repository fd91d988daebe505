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

  // A top bar's menu on a phone: the Menu button (a tap, or Enter or Space) shows or hides its
  // links; a tap elsewhere or Escape closes it. Without this script the links simply wrap.
  document.documentElement.classList.add("js-menus");
  var closeMenus = function (except) {
    document.querySelectorAll('[data-menu-toggle][aria-expanded="true"]').forEach(function (toggle) {
      if (toggle !== except) { toggle.setAttribute("aria-expanded", "false"); }
    });
  };
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      closeMenus(toggle);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var menu = document.getElementById(toggle.getAttribute("aria-controls"));
        var first = menu && menu.querySelector("a, button");
        if (first && event.detail === 0) { first.focus(); }
      }
      return;
    }
    if (!event.target.closest(".topbar")) { closeMenus(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector('[data-menu-toggle][aria-expanded="true"]');
    if (open) { closeMenus(null); open.focus(); }
  });

  // The scan box clears after each scan so the next barcode starts fresh.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-reset-after]");
    if (form) { form.reset(); var box = form.querySelector("input[name=code]"); if (box) { box.focus(); } }
  });

  // Destructive actions ask first, in the app's own confirm panel (never the browser's confirm()):
  // the question, Cancel (focused, so Enter does not destroy) and the action under its own name.
  var askFirst = function (question, action, onYes) {
    var dialog = document.createElement("dialog");
    dialog.className = "card confirm-panel";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", "confirm-question");
    var heading = document.createElement("h2");
    heading.id = "confirm-question";
    heading.textContent = question;
    var actions = document.createElement("div");
    actions.className = "picker-actions";
    var cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "btn"; cancel.textContent = "Cancel";
    var yes = document.createElement("button");
    yes.type = "button"; yes.className = "btn btn-danger"; yes.textContent = action || "Yes";
    actions.append(cancel, yes);
    dialog.append(heading, actions);
    var done = function () { dialog.close(); dialog.remove(); };
    cancel.addEventListener("click", done);
    dialog.addEventListener("cancel", function () { dialog.remove(); });
    yes.addEventListener("click", function () { done(); onYes(); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  };
  var label = function (element) { return element ? element.textContent.replace(/\s+/g, " ").trim() : ""; };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!question) { return; }
    if (form.getAttribute("data-confirmed") === "yes") { form.removeAttribute("data-confirmed"); return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    askFirst(question, label(button), function () {
      form.setAttribute("data-confirmed", "yes");
      if (button) { form.requestSubmit(button); } else { form.requestSubmit(); }
    });
  }, true);

  // htmx's hx-confirm asks in the same panel.
  document.addEventListener("htmx:confirm", function (event) {
    if (!event.detail.question) { return; }
    event.preventDefault();
    askFirst(event.detail.question, label(event.detail.elt), function () { event.detail.issueRequest(true); });
  });

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

  // No answer from the till server (the shop's network dropped, the server restarting): say so
  // where staff look, until a request gets through again. Nothing is queued on the tablet: the
  // order is kept on the server, and Pay carries its keys, so tapping again is always safe.
  var lost = null;
  var showLost = function () {
    if (!lost) {
      lost = document.createElement("div");
      lost.id = "connection-lost";
      lost.className = "connection-lost";
      lost.setAttribute("role", "alert");
      lost.textContent = "No connection to the till server. Nothing was saved: " +
        "when this message goes, tap again (the order is kept).";
      document.body.appendChild(lost);
    }
  };
  document.addEventListener("htmx:sendError", showLost);
  document.addEventListener("htmx:timeout", showLost);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (lost && event.detail.xhr && event.detail.xhr.status > 0) { lost.remove(); lost = null; }
  });
})();
