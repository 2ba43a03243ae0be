"""The ledger is the product's conscience: every parsed setting ends in exactly one entry,
and no fixture setting falls through to the catch-all (a mapper forgot it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus_fixture import CorpusRun
from tests.support import FIXTURES
from nomad2k8s.convert import convert_file
from nomad2k8s.ledger import Status
from nomad2k8s.parse import discover_jobspecs

# The jobspecs a directory conversion finds (pack job templates included; pack metadata, helpers and
# companion files not).
FIXTURE_FILES = discover_jobspecs(FIXTURES)


def _var_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob("*.vars.hcl"))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_fixture_setting_has_exactly_one_entry(path: Path) -> None:
    for result in convert_file(path, var_files=_var_files(path)):
        counts = result.ledger.claims_per_leaf()
        assert counts, "the parser saw no settings"
        missing = [leaf for leaf, n in counts.items() if n == 0]
        doubled = [leaf for leaf, n in counts.items() if n > 1]
        assert not missing, f"settings without a ledger entry: {missing}"
        assert not doubled, f"settings claimed twice: {doubled}"
        gaps = [e.nomad_path for e in result.ledger.entries if e.code == "N2K-UNMAPPED"]
        assert not gaps, f"known settings no mapper handled: {gaps}"


def test_unknown_key_is_dropped_not_lost(tmp_path: Path) -> None:
    job = tmp_path / "x.nomad.hcl"
    job.write_text('job "x" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
                   '      config { image = "nginx:1" }\n      bogus_setting = 3\n    }\n  }\n}\n')
    (result,) = convert_file(job)
    entries = [e for e in result.ledger.entries if e.nomad_path.endswith("bogus_setting")]
    assert [(e.status, e.code) for e in entries] == [(Status.DROPPED, "N2K-DROP-UNKNOWN")]


def test_removing_a_mapper_claim_is_detected(tmp_path: Path) -> None:
    """Guard for the guard: if the image mapper stopped claiming, the catch-all must say so."""
    from dataclasses import replace

    from nomad2k8s.mapping.core.registry import TRANSFORMS

    job = tmp_path / "x.nomad.hcl"
    job.write_text('job "x" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
                   '      config { image = "nginx:1" }\n    }\n  }\n}\n')

    def forgetful(gctx):
        task_mapper.fn(gctx)
        gctx.ledger.entries[:] = [e for e in gctx.ledger.entries if e.code != "N2K-IMAGE"]

    (task_mapper,) = [t for t in TRANSFORMS if t.concept == "task"]
    (result,) = convert_file(job, transforms=[replace(t, fn=forgetful) if t is task_mapper else t
                                              for t in TRANSFORMS])
    assert any(e.code == "N2K-UNMAPPED" and e.nomad_path.endswith("config.image") for e in result.ledger.entries)


def test_corpus_ledger_accounts_for_every_setting(corpus_yaml: CorpusRun) -> None:
    checked = 0
    for path, results in corpus_yaml.by_file().items():
        for result in results:
            counts = result.ledger.claims_per_leaf()
            assert all(n == 1 for n in counts.values()), (
                path, {leaf: n for leaf, n in counts.items() if n != 1})
            gaps = [e.nomad_path for e in result.ledger.entries if e.code == "N2K-UNMAPPED"]
            assert not gaps, (path, gaps)
            checked += 1
    assert checked >= 398
