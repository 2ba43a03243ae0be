"""MIGRATION.md: the side-by-side table (Nomad setting | Kubernetes result | status)."""

from __future__ import annotations

from ..ledger import STATUS_ORDER, LedgerEntry, Status

STATUS_ICON = {
    Status.MAPPED: "✅ mapped",
    Status.CHANGED: "🔶 changed",
    Status.DROPPED: "⛔ dropped",
    Status.NEEDS_DECISION: "❓ needs decision",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def verdict(entries: list[LedgerEntry]) -> str:
    decisions = sum(1 for e in entries if e.status is Status.NEEDS_DECISION)
    if decisions:
        return f"**NO-GO until {decisions} decision(s) are made** (see ❓ rows)"
    dropped = sum(1 for e in entries if e.status is Status.DROPPED)
    if dropped:
        return f"**GO with review**: {dropped} setting(s) are dropped on purpose (see ⛔ rows)"
    return "**GO**: every setting is carried over"


def _sort_key(entry: LedgerEntry) -> tuple[int, str, str]:
    return STATUS_ORDER.index(entry.status), entry.nomad_path, entry.code


def render(service: str, source: str, entries: list[LedgerEntry], objects: list[str]) -> str:
    counts = {s: sum(1 for e in entries if e.status is s) for s in STATUS_ORDER}
    lines = [
        f"# Migration report: {service}",
        "",
        f"Source: `{source}`",
        "",
        f"Verdict: {verdict(entries)}",
        "",
        "| status | entries |",
        "|---|---:|",
        *[f"| {STATUS_ICON[s]} | {counts[s]} |" for s in STATUS_ORDER],
        "",
        "## Kubernetes objects",
        "",
        *[f"- `{name}`" for name in objects],
        "",
        "## Settings",
        "",
        "| Nomad setting | value | Kubernetes result | status | code | note |",
        "|---|---|---|---|---|---|",
    ]
    for e in sorted(entries, key=_sort_key):
        note = e.message + (f" — *{e.suggestion}*" if e.suggestion else "")
        where = f"`{e.nomad_path}`" + (f" (line {e.line})" if e.line else "")
        value = f"`{_cell(e.value)}`" if e.value else ""
        lines.append(
            f"| {_cell(where)} | {value} | {_cell(e.k8s)} | {STATUS_ICON[e.status]} | `{e.code}` | {_cell(note)} |"
        )
    return "\n".join(lines) + "\n"
