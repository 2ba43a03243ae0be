"""SUMMARY.md verdicts come from the ledger statuses."""

from __future__ import annotations

from nomad2k8s.ledger import LedgerEntry, Status
from nomad2k8s.report.summary import render, verdict_word


def _entry(status: Status, code: str = "N2K-X") -> LedgerEntry:
    return LedgerEntry(status=status, code=code, nomad_path="job[a]", service="a", message="m")


def test_verdicts() -> None:
    assert verdict_word([_entry(Status.MAPPED)]) == "GO"
    assert verdict_word([_entry(Status.MAPPED), _entry(Status.DROPPED)]) == "GO with review"
    assert verdict_word([_entry(Status.DROPPED), _entry(Status.NEEDS_DECISION)]) == "NO-GO"


def test_rows_counts_and_top_decisions() -> None:
    entries = [_entry(Status.NEEDS_DECISION, "N2K-B"), _entry(Status.NEEDS_DECISION, "N2K-B"),
               _entry(Status.NEEDS_DECISION, "N2K-A"), _entry(Status.MAPPED)]
    text = render([("x/a/MIGRATION.md", "jobs/a.hcl", 2, entries), ("x/b/MIGRATION.md", "jobs/b.hcl", 1, [])])
    assert "2 service(s): 1 GO, 0 GO with review, 1 NO-GO" in text
    row_a = next(line for line in text.splitlines() if line.startswith("| [x/a]"))
    assert "| 2 | 3 | 0 | 0 | 1 | NO-GO | `N2K-B` ×2, `N2K-A` |" in row_a
