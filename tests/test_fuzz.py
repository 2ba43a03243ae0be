"""Property-based fuzz (issue 16, Done when): mutated jobspecs — our fixtures and, when present,
../shared/corpus — never let an exception other than ConversionError escape, and every object emitted
for a mutant passes strict validation. Bounded: a fixed number of examples, no per-example deadline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nomad2k8s.errors import ConversionError

from .cases.harness import convert_text
from .support import validate_object

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SOURCES = sorted((ROOT / "fixtures" / "nomad_jobs").rglob("*.hcl"))
if CORPUS.is_dir():
    SOURCES += sorted(CORPUS.rglob("*.nomad"))[:200]
TEXTS = [p.read_text(errors="replace") for p in SOURCES if p.stat().st_size < 64_000]
# A literal value in an attribute: `key = "..."`, `key = 123`, `key = true`.
_VALUE = re.compile(r'(?m)^(\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*)("[^"\n$]*"|-?\d+|true|false)\s*$')
HOSTILE = ['["a", "b"]', "true", "-5", "70000", "99999999999999999999999", '{ a = "b" }', '"' + "n" * 300 + '"',
           '"../../etc/x"', '"true"', '"5"', "[]", '""', '"-1"', "5.5"]


@st.composite
def mutant(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    spots = list(_VALUE.finditer(text))
    for _ in range(draw(st.integers(1, 3))):
        if not spots:
            break
        spot = draw(st.sampled_from(spots))
        value = draw(st.sampled_from(HOSTILE))
        text = text[: spot.start(2)] + value + text[spot.end(2):]
        spots = list(_VALUE.finditer(text))
    return text


@pytest.mark.skipif(not TEXTS, reason="no fixtures")
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutant())
def test_mutants_never_crash_and_stay_valid(text: str) -> None:
    try:
        result = convert_text(text)
    except ConversionError as exc:
        assert "\n" not in str(exc)
        return
    for obj in result.objects:
        validate_object(obj)
