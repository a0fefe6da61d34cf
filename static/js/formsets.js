/* "Add a row" for Django formsets rendered by templates/includes/formset_table.html. No inline scripts. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-formset-add]");
    if (!button) { return; }
    var prefix = button.dataset.formsetAdd;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.querySelector('template[data-formset-empty="' + prefix + '"]');
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    if (!total || !template || !body) { return; }
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return; }
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    // The new row's parts that need JavaScript are shown now, not later by an observer: hidden, its first field
    // could not take the focus, which would stay on the button below the new row.
    var row = body.lastElementChild;
    row.querySelectorAll("[data-needs-js][hidden]").forEach(function (element) { element.hidden = false; });
    var fields = row.querySelectorAll("input:not([type=hidden]), select, textarea");
    var first = Array.prototype.find.call(fields, function (field) { return field.getClientRects().length > 0; });
    if (first) { first.focus(); }
  });
})();
