"""The garbage collector's settings for a run, and the parse tree freed without it (collector.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from nomad2k8s import collector
from nomad2k8s.parse.hcl2_reader import parse_hcl2
from tests.support import FIXTURES


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_run_freezes_what_is_imported_and_collects_the_young_less_often(restored_gc: None) -> None:
    _, middle, oldest = gc.get_threshold()
    gc.unfreeze()
    collector.tune_for_batch()
    assert gc.get_freeze_count() > 10_000  # the modules imported so far, at least
    assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, middle, oldest)


def test_the_cli_tunes_the_collector_before_a_conversion(restored_gc: None, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path) -> None:
    from typer.testing import CliRunner

    from nomad2k8s.cli import app

    calls: list[int] = []
    monkeypatch.setattr(collector, "tune_for_batch", lambda: calls.append(1))
    job = next(iter(sorted(FIXTURES.rglob("*.nomad*"))))
    result = CliRunner().invoke(app, ["convert", str(job), "--output", str(tmp_path / "out"), "-q"])
    assert result.exit_code in (0, 3), result.output
    assert calls == [1]


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
