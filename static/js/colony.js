// Small behaviours on top of htmx. The CSP forbids inline scripts and handlers, so they live here.
(function () {
  "use strict";

  function isTyping(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || element.isContentEditable;
  }

  // Forms and buttons with data-confirm ask before submitting (no-JS: they just submit). A
  // button's empty data-confirm asks about the thing it is named after (aria-labelledby: its
  // verb, then the expense's description): "Delete “Groceries”?". Stopped here, in the capture
  // phase, the submit never reaches htmx.
  function confirmation(button) {
    var message = button && button.getAttribute && button.getAttribute("data-confirm");
    if (message !== "") return message;
    var ids = (button.getAttribute("aria-labelledby") || "").split(" ");
    var subject = document.getElementById(ids[ids.length - 1]);
    return button.textContent.trim() + (subject ? " “" + subject.textContent.trim() + "”" : "") + "?";
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = confirmation(event.submitter) || (form.getAttribute && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Select-on-click for read-only fields holding a link to copy; copy buttons copy their target.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    if (target.matches("input.copy")) target.select();
    var copyButton = target.closest("[data-copy]");
    if (copyButton) {
      var field = document.getElementById(copyButton.getAttribute("data-copy"));
      if (!field) return;
      field.select();
      var status = document.getElementById(copyButton.getAttribute("data-copy") + "-copied");
      var done = function () {
        copyButton.textContent = "Copied";
        // Emptied first, so a second copy is announced again.
        if (status) { status.textContent = ""; window.setTimeout(function () { status.textContent = "Copied"; }, 50); }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    }
  });

  // "Go back" links return to the page before, where there is one (the CSP forbids javascript: URLs).
  document.addEventListener("click", function (event) {
    var back = event.target.closest && event.target.closest("[data-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // The navigation folds into a menu on narrow screens.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (!toggle) return;
    var bar = document.getElementById("topbar");
    var open = !bar.classList.contains("menu-open");
    bar.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // Light/dark: the button switches to the other of what is shown now (the device's choice
  // when the user has none yet); the server remembers it for the user.
  function shownTheme() {
    var chosen = document.documentElement.getAttribute("data-theme");
    if (chosen) return chosen;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function labelThemeToggle() {
    var next = shownTheme() === "dark" ? "light" : "dark";
    document.querySelectorAll("[data-theme-next]").forEach(function (input) { input.value = next; });
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.textContent = next === "dark" ? "Dark mode" : "Light mode";
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-theme-toggle]");
    if (!button) return;
    var input = button.form.querySelector("[data-theme-next]");
    document.documentElement.setAttribute("data-theme", input.value);
    // The form posts the new value (htmx reads it after this handler), then the label flips.
    window.setTimeout(labelThemeToggle, 0);
  });

  // Bars get their width from data-progress (a percentage); inline styles are not allowed.
  function applyProgress(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseFloat(bar.getAttribute("data-progress"));
      if (!isNaN(value)) bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }

  // Tables marked "stack" become one card per row on a phone (CSS); each cell is labelled with
  // its column's heading here, so the label follows the heading the page was rendered with.
  function labelStackedTables(root) {
    (root || document).querySelectorAll("table.stack").forEach(function (table) {
      var heads = [];
      table.querySelectorAll("thead tr:last-child > th").forEach(function (th) {
        for (var n = 0; n < (th.colSpan || 1); n++) heads.push(th.textContent.trim());
      });
      table.querySelectorAll("tbody > tr, tfoot > tr").forEach(function (tr) {
        var column = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          if (heads[column] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[column]);
          column += cell.colSpan || 1;
        });
      });
    });
  }

  // --- The add-expense row and inline edits -------------------------------------------------
  function addForm() { return document.querySelector("[data-add-form]"); }
  function fieldsOf(form) { return form ? Array.prototype.slice.call(form.elements) : []; }
  function focusAddRow() {
    var form = addForm();
    if (!form) return false;
    var panel = form.closest("[data-add-panel]");
    if (panel) panel.classList.add("open");
    var first = form.querySelector("[name=description]");
    if (first) {
      first.focus();
      first.scrollIntoView({ block: "center" });
    }
    return true;
  }
  // The values kept from the last expense go back to their defaults (Esc or the Reset button).
  function resetCarried(form) {
    if (!form) return;
    form.querySelectorAll("[data-default]").forEach(function (field) {
      field.value = field.getAttribute("data-default");
      field.classList.remove("carried");
    });
    var note = document.querySelector("[data-carried-note]");
    if (note) note.hidden = true;
    statusFollowsDate(form);
  }
  function formOf(element) {
    if (!element) return null;
    if (element.form) return element.form;
    return element.closest ? element.closest("form") : null;
  }

  // A new expense's status follows its date (services.status_for_date: paid once the day has
  // come, planned while it is ahead) until the person picks a status themselves.
  function statusFollowsDate(form) {
    var status = form && form.querySelector("select[data-follows-date]");
    var date = form && form.querySelector("input[type=date]");
    if (!status || !date || !date.value) return;
    status.value = date.value <= status.getAttribute("data-today") ? "paid" : "planned";
  }
  document.addEventListener("change", function (event) {
    var field = event.target;
    var form = formOf(field);
    if (!form || !form.hasAttribute("data-add-form")) return;
    if (field.hasAttribute("data-follows-date")) field.removeAttribute("data-follows-date");
    else if (field.type === "date") statusFollowsDate(form);
  });

  document.addEventListener("click", function (event) {
    var open = event.target.closest && event.target.closest("[data-open-add]");
    if (open && focusAddRow()) event.preventDefault();
    var reset = event.target.closest && event.target.closest("[data-reset-carried]");
    if (reset) {
      event.preventDefault();
      resetCarried(addForm());
      focusAddRow();
    }
  });

  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    var form = formOf(active);
    if (event.key === "Escape") {
      // An input of the edit row is tied to its form by the form attribute, inside the row.
      // By a data attribute, not the class: htmx gives a swapped-in row its class a moment
      // after the swap (settling), and Esc pressed in that moment must still cancel.
      var editRow = active && active.closest && active.closest("[data-edit-row]");
      if (editRow) {
        var cancel = editRow.querySelector("[data-cancel]");
        if (cancel) {
          event.preventDefault();
          // Asked of htmx directly: a row swapped in a moment ago may not be wired up yet, and a
          // plain click would then reload the whole page.
          if (window.htmx && cancel.getAttribute("hx-get")) {
            window.htmx.ajax("GET", cancel.getAttribute("hx-get"), {
              target: cancel.getAttribute("hx-target") || editRow, swap: "outerHTML"
            });
          } else {
            cancel.click();
          }
        }
        return;
      }
      if (form && form.hasAttribute("data-add-form")) {
        event.preventDefault();
        resetCarried(form);
      }
      return;
    }
    // Shift+Tab back into a date field: Chromium would land on its last part (the year), and
    // the digits typed next would go there. Focusing it from code starts at its first part.
    if (event.key === "Tab" && event.shiftKey && form) {
      var fields = fieldsOf(form).filter(function (field) {
        return !field.disabled && field.type !== "hidden" && field.tabIndex >= 0 && field.offsetParent !== null;
      });
      var previous = fields[fields.indexOf(active) - 1];
      if (previous && previous.type === "date") {
        event.preventDefault();
        previous.focus();
        return;
      }
    }
    // Enter adds (or saves) from any field of the row, a select included.
    if (event.key === "Enter" && form && (form.hasAttribute("data-add-form") || form.hasAttribute("data-edit-form"))
        && active.tagName !== "TEXTAREA" && active.tagName !== "BUTTON" && active.tagName !== "A") {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (isTyping(active) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") {
      var dialog = document.getElementById("shortcuts");
      if (dialog && !dialog.open) { event.preventDefault(); dialog.showModal(); }
    } else if (event.key === "n" || event.key === "N") {
      if (focusAddRow()) event.preventDefault();
    }
  });

  // --- Offline: a write that cannot reach the server says so instead of doing nothing ---------
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("messages");
    if (!box) return;
    var note = document.createElement("div");
    note.className = "flash flash-error";
    note.setAttribute("role", "alert");
    note.textContent = "You seem to be offline: nothing was saved. Try again when you are back online.";
    box.appendChild(note);
  });

  // Copy buttons are hidden in the markup (without JS they could not copy) and shown here.
  function showCopyButtons(root) {
    var buttons = root.querySelectorAll ? root.querySelectorAll("[data-copy][hidden]") : [];
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }
  document.addEventListener("htmx:load", function (event) { showCopyButtons(event.target); });

  document.addEventListener("DOMContentLoaded", function () {
    // A page's own autofocus was applied by the browser: no later swap should apply it again.
    document.querySelectorAll("[data-autofocus]").forEach(function (field) {
      field.removeAttribute("data-autofocus");
    });
    showCopyButtons(document);
    applyProgress(document);
    labelStackedTables(document);
    labelThemeToggle();
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) query.addEventListener("change", labelThemeToggle);
    }
    var script = document.querySelector("script[data-service-worker]");
    if (script && "serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register(script.getAttribute("data-service-worker"), { scope: "/" }).catch(function () {});
    }
  });

  // A bar swapped in (out of band too) gets its width at once, not only after the settle delay.
  document.addEventListener("htmx:afterSwap", function () { applyProgress(document); labelStackedTables(document); });
  document.addEventListener("htmx:oobAfterSwap", function () { applyProgress(document); });

  // A <details> whose open state has to outlive an HTMX re-render of its form (the import
  // preview's choices) writes it into the hidden input it names; the server renders from it.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    var name = details && details.getAttribute ? details.getAttribute("data-open-input") : null;
    var input = name ? document.getElementById(name) : null;
    if (input) input.value = details.open ? "1" : "";
  }, true);

  // --- Focus after an in-place action ------------------------------------------------------
  // An action swaps its whole row (or panel), the focused control with it: the browser would
  // leave the focus on <body>, some sixty Tabs away from the rows. Before the swap we note
  // where the focus was; after it, the focus goes back to the same control in the new row (the
  // one that does the same thing: the same URL), else the row's main control, else its first
  // one. A deleted row hands the focus to its neighbour; "show more" to the first new row.
  var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea";
  var swapFocus = null;

  function actionOf(element) {
    if (!element || !element.getAttribute) return null;
    var form = element.form || null;
    return element.getAttribute("hx-post") || element.getAttribute("hx-get")
      || element.getAttribute("formaction") || element.getAttribute("href")
      || (form && (form.getAttribute("hx-post") || form.getAttribute("action"))) || null;
  }
  function focusables(root) {
    return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), function (element) {
      return !element.disabled && element.tabIndex >= 0 && element.getClientRects().length > 0;
    });
  }
  function neighbourRow(row) {
    var next = row.nextElementSibling;
    while (next && (!next.id || next.id === "expense-more")) next = next.nextElementSibling;
    if (next) return next.id;
    var previous = row.previousElementSibling;
    while (previous && !previous.id) previous = previous.previousElementSibling;
    return previous ? previous.id : null;
  }
  function focusIn(root, action) {
    if (!root) return false;
    var controls = focusables(root);
    var chosen = root.querySelector("[autofocus]")
      || (action && controls.filter(function (control) { return actionOf(control) === action; })[0])
      // A row's own action: the first button of its form (pay ✓, "Paid" or Restore).
      || root.querySelector("form button")
      || controls[0];
    if (!chosen) return false;
    chosen.focus();
    return document.activeElement === chosen;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    swapFocus = null;
    var target = event.detail.target;
    var active = document.activeElement;
    if (!target || !target.id || !active || !target.contains(active)) return;
    swapFocus = {
      id: target.id,
      action: actionOf(active),
      row: target.tagName === "TR",
      neighbour: target.tagName === "TR" ? neighbourRow(target) : null,
      previous: target.id === "expense-more" && target.previousElementSibling
        ? target.previousElementSibling.id : null
    };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    applyProgress(document);
    // After a swap, focus the element the fragment asks for (e.g. the add-expense row).
    var target = event.detail.target;
    var focus = target && target.querySelector ? target.querySelector("[data-autofocus]") : null;
    // An outerHTML swap replaced the target, and the first afterSettle may be an out-of-band
    // panel's: the field the new fragment asks for is found in the document. The attribute is
    // used once, so a later swap never pulls the focus back to it.
    if (!focus) focus = document.querySelector("[data-autofocus]");
    if (!focus) focus = document.querySelector("[data-autofocus-after-swap]");
    if (focus) {
      focus.removeAttribute("data-autofocus");
      focus.focus();
    }
    // htmx:afterSettle comes once per swapped element (the out-of-band ones too): the first
    // one, after all of them are in place, does it.
    var noted = swapFocus;
    swapFocus = null;
    var active = document.activeElement;
    if (!noted || (active && active !== document.body && document.contains(active))) return;
    if (noted.previous) {
      var last = document.getElementById(noted.previous);
      if (last && last.nextElementSibling && focusIn(last.nextElementSibling, null)) return;
    }
    if (focusIn(document.getElementById(noted.id), noted.action)) return;
    if (noted.neighbour && focusIn(document.getElementById(noted.neighbour), null)) return;
    if (noted.row) focusAddRow();
  });
})();
