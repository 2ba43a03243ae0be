"""report.html: the estate report for the go/no-go review, rendered from the report.json dict.

One self-contained file: inline CSS and JS only, and a Content-Security-Policy that forbids every fetch, so it
opens offline from file:// and can never call out. Every fact is written as HTML (JS only filters and sorts the
services table), so it reads the same with JavaScript off. Every string is escaped: values come from jobspecs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from ..ledger.codes import catalogue
from .html_assets import CSS, JS

# Where the code links point: the CLI passes the path of docs/CODES.md relative to the report (or a URL).
CODES_HREF = "CODES.md"

VERDICTS = ("no-go", "go-after-actions", "go")  # worst first: the sort order of the verdict column
VERDICT_LABEL = {"no-go": "NO-GO", "go-after-actions": "GO after actions", "go": "GO"}
SEVERITIES = ("blocker", "action", "review", "info")
STATUS_LABEL = {"mapped": "mapped", "changed": "changed", "dropped": "dropped", "needs-decision": "needs decision"}

Report = Mapping[str, Any]


def _e(value: object) -> str:
    return "" if value is None else escape(str(value), quote=True)


def _href(path: object) -> str:
    """A relative link from report data: percent-quoted, so a name like `javascript:x` stays a file name."""
    return _e(quote(str(path), safe="/"))


def _link(path: object, text: str) -> str:
    return f'<a href="{_href(path)}">{_e(text)}</a>' if path else ""


def _slug(text: object) -> str:
    """A safe HTML id fragment: anything but letters, digits, `_` and `-` becomes `-`."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(text)).strip("-")


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _ids(services: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Service name -> a unique, safe HTML id."""
    ids: dict[str, str] = {}
    for i, svc in enumerate(services):
        name = str(svc.get("name", ""))
        base = "svc-" + (_slug(name) or str(i))
        ids[name] = base if base not in ids.values() else f"{base}-{i}"
    return ids


def _verdict(v: object) -> str:
    return f'<span class="badge v-{_e(v)}">{_e(VERDICT_LABEL.get(str(v), v))}</span>'


def _code(code: object, codes_href: str) -> str:
    """The code, linked to its docs/CODES.md heading when it is catalogued (an uncatalogued one has no anchor)."""
    known = catalogue().get(str(code))
    if known is None:
        return f"<code>{_e(code)}</code>"
    return f'<a href="{_e(codes_href)}#{_e(known.anchor)}" title="{_e(known.title)}"><code>{_e(code)}</code></a>'


def _header(report: Report) -> str:
    run, tool, totals = report.get("run") or {}, report.get("tool") or {}, report.get("totals") or {}
    services = report.get("services") or []
    verdicts = totals.get("verdicts") or {v: sum(1 for s in services if s.get("verdict") == v) for v in VERDICTS}
    opened = totals.get("open") or {k: sum((s.get("open") or {}).get(k, 0) for s in services) for k in SEVERITIES}
    cards = [(f'<div class="card open"><span class="n">{_e(totals.get("services", len(services)))}</span>'
              '<span class="l">services</span></div>')]
    cards += [f'<div class="card {v}"><span class="n">{_e(verdicts.get(v, 0))}</span>'
              f'<span class="l">{_e(VERDICT_LABEL[v])}</span></div>' for v in VERDICTS]
    cards += [f'<div class="card open{" sev-" + k if opened.get(k) else ""}"><span class="n">{_e(opened.get(k, 0))}</span>'
              f'<span class="l">open {k} rows</span></div>' for k in SEVERITIES[:3]]
    meta = " · ".join(f"{label} <code>{_e(run[key])}</code>" for key, label in
                      (("source", "source"), ("profile", "profile"), ("format", "format")) if run.get(key))
    tool_name = f"{_e(tool.get('name', 'nomad2k8s'))} {_e(tool.get('version', ''))}".strip()
    return (f"<header><h1>Migration review: {_e(run.get('source') or 'estate')}</h1>"
            f'<p class="meta">{meta} · {tool_name} · open info rows: {_e(opened.get("info", 0))}</p>'
            f'<div class="cards">{"".join(cards)}</div>'
            '<nav class="toc"><a href="#services">Services</a><a href="#blockers">Blockers</a>'
            '<a href="#actions">Action plan</a><a href="#waves">Waves</a><a href="#details">Per service</a></nav>'
            "</header>")


def _services_table(services: list[Mapping[str, Any]], ids: dict[str, str]) -> str:
    counts = {v: sum(1 for s in services if s.get("verdict") == v) for v in VERDICTS}
    buttons = [f'<button type="button" data-verdict="" aria-pressed="true">All ({len(services)})</button>']
    buttons += [f'<button type="button" data-verdict="{v}" aria-pressed="false">{_e(VERDICT_LABEL[v])} '
                f"({counts[v]})</button>" for v in VERDICTS]
    bar = (f'<div class="filters" id="service-filters" hidden>{"".join(buttons)}'
           '<input type="search" id="service-search" placeholder="filter by name, source or object" '
           'aria-label="filter services"><span class="shown" id="service-shown"></span></div>')
    head = ('<thead><tr><th>service</th><th>verdict</th><th class="num">blockers</th><th class="num">actions</th>'
            '<th class="num">reviews</th><th class="num">objects</th><th>source</th><th>report</th></tr></thead>')
    body = []
    for svc in services:
        name, opened, objects = str(svc.get("name", "")), svc.get("open") or {}, svc.get("objects") or []
        text = " ".join([name, str(svc.get("source", "")), *map(str, objects)]).lower()
        nums = "".join(f'<td class="num{"" if opened.get(k) else " zero"}" data-sort="{_e(opened.get(k, 0))}">'
                       f"{_e(opened.get(k, 0))}</td>" for k in SEVERITIES[:3])
        verdict = str(svc.get("verdict", ""))
        rank = VERDICTS.index(verdict) if verdict in VERDICTS else len(VERDICTS)
        md = svc.get("migration_md")
        body.append(
            f'<tr data-verdict="{_e(verdict)}" data-name="{_e(name)}" data-text="{_e(text)}">'
            f'<td data-sort="{_e(name)}"><a href="#{ids[name]}">{_e(name)}</a></td>'
            f'<td data-sort="{rank}">{_verdict(verdict)}</td>{nums}'
            f'<td class="num" data-sort="{len(objects)}" title="{_e(", ".join(map(str, objects)))}">{len(objects)}</td>'
            f'<td><code>{_e(svc.get("source", ""))}</code></td>'
            f"<td class=\"nowrap\">{_link(md, 'MIGRATION.md')}</td></tr>")
    return (f'<section id="services"><h2>Services</h2>{bar}<table id="services-table">{head}'
            f'<tbody>{"".join(body)}</tbody></table></section>')


def _row_link(ids: dict[str, str], service: object, row: object, text: str) -> str:
    sid = ids.get(str(service))
    if sid is None:
        return text
    return f'<a href="#{sid}-{_slug(row)}">{text}</a>' if row else f'<a href="#{sid}">{text}</a>'


def _actions(actions: list[Mapping[str, Any]], ids: dict[str, str], codes_href: str) -> str:
    parts = ['<section id="actions"><h2>Action plan</h2>']
    if not actions:
        parts.append('<p class="empty">No open actions.</p>')
    for act in actions:
        items = act.get("items") or []
        per: dict[str, list[str]] = {}
        for item in items:
            svc = str(item.get("service", ""))
            settled = (f' (kit: <a href="{_e(quote(item["kit"]))}"><code>{_e(item["kit"])}</code></a>)'
                       if item.get("kit") else f" (kit: missing {_e(item['missing'])})" if item.get("missing") else "")
            per.setdefault(svc, []).append(_row_link(ids, svc, item.get("row"), _e(item.get("detail", ""))) + settled)
        lis = "".join(f"<li>{_row_link(ids, svc, None, f'<b>{_e(svc)}</b>')}: {', '.join(details)}</li>"
                      for svc, details in per.items())
        snippet = f"<pre><code>{_e(act['snippet'])}</code></pre>" if act.get("snippet") else ""
        if act.get("kit"):
            snippet = ('<p class="meta">Prepared by the cluster kit: ' + ", ".join(
                f'<a href="{_e(quote(k))}"><code>{_e(k)}</code></a>' for k in act["kit"]) + "</p>") + snippet
        parts.append(f'<div class="action" id="action-{_slug(act.get("kind", ""))}"><h3>{_e(act.get("title", ""))}</h3>'
                     f'<p class="meta">{_code(act.get("code", ""), codes_href)} · {len(items)} item(s) in '
                     f"{len(per)} service(s)</p><ul>{lis}</ul>{snippet}</div>")
    parts.append("</section>")
    return "".join(parts)


def _blockers(blockers: list[Mapping[str, Any]], ids: dict[str, str], codes_href: str) -> str:
    if not blockers:
        return '<section id="blockers"><h2>Blockers</h2><p class="empty">No open blockers.</p></section>'
    rows = "".join(f"<tr><td>{_row_link(ids, b.get('service'), b.get('row'), _e(b.get('service', '')))}</td>"
                   f"<td>{_code(b.get('code', ''), codes_href)}</td><td>{_e(b.get('message', ''))}</td></tr>"
                   for b in blockers)
    return (f'<section id="blockers"><h2>Blockers ({len(blockers)})</h2><table><thead><tr><th>service</th>'
            f"<th>code</th><th>what is missing</th></tr></thead><tbody>{rows}</tbody></table></section>")


def _waves(report: Report, ids: dict[str, str]) -> str:
    waves, cycles = report.get("waves") or [], report.get("cycles") or []

    def links(names: Iterable[object]) -> str:
        return ", ".join(_row_link(ids, n, None, _e(n)) for n in names)

    parts = [('<section id="waves"><h2>Migration waves</h2><p class="meta">Leaves first: a wave depends only on '
              "earlier waves. External dependencies must still resolve to Nomad/Consul while that wave moves.</p>")]
    if waves:
        rows = "".join(f"<tr><td class=\"num\">{_e(w.get('wave', ''))}</td><td>{links(w.get('services') or [])}</td>"
                       f"<td>{', '.join(f'<code>{_e(x)}</code>' for x in w.get('external') or [])}</td></tr>"
                       for w in waves)
        parts.append('<table><thead><tr><th class="num">wave</th><th>services</th><th>external dependencies</th>'
                     f"</tr></thead><tbody>{rows}</tbody></table>")
    else:
        parts.append('<p class="empty">No waves computed.</p>')
    removals = [(f"after wave {w.get('wave')}", k) for w in waves for k in w.get("kit_remove") or []]
    removals += [(str(p.get("when", "")), str(p.get("piece", ""))) for p in report.get("kit_remove_later") or []]
    if removals:
        parts.append("<h3>Hybrid-period pieces of the cluster kit: when to remove them</h3><ul>" + "".join(
            f"<li><code>{_e(piece)}</code>: {_e(when)}</li>" for when, piece in removals) + "</ul>")
    if cycles:
        parts.append("<h3>Cycles (move these services together)</h3><ul>" + "".join(
            f"<li>{' → '.join(_row_link(ids, n, None, _e(n)) for n in [*c, c[0]])}</li>" for c in cycles if c)
            + "</ul>")
    stale = report.get("stale_decisions") or []
    if stale:
        rows = "".join(f"<tr><td>{_e(d.get('service', ''))}</td><td><code>{_e(d.get('code', ''))}</code></td>"
                       f"<td><code>{_e(d.get('path', ''))}</code></td><td>{_e(d.get('reason', ''))}</td></tr>"
                       for d in stale)
        parts.append(f'<h2 id="stale">Stale decisions ({len(stale)})</h2><p class="meta">These decisions match no '
                     "row any more: remove them or fix their path.</p><table><thead><tr><th>service</th><th>code</th>"
                     f"<th>path</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table>")
    skipped = report.get("not_converted") or []
    if skipped:
        rows = "".join(f"<tr><td><code>{_e(f.get('file', ''))}</code></td><td>{_e(f.get('reason', ''))}</td></tr>"
                       for f in skipped)
        parts.append(f'<h2 id="not-converted">Not converted ({len(skipped)} file(s))</h2><table><thead><tr>'
                     f"<th>file</th><th>why</th></tr></thead><tbody>{rows}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def _closed(row: Mapping[str, Any]) -> bool:
    return row.get("open") is False or bool(row.get("closed_by"))


def _folded(row: Mapping[str, Any]) -> bool:
    return row.get("status") == "mapped" and (_closed(row) or row.get("severity") in ("info", None))


def _row(row: Mapping[str, Any], svc: Mapping[str, Any], sid: str, codes_href: str) -> str:
    status, severity = str(row.get("status", "")), str(row.get("severity", ""))
    closed = _closed(row)
    where = f"{svc.get('source', '')}:{row['line']}" if row.get("line") else str(svc.get("source", ""))
    value = f' <code class="val">{_e(row["value"])}</code>' if row.get("value") not in (None, "") else ""
    times = f" ×{_e(row['occurrences'])}" if (row.get("occurrences") or 1) > 1 else ""
    by = row.get("closed_by") or {}
    closed_text = (f'<span class="closed-by">closed: {_e(by.get("resolution", ""))}'
                   f'{" — " + _e(by["reason"]) if by.get("reason") else ""}</span>') if closed else ""
    note = f'<span class="note">{_e(row["message"])}</span>' if row.get("message") else ""
    sugg = f'<span class="sugg">→ {_e(row["suggestion"])}</span>' if row.get("suggestion") else ""
    rid = f' id="{sid}-{_slug(row["id"])}"' if row.get("id") else ""
    path = _e(row.get("nomad_path", "")).replace(".", ".<wbr>")  # break long paths between their parts
    return (f'<tr{rid}{CLOSED if closed else ""}>'
            f'<td><code>{path}</code><br><span class="loc">{_e(where)}</span>{value}</td>'
            f"<td>{_e(row.get('target') or '')}{note}{sugg}</td>"
            f'<td class="st-{_e(status)}">{_e(STATUS_LABEL.get(status, status))}{times}{closed_text}</td>'
            f'<td class="s-{_e(severity)}">{_e(severity)}</td><td>{_code(row.get("code", ""), codes_href)}</td></tr>')


def _rank(row: Mapping[str, Any]) -> tuple[bool, int, str]:
    sev = str(row.get("severity", ""))
    return _closed(row), SEVERITIES.index(sev) if sev in SEVERITIES else len(SEVERITIES), str(row.get("nomad_path", ""))


CLOSED = ' class="closed"'
ROW_HEAD = ('<colgroup><col class="c-set"><col class="c-k8s"><col class="c-st"><col class="c-sev"><col class="c-code">'
            "</colgroup><thead><tr><th>Nomad setting</th><th>Kubernetes result</th><th>status</th><th>severity</th>"
            "<th>code</th></tr></thead>")


def _rows_table(rows: list[Mapping[str, Any]], svc: Mapping[str, Any], sid: str, codes_href: str) -> str:
    """One table, a header row per concept; the concepts with the worst open rows first, so a reader meets what
    stops the move before what is fine, and open rows before closed ones within a concept."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row.get("concept") or "other"), []).append(row)
    body = []
    for concept, members in sorted(groups.items(), key=lambda kv: (min(map(_rank, kv[1]))[:2], kv[0])):
        body.append(f'<tr class="concept"><th colspan="5">{_e(concept)} ({len(members)})</th></tr>')
        body += [_row(r, svc, sid, codes_href) for r in sorted(members, key=_rank)]
    return f'<table class="rows">{ROW_HEAD}<tbody>{"".join(body)}</tbody></table>'


def _service(svc: Mapping[str, Any], sid: str, codes_href: str) -> str:
    opened, rows = svc.get("open") or {}, svc.get("rows") or []
    counts = " · ".join(f"<b>{_e(opened.get(k, 0))}</b> {k}" for k in SEVERITIES[:3])
    facts = [" · ".join(x for x in (f"source <code>{_e(svc.get('source', ''))}</code>",
                                    _link(svc.get("migration_md"), "MIGRATION.md"),
                                    f"open: {counts} · <b>{_e(svc.get('closed', 0))}</b> closed") if x)]
    lists = (("objects", svc.get("objects")), ("depends on", svc.get("depends_on")), ("external", svc.get("external")))
    facts += [f"{label}: " + ", ".join(f"<code>{_e(x)}</code>" for x in items) for label, items in lists if items]
    parts = [f'<section class="svc" id="{sid}"><h3>{_e(svc.get("name", ""))} {_verdict(svc.get("verdict", ""))}</h3>',
             "".join(f'<p class="facts">{f}</p>' for f in facts)]
    # Mapped rows are folded, except an open one that still asks to be read (a mapped row of severity review).
    shown, mapped = [r for r in rows if not _folded(r)], [r for r in rows if _folded(r)]
    if shown:
        parts.append(_rows_table(shown, svc, sid, codes_href))
    if mapped:
        parts.append(f'<details class="mapped"><summary>{len(mapped)} mapped row(s)</summary>'
                     f"{_rows_table(mapped, svc, sid, codes_href)}</details>")
    if not rows:
        parts.append('<p class="empty">No ledger rows.</p>')
    parts.append("</section>")
    return "".join(parts)


def render(report: Report, *, codes_href: str = CODES_HREF) -> str:
    """The whole report.html for one run; `codes_href` is where docs/CODES.md is, seen from the report."""
    return "".join(render_pieces(report, codes_href=codes_href))


def render_pieces(report: Report, *, codes_href: str = CODES_HREF) -> Iterator[str]:
    """render's text in pieces (one per service's details), to be written without holding the page whole."""
    services = list(report.get("services") or [])
    ids = _ids(services)
    title = f"nomad2k8s review: {(report.get('run') or {}).get('source') or 'estate'}"
    # Hash-pinned inline style and script; default-src 'none' blocks every fetch (images, fonts, XHR).
    csp = f"default-src 'none'; style-src {_sha(CSS)}; script-src {_sha(JS)}; base-uri 'none'; form-action 'none'"
    yield (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
           f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
           f"<style>{CSS}</style></head><body><main>")
    yield _header(report)
    yield _services_table(services, ids)
    # Blockers first: they are why a service is NO-GO, the first question of the review.
    yield _blockers(list(report.get("blockers") or []), ids, codes_href)
    yield _actions(list(report.get("actions") or []), ids, codes_href)
    yield _waves(report, ids)
    yield ('<section id="details"><h2>Per service</h2><p class="meta">Rows grouped by concept; mapped rows are folded. '
           "Closed rows show the decision that closed them.</p>")
    for svc in services:
        yield _service(svc, ids[str(svc.get("name", ""))], codes_href)
    yield "</section>"
    yield f"</main><script>{JS}</script></body></html>\n"
