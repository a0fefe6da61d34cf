/* The request form: language search results fill their row; rows added later get htmx; focus follows new rows.
   No inline scripts: everything here is bound by data attributes. */
(function () {
  "use strict";

  // Parts that need JavaScript (the language search, the "add" buttons) are hidden until it runs.
  function reveal(root) {
    root.querySelectorAll("[data-needs-js][hidden]").forEach(function (element) { element.hidden = false; });
  }

  function pickLanguage(button) {
    var row = button.dataset.row;
    var select = document.getElementById("id_" + row + "-code");
    if (!select) { return; }
    var code = button.dataset.pickLanguage;
    var label = button.dataset.label;
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === code; });
    if (!option) {
      // A language found by the search that is not in the menu of common languages.
      option = new Option(label, code);
      select.add(option, 1);
    }
    select.value = code;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    var results = document.getElementById(row + "-results");
    var list = button.closest("[data-chosen-text]");
    var search = document.getElementById("id_" + row + "-search");
    if (search) { search.value = ""; }
    if (results) {
      var status = document.createElement("p");
      status.className = "small mb-0 language-chosen";
      status.textContent = (list ? list.dataset.chosenText + " " : "") + label;
      results.replaceChildren(status);
    }
    var variant = document.getElementById("id_" + row + "-variant");
    (variant || select).focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-language]");
    if (button) {
      event.preventDefault();
      pickLanguage(button);
    }
  });

  // Enter in the search box must not submit the whole form: it picks the first result, if any.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches(".language-search input[type=search]")) { return; }
    event.preventDefault();
    var results = event.target.closest(".language-search").querySelector("[data-pick-language]");
    if (results) { pickLanguage(results); }
  });

  // A language row added by formsets.js (cloned from a <template>) is new to htmx: let it bind the search.
  function watchRows() {
    var body = document.querySelector('[data-formset-body="languages"]');
    if (!body || !window.MutationObserver) { return; }
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) { return; }
          reveal(node);
          if (window.htmx) { window.htmx.process(node); }
        });
      });
    }).observe(body, { childList: true });
  }

  // After "Add a time slot", move the focus to the new row's day.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "slot-rows" && target.lastElementChild) {
      var first = target.lastElementChild.querySelector("input");
      if (first) { first.focus(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".request-form").forEach(reveal);
    watchRows();
  });
})();
