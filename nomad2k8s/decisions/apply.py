"""Apply a decisions file to the services converted from one jobspec.

Two steps, so that rows added after a file's own conversion can be decided too:
1. `apply_decisions` (per jobspec, in batch.convert_files): `answered` decisions are matched against
   the conversion without answers, checked against their fingerprint and turned into meta hints; the
   jobspec is converted again with them, and again while an answer matches only rows that an earlier
   answer brought (at most once per answer). An answer applies to the rows of the jobspec's own
   conversion, not to the rows the batch adds later.
2. `close_decisions` (once the batch stage, the live Vault check and the intentions have added their
   rows, just before writing): `done`/`accepted` decisions are matched against every row and close
   them; an applied answer closes the rows it matches still, and is applied (not stale) when the
   answer made them go away.
A decision that matches no row, or whose settings changed since (fingerprint), is stale: a warning
line, and listed in `extra["stale_decisions"]`. The first decision in the file that matches a row
closes it. Only decisions naming a service of the jobspec are looked at (see `unconverted_services`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
STATE = "decisions"  # extra key holding the _Answers of a service between the two steps


@dataclass
class _Answers:
    dfile: DecisionsFile
    applied: list[Decision] = field(default_factory=list)
    stale: dict[int, str] = field(default_factory=dict)  # decision line -> reason
    overrides: Overrides = field(default_factory=Overrides)


def _service_of(decision: Decision, results: Iterable[ServiceResult]) -> ServiceResult | None:
    return next((r for r in results if same_service(decision, r.ledger)), None)


def _job_path(result: ServiceResult) -> str:
    if result.view is not None:
        return result.view.job_path
    return next((e.nomad_path.split(".")[0] for e in result.ledger.entries if e.nomad_path.startswith("job[")),
                f"job[{result.name}]")


def _answer(results: list[ServiceResult], dfile: DecisionsFile, reconvert: Reconvert
            ) -> tuple[list[ServiceResult], _Answers]:
    state = _Answers(dfile)
    pending = [d for d in dfile.decisions if d.resolution == ANSWERED and _service_of(d, results) is not None]
    changed: set[int] = set()
    current = results
    while pending:
        progressed = False
        for decision in list(pending):
            result = _service_of(decision, current)
            rows = matching_rows(decision, result.ledger) if result is not None else []
            if result is None or not rows:
                continue
            if decision.fingerprint is not None and fingerprint(result.ledger, rows) != decision.fingerprint:
                changed.add(decision.line)  # may still match as recorded once other answers apply
                continue
            for i in rows:
                state.overrides.add(decision, result.ledger.entries[i].nomad_path, _job_path(result), dfile.shown)
            state.applied.append(decision)
            pending.remove(decision)
            progressed = True
        if not progressed:
            break
        current = reconvert(state.overrides.meta)
    state.stale = {d.line: CHANGED if d.line in changed else NO_ROW for d in pending}
    return current, state


def apply_decisions(file: Path, results: list[ServiceResult], dfile: DecisionsFile | None,
                    reconvert: Reconvert, warn: Warn, close: bool = True) -> list[ServiceResult]:
    """The services of `file` with the answers applied (may convert again). With `close`, also
    `close_decisions` at once (for callers without a batch stage); batch.convert_files closes later."""
    if dfile is None:
        final = results
    else:
        final, state = _answer(results, dfile, reconvert)
        for result in final:
            _note_answers(result, state)
            result.extra[STATE] = state
    if close:
        close_decisions(final, warn)
    return final


def close_decisions(results: list[ServiceResult], warn: Warn) -> None:
    """`extra["closures"]` (entry index -> Closure) and `extra["stale_decisions"]` on each service, from
    the rows it has now; a warning line per stale decision."""
    for result in results:
        state = result.extra.pop(STATE, None)
        closures: dict[int, Closure] = {}
        stale: list[StaleDecision] = []
        for decision in state.dfile.decisions if isinstance(state, _Answers) else ():
            if not same_service(decision, result.ledger):
                continue
            rows = matching_rows(decision, result.ledger)
            if decision.resolution == ANSWERED:
                reason = state.stale.get(decision.line) if decision not in state.applied else None
            else:
                reason = NO_ROW if not rows else CHANGED if (
                    decision.fingerprint is not None and fingerprint(result.ledger, rows) != decision.fingerprint
                ) else None
            if reason is not None:
                stale.append(StaleDecision(service=decision.service, code=decision.code, path=decision.path,
                                           reason=reason, file=state.dfile.shown))
                warn(f"warning: {state.dfile.where(decision)}: decision {decision.describe()} is stale: {reason}")
                continue
            for i in rows:
                closures.setdefault(i, Closure(resolution=decision.resolution, reason=decision.reason,
                                               file=state.dfile.shown))
        result.extra["closures"] = closures
        result.extra["stale_decisions"] = stale


def _note_answers(result: ServiceResult, state: _Answers) -> None:
    """The N2K-HINT row of an injected answer says where the answer was written."""
    for entry in result.ledger.entries:
        decision = state.overrides.by_key_path.get(entry.nomad_path)
        if decision is not None and entry.code == "N2K-HINT":
            entry.message += f"; answered in {state.dfile.where(decision)}"


def unconverted_services(dfile: DecisionsFile, converted: set[str], warn: Warn) -> None:
    """Decisions naming a service that no converted jobspec has: a warning each (called only when the
    run converted every jobspec the file governs, so the name is a typo or the job is gone)."""
    for decision in dfile.decisions:
        if decision.service not in converted and dns_label(decision.service) not in converted:
            warn(f"warning: {dfile.where(decision)}: decision {decision.describe()} is stale: "
                 f"no converted service is named {decision.service!r}")
