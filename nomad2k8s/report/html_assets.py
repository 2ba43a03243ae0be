"""The inline stylesheet and script of report.html (kept apart so html.py stays about the content).

The script only adds filtering and sorting to the services table: every fact is in the HTML itself, so the
report reads the same with JavaScript off. It works on the DOM the renderer wrote and never fetches anything.
"""

CSS = """
:root { --go: #1a7f37; --act: #9a6700; --nogo: #cf222e; --rev: #0969da; --muted: #57606a; --line: #d0d7de;
  --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328;
  margin: 0; background: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
h4 { font-size: 13px; margin: 14px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { background: var(--bg2); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
  overflow: auto; max-height: 320px; white-space: pre; }
.meta { color: var(--muted); margin: 0 0 12px; }
.meta code { color: #1f2328; }
.meta a code, a code { color: inherit; }
nav.toc { margin: 8px 0 0; }
nav.toc a { margin-right: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; background: #fff; }
.card .n { font-size: 24px; font-weight: 600; display: block; }
.card .l { color: var(--muted); font-size: 12px; }
.card.no-go { border-left: 5px solid var(--nogo); }
.card.go-after-actions { border-left: 5px solid var(--act); }
.card.go { border-left: 5px solid var(--go); }
.card.open { border-left: 5px solid var(--line); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg2); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #afb8c1; }
td { overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600;
  white-space: nowrap; border: 1px solid transparent; }
.v-no-go { background: #ffebe9; color: var(--nogo); border-color: #ffcecb; }
.v-go-after-actions { background: #fff8c5; color: var(--act); border-color: #f5e0a0; }
.v-go { background: #dafbe1; color: var(--go); border-color: #aceebb; }
.s-blocker { color: var(--nogo); font-weight: 600; }
.s-action { color: var(--act); font-weight: 600; }
.s-review { color: var(--rev); }
.s-info { color: var(--muted); }
.st-mapped { color: var(--go); }
.st-changed { color: var(--act); }
.st-dropped { color: var(--nogo); }
.st-needs-decision { color: var(--nogo); font-weight: 600; }
tr.closed td { color: var(--muted); background: #fbfcfd; }
.closed-by { display: block; color: var(--go); font-size: 12px; }
.note { color: var(--muted); font-size: 12px; display: block; }
.sugg { font-size: 12px; display: block; }
.loc { color: var(--muted); font-size: 12px; }
.filters { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0; }
.filters[hidden] { display: none; }
.filters button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 6px;
  padding: 3px 10px; cursor: pointer; }
.filters button[aria-pressed="true"] { background: #1f2328; color: #fff; border-color: #1f2328; }
.filters input { font: inherit; padding: 3px 8px; border: 1px solid var(--line); border-radius: 6px; width: 260px; }
.filters .shown { color: var(--muted); margin-left: 6px; }
th button.sort { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button.sort::after { content: " \\25B2"; font-size: 10px; }
th[aria-sort="descending"] button.sort::after { content: " \\25BC"; font-size: 10px; }
.action { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 10px; margin: 10px 0; }
.action h3 { margin-top: 8px; }
.action ul { margin: 4px 0 8px; padding-left: 20px; }
.svc { border-top: 2px solid var(--line); margin-top: 28px; }
.svc h3 { font-size: 17px; }
.svc .facts { margin: 2px 0 6px; color: var(--muted); }
.svc .facts b { color: #1f2328; font-weight: 600; }
details.mapped { margin: 2px 0 10px; }
details.mapped > summary { cursor: pointer; color: var(--muted); font-size: 12px; }
table.rows { table-layout: fixed; }
col.c-st { width: 9em; } col.c-sev { width: 5.5em; } col.c-code { width: 13em; }
.nowrap { white-space: nowrap; }
tr.concept th { background: #fff; border-bottom: 1px solid var(--line); padding-top: 12px; font-size: 12px;
  text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.card.sev-blocker .n { color: var(--nogo); }
.card.sev-action .n { color: var(--act); }
.empty { color: var(--muted); font-style: italic; }
"""

JS = """
(function () {
  "use strict";
  var table = document.getElementById("services-table");
  var bar = document.getElementById("service-filters");
  if (!table || !bar) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var box = document.getElementById("service-search");
  var shown = document.getElementById("service-shown");
  var buttons = Array.prototype.slice.call(bar.querySelectorAll("button[data-verdict]"));
  var verdict = "";

  function apply() {
    var q = box.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var ok = (verdict === "" || r.getAttribute("data-verdict") === verdict) &&
               (q === "" || r.getAttribute("data-text").indexOf(q) !== -1);
      r.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " services shown";
  }

  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      verdict = b.getAttribute("data-verdict");
      buttons.forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
      apply();
    });
  });
  box.addEventListener("input", apply);

  // Sort: each cell carries data-sort (a number for the numeric columns); ties keep the name order.
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, i) {
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "sort";
    btn.title = "sort by this column";
    while (th.firstChild) { btn.appendChild(th.firstChild); }
    th.appendChild(btn);
    btn.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      var numeric = th.classList.contains("num");
      heads.forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      function key(r) { return r.cells[i].getAttribute("data-sort") || r.cells[i].textContent; }
      function name(r) { return r.getAttribute("data-name"); }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        if (!asc) { c = -c; }
        return c !== 0 ? c : name(a).localeCompare(name(b));
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });

  bar.hidden = false;
  apply();
})();
"""
