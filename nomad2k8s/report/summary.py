"""SUMMARY.md: the estate at a glance for a review meeting — one row per converted service
with its counts and go/no-go verdict, rendered from the ledgers only."""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath

from ..ledger import STATUS_ORDER, LedgerEntry, Status

TOP_CODES = 3


def verdict_word(entries: list[LedgerEntry]) -> str:
    if any(e.status is Status.NEEDS_DECISION for e in entries):
        return "NO-GO"
    if any(e.status is Status.DROPPED for e in entries):
        return "GO with review"
    return "GO"


def _top_decisions(entries: list[LedgerEntry]) -> str:
    codes = Counter(e.code for e in entries if e.status is Status.NEEDS_DECISION)
    return ", ".join(f"`{code}` ×{n}" if n > 1 else f"`{code}`"
                     for code, n in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CODES])


def render(rows: list[tuple[str, str, int, list[LedgerEntry]]]) -> str:
    """rows: (report path relative to the output dir, source jobspec, object count, ledger entries)."""
    verdicts = Counter(verdict_word(entries) for _, _, _, entries in rows)
    lines = [
        "# Migration summary",
        "",
        f"{len(rows)} service(s): " + ", ".join(f"{verdicts[v]} {v}" for v in ("GO", "GO with review", "NO-GO")),
        "",
        "| service | source | objects | " + " | ".join(s.value for s in STATUS_ORDER) + " | verdict | top decisions |",
        "|---|---|---:|" + "---:|" * len(STATUS_ORDER) + "---|---|",
    ]
    for report, source, n_objects, entries in sorted(rows):
        counts = Counter(e.status for e in entries)
        link = f"[{PurePosixPath(report).parent.as_posix()}]({report})"
        lines.append(
            f"| {link} | `{source}` | {n_objects} | " + " | ".join(str(counts[s]) for s in STATUS_ORDER)
            + f" | {verdict_word(entries)} | {_top_decisions(entries)} |"
        )
    return "\n".join(lines) + "\n"
