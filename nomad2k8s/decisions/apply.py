"""Apply a decisions file to the services converted from one jobspec.

Order (so that re-running on an unchanged jobspec gives the same outcome):
1. `answered` decisions are matched against the conversion WITHOUT answers (the rows the person saw
   when answering), checked against their fingerprint, and turned into meta hints;
2. if there are any, the jobspec is converted again with them (`reconvert`);
3. `done`/`accepted` decisions are matched against that final conversion and close its rows; an
   answered decision closes its rows when they are still there, and is applied (not stale) when the
   answer made them go away.
A decision that matches no row, or whose settings changed since (fingerprint), is stale: a warning
line, and listed in `extra["stale_decisions"]`. The first decision in the file that matches a row
closes it. Only decisions naming a service of this jobspec are looked at here (see
`unconverted_services` for the others).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..k8s.names import dns_label
from ..review.closures import Closure, StaleDecision
from .answers import MetaOverrides, Overrides
from .match import fingerprint, matching_rows, same_service
from .model import ANSWERED, CHANGED, NO_ROW, Decision, DecisionsFile

if TYPE_CHECKING:
    from ..convert import ServiceResult

Warn = Callable[[str], None]
Reconvert = Callable[[MetaOverrides], "list[ServiceResult]"]


def _job_path(result: ServiceResult) -> str:
    if result.context is not None:
        return result.context.job.nomad_path
    return next((e.nomad_path.split(".")[0] for e in result.ledger.entries if e.nomad_path.startswith("job[")),
                f"job[{result.name}]")


class _Run:
    def __init__(self, dfile: DecisionsFile, results: list[ServiceResult], warn: Warn) -> None:
        self.dfile, self.warn = dfile, warn
        self.stale: dict[str, list[StaleDecision]] = {r.ledger.service: [] for r in results}

    def service_of(self, decision: Decision, results: Iterable[ServiceResult]) -> ServiceResult | None:
        return next((r for r in results if same_service(decision, r.ledger)), None)

    def live_rows(self, decision: Decision, result: ServiceResult) -> list[int] | None:
        """The rows it matches, or None (after recording why) when it is stale."""
        rows = matching_rows(decision, result.ledger)
        reason = None
        if not rows:
            reason = NO_ROW
        elif decision.fingerprint is not None and fingerprint(result.ledger, rows) != decision.fingerprint:
            reason = CHANGED
        if reason is None:
            return rows
        self.stale[result.ledger.service].append(StaleDecision(
            service=decision.service, code=decision.code, path=decision.path, reason=reason, file=self.dfile.shown))
        self.warn(f"warning: {self.dfile.where(decision)}: decision {decision.describe()} is stale: {reason}")
        return None


def apply_decisions(file: Path, results: list[ServiceResult], dfile: DecisionsFile | None,
                    reconvert: Reconvert, warn: Warn) -> list[ServiceResult]:
    """The services of `file` with the decisions applied: `extra["closures"]` (entry index -> Closure)
    and `extra["stale_decisions"]` on each (empty without a decisions file). May convert again."""
    if dfile is None:
        for result in results:
            result.extra.setdefault("closures", {})
            result.extra.setdefault("stale_decisions", [])
        return results
    run = _Run(dfile, results, warn)
    mine = [(d, r) for d in dfile.decisions if (r := run.service_of(d, results)) is not None]
    overrides, answered = Overrides(), []
    for decision, result in mine:
        if decision.resolution != ANSWERED:
            continue
        rows = run.live_rows(decision, result)
        if rows is not None:
            answered.append(decision)
            for i in rows:
                overrides.add(decision, result.ledger.entries[i].nomad_path, _job_path(result), dfile.shown)
    final = reconvert(overrides.meta) if overrides.meta else results
    closures: dict[str, dict[int, Closure]] = {r.ledger.service: {} for r in final}
    for decision, _ in mine:
        now = run.service_of(decision, final)
        if now is None:  # an answer (skip) removed the service's rows altogether
            continue
        if decision.resolution == ANSWERED:
            rows = matching_rows(decision, now.ledger) if decision in answered else []
        else:
            rows = run.live_rows(decision, now) or []
        for i in rows:
            closures[now.ledger.service].setdefault(
                i, Closure(resolution=decision.resolution, reason=decision.reason, file=dfile.shown))
    for result in final:
        _note_answers(result, overrides, dfile)
        result.extra["closures"] = closures.get(result.ledger.service, {})
        result.extra["stale_decisions"] = run.stale.get(result.ledger.service, [])
    return final


def _note_answers(result: ServiceResult, overrides: Overrides, dfile: DecisionsFile) -> None:
    """The N2K-HINT row of an injected answer says where the answer was written."""
    for entry in result.ledger.entries:
        decision = overrides.by_key_path.get(entry.nomad_path)
        if decision is not None and entry.code == "N2K-HINT":
            entry.message += f"; answered in {dfile.where(decision)}"


def unconverted_services(dfile: DecisionsFile, converted: set[str], warn: Warn) -> None:
    """Decisions naming a service that no converted jobspec has: a warning each (called only when the
    run converted every jobspec the file governs, so the name is a typo or the job is gone)."""
    for decision in dfile.decisions:
        if decision.service not in converted and dns_label(decision.service) not in converted:
            warn(f"warning: {dfile.where(decision)}: decision {decision.describe()} is stale: "
                 f"no converted service is named {decision.service!r}")
