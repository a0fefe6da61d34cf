/* Batches on lists (session reports, timesheets): the "select all" box of a table ticks or clears every row box that
   belongs to the same form (the rows' boxes carry form="…", so a table may hold other forms of its own). Without
   JavaScript the box stays hidden and each row is ticked on its own: the form works the same. */
(function () {
  "use strict";

  function rows(formId) {
    return Array.prototype.filter.call(document.querySelectorAll("input[type=checkbox][form]"), function (box) {
      return box.getAttribute("form") === formId;
    });
  }

  function bind(all) {
    var formId = all.dataset.batchAll;
    var boxes = rows(formId);
    var wrap = all.closest("[data-batch-all-wrap]");
    if (!boxes.length) { return; }
    if (wrap) { wrap.hidden = false; }
    function sync() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      all.indeterminate = false;
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  }

  function init() {
    document.querySelectorAll("[data-batch-all]").forEach(bind);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
