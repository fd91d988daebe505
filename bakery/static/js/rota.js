// The rota planner: Escape (or Close) shuts the shift panel and gives focus back to the shift or
// the + that opened it, so a keyboard user carries on where they were. No inline script (CSP).
(function () {
  "use strict";
  var opener = null;

  var selectorFor = function (element) {
    if (element.hasAttribute("data-shift")) { return 'a.chip[data-shift="' + element.getAttribute("data-shift") + '"]'; }
    return 'a.add[aria-label="' + element.getAttribute("aria-label").replace(/"/g, '\\"') + '"]';
  };

  var giveBackFocus = function () {
    var back = opener && document.querySelector(opener);
    if (back) { back.focus(); }
  };

  var closePanel = function () {
    var panel = document.getElementById("shift-panel");
    if (!panel || !panel.innerHTML.trim()) { return false; }
    panel.innerHTML = "";
    panel.classList.remove("open");
    giveBackFocus();
    return true;
  };

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#rota-week a.chip, #rota-week a.add");
    if (link) { opener = selectorFor(link); }
    var closer = event.target.closest && event.target.closest('[data-close="shift-panel"]');
    if (closer) { window.setTimeout(giveBackFocus, 0); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || document.querySelector("dialog[open]")) { return; }
    if (closePanel()) { event.preventDefault(); }
  });
})();
