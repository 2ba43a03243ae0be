"""A service's output directory: one file per object, a kustomization and the report."""

from __future__ import annotations

import json
from typing import Any

import yaml

from . import yaml_out
from .doc import Doc


def object_filename(obj: dict[str, Any]) -> str:
    kind = str(obj.get("kind", "object")).lower()
    name = obj.get("metadata", {}).get("name", "unnamed")
    return f"{kind}-{name}.yaml"


def manifest_files(objects: list[dict[str, Any]], fmt: str = "yaml") -> dict[str, str]:
    return {name: value.text() if isinstance(value, Doc) else value for name, value in manifest_docs(objects, fmt).items()}


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def manifest_docs(objects: list[dict[str, Any]], fmt: str = "yaml") -> dict[str, str | Doc]:
    """manifest_files with each object's file not serialized yet (a Doc: its data in the written key order)."""
    files: dict[str, str | Doc] = {}
    for obj in objects:
        name = object_filename(obj)
        ordered = yaml_out.ordered(obj)
        if fmt == "json":
            name = name[: -len(".yaml")] + ".json"
            files[name] = Doc(ordered, _json_text)
        else:
            files[name] = Doc(ordered, yaml_out.dump_object)
    if not files:
        return files  # nothing to apply (e.g. a job skipped by a hint): no empty kustomization
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(files),
    }
    files["kustomization.yaml"] = yaml.safe_dump(kustomization, sort_keys=False)
    return files
