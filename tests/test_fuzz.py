"""Property-based fuzz (issue 16, Done when): mutated jobspecs — our fixtures and, when present,
../shared/corpus — never let an exception other than ConversionError escape, and every object emitted
for a mutant passes strict validation. Through the CLI (`convert --output`): exit code 0 or 1 only,
nothing written outside --output (the input untouched), every written object strictly valid, and no
planted secret value in any written byte (files, stdout, stderr). Bounded: a fixed number of examples,
no per-example deadline."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nomad2k8s.errors import ConversionError

from .cases.harness import convert_text
from .support import run_cli, validate_object

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


# Planted in every CLI mutant: a secret-named env value and job meta value (unique strings, so any
# occurrence in the output is a leak).
PLANTED = ("FuzzEnvPw-Zulu42x", "FuzzMetaPw-Yankee43")
_TASK = re.compile(r'(?m)^(\s*task\s+"[^"]+"\s*\{[ \t]*)$')
_JOB = re.compile(r'(?m)^(\s*job\s+"[^"]+"\s*\{[ \t]*)$')


def _plant(text: str) -> str:
    text = _TASK.sub(lambda m: m.group(1) + f'\n      env {{ DB_PASSWORD = "{PLANTED[0]}" }}', text, count=1)
    return _JOB.sub(lambda m: m.group(1) + f'\n  meta {{ db_password = "{PLANTED[1]}" }}', text, count=1)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not TEXTS, reason="no fixtures")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutant())
def test_cli_on_mutants_writes_only_valid_output_and_no_secret(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:  # not tmp_path: hypothesis runs many examples per test
        work = Path(tmp)
        (work / "in").mkdir()
        (work / "in" / "job.nomad.hcl").write_text(_plant(text))
        before = _tree(work / "in")
        proc = run_cli("convert", work / "in", "--output", work / "out", "--jobs", "1", cwd=work)
        assert proc.returncode in (0, 1), proc.stderr
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        assert sorted(p.name for p in work.iterdir()) in (["in"], ["in", "out"])  # nothing beside --output
        assert _tree(work / "in") == before  # the input is never written
        written = _tree(work / "out") if (work / "out").is_dir() else {}
        for blob in [*written.values(), proc.stdout.encode(), proc.stderr.encode()]:
            for value in PLANTED:
                assert value.encode() not in blob, value
        for name, blob in written.items():
            if name.endswith(".yaml") and not name.endswith("kustomization.yaml") and not name.startswith("."):
                for obj in yaml.safe_load_all(blob):
                    if isinstance(obj, dict) and "apiVersion" in obj:
                        validate_object(obj)
