"""A service's output directory: one file per object, a kustomization and the report."""

from __future__ import annotations

from typing import Any

import yaml

from . import yaml_out


def object_filename(obj: dict[str, Any]) -> str:
    kind = str(obj.get("kind", "object")).lower()
    name = obj.get("metadata", {}).get("name", "unnamed")
    return f"{kind}-{name}.yaml"


def manifest_files(objects: list[dict[str, Any]], fmt: str = "yaml") -> dict[str, str]:
    files: dict[str, str] = {}
    for obj in objects:
        name = object_filename(obj)
        if fmt == "json":
            name = name[: -len(".yaml")] + ".json"
            files[name] = yaml_out.dump_json_object(obj)
        else:
            files[name] = yaml_out.dump_object(obj)
    if not files:
        return files  # nothing to apply (e.g. a job skipped by a hint): no empty kustomization
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(files),
    }
    files["kustomization.yaml"] = yaml.safe_dump(kustomization, sort_keys=False)
    return files
