"""The type checker passes over the parts of the package that are already clean.

mypy reads its settings from pyproject.toml ([tool.mypy]). CHECKED lists what must stay at
0 errors: the whole package.
"""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e '.[test]')")

ROOT = Path(__file__).resolve().parent.parent

CHECKED = ["nomad2k8s"]


def test_checked_paths_exist() -> None:
    # A renamed module must not silently drop out of the check.
    assert [p for p in CHECKED if not (ROOT / p).exists()] == []


def test_mypy_reports_no_errors_in_the_checked_files() -> None:
    # Imported modules outside CHECKED are analysed (their types are used) but their own errors
    # are not reported: follow-imports=silent.
    stdout, stderr, status = mypy_api.run([
        "--config-file", str(ROOT / "pyproject.toml"),
        "--follow-imports", "silent",
        *(str(ROOT / p) for p in CHECKED),
    ])
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert errors == [], stdout
    assert status == 0, stdout + stderr
