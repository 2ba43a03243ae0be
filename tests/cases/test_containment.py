"""One bad job never loses the others: an unexpected error in one file is one line for that file (the
traceback only with --debug), every other file is written, and the run exits 1 — for any --jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nomad2k8s import batch
from nomad2k8s.cli import app

JOB = '''job "{name}" {{
  group "g" {{
    task "t" {{
      driver = "docker"
      config {{ image = "nginx:1" }}
    }}
  }}
}}
'''


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_error_in_one_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str, debug: bool) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("alpha", "boom", "gamma", "delta"):  # four files: the pool runs from POOL_MIN_FILES
        (src / f"{name}.nomad.hcl").write_text(JOB.format(name=name))
    real = batch.FileTask.convert

    def convert(self: batch.FileTask, meta: object = None) -> object:
        if self.file.name.startswith("boom"):
            raise KeyError("planted bug")
        return real(self, meta)  # type: ignore[arg-type]

    monkeypatch.setattr(batch.FileTask, "convert", convert)
    out = tmp_path / "out"
    args = ["convert", str(src), "--output", str(out), "--jobs", jobs] + (["--debug"] if debug else [])
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 1, run.output
    assert run.exception is None or isinstance(run.exception, SystemExit)
    lines = [ln for ln in run.output.splitlines() if "boom.nomad.hcl" in ln and "internal error" in ln]
    assert len(lines) == 1 and "KeyError" in lines[0]
    assert ("Traceback (most recent call last)" in run.output) is debug
    for name in ("alpha", "gamma", "delta"):
        assert any((out / name).rglob("*.yaml")), f"{name} not written: {run.output}"
    assert not (out / "boom").exists()
