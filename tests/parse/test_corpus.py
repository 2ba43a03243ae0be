"""Robustness sweep over the shared third-party corpus (read in place, never copied)."""

import time
from collections import Counter
from pathlib import Path

import pytest

from nomad2k8s.errors import ConversionError
from nomad2k8s.parse import discover_jobspecs, load_jobspec

from tests.support import CORPUS_JOBS as CORPUS


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not present at {CORPUS}")
def test_corpus_sweep():
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    counts: Counter = Counter()
    failures = []
    start = time.monotonic()
    for path in files:
        try:
            counts[load_jobspec(path, env={}).syntax] += 1
        except ConversionError as exc:  # any other exception type fails the test
            counts["failed"] += 1
            failures.append(str(exc))
    elapsed = time.monotonic() - start
    print(f"\ncorpus: {len(files)} files, {dict(counts)} in {elapsed:.1f}s")
    for f in failures:
        print("  ", f)
    assert len(files) - counts["failed"] >= 398
    assert elapsed < 20


def test_discover(tmp_path):
    for name in ["a.nomad", "b.hcl", "c.nomad.hcl", "d.json", "sub/e.nomad.json", "f.tf",
                 ".hidden/g.nomad", "notes.txt"]:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("")
    found = [p.relative_to(tmp_path).as_posix() for p in discover_jobspecs(tmp_path)]
    assert found == ["a.nomad", "b.hcl", "c.nomad.hcl", "d.json", "sub/e.nomad.json"]
