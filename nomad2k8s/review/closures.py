"""How a recorded decision closes a ledger row: the contract between the decisions file (nomad2k8s/decisions/)
and the review (verdicts, reports). A ServiceResult carries `extra["closures"]`: dict[int, Closure] keyed by
the index of the entry in `result.ledger.entries`, and `extra["stale_decisions"]`: list[StaleDecision]."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Closure:
    resolution: str  # done | accepted | answered
    reason: str
    file: str  # the decisions file, relative to the repository root when known


@dataclass(frozen=True)
class StaleDecision:
    service: str
    code: str
    path: str | None
    reason: str  # why it is stale: "matches no row" or "setting changed since the decision (reopened)"
    file: str
