/* Sorting and filtering for the hub's index tables. No dependencies, no network. */
(function () {
  "use strict";

  function cellText(cell) {
    return cell ? (cell.textContent || "").trim() : "";
  }

  function asNumber(text) {
    if (!/^[-\u2212+]?\d/.test(text)) return null;
    var value = parseFloat(text.replace("\u2212", "-"));
    return isNaN(value) ? null : value;
  }

  function sortBy(table, header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(header.parentNode.cells, function (cell) {
      cell.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellText(a.cells[index]), y = cellText(b.cells[index]);
      var nx = asNumber(x), ny = asNumber(y);
      var order = nx !== null && ny !== null ? nx - ny
        : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function setupSorting(table) {
    if (!table.tHead || table.dataset.lmhubSort) return;
    table.dataset.lmhubSort = "1";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      header.classList.add("lmhub-sortable");
      header.tabIndex = 0;
      header.setAttribute("aria-sort", "none");
      header.title = "Sort by this column";
      var go = function () { sortBy(table, header, index); };
      header.addEventListener("click", go);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); go(); }
      });
    });
  }

  function setupFilters(box) {
    var wrapper = document.getElementById(box.getAttribute("data-table"));
    var table = wrapper && wrapper.querySelector("table");
    if (!table || !table.tBodies.length) return;
    var controls = Array.prototype.slice.call(box.querySelectorAll("select, input"));
    var count = box.querySelector(".lmhub-filter-count");

    function matches(row, control) {
      var wanted = control.value.trim().toLowerCase();
      if (!wanted) return true;
      var column = control.getAttribute("data-column");
      if (column === "*") return row.textContent.toLowerCase().indexOf(wanted) !== -1;
      var cell = row.cells[Number(column)];
      if (!cell) return false;
      if (control.getAttribute("data-match") === "word") {
        return Array.prototype.some.call(cell.querySelectorAll("code"), function (code) {
          return code.textContent.trim().toLowerCase() === wanted;
        });
      }
      return cellText(cell).toLowerCase() === wanted;
    }

    function apply() {
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var shown = 0;
      rows.forEach(function (row) {
        var keep = controls.every(function (control) { return matches(row, control); });
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " shown";
    }

    controls.forEach(function (control) { control.addEventListener("input", apply); });
    apply();
  }

  // Each cell carries its column's name, shown before it when a table turns into cards on a
  // phone (see lmhub.css).
  function labelCells(table) {
    if (!table.tHead) return;
    var names = Array.prototype.map.call(table.tHead.rows[0].cells, cellText);
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (names[index]) cell.setAttribute("data-label", names[index]);
        });
      });
    });
  }

  function init() {
    document.querySelectorAll(".lmhub-table table").forEach(labelCells);
    document.querySelectorAll(".lmhub-table table").forEach(setupSorting);
    document.querySelectorAll(".lmhub-filters").forEach(setupFilters);
  }

  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
