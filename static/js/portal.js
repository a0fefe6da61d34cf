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

  document.addEventListener("DOMContentLoaded", function () {
    loadFonts();
    document.querySelectorAll("form.invite-form").forEach(bindRoleFields);
  });
})();
