"""The four statuses of a ledger entry and their one total order.

Worst first: needs-decision > dropped > changed > mapped. Every fold of partial results
into one status uses `Status.worst`, so the order is written only here.
"""

from __future__ import annotations

from enum import Enum
from typing import Iterable


class Status(str, Enum):
    MAPPED = "mapped"
    CHANGED = "changed"
    DROPPED = "dropped"
    NEEDS_DECISION = "needs-decision"

    @property
    def rank(self) -> int:
        """Higher is worse: mapped 0, changed 1, dropped 2, needs-decision 3."""
        return _RANK[self]

    @classmethod
    def worst(cls, *statuses: Status | Iterable[Status]) -> Status:
        """The worst of the given statuses (single values or iterables); mapped when none."""
        flat: list[Status] = []
        for s in statuses:
            if isinstance(s, Status):
                flat.append(s)
            else:
                flat.extend(s)
        return max(flat, key=_RANK.__getitem__, default=cls.MAPPED)


_RANK = {Status.MAPPED: 0, Status.CHANGED: 1, Status.DROPPED: 2, Status.NEEDS_DECISION: 3}

# Worst first: the order of report columns and sorted tables.
STATUS_ORDER = sorted(Status, key=_RANK.__getitem__, reverse=True)
