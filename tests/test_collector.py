"""The garbage collector's settings for a run, and the parse tree freed without it (collector.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from nomad2k8s import collector
from nomad2k8s.cli import app
from nomad2k8s.parse.hcl2_reader import parse_hcl2
from tests.support import FIXTURES


def test_a_run_freezes_what_is_imported_and_collects_the_young_less_often() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with collector.tuned_for_batch():
        assert gc.get_freeze_count() > max(frozen, 10_000)  # the modules imported so far, at least
        assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, before[1], before[2])
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0  # undone after the run


def test_the_cli_converts_inside_the_tuning(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    seen: list[tuple[int, int, int]] = []
    real = collector.tuned_for_batch

    @contextmanager
    def spy() -> Iterator[None]:
        with real():
            yield
            seen.append(gc.get_threshold())

    monkeypatch.setattr(collector, "tuned_for_batch", spy)
    job = sorted(FIXTURES.rglob("*.nomad*"))[0]
    result = CliRunner().invoke(app, ["convert", str(job), "--output", str(tmp_path / "out"), "-q"])
    assert result.exit_code in (0, 3), result.output
    assert seen and seen[0][0] == collector.YOUNG_THRESHOLD
    assert (tmp_path / "out" / "SUMMARY.md").is_file()  # the run happened inside it


def test_a_parse_leaves_no_cycles_for_the_collector() -> None:
    """python-hcl2's rule tree points at each node's parent: uncut, each parse left ~1,600 objects of a
    jobspec this size to the cyclic collector."""
    text = "\n".join(f'job "j{i}" {{\n  group "g" {{\n    task "t" {{\n      driver = "docker"\n'
                     f'      config {{ image = "nginx:{i}" }}\n      env {{ A = "${{NOMAD_PORT_http}}" }}\n'
                     f'    }}\n  }}\n}}' for i in range(20))
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        parse_hcl2(text)
        left = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert left < 50
