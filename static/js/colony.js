// Small behaviours on top of htmx. No framework: every page works without this file.
document.addEventListener("htmx:afterSwap", function (event) {
  // After a swap, move focus to the element the fragment asks for (e.g. the add-expense row).
  var target = event.detail.target;
  var focus = target && target.querySelector ? target.querySelector("[data-autofocus]") : null;
  if (!focus) focus = document.querySelector("[data-autofocus-after-swap]");
  if (focus) focus.focus();
});
