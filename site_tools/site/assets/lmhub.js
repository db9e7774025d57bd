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

  // Search: a box in the header over Pagefind's chunked index. Nothing of the index is
  // loaded until the box is used; then only the chunks for the words typed and the snippets
  // of the results shown. Claims whose title or tags hold the whole query come first.
  var SCRIPT = document.currentScript && document.currentScript.src;
  var BASE = SCRIPT ? SCRIPT.replace(/assets\/lmhub\.js(\?.*)?$/, "") : "/";
  var pagefind = null;

  function loadPagefind() {
    if (!pagefind) {
      pagefind = import(BASE + "pagefind/pagefind.js").then(function (module) {
        // No worker: it would be one more script to download (41 KB) for a search that
        // takes milliseconds on the page's own thread.
        return module.options({ baseUrl: new URL(BASE).pathname, excerptLength: 24, noWorker: true })
          .then(function () { return module; });
      });
    }
    return pagefind;
  }

  function normalise(text) {
    return (text || "").toLowerCase().replace(/[-_]+/g, " ").replace(/\s+/g, " ").trim();
  }

  // A claim whose title holds the query first, then one whose tags do (an earlier tag, a
  // closer match), then a question whose title does; ties keep Pagefind's order.
  function bonus(result, phrase) {
    var meta = result.meta || {};
    var claim = meta.kind === "claim";
    if (normalise(meta.title).indexOf(phrase) !== -1) return claim ? 4 : 1;
    if (!claim) return 0;
    var tags = (meta.tags || "").split("\u00b7").map(normalise);
    var at = tags.indexOf(phrase);
    if (at !== -1) return 3 - at / tags.length;
    return tags.some(function (t) { return t.indexOf(phrase) !== -1; }) ? 2 : 0;
  }

  function statusPill(meta) {
    if (!meta.status) return null;
    var pill = document.createElement("span");
    var claim = meta.kind === "claim";
    pill.className = (claim ? "lmhub-status lmhub-status--" : "lmhub-qstatus lmhub-qstatus--") +
      meta.status.replace(/[^a-z0-9-]/g, "");
    pill.textContent = meta.status;
    return pill;
  }

  // The excerpt is page text with <mark> around the matched words. It is parsed in an inert
  // document and rebuilt from text nodes and <mark> elements only, so that whatever text a
  // page holds shows as text.
  function excerptNode(excerpt) {
    var out = document.createElement("p");
    var parsed = new DOMParser().parseFromString(excerpt || "", "text/html");
    Array.prototype.forEach.call(parsed.body.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent || ""));
      }
    });
    return out;
  }

  function render(list, results, query) {
    list.textContent = "";
    if (!results.length) {
      var none = document.createElement("li");
      none.textContent = "Nothing found for \u201c" + query + "\u201d.";
      list.appendChild(none);
      return;
    }
    results.forEach(function (result) {
      var meta = result.meta || {};
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = meta.title || result.url;
      item.appendChild(link);
      var pill = statusPill(meta);
      if (meta.kind) {
        var kind = document.createElement("span");
        kind.className = "lmhub-search__kind";
        kind.textContent = meta.kind;
        item.appendChild(kind);
      }
      if (pill) item.appendChild(pill);
      item.appendChild(excerptNode(result.excerpt));
      list.appendChild(item);
    });
  }

  var CANDIDATES = 10;
  var SHOWN = 8;
  // Words too common to narrow a search; each would cost the visitor one more index chunk.
  // The whole query, stop words included, still decides the title and tag bonus.
  var STOP_WORDS = { a: 1, an: 1, and: 1, "in": 1, of: 1, on: 1, or: 1, the: 1, to: 1, at: 1 };

  function indexQuery(query) {
    var words = query.split(/\s+/).filter(function (w) { return w && !STOP_WORDS[w.toLowerCase()]; });
    return words.length ? words.join(" ") : query;
  }

  var searchToken = 0;
  function runSearch(input, list, status) {
    var query = input.value.trim();
    var token = ++searchToken;
    if (!query) { list.textContent = ""; status.textContent = ""; return; }
    status.textContent = "Searching\u2026";
    loadPagefind().then(function (module) {
      return module.search(indexQuery(query));
    }).then(function (found) {
      if (token !== searchToken) return null;
      // Each result's text is a separate small file: fetch only the candidates for the top.
      return Promise.all(found.results.slice(0, CANDIDATES).map(function (r) { return r.data(); }));
    }).then(function (results) {
      if (!results || token !== searchToken) return;
      var phrase = normalise(query);
      var ranked = results.map(function (r, i) { return { r: r, i: i, b: bonus(r, phrase) }; });
      ranked.sort(function (x, y) { return y.b - x.b || x.i - y.i; });
      render(list, ranked.slice(0, SHOWN).map(function (x) { return x.r; }), query);
      status.textContent = "";
    }).catch(function () {
      status.textContent = "Search is not available on this copy of the site.";
    });
  }

  function setupSearch() {
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".lmhub-search-button")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "lmhub-search-button md-header__button md-icon";
    button.setAttribute("aria-label", "Search the hub");
    button.title = "Search the hub (/)";
    button.innerHTML = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" ' +
      'aria-hidden="true"><path d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 ' +
      '5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 ' +
      '9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5Z"/></svg>';
    var source = header.querySelector(".md-header__source");
    header.insertBefore(button, source);

    var dialog = document.createElement("dialog");
    dialog.className = "lmhub-search";
    dialog.setAttribute("aria-label", "Search");
    dialog.innerHTML = '<form method="dialog" class="lmhub-search__form" role="search">' +
      '<input type="search" class="lmhub-search__input" placeholder="Search claims, questions, papers" ' +
      'aria-label="Search claims, questions, papers" autocomplete="off">' +
      '<button type="submit" class="lmhub-search__close" aria-label="Close search">Close</button>' +
      '</form><p class="lmhub-search__status" aria-live="polite"></p>' +
      '<ol class="lmhub-search__results"></ol>';
    document.body.appendChild(dialog);
    var input = dialog.querySelector("input");
    var list = dialog.querySelector("ol");
    var status = dialog.querySelector(".lmhub-search__status");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { runSearch(input, list, status); }, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); runSearch(input, list, status); }
    });
    function open() {
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
      input.focus();
      loadPagefind();
    }
    button.addEventListener("click", open);
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
        target.tagName === "SELECT" || target.isContentEditable);
      if (event.key === "/" && !typing && !dialog.open) { event.preventDefault(); open(); }
    });
  }

  function init() {
    setupSearch();
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
