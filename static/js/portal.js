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

  // On a phone a table becomes a stack of cards (portal.css, .table-stack): each cell shows its column's name, copied
  // here from the header. The display change would drop the table's semantics in some browsers: the roles keep them.
  function stackTables(root) {
    root.querySelectorAll("main table.table").forEach(function (table) {
      if (table.hasAttribute("data-keep-table")) { return; }
      if (table.classList.contains("formset-table") || !table.tHead) { return; }
      var headerRow = table.tHead.rows[table.tHead.rows.length - 1];
      // Two columns fit a phone as they are: only wider tables become cards.
      if (!headerRow || headerRow.cells.length < 3) { return; }
      // A header may name its column itself (data-column-label): the batch's header also holds its select-all label.
      var names = Array.prototype.map.call(headerRow.cells, function (cell) {
        return (cell.getAttribute("data-column-label") || cell.textContent).trim();
      });
      table.setAttribute("role", "table");
      Array.prototype.forEach.call(table.querySelectorAll("tr"), function (row) { row.setAttribute("role", "row"); });
      Array.prototype.forEach.call(headerRow.cells, function (cell) { cell.setAttribute("role", "columnheader"); });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        body.setAttribute("role", "rowgroup");
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, index) {
            cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
            if (names[index] && cell.colSpan === 1) { cell.setAttribute("data-label", names[index]); }
          });
        });
      });
      table.tHead.setAttribute("role", "rowgroup");
      table.classList.add("table-stack");
    });
  }

  // Logging out forgets the pages the service worker kept for reading without signal (sw.js): a page for nobody
  // (the login page, the page after logging out) deletes them, and so does the logout button itself.
  function forgetOfflinePages() {
    if (!window.caches) { return; }
    caches.keys().then(function (names) {
      names.forEach(function (name) { if (name.indexOf("mediazione-pages") === 0) { caches.delete(name); } });
    });
  }

  function registerServiceWorker() {
    var url = document.body.dataset.serviceWorker;
    if (url && "serviceWorker" in navigator) {
      navigator.serviceWorker.register(url, { scope: "/" }).catch(function () { /* the portal works without it */ });
    }
  }

  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-logout]")) { forgetOfflinePages(); }
  });

  document.addEventListener("htmx:load", function (event) { stackTables(event.detail.elt.ownerDocument); });

  document.addEventListener("DOMContentLoaded", function () {
    loadFonts();
    stackTables(document);
    if (document.body.hasAttribute("data-anonymous")) { forgetOfflinePages(); }
    registerServiceWorker();
    focusErrorSummary();
    document.querySelectorAll("form.invite-form").forEach(bindRoleFields);
  });
})();
