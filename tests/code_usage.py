"""Which catalogued codes the test suite emits.

tests/conftest.py wraps `Ledger.record` for the whole session; at the end of a run of the whole suite
(no -k/-m/--deselect, every test file collected, every collected test run) a catalogued code that no
test emitted fails the run: either a case row is missing or the code is dead and should go.
Codes emitted only inside a `python -m nomad2k8s` subprocess are not seen here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from nomad2k8s.ledger import entries
from nomad2k8s.ledger.codes import catalogue

TESTS = Path(__file__).resolve().parent
EMITTED: set[str] = set()

# Catalogued codes no test produces yet (intention planner branches that need elaborate inputs).
# The session check ignores these, and fails when one of them IS emitted, so the list only shrinks.
NOT_YET_EXERCISED = frozenset({
    "N2K-INTENTION-DENY-NARROW", "N2K-INTENTION-ISTIO-HEADER", "N2K-INTENTION-L7-EMPTY", "N2K-INTENTION-L7-NOOP",
    "N2K-INTENTION-L7-UNSUPPORTED", "N2K-INTENTION-LINKERD-WILDCARD", "N2K-INTENTION-NOOP",
    "N2K-INTENTION-TF-REFERENCE", "N2K-INTENTION-UPSTREAM-L7",
})
_original_record = entries.Ledger.record


def start() -> None:
    """Wrap Ledger.record once so every emitted code is collected."""
    if getattr(entries.Ledger.record, "_collects_codes", False):
        return

    def record(self: entries.Ledger, status: Any, code: str, *args: Any, **kw: Any) -> entries.LedgerEntry:
        entry = _original_record(self, status, code, *args, **kw)
        EMITTED.add(code)
        return entry

    record._collects_codes = True  # type: ignore[attr-defined]
    entries.Ledger.record = record  # type: ignore[method-assign]


def unused_codes(emitted: Iterable[str], catalogued: Iterable[str] | None = None,
                 waived: Iterable[str] = ()) -> list[str]:
    """Catalogued codes that are not in `emitted` (less the `waived` ones), sorted."""
    known = set(catalogue()) if catalogued is None else set(catalogued)
    return sorted(known - set(emitted) - set(waived))


def stale_waivers(emitted: Iterable[str], waived: Iterable[str] = NOT_YET_EXERCISED) -> list[str]:
    """Waived codes that a test does emit: they must leave NOT_YET_EXERCISED."""
    return sorted(set(waived) & set(emitted))


def whole_suite_ran(config: Any, collected_files: set[Path], items: int, ran: int) -> tuple[bool, str]:
    """True when the run covered the whole suite; otherwise why not (the check is then skipped)."""
    option = config.option
    if getattr(option, "keyword", "") or getattr(option, "markexpr", ""):
        return False, "-k/-m selection"
    if getattr(option, "deselect", None) or getattr(option, "lf", False) or getattr(option, "last_failed", False):
        return False, "deselected tests"
    every_file = {p.resolve() for p in TESTS.rglob("test_*.py")}
    missing = every_file - {p.resolve() for p in collected_files}
    if missing:
        return False, f"{len(missing)} test files not collected"
    if ran < items:
        return False, f"{items - ran} collected tests did not run"
    return True, ""
