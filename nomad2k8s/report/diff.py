"""Diff two conversion outputs (directories written by `convert --output`) for a review meeting, in the
review's words: each service's verdict and the open rows closed or opened (from report.json), then the
objects and ledger rows that changed, values shown with secrets redacted, under a summary header."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from deepdiff import DeepDiff

from .. import fileaccess
from ..errors import ConversionError
from ..ledger.entries import describe_value
from ..review.verdict import WORDS

MANIFEST_SUFFIXES = (".yaml", ".json")
NOT_OBJECTS = {"kustomization.yaml", "ledger.json"}
REPORT = "report.json"


@dataclass
class ServiceDiff:
    name: str
    added_objects: list[str] = field(default_factory=list)
    removed_objects: list[str] = field(default_factory=list)
    changed_objects: dict[str, list[str]] = field(default_factory=dict)  # file -> change lines
    ledger_changes: list[str] = field(default_factory=list)
    verdict: tuple[str, str] | None = None  # (before, after) when it changed
    closed: dict[str, int] = field(default_factory=dict)  # code -> open rows no longer open
    opened: dict[str, int] = field(default_factory=dict)  # code -> rows open now, not before

    def empty(self) -> bool:
        return not (self.added_objects or self.removed_objects or self.changed_objects or self.ledger_changes
                    or self.verdict or self.closed or self.opened)

    def review_line(self) -> str:
        """`overseerr: NO-GO → GO after actions; closed N2K-VOLUME-DATA ×2`, or "" when neither changed."""
        parts = []
        if self.verdict:
            parts.append(f"{WORDS.get(self.verdict[0], self.verdict[0])} → {WORDS.get(self.verdict[1], self.verdict[1])}")
        for word, codes in (("closed", self.closed), ("opened", self.opened)):
            if codes:
                parts.append(f"{word} " + ", ".join(f"{c} ×{n}" if n > 1 else c for c, n in sorted(codes.items())))
        return f"{self.name}: " + "; ".join(parts) if parts else ""


@dataclass
class ConversionDiff:
    added_services: list[str]
    removed_services: list[str]
    services: list[ServiceDiff]
    totals: tuple[dict[str, Any], dict[str, Any]] | None = None  # report.json totals (before, after)

    @property
    def changed(self) -> bool:
        return bool(self.added_services or self.removed_services or self.services)


def _service_dirs(root: Path) -> dict[str, Path]:
    if not root.is_dir():
        raise ConversionError("not a conversion output directory", root)
    return {p.parent.relative_to(root).as_posix(): p.parent for p in sorted(root.rglob("ledger.json"))}


def _read(path: Path) -> str:
    # Output directories are the tool's own, but may be edited or truncated: one line, never a traceback.
    return fileaccess.read_operator_text(path, "output file", max_bytes=fileaccess.JOBSPEC_MAX_BYTES)


def _parse(path: Path) -> Any:
    text = _read(path)
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConversionError(f"not valid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConversionError(f"not valid YAML: {problem}", path,
                              mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except RecursionError:
        raise ConversionError("nested too deeply to compare", path) from None


def _objects(service_dir: Path) -> dict[str, Any]:
    out = {}
    for path in sorted(service_dir.iterdir()):
        if path.is_file() and path.name.endswith(MANIFEST_SUFFIXES) and path.name not in NOT_OBJECTS:
            out[path.name] = _parse(path)
    return out


def _ledger(service_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    path = service_dir / "ledger.json"
    entries = _parse(path)
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("nomad_path"), str) and isinstance(e.get("code"), str)
            and "status" in e for e in entries):
        raise ConversionError("not a conversion ledger (a list of entries with nomad_path, code and status)", path)
    return {(e["nomad_path"], e["code"]): e for e in entries}


def _report(root: Path) -> dict[str, Any] | None:
    """report.json of an output, or None when it has none (written before the review existed)."""
    path = root / REPORT
    if not path.is_file():
        return None
    report = _parse(path)
    if not isinstance(report, dict) or not isinstance(report.get("services"), list):
        raise ConversionError("not a nomad2k8s report (an object with a services list)", path)
    return report


def _open_rows(service: dict[str, Any]) -> dict[tuple[str, str], int]:
    """(code, nomad path) -> occurrences, of the service's open rows that ask something (not info)."""
    return {(r["code"], r["nomad_path"]): r.get("occurrences", 1) for r in service.get("rows", [])
            if r.get("open") and r.get("severity") != "info"}


def _review_delta(result: ServiceDiff, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    if old is None or new is None:
        return
    if old.get("verdict") != new.get("verdict"):
        result.verdict = (str(old.get("verdict")), str(new.get("verdict")))
    before, after = _open_rows(old), _open_rows(new)
    for key, n in before.items():
        if key not in after:
            result.closed[key[0]] = result.closed.get(key[0], 0) + n
    for key, n in after.items():
        if key not in before:
            result.opened[key[0]] = result.opened.get(key[0], 0) + n


def _shown(path: str, value: Any) -> str:
    # A value as the reports show it: a secret-named key or a credential inside the text is redacted.
    return repr(describe_value(path.replace("']['", ".").strip("[]'"), value))


def _describe(change: str, detail: Any) -> list[str]:
    lines = []
    if isinstance(detail, dict):
        for path, values in detail.items():
            if isinstance(values, dict) and "old_value" in values:
                lines.append(f"{path}: {_shown(path, values['old_value'])} → {_shown(path, values['new_value'])}")
            else:
                lines.append(f"{change.replace('_', ' ')}: {path}")
    else:
        lines += [f"{change.replace('_', ' ')}: {p}" for p in detail]
    return lines


def diff_services(old: Path, new: Path, name: str) -> ServiceDiff:
    result = ServiceDiff(name)
    old_objs, new_objs = _objects(old), _objects(new)
    result.added_objects = sorted(set(new_objs) - set(old_objs))
    result.removed_objects = sorted(set(old_objs) - set(new_objs))
    for file in sorted(set(old_objs) & set(new_objs)):
        delta = DeepDiff(old_objs[file], new_objs[file], ignore_order=False, verbose_level=2)
        if delta:
            lines = []
            for change, detail in sorted(delta.to_dict().items()):
                lines += _describe(change, detail)
            result.changed_objects[file] = sorted(lines)
    old_ledger, new_ledger = _ledger(old), _ledger(new)
    for key in sorted(set(old_ledger) | set(new_ledger)):
        path, code = key
        if key not in old_ledger:
            result.ledger_changes.append(f"new `{path}` `{code}`: {new_ledger[key]['status']}{_value(new_ledger[key])}")
        elif key not in new_ledger:
            result.ledger_changes.append(f"gone `{path}` `{code}` (was {old_ledger[key]['status']})")
        else:
            before, after = old_ledger[key], new_ledger[key]
            if before["status"] != after["status"]:
                result.ledger_changes.append(f"`{path}` `{code}`: {before['status']} → {after['status']}")
            elif before.get("value") != after.get("value"):
                # ledger.json values are already redacted (describe_value) when written.
                result.ledger_changes.append(f"`{path}` `{code}`: value `{before.get('value')}` → "
                                             f"`{after.get('value')}`")
    return result


def _value(entry: dict[str, Any]) -> str:
    return f" (`{entry['value']}`)" if entry.get("value") else ""


def diff_outputs(old_root: Path, new_root: Path) -> ConversionDiff:
    old, new = _service_dirs(old_root), _service_dirs(new_root)
    old_report, new_report = _report(old_root), _report(new_root)
    old_review = {s.get("dir"): s for s in (old_report or {}).get("services", []) if isinstance(s, dict)}
    new_review = {s.get("dir"): s for s in (new_report or {}).get("services", []) if isinstance(s, dict)}
    services = []
    for name in sorted(set(old) & set(new)):
        service = diff_services(old[name], new[name], name)
        _review_delta(service, old_review.get(name), new_review.get(name))
        services.append(service)
    totals = (old_report["totals"], new_report["totals"]) if old_report and new_report else None
    return ConversionDiff(sorted(set(new) - set(old)), sorted(set(old) - set(new)),
                          [s for s in services if not s.empty()], totals)


def _header(diff: ConversionDiff) -> list[str]:
    changed_verdicts = sum(1 for s in diff.services if s.verdict)
    lines = [f"{len(diff.services)} service(s) changed, {len(diff.added_services)} new, "
             f"{len(diff.removed_services)} removed; {changed_verdicts} verdict(s) changed."]
    if diff.totals:
        before, after = diff.totals
        verdicts = ", ".join(f"{WORDS[v]} {before['verdicts'].get(v, 0)} → {after['verdicts'].get(v, 0)}"
                             for v in WORDS)
        opened = ", ".join(f"{sev} {before['open'].get(sev, 0)} → {after['open'].get(sev, 0)}"
                           for sev in ("blocker", "action", "review"))
        lines.append(f"Verdicts: {verdicts}. Open rows: {opened}.")
    return lines


def render_markdown(diff: ConversionDiff) -> str:
    lines = ["# Conversion diff"]
    if not diff.changed:
        return "\n".join(lines + ["", "No differences.", ""])
    lines += ["", *_header(diff)]
    review = [s.review_line() for s in diff.services if s.review_line()]
    if review:
        lines += ["", "## Review", ""] + [f"- {line}" for line in review]
    if diff.added_services or diff.removed_services:
        lines.append("")
    lines += [f"- new service `{s}`" for s in diff.added_services]
    lines += [f"- removed service `{s}`" for s in diff.removed_services]
    for svc in diff.services:
        lines += ["", f"## {svc.name}", ""]
        lines += [f"- new object `{o}`" for o in svc.added_objects]
        lines += [f"- removed object `{o}`" for o in svc.removed_objects]
        for file, changes in svc.changed_objects.items():
            lines.append(f"- changed `{file}`")
            lines += [f"  - {c}" for c in changes]
        if svc.ledger_changes:
            lines += ["", "Ledger:", ""] + [f"- {c}" for c in svc.ledger_changes]
    return "\n".join(lines) + "\n"
