"""A service's verdict from its open rows (issue 15):
NO-GO with at least one open blocker; GO after actions with open actions and no blocker; GO otherwise.
Open review rows are counted and listed for reading but never change the verdict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

NO_GO, GO_AFTER_ACTIONS, GO = "no-go", "go-after-actions", "go"
VERDICTS = (GO, GO_AFTER_ACTIONS, NO_GO)  # best first
WORDS = {GO: "GO", GO_AFTER_ACTIONS: "GO after actions", NO_GO: "NO-GO"}

# `--fail-on LEVEL`: the verdicts (and, for `review`, open review rows) that fail a CI gate.
FAIL_LEVELS = ("no-go", "actions", "review")


def verdict(open_counts: Mapping[str, int]) -> str:
    if open_counts.get("blocker", 0):
        return NO_GO
    if open_counts.get("action", 0):
        return GO_AFTER_ACTIONS
    return GO


def fails(level: str, service_verdict: str, open_counts: Mapping[str, int]) -> bool:
    """True when a service is at or past the gate's `level`: no-go < actions < review (strictest)."""
    if level not in FAIL_LEVELS:
        raise ValueError(f"unknown --fail-on level {level!r}; one of {', '.join(FAIL_LEVELS)}")
    if service_verdict == NO_GO:
        return True
    if level == "no-go":
        return False
    if service_verdict == GO_AFTER_ACTIONS:
        return True
    return level == "review" and open_counts.get("review", 0) > 0


def summary_line(verdicts: Iterable[str], destination: str | None = None) -> str:
    """`25 services: 14 GO, 9 GO after actions, 2 NO-GO → OUT/report.html` (the CLI's last stderr line)."""
    found = list(verdicts)
    noun = "service" if len(found) == 1 else "services"
    counts = ", ".join(f"{sum(1 for v in found if v == key)} {WORDS[key]}" for key in VERDICTS)
    return f"{len(found)} {noun}: {counts}" + (f" → {destination}" if destination else "")
