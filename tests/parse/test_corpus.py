"""Robustness sweep over the shared third-party corpus (read in place, never copied)."""

from collections import Counter

from nomad2k8s.parse import discover_jobspecs

from tests.corpus_fixture import CorpusRun, corpus_files


def test_corpus_sweep(corpus_yaml: CorpusRun):
    """Every corpus file parsed (in the session's one conversion, tests/corpus_fixture.py): any exception
    other than ConversionError would have failed that conversion; count the syntaxes seen."""
    counts = Counter(results[0].syntax for results in corpus_yaml.by_file().values())
    print(f"\ncorpus: {len(corpus_files())} files, {dict(counts)}")
    assert sum(counts.values()) >= 398
    assert set(counts) <= {"hcl2", "hcl1", "json"}, counts


def test_discover(tmp_path):
    for name in ["a.nomad", "b.hcl", "c.nomad.hcl", "d.json", "sub/e.nomad.json", "f.tf",
                 ".hidden/g.nomad", "notes.txt"]:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("")
    found = [p.relative_to(tmp_path).as_posix() for p in discover_jobspecs(tmp_path)]
    assert found == ["a.nomad", "b.hcl", "c.nomad.hcl", "d.json", "sub/e.nomad.json"]
