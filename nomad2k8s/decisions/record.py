"""`nomad2k8s decide`: record one decision in the decisions file the next `convert` of the jobspec reads.

The jobspec is converted again here (with its nearest nomad2k8s.yaml, the variable files beside it,
the decisions already recorded), so the new entry is checked against the rows as they are now: a
service, code or path that names no row is refused (nobody records a typo), and the entry carries
the fingerprint of the settings it was decided on. The target may be the jobspec, a directory of
jobspecs, or a `convert --output` directory (the service's report names its jobspec).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..convert import ServiceResult, convert_file, link_batch
from ..errors import ConversionError
from ..k8s.names import dns_label
from ..ledger.codes import catalogue
from ..model import paths
from ..parse import discover, discover_jobspecs, load_jobspec
from ..profile_load import discover_config, resolve_profile
from .answers import MetaOverrides
from .apply import apply_decisions
from .load import check_hint, hint_name, load
from .load import discover as discover_decisions
from .match import fingerprint_of, matches, same_service
from .model import (
    ACCEPTED,
    ANSWERED,
    DONE,
    FILE_NAME,
    Decision,
    DecisionsError,
    DecisionsFile,
    repo_root,
)
from .write import append

Warn = Callable[[str], None]
REPORT_FILES = ("report.json", "MIGRATION.md", "ledger.json")


@dataclass
class DecideRequest:
    target: Path
    service: str
    code: str
    resolution: str
    reason: str
    path: str | None = None
    answer: dict[str, str] = field(default_factory=dict)
    decisions: Path | None = None  # --decisions FILE; else the nearest one, else one at the repository root
    profile: str | None = None  # --profile, as given to convert
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[Path] = field(default_factory=list)


def resolution_of(done: bool, accept: bool, answers: list[str]) -> tuple[str, dict[str, str]]:
    """The resolution of exactly one of --done, --accept, --answer K=V (repeatable), and the answer."""
    chosen = [name for name, on in ((DONE, done), (ACCEPTED, accept), (ANSWERED, bool(answers))) if on]
    if len(chosen) != 1:
        raise DecisionsError("give exactly one of --done, --accept, --answer K=V")
    answer: dict[str, str] = {}
    for pair in answers:
        key, sep, value = pair.partition("=")
        if not sep:
            raise DecisionsError(f"--answer: expected HINT=VALUE, e.g. storage-class=nfs-client, got {pair!r}")
        answer[hint_name(key.strip(), DecisionsError)] = check_hint(key.strip(), value.strip(), DecisionsError)
    return chosen[0], answer


def _source_in_report(service_dir: Path, service: str) -> str | None:
    """The jobspec a converted service came from, as its report names it."""
    report = service_dir / "report.json"
    if report.is_file():
        found = _find_source(json.loads(report.read_text(encoding="utf-8")), service)
        if found:
            return found
    migration = service_dir / "MIGRATION.md"
    if migration.is_file():
        match = re.search(r"^Source: `(.+)`$", migration.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            return match.group(1)
    return None


def _find_source(data: Any, service: str) -> str | None:
    if isinstance(data, dict):
        if isinstance(data.get("source"), str) and service in (data.get("service"), data.get("name"), None):
            return str(data["source"])
        data = list(data.values())
    if isinstance(data, list):
        return next((s for s in (_find_source(v, service) for v in data) if s), None)
    return None


@dataclass
class Located:
    jobspec: Path
    rows: list[tuple[str, str]] | None = None  # (code, nomad path) of the output's ledger.json, when given one


def _output_rows(service_dir: Path) -> list[tuple[str, str]] | None:
    """The rows of the latest conversion, batch-stage rows included (name clashes, intentions, Vault)."""
    ledger = service_dir / "ledger.json"
    if not ledger.is_file():
        return None
    try:
        rows = json.loads(ledger.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DecisionsError(f"cannot read {ledger}: {exc}") from None
    return [(str(r.get("code")), str(r.get("nomad_path"))) for r in rows if isinstance(r, dict)]


def _from_output(out: Path, service: str) -> Located:
    dirs = sorted({p.parent for name in REPORT_FILES for p in out.rglob(name) if p.parent.name == service})
    if not dirs:
        known = sorted({p.parent.name for p in out.rglob("MIGRATION.md")})
        raise DecisionsError(f"{out}: no converted service {service!r}{_hint(service, known)}")
    if len(dirs) > 1:
        raise DecisionsError(f"{out}: service {service!r} is in {', '.join(map(str, dirs))}; pass its jobspec")
    source = _source_in_report(dirs[0], service)
    if source is None:
        raise DecisionsError(f"{dirs[0]}: the report does not name the jobspec; pass the jobspec instead")
    jobspec = Path(source)
    if not jobspec.is_file():
        raise DecisionsError(f"{dirs[0]} was converted from {source}, which is not a file from here; "
                             "run decide where you ran convert, or pass the jobspec")
    return Located(jobspec, _output_rows(dirs[0]))


def _is_output(directory: Path) -> bool:
    return (directory / "SUMMARY.md").is_file() or any(directory.rglob("MIGRATION.md"))


def _from_sources(directory: Path, service: str) -> Path:
    names: dict[str, Path] = {}
    for file in discover_jobspecs(directory):
        try:
            parsed = load_jobspec(file)
        except ConversionError:
            continue  # not a jobspec, or broken: not the one asked for
        for raw in parsed.jobs:
            names.setdefault(dns_label(str(raw.get(paths.LABEL_KEY, ""))), file)
    if dns_label(service) not in names:
        raise DecisionsError(f"{directory}: no job is named {service!r}{_hint(service, list(names))}")
    return names[dns_label(service)]


def find_jobspec(target: Path, service: str) -> Located:
    if target.is_file():
        return Located(target)
    if _is_output(target):
        return _from_output(target, service)
    return Located(_from_sources(target, service))


def _hint(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3)
    shown = close or sorted(choices)[:8]
    return f"; {'did you mean' if close else 'known'}: {', '.join(shown)}" if shown else ""


def _convert(jobspec: Path, request: DecideRequest) -> Callable[[MetaOverrides | None], list[ServiceResult]]:
    """The jobspec converted as `convert TARGET` converts it: its nearest nomad2k8s.yaml, and, when TARGET
    is a directory (of jobspecs, or an output), the variable files beside it. The same values give the
    same fingerprints, so the next convert does not see the decision's settings as changed."""
    profile = resolve_profile(request.profile, discover_config(jobspec), [])
    beside = [] if request.target.is_file() else sorted(
        p for p in jobspec.parent.iterdir() if p.name.endswith(discover.VAR_FILE_SUFFIXES))
    root = repo_root(jobspec)

    def convert(meta: MetaOverrides | None = None) -> list[ServiceResult]:
        results = convert_file(jobspec, profile, request.variables, beside + list(request.var_files), root=root,
                               meta=meta)
        # Its own batch: the rows batch passes add (a Consul name no job of it provides) can be decided too.
        link_batch(results)
        return results
    return convert


def _matched(decision: Decision, rows: list[tuple[str, str]], service: str) -> list[str]:
    """The paths of the rows the decision names; refused (with the closest names) when there are none."""
    found = [path for code, path in rows if matches(decision, code, path)]
    if found:
        return found
    codes = sorted({code for code, _ in rows})
    if decision.code not in codes:
        raise DecisionsError(f"service {service} has no {decision.code} row{_hint(decision.code, codes)}")
    where = sorted({path for code, path in rows if code == decision.code})
    raise DecisionsError(f"service {service} has no {decision.code} row at {decision.path}; "
                         f"its {decision.code} rows: {', '.join(where[:8])}")


def decide(request: DecideRequest, warn: Warn) -> tuple[Path, Decision]:
    """Check the decision against the jobspec's conversion and append it; returns (file, decision)."""
    if request.code not in catalogue():
        raise DecisionsError(f"unknown code {request.code!r}{_hint(request.code, list(catalogue()))}")
    if not request.reason.strip():
        raise DecisionsError("--reason must say why (it is shown beside the closed row)")
    located = find_jobspec(request.target, request.service)
    jobspec = located.jobspec
    convert = _convert(jobspec, request)
    file = request.decisions or discover_decisions(jobspec) or (repo_root(jobspec) or jobspec.parent) / FILE_NAME
    existing = load(file) if file.exists() else None
    # The conversion with the recorded answers applied, as the next convert makes it.
    final = apply_decisions(jobspec, convert(None), existing, convert, lambda _: None)
    draft = Decision(service=request.service, code=request.code, path=request.path, resolution=request.resolution,
                     reason=request.reason.strip(), answer=request.answer)
    result = next((r for r in final if same_service(draft, r.ledger)), None)
    if result is None:
        names = [r.name for r in final]
        raise DecisionsError(f"{jobspec}: no service {request.service!r}{_hint(request.service, names)}")
    own = [(e.code, e.nomad_path) for e in result.ledger.entries]
    if request.resolution == ANSWERED and located.rows is not None and not any(
            matches(draft, c, p) for c, p in own) and any(matches(draft, c, p) for c, p in located.rows):
        raise DecisionsError(f"{draft.describe()} is a row of the batch (jobs converted together, intentions, "
                             "Vault), not of the jobspec: an answer cannot reach it; use --done or --accept")
    rows = _matched(draft, own if request.resolution == ANSWERED or located.rows is None else located.rows,
                    result.ledger.service)
    decision = replace(draft, service=result.ledger.service, fingerprint=fingerprint_of(result.ledger.values, rows))
    if existing is not None:
        _check_repeat(existing, decision, result, warn)
    append(file, decision)
    return file, decision


def _check_repeat(existing: DecisionsFile, decision: Decision, result: ServiceResult, warn: Warn) -> None:
    """The same service, code and path decided before: refused while that entry still holds (the first
    entry wins, so a second would change nothing); a stale one is only pointed out."""
    for earlier in existing.decisions:
        if (same_service(earlier, result.ledger) and (earlier.code, earlier.path) == (decision.code, decision.path)):
            if earlier.fingerprint in (None, decision.fingerprint):
                raise DecisionsError(f"already decided ({earlier.resolution}) at {existing.where(earlier)}; "
                                     "edit or delete that entry")
            warn(f"warning: {existing.where(earlier)} is superseded (its setting changed since); delete it")
