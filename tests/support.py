"""Shared test helpers: repo paths, the shared corpus, validators."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "nomad_jobs"
GENERATED = REPO / "generated"
SHARED = Path(os.environ.get("N2K_SHARED", REPO.parent / "shared"))
CORPUS_JOBS = SHARED / "corpus" / "jobs"
CRD_SCHEMAS = SHARED / "schemas" / "crds"
K8S_VERSION = "1.33.0"
CORE_API_GROUPS = ("v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "autoscaling/v2", "policy/v1",
                   "rbac.authorization.k8s.io/v1")


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus/schemas sit beside the repo checkout (../shared)")
    return path


@lru_cache(maxsize=None)
def _crd_validator(group: str, kind: str, version: str) -> Any:
    """One checked validator per CRD schema (jsonschema.validate re-checks the schema each call)."""
    import jsonschema

    path = CRD_SCHEMAS / group / f"{kind.lower()}_{version}.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())
    # No check_schema: the Cilium CRD schemas use Go regex syntax (`\PC`) that Python's `re` rejects.
    return jsonschema.Draft7Validator(schema)


def validate_object(obj: dict[str, Any]) -> None:
    """Strict validation: core kinds with kubernetes-validate, custom resources with ../shared CRD schemas."""
    api_version = obj["apiVersion"]
    if api_version in CORE_API_GROUPS:
        import kubernetes_validate

        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        return
    import jsonschema

    group, _, version = api_version.partition("/")
    require_shared(CRD_SCHEMAS)
    validator = _crd_validator(group, obj["kind"], version)
    assert validator is not None, f"no CRD schema for {api_version} {obj['kind']} under {CRD_SCHEMAS}"
    error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
    if error is not None:
        raise error
