/* Mediazione: the portal's only script file (no inline scripts). */
(function () {
  "use strict";

  function loadFonts() {
    // Bootstrap Italia's CSS does not load Titillium Web by itself.
    var path = document.body && document.body.dataset.fontsPath;
    if (path && window.bootstrap && window.bootstrap.loadFonts) {
      window.__PUBLIC_PATH__ = path;
      window.bootstrap.loadFonts(path);
    }
  }

  // On the invitation form, show only the organisation fields the chosen role needs.
  function bindRoleFields(root) {
    var role = root.querySelector("select[name=role]");
    if (!role) { return; }
    var fields = root.querySelectorAll("[data-roles]");
    function update() {
      fields.forEach(function (field) {
        var roles = field.dataset.roles.split(" ");
        field.hidden = roles.indexOf(role.value) === -1;
      });
    }
    role.addEventListener("change", update);
    update();
  }

  // A form sent back with errors: the summary takes the focus, so that a screen reader reads it and the keyboard
  // starts from it; each of its links moves the focus to the field to correct (templates/includes/error_summary.html).
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) { return; }
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    loadFonts();
    focusErrorSummary();
    document.querySelectorAll("form.invite-form").forEach(bindRoleFields);
  });
})();
