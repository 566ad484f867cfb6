// Small behaviours on top of htmx. The CSP forbids inline scripts and handlers, so they live here.
(function () {
  "use strict";

  // Forms and buttons with data-confirm ask before submitting (no-JS: they just submit).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // Select-on-click for read-only fields holding a link to copy.
  document.addEventListener("click", function (event) {
    if (event.target.matches && event.target.matches("input.copy")) event.target.select();
  });

  // Bars get their width from data-progress (a percentage); inline styles are not allowed.
  function applyProgress(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseFloat(bar.getAttribute("data-progress"));
      if (!isNaN(value)) bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applyProgress(document); });

  document.addEventListener("htmx:afterSettle", function (event) {
    applyProgress(document);
    // After a swap, focus the element the fragment asks for (e.g. the add-expense row).
    var target = event.detail.target;
    var focus = target && target.querySelector ? target.querySelector("[data-autofocus]") : null;
    if (!focus) focus = document.querySelector("[data-autofocus-after-swap]");
    if (focus) focus.focus();
  });
})();
