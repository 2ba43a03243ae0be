"""MIGRATION.md: the service's verdict, its open blockers and actions, then the full side-by-side table
(Nomad setting | value | Kubernetes result | status | severity | code | note), one row per cause."""

from __future__ import annotations

from ..ledger import Status
from ..ledger.codes import Severity
from ..review.rows import Row, open_counts
from ..review.severity import ORDER
from ..review.verdict import WORDS, verdict

STATUS_ICON = {
    Status.MAPPED: "✅ mapped",
    Status.CHANGED: "🔶 changed",
    Status.DROPPED: "⛔ dropped",
    Status.NEEDS_DECISION: "❓ needs decision",
}
SEVERITY_ICON = {Severity.BLOCKER: "🛑 blocker", Severity.ACTION: "🔧 action", Severity.REVIEW: "👀 review",
                 Severity.INFO: "info"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def verdict_line(rows: list[Row]) -> str:
    counts = open_counts(rows)
    closed = sum(1 for r in rows if not r.open)
    detail = (f"{counts['blocker']} open blocker(s), {counts['action']} action(s), {counts['review']} to review"
              + (f"; {closed} closed by decisions" if closed else ""))
    return f"**{WORDS[verdict(counts)]}** — {detail}"


def _where(row: Row) -> str:
    e = row.entry
    times = f" ×{row.occurrences}" if row.occurrences > 1 else ""
    return f"`{e.nomad_path}`" + (f" (line {e.line})" if e.line else "") + times


def _open_list(rows: list[Row], severity: Severity) -> list[str]:
    found = [r for r in rows if r.open and r.severity is severity]
    if not found:
        return ["None."]
    return [f"- `{r.entry.code}` {_cell(_where(r))}: {_cell(r.entry.message)}"
            + (f" — *{_cell(r.entry.suggestion)}*" if r.entry.suggestion else "") for r in found]


def _sort_key(row: Row) -> tuple[bool, int, int, str, str]:
    e = row.entry
    return not row.open, ORDER.index(row.severity), -e.status.rank, e.nomad_path, e.code


def _note(row: Row) -> str:
    e = row.entry
    note = e.message + (f" — *{e.suggestion}*" if e.suggestion else "")
    if row.closed_by is not None:
        c = row.closed_by
        note = f"**closed ({c.resolution})**: {c.reason} ({c.file}) — {note}"
    return note


def render(service: str, source: str, rows: list[Row], objects: list[str]) -> str:
    statuses = {s: sum(1 for r in rows if r.entry.status is s) for s in STATUS_ICON}
    lines = [
        f"# Migration report: {service}",
        "",
        f"Source: `{source}`",
        "",
        f"Verdict: {verdict_line(rows)}",
        "",
        "## Open blockers",
        "",
        *_open_list(rows, Severity.BLOCKER),
        "",
        "## Open actions",
        "",
        *_open_list(rows, Severity.ACTION),
        "",
        "## Kubernetes objects",
        "",
        *[f"- `{name}`" for name in objects],
        "",
        "## Settings",
        "",
        "Rows by cause (×N: the same cause at N settings); open rows first, worst severity first. "
        + ", ".join(f"{statuses[s]} {STATUS_ICON[s]}" for s in reversed(list(STATUS_ICON))) + ".",
        "",
        "| Nomad setting | value | Kubernetes result | status | severity | code | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=_sort_key):
        e = row.entry
        value = f"`{_cell(e.value)}`" if e.value else ""
        lines.append(f"| {_cell(_where(row))} | {value} | {_cell(e.k8s)} | {STATUS_ICON[e.status]} | "
                     f"{SEVERITY_ICON[row.severity]} | `{e.code}` | {_cell(_note(row))} |")
    return "\n".join(lines) + "\n"
