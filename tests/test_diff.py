"""`nomad2k8s diff`: what changed between two conversions, for a review meeting."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support import FIXTURES, run_cli


def _run(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args)


def _convert(src: Path, out: Path) -> None:
    assert _run("convert", str(src), "--output", str(out)).returncode == 0


def test_identical_conversions_have_no_differences(tmp_path: Path) -> None:
    _convert(FIXTURES / "whoami", tmp_path / "a")
    _convert(FIXTURES / "whoami", tmp_path / "b")
    proc = _run("diff", str(tmp_path / "a"), str(tmp_path / "b"), "--exit-code")
    assert proc.returncode == 0 and "No differences." in proc.stdout


def test_changed_memory_and_new_service_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "jobs"
    shutil.copytree(FIXTURES / "whoami", src)
    _convert(src, tmp_path / "a")
    job = src / "whoami.nomad.hcl"
    job.write_text(job.read_text().replace("memory_max = 128", "memory_max = 256"))
    (src / "extra.nomad.hcl").write_text(
        'job "extra" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
        '      config { image = "nginx:1.25" }\n    }\n  }\n}\n')
    _convert(src, tmp_path / "b")
    proc = _run("diff", str(tmp_path / "a"), str(tmp_path / "b"), "--exit-code")
    assert proc.returncode == 1  # like git diff --exit-code: 1 = differences
    assert "- new service `extra`" in proc.stdout
    assert "'128Mi' → '256Mi'" in proc.stdout


def test_diff_of_missing_directory_is_a_clean_error(tmp_path: Path) -> None:
    proc = _run("diff", str(tmp_path / "nope"), str(tmp_path / "nope2"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
