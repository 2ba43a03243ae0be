"""Shared test helpers: repo paths, the shared corpus, validators."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
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


@cache
def _core_validator(api_version: str, kind: str) -> tuple[Any, str]:
    """kubernetes_validate.validate(obj, K8S_VERSION, strict=True), its schema lookup done once per kind:
    the library re-reads and re-parses its multi-megabyte _definitions.json on every call, which made
    validating the corpus most of a test's time."""
    import re

    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    version = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(K8S_VERSION)][-1]
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_dir = f"kubernetes-json-schema/v{version}-local-strict"
    schema = utils.schema_contents(f"{schema_dir}/{kind.lower()}-{group}.json", K8S_VERSION)
    definitions = utils.schema_contents(f"{schema_dir}/_definitions.json", K8S_VERSION)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry), utils.major_minor(version)


@cache
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

        validator, version = _core_validator(api_version, obj["kind"])
        error = next(iter(validator.iter_errors(obj)), None)
        if error is not None:  # what kubernetes_validate.validate(obj, K8S_VERSION, strict=True) raises
            raise kubernetes_validate.ValidationError(error, version=version)
        return
    import jsonschema

    group, _, version = api_version.partition("/")
    require_shared(CRD_SCHEMAS)
    validator = _crd_validator(group, obj["kind"], version)
    assert validator is not None, f"no CRD schema for {api_version} {obj['kind']} under {CRD_SCHEMAS}"
    error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
    if error is not None:
        raise error


def run_cli(*args: str | os.PathLike, cwd: Path | None = None, env: dict[str, str] | None = None,
            clear_env_prefix: str | None = None) -> subprocess.CompletedProcess:
    """`python -m nomad2k8s ARGS` run in this process (the entry point `cli.run`, so exit codes and the
    one-line usage errors are the real ones), without paying ~0.85 s of imports per call. `env` is set
    for the call only; `clear_env_prefix` removes the caller's variables with that prefix first."""
    from nomad2k8s import cli

    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    saved_env = dict(os.environ)
    code: Any = 0
    try:
        if clear_env_prefix:
            for key in [k for k in os.environ if k.startswith(clear_env_prefix)]:
                del os.environ[key]
        os.environ.update({"NO_COLOR": "1", **(env or {})})
        with (contextlib.chdir(cwd or REPO), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err),
              _argv(["nomad2k8s", *argv])):
            try:
                cli.run()
            except SystemExit as exc:
                code = exc.code
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(["nomad2k8s", *argv], returncode, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _argv(argv: list[str]) -> Iterator[None]:
    saved = sys.argv
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = saved


def written_tree(root: Path) -> dict[str, bytes]:
    """Every file a conversion wrote, minus its caches (entries are sealed and hold a random nonce)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "cache" not in p.relative_to(root).parts}


def counted_convert(monkeypatch: pytest.MonkeyPatch, owner: Any, attr: str, name_of: Any, src: Path, out: Path,
                    *args: str) -> tuple[list[str], dict[str, bytes]]:
    """`convert SRC --output OUT --jobs 1` in-process with `owner.attr` counted: the names (`name_of` of each
    call's first argument) it was called for, sorted, and the tree written."""
    calls: list[str] = []
    real = getattr(owner, attr)

    def counting(first: Any, *rest: Any, **kwargs: Any) -> Any:
        calls.append(name_of(first))
        return real(first, *rest, **kwargs)

    monkeypatch.setattr(owner, attr, counting)
    proc = run_cli("convert", src, "--output", out, "--jobs", "1", *args)
    assert proc.returncode == 0, proc.stderr
    return sorted(calls), written_tree(out)
