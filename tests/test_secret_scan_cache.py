"""The detector's scan cache (secrets/scan_cache.py): bounded, journaled, and what it learned in one process
spares the scans of another (emit_pool.py sends a service's learning scans to the worker that emits it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nomad2k8s import emit_pool
from nomad2k8s.convert import convert_file
from nomad2k8s.secrets import rules
from nomad2k8s.secrets.scan_cache import ScanCache, Scanned

from .support import FIXTURES


def _counting() -> tuple[ScanCache[str], list[str]]:
    calls: list[str] = []

    def scan(text: str, keyed: bool) -> str:
        calls.append(text)
        return text.upper() if keyed else text

    return ScanCache(scan, 3), calls


def test_a_scan_is_made_once_and_the_oldest_is_forgotten_past_the_bound() -> None:
    cache, calls = _counting()
    assert [cache(t, True) for t in ("a", "b", "a", "c")] == ["A", "B", "A", "C"]
    assert calls == ["a", "b", "c"]  # `a` came from the cache
    assert cache("a", False) == "a" and calls[-1] == "a"  # keyed is part of the key; the oldest, `a`, is forgotten
    cache("b", True), cache("c", True)
    assert calls == ["a", "b", "c", "a"]
    cache("a", True)
    assert calls == ["a", "b", "c", "a", "a"] and cache.lookups == 8


def test_the_journal_holds_the_scans_made_while_open_and_remember_takes_them_without_scanning() -> None:
    cache, calls = _counting()
    cache("before", True)
    scanned: Scanned = []
    with cache.journal(scanned):
        cache("x", True), cache("before", True), cache("y", False)
    cache("after", True)
    assert scanned == [("x", True, "X"), ("y", False, "y")]  # misses only, in order; closed after
    other, other_calls = _counting()
    for entry in scanned:
        other.remember(*entry)
    assert (other("x", True), other("y", False), other_calls) == ("X", "y", [])


def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detector's caches as a forked worker that never saw this service has them: empty."""
    monkeypatch.setattr(rules, "_SHORT_SCANS", ScanCache(rules._guarded_scan, 1 << 16))
    monkeypatch.setattr(rules, "_MEDIUM_SCANS", ScanCache(rules._guarded_scan, 1 << 12))


def test_a_service_learned_in_one_worker_is_emitted_in_another_without_its_scans_made_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = convert_file(FIXTURES / "template-secret-edges" / "app.nomad.hcl")[0]
    scans: list[str] = []
    real = rules._scan

    def counting(text: str, keyed: bool, *, prefilter: bool) -> tuple[rules.Span, ...]:
        scans.append(text)
        return real(text, keyed, prefilter=prefilter)

    monkeypatch.setattr(rules, "_scan", counting)
    monkeypatch.setattr(emit_pool, "_JOBS", [emit_pool.EmitJob(result, "yaml", None, None, "")])
    _fresh_process(monkeypatch)
    digest, known, _used, scanned = emit_pool._learn_at(0)
    assert known and len(scanned) == len([s for s in scans if len(s) <= rules.MEDIUM]) > 20
    emitted = {}
    for name, seeds in (("alone", []), ("seeded", scanned)):
        _fresh_process(monkeypatch)
        scans.clear()
        emitted[name] = (emit_pool._emit_at(0, digest, known, seeds)[0].files, list(scans))  # type: ignore[arg-type]
    learned_texts = {text for text, _, _ in scanned}
    assert emitted["seeded"][0] == emitted["alone"][0]  # the same files
    assert learned_texts & set(emitted["alone"][1])  # emitting scans what learning scanned...
    assert not learned_texts & set(emitted["seeded"][1])  # ...unless given those scans


def test_the_scans_made_converting_in_workers_are_kept_by_the_parent(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    """The workers that emit the files are forked from the parent after the conversion: they inherit them."""
    from nomad2k8s.batch_pool import FileTask, outcomes
    from nomad2k8s.estate import JobSource
    from nomad2k8s.profile import Profile

    paths = sorted(FIXTURES.glob("*/*.nomad.hcl"))[:6]
    tasks = [FileTask(JobSource(path), Profile(), {}, [], tmp_path) for path in paths]
    _fresh_process(monkeypatch)  # the workers fork with these, empty
    done = list(outcomes(tasks, 2))
    assert sum(bool(o.results) for o in done) >= 4 and all(o.scanned is None for o in done)
    kept = rules._SHORT_SCANS.lookups, len(rules._SHORT_SCANS._entries)
    assert kept[0] == 0 and kept[1] > 50  # this process scanned nothing, yet holds the workers' scans


def test_a_whole_file_is_scanned_without_being_kept_while_a_value_of_that_length_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A service's MIGRATION.md (~8 KiB, unique) is scanned once: kept, 4,096 of them filled the medium cache."""
    from nomad2k8s.secrets.scrub import Scrubber

    _fresh_process(monkeypatch)
    text = "# web\n\n" + "".join(f"- row {i}: `job.group[{i}].count` mapped to Deployment/web\n" for i in range(40))
    assert rules.SHORT < len(text) <= rules.MEDIUM
    password = "password=hunter2-" + "x" * 8
    scrubber = Scrubber()
    cleaned = scrubber.file("MIGRATION.md", text + password + "\n")
    assert "hunter2" not in cleaned  # scanned all the same
    assert rules._MEDIUM_SCANS._entries == {}
    scrubber.clean({"notes": text})  # the same length as a value: kept, the estate pages scan values again
    assert list(rules._MEDIUM_SCANS._entries) == [(text, True)]
