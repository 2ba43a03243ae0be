"""Diff two conversion outputs (directories written by `convert --output`) for a review meeting:
which services, objects and ledger verdicts changed between two runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from deepdiff import DeepDiff

from .. import fileaccess
from ..errors import ConversionError

MANIFEST_SUFFIXES = (".yaml", ".json")
NOT_OBJECTS = {"kustomization.yaml", "ledger.json"}


@dataclass
class ServiceDiff:
    name: str
    added_objects: list[str] = field(default_factory=list)
    removed_objects: list[str] = field(default_factory=list)
    changed_objects: dict[str, list[str]] = field(default_factory=dict)  # file -> change lines
    ledger_changes: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.added_objects or self.removed_objects or self.changed_objects or self.ledger_changes)


@dataclass
class ConversionDiff:
    added_services: list[str]
    removed_services: list[str]
    services: list[ServiceDiff]


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


def _describe(change: str, detail: Any) -> list[str]:
    lines = []
    if isinstance(detail, dict):
        for path, values in detail.items():
            if isinstance(values, dict) and "old_value" in values:
                lines.append(f"{path}: {values['old_value']!r} → {values['new_value']!r}")
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
            result.ledger_changes.append(f"new `{path}` `{code}`: {new_ledger[key]['status']}")
        elif key not in new_ledger:
            result.ledger_changes.append(f"gone `{path}` `{code}` (was {old_ledger[key]['status']})")
        elif (before := old_ledger[key]["status"]) != (after := new_ledger[key]["status"]):
            result.ledger_changes.append(f"`{path}` `{code}`: {before} → {after}")
    return result


def diff_outputs(old_root: Path, new_root: Path) -> ConversionDiff:
    old, new = _service_dirs(old_root), _service_dirs(new_root)
    services = [diff_services(old[n], new[n], n) for n in sorted(set(old) & set(new))]
    return ConversionDiff(sorted(set(new) - set(old)), sorted(set(old) - set(new)),
                          [s for s in services if not s.empty()])


def render_markdown(diff: ConversionDiff) -> str:
    lines = ["# Conversion diff"]
    if not (diff.added_services or diff.removed_services or diff.services):
        return "\n".join(lines + ["", "No differences.", ""])
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
