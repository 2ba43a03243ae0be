"""The code catalogue (nomad2k8s/ledger/codes.yaml): every emitted code is in it, docs/CODES.md is its
rendering, and the session check for never-emitted codes can fail."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nomad2k8s.convert import convert_file
from nomad2k8s.errors import ConversionError
from nomad2k8s.ledger import Ledger, LedgerEntry, Severity, Status
from nomad2k8s.ledger.codes import catalogue, lookup, render_markdown
from tests import code_usage
from tests.support import CORPUS_JOBS, FIXTURES, REPO, require_shared

DOC = REPO / "docs" / "CODES.md"
CODE = re.compile(r"N2K-[A-Z0-9]+(?:-[A-Z0-9]+)*")

# Labels of runtime.Note (the parts of one env/args/template rewrite): they are folded into the
# rewrite's own entry (N2K-ENV-REWRITE, N2K-TEMPLATE-*...) and never recorded, so not catalogued.
NOTE_LABELS = {"N2K-RUNTIME-PORT", "N2K-RUNTIME-ADDR", "N2K-RUNTIME-DIR", "N2K-RUNTIME-ALLOC", "N2K-RUNTIME-ALLOC-INDEX",
               "N2K-RUNTIME-NAME", "N2K-RUNTIME-REGION", "N2K-RUNTIME-DC", "N2K-RUNTIME-META", "N2K-RUNTIME-NODE", "N2K-RUNTIME-ENV", "N2K-UPSTREAM",
               "N2K-UPSTREAM-PORT", "N2K-CONSUL-DNS", "N2K-TEMPLATE-ENV-REF"}
# Codes built at run time: "N2K-TEMPLATE-CHANGE-" + mode, f"N2K-EPHEMERAL-{field}", code + "-UNRESOLVED".
DYNAMIC = {"N2K-TEMPLATE-CHANGE-SIGNAL", "N2K-TEMPLATE-CHANGE-SCRIPT", "N2K-SHUTDOWN-DELAY-UNRESOLVED",
           "N2K-KILL-TIMEOUT-UNRESOLVED"}
NOT_CODES = {"N2K-LIFECYCLE"}  # a prefix podcleanup.py tests with startswith()


def _codes_in_source() -> set[str]:
    """Every whole-string `N2K-...` literal in nomad2k8s/ (f-string and concatenation parts excluded)."""
    found: set[str] = set()
    for path in (REPO / "nomad2k8s").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
                found.add(node.value)
    return found


def test_every_code_in_the_source_is_catalogued() -> None:
    missing = sorted(_codes_in_source() - NOTE_LABELS - NOT_CODES - set(catalogue()))
    assert missing == [], f"codes used in nomad2k8s/ but missing from codes.yaml: {missing}"


def test_every_catalogued_code_is_in_the_source() -> None:
    dead = sorted(set(catalogue()) - _codes_in_source() - DYNAMIC)
    assert dead == [], f"catalogued codes no code emits: {dead}"


def test_catalogue_records_are_complete() -> None:
    for code, record in catalogue().items():
        assert CODE.fullmatch(code), code
        assert record.title and record.explanation and record.suggestion, code
        assert record.status not in record.also, code
        if record.also:
            assert record.note, f"{code}: several statuses need a note on the severity"


def test_security_escalations_are_never_info() -> None:
    for code in ("N2K-PRIVILEGED", "N2K-HOST-NAMESPACE", "N2K-CAPABILITIES", "N2K-DOCKER-DEVICE", "N2K-DOCKER-MOUNT",
                 "N2K-NETWORK-HOST", "N2K-PORT-STATIC-HOST", "N2K-VOLUME-MOUNT-PROPAGATION", "N2K-SECURITY-OPT"):
        assert lookup(code).severity is not Severity.INFO, code


def test_record_refuses_an_uncatalogued_code() -> None:
    ledger = Ledger("svc")
    with pytest.raises(ValueError, match="N2K-NOT-A-CODE"):
        ledger.mapped("N2K-NOT-A-CODE", "job[x]", "m")
    assert ledger.entries == []


def test_entry_severity_comes_from_the_catalogue() -> None:
    entry = LedgerEntry(status=Status.NEEDS_DECISION, code="N2K-DRIVER-NO-IMAGE", nomad_path="p", service="s",
                        message="m")
    assert entry.severity is Severity.BLOCKER
    assert "severity" not in entry.as_dict()  # not yet in ledger.json (issue 15 adds it)


def _emitted(paths: list[Path]) -> set[str]:
    codes: set[str] = set()
    for path in paths:
        try:
            results = convert_file(path)
        except ConversionError:
            continue
        codes |= {e.code for r in results for e in r.ledger.entries}
    return codes


def test_fixture_codes_are_catalogued() -> None:
    codes = _emitted(sorted(FIXTURES.rglob("*.nomad*")))
    assert codes and codes <= set(catalogue()), sorted(codes - set(catalogue()))


def test_corpus_codes_are_catalogued() -> None:
    require_shared(CORPUS_JOBS)
    codes = _emitted(sorted(p for p in CORPUS_JOBS.rglob("*") if p.is_file()))
    assert len(codes) > 100 and codes <= set(catalogue()), sorted(codes - set(catalogue()))


def test_committed_doc_matches_the_command() -> None:
    proc = subprocess.run([sys.executable, "-m", "nomad2k8s", "codes"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == render_markdown()
    assert proc.stdout == DOC.read_text(), "docs/CODES.md is stale: run `python -m nomad2k8s codes > docs/CODES.md`"


def test_doc_has_one_anchor_per_code() -> None:
    headings = re.findall(r"^### (N2K-\S+)$", DOC.read_text(), re.M)
    assert sorted(headings) == sorted(catalogue()) and len(set(headings)) == len(headings)


def test_unused_code_check_reports_what_no_test_emitted() -> None:
    """Guard: the end-of-session check (tests/conftest.py) names a catalogued code nobody emitted."""
    known = ["N2K-A", "N2K-B", "N2K-C"]
    assert code_usage.unused_codes({"N2K-A", "N2K-C", "N2K-OTHER"}, known) == ["N2K-B"]
    assert code_usage.unused_codes(known, known) == []
    every = set(catalogue())
    assert code_usage.unused_codes(every - {"N2K-PRIVILEGED"}) == ["N2K-PRIVILEGED"]
    assert code_usage.unused_codes({"N2K-A"}, known, waived={"N2K-B"}) == ["N2K-C"]
    assert code_usage.stale_waivers({"N2K-A", "N2K-B"}, {"N2K-B", "N2K-C"}) == ["N2K-B"]
    assert code_usage.NOT_YET_EXERCISED <= every


class _Option:
    keyword = ""
    markexpr = ""
    deselect = None
    lf = False


class _Config:
    option = _Option()


def test_whole_suite_detection() -> None:
    every = set(code_usage.TESTS.rglob("test_*.py"))
    assert code_usage.whole_suite_ran(_Config(), every, 10, 10) == (True, "")
    assert not code_usage.whole_suite_ran(_Config(), every - {next(iter(every))}, 10, 10)[0]
    assert not code_usage.whole_suite_ran(_Config(), every, 10, 9)[0]
    keyword = _Config()
    keyword.option = type("O", (_Option,), {"keyword": "codes"})()
    assert code_usage.whole_suite_ran(keyword, every, 10, 10) == (False, "-k/-m selection")


def test_the_collector_sees_emitted_codes() -> None:
    Ledger("svc").mapped("N2K-PRIVILEGED", "job[x]", "m")
    assert "N2K-PRIVILEGED" in code_usage.EMITTED
