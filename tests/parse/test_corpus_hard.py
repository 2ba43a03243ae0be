"""../shared/corpus/hard: templated jobspecs (nomad-pack, Levant, templatefile, mustache), read in place.

Each file either converts (exit 0, at least one workload) or fails with exactly one stderr line that
names what the input lacks (a pack helper or variable that is not there, a placeholder with no value).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support import SHARED, require_shared, run_cli

HARD = SHARED / "corpus" / "hard"
FILES = sorted(p.relative_to(HARD).as_posix() for p in HARD.rglob("*") if p.is_file()) if HARD.is_dir() else []
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
# What a missing input looks like in the one error line: a pack helper, a pack/Levant variable, a
# placeholder another tool fills.
MISSING = ("is not defined; the pack's helper templates", "has no value", "unrendered template placeholder")


@pytest.mark.parametrize("name", FILES or ["(absent)"])
def test_hard_file_converts_or_names_what_is_missing(name: str, tmp_path: Path) -> None:
    path = require_shared(HARD) / name
    proc = run_cli("convert", path, "--output", tmp_path)
    if proc.returncode == 0:
        kinds = {doc.get("kind") for f in tmp_path.rglob("*.yaml") if f.name != "kustomization.yaml"
                 for doc in yaml.safe_load_all(f.read_text()) if doc}
        assert kinds & WORKLOADS, f"{name}: converted without a workload: {kinds}"
        return
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith(str(path))]
    assert len(errors) == 1, proc.stderr
    assert any(m in errors[0] for m in MISSING), errors[0]
    assert "Traceback" not in proc.stderr


def test_hard_corpus_counts() -> None:
    """The sweep as a whole: every file classified, the converted ones counted (printed for the report)."""
    require_shared(HARD)
    converted, failed = [], []
    for name in FILES:
        proc = run_cli("convert", HARD / name)
        (converted if proc.returncode == 0 else failed).append(name)
    print(f"\nhard corpus: {len(converted)} converted, {len(failed)} failed (missing input)")
    assert len(FILES) == 20 and len(converted) + len(failed) == 20
    assert len(converted) >= 9
