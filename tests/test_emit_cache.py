"""The emitted-files cache (nomad2k8s/emit_cache.py): an unchanged re-run serializes and scrubs no service
again and writes the same tree; a change that reaches a service only through the batch stage (another job)
is a miss; the entries are sealed; a generated file the user deleted comes back. No timing here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nomad2k8s import output
from tests.support import FIXTURES, counted_convert


def _run(src: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], dict[str, bytes]]:
    """convert SRC --output OUT in-process: the services serialized, and the tree."""
    return counted_convert(monkeypatch, output, "service_files", lambda result: result.name, src, out)


def test_an_unchanged_rerun_emits_nothing_and_writes_the_same_tree(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    for case in ("variables", "whoami"):
        shutil.copytree(FIXTURES / case, src / case)
    first, tree = _run(src, out, monkeypatch)
    assert first
    assert _run(src, out, monkeypatch) == ([], tree)
    for entry in (out / ".nomad2k8s" / "cache").glob("*.emit"):  # sealed: no value of the output in clear
        assert b"traefik/whoami" not in entry.read_bytes() and b"whoami" not in entry.read_bytes()
    deleted = next(p for p in (out / "whoami").rglob("deployment-*.yaml"))
    deleted.unlink()  # a generated file the user deleted: written again, though its service is cached
    assert _run(src, out, monkeypatch) == ([], tree)
    (out / "report.html").unlink()  # the estate pages' entry holds digests only: rendered again
    assert _run(src, out, monkeypatch) == ([], tree)


def test_a_change_reaching_a_service_through_the_batch_stage_is_a_miss(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    job = FIXTURES / "whoami" / "whoami.nomad.hcl"
    (src / "a").mkdir(parents=True)
    (src / "a" / job.name).write_text(job.read_text())
    (src / "b").mkdir()
    (src / "b" / "other.nomad.hcl").write_text('job "other" {\n  group "g" {\n    task "t" {\n'
                                               '      driver = "docker"\n      config { image = "nginx:1.27" }\n'
                                               '    }\n  }\n}\n')
    _run(src, out, monkeypatch)
    # The same job in a second file: both services now clash (a ledger row each, from the batch stage).
    (src / "b" / job.name).write_text(job.read_text())
    emitted, tree = _run(src, out, monkeypatch)
    assert "whoami" in emitted and "other" not in emitted  # the unchanged, unaffected service is cached
    _, fresh_tree = _run(src, tmp_path / "fresh", monkeypatch)
    assert tree == {k: v.replace(b"/fresh", b"/out") for k, v in fresh_tree.items()}
    assert any(b"N2K-OBJECT-NAME-CLASH" in v for k, v in tree.items() if k.startswith("a/"))
