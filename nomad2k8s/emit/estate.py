"""OUT/kustomization.yaml: every service directory of a run, so `kubectl apply -k OUT` applies the estate.

Kustomize refuses two resources with one id (group, kind, namespace, name). Two cases reach it:
- the same object twice, byte for byte: e.g. the per-namespace `default-deny` policy that each bundle of
  intentions (one per directory of intention files) emits. The estate lists it once: the later directory
  is listed file by file without the duplicate (each service directory itself stays complete, so
  `kubectl apply -k OUT/<dir>` still applies everything that service needs);
- two different objects with one id (two jobs, or one job under two site profiles, both making
  Deployment default/web): applying both would let the second silently replace the first, so the later
  directory is left out of the estate and reported; the user picks (rename a job, or a namespace)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import bundle

ObjectId = tuple[str, str, str, str]
HEADER = ("# Written by nomad2k8s: every service directory of the run, so that `kubectl kustomize` and\n"
          "# `kubectl apply -k` work on the whole estate.\n")


def object_id(obj: dict[str, Any]) -> ObjectId:
    api_version = str(obj.get("apiVersion", ""))
    meta = obj.get("metadata", {})
    return (api_version.rpartition("/")[0], str(obj.get("kind", "")), str(meta.get("namespace", "")),
            str(meta.get("name", "")))


def _describe(key: ObjectId) -> str:
    _, kind, namespace, name = key
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def kustomization(output: Path, services: list[tuple[Path, list[dict[str, Any]]]],
                  fmt: str) -> tuple[str | None, list[str]]:
    """The estate kustomization (None when no service has objects) and one warning per directory left out.
    `services`: (service directory, its objects)."""
    seen: dict[ObjectId, tuple[str, dict[str, Any]]] = {}  # id -> (directory relative to output, the object)
    resources: list[str] = []
    warnings: list[str] = []
    left_out: list[str] = []
    for directory, objects in sorted(services, key=lambda s: s[0].relative_to(output).as_posix()):
        if not objects:
            continue  # nothing to apply: the directory has no kustomization.yaml
        rel = directory.relative_to(output).as_posix()
        # Compared as data, not as emitted text: the same dict emits the same file, at no second YAML dump.
        texts = [(object_id(o), o, _filename(o, fmt)) for o in objects]
        clashes = [f"{_describe(key)} differs from the one in {seen[key][0]}"
                   for key, text, _ in texts if key in seen and seen[key][1] != text]
        if clashes:
            left_out.append(rel)
            warnings.append(f"warning: {rel} left out of {output / 'kustomization.yaml'}: " + "; ".join(clashes))
            continue
        duplicates = {name for key, text, name in texts if key in seen}
        for key, text, _ in texts:
            seen.setdefault(key, (rel, text))
        if duplicates:
            resources += [f"{rel}/{name}" for _, _, name in texts if name not in duplicates]
        else:
            resources.append(rel)
    if not resources:
        return None, warnings
    header = HEADER + "".join(f"# left out (objects clash with another service): {rel}\n" for rel in left_out)
    body = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources}
    return header + yaml.safe_dump(body, sort_keys=False), warnings


def _filename(obj: dict[str, Any], fmt: str) -> str:
    name = bundle.object_filename(obj)
    return name[: -len(".yaml")] + ".json" if fmt == "json" else name
