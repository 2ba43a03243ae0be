"""A service's review rows: its ledger entries with a severity, deduplicated by cause and closed by the
decisions recorded for them (review/closures.py: `extra["closures"]`, entry index -> Closure).

One cause gives one row:
- entries with the same code, status, Kubernetes target, Nomad value and message are one row whose
  `occurrences` counts them (Vault access of two tasks of one group naming the same policies; one undefined
  variable read in two settings);
- the parser's generic "left as text" entry (N2K-PARSE-UNRESOLVED) on a setting that a mapper's own row
  also reports (not as mapped) is that row's occurrence, not a second decision (an unresolved image is one
  cause); the mapper's row keeps its severity (an unresolved `region`, dropped anyway, blocks nothing).
A decision on any occurrence of a row closes the row: one cause, one decision (the reviewer sees one row
and the path of its first occurrence, so asking for a decision per occurrence would keep it open forever).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ledger import GENERIC_CODES, LedgerEntry, Status
from ..ledger.codes import Severity, lookup
from .closures import Closure
from .severity import plugin_tasks, severity

# GENERIC_CODES: the parser's restatement of what a mapper's row on the same setting says. The ledger
# folds those on a mapper's decision already (Ledger.fold_generic); the rest are folded here.


@dataclass
class Row:
    id: str
    entry: LedgerEntry  # the first entry of the cause
    severity: Severity
    indexes: list[int] = field(default_factory=list)  # ledger entry indexes it stands for
    own: list[int] = field(default_factory=list)  # ... of those, the ones with the row's own code
    closed_by: Closure | None = None

    @property
    def open(self) -> bool:
        return self.closed_by is None

    @property
    def occurrences(self) -> int:
        return len(self.indexes)

    def as_dict(self) -> dict[str, Any]:
        e = self.entry
        closure = self.closed_by
        return {
            "id": self.id, "code": e.code, "severity": self.severity.value, "status": e.status.value,
            "concept": lookup(e.code).group, "nomad_path": e.nomad_path, "line": e.line, "value": e.value,
            "target": "" if e.k8s == "-" else e.k8s, "message": e.message, "suggestion": e.suggestion,
            "open": self.open, "occurrences": self.occurrences,
            "closed_by": None if closure is None else {"resolution": closure.resolution, "reason": closure.reason,
                                                       "file": closure.file},
        }


def _cause(entry: LedgerEntry) -> tuple[str, str, str, str, str]:
    return entry.code, entry.status.value, entry.k8s, entry.value, entry.message


def build_rows(entries: list[LedgerEntry], closures: Mapping[int, Closure] | None = None,
               overrides: Mapping[str, str] | None = None) -> list[Row]:
    """The rows of one service, in ledger order (ids r1, r2, ... in that order)."""
    closures = closures or {}
    plugins = plugin_tasks(entries)
    rows: list[Row] = []
    by_cause: dict[tuple[str, str, str, str, str], Row] = {}
    specific: dict[str, Row] = {}  # nomad_path -> a non-generic, not-mapped row on it
    generic: list[int] = []
    for index, entry in enumerate(entries):
        if entry.code in GENERIC_CODES:
            generic.append(index)
            continue
        row = by_cause.get(_cause(entry))
        if row is None:
            row = by_cause[_cause(entry)] = Row("", entry, severity(entry, overrides, plugins))
            rows.append(row)
        row.indexes.append(index)
        row.own.append(index)
        if entry.status is not Status.MAPPED:
            specific.setdefault(entry.nomad_path, row)
    for index in generic:
        entry = entries[index]
        row = specific.get(entry.nomad_path) or by_cause.get(_cause(entry))
        if row is None:
            row = by_cause[_cause(entry)] = Row("", entry, severity(entry, overrides, plugins))
            rows.append(row)
            row.own.append(index)
        elif row.entry.code == entry.code:
            row.own.append(index)
        # else: the mapper's row knows what became of the value (a dropped setting's unresolved value blocks
        # nothing), so its severity stands.
        row.indexes.append(index)
    rows.sort(key=lambda r: r.indexes[0])
    for n, row in enumerate(rows, 1):
        row.id = f"r{n}"
        found = [closures[i] for i in row.own if i in closures]
        if found:
            row.closed_by = found[0]
    return rows


def open_counts(rows: list[Row]) -> dict[str, int]:
    """Open rows by severity, every severity present (0 when none)."""
    counts = {s.value: 0 for s in Severity}
    for row in rows:
        if row.open:
            counts[row.severity.value] += 1
    return counts
