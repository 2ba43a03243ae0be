"""The secret detector's prefilter (secrets/prefilter.py) only skips expressions that cannot match.

Three checks: what it reads off hand-written expressions (a table), that text generated from each of
the detector's own expressions always passes its guard (hypothesis), and that the detector finds the
same spans with and without the prefilter on real jobspecs and the planted secrets.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nomad2k8s import credentials
from nomad2k8s.secrets import rules
from nomad2k8s.secrets.prefilter import RE_ONLY_FOLDS, Guard, needs

from .support import SHARED

REPO = Path(__file__).resolve().parents[1]
CORPUS = SHARED / "corpus"  # when absent, the fixtures and planted secrets alone are compared

EXPRESSIONS = [*((name, rx) for name, rx, _ in rules._SHAPE_RULES), *((name, rx) for name, rx, _ in rules._OWN_RULES),
               ("pem", rules._PEM), ("token", rules._TOKEN), ("url-userinfo", credentials._URL_USERINFO),
               ("pair", credentials._PAIR)]


@pytest.mark.parametrize(("pattern", "min_width", "clauses", "fold"), [
    (r"abc", 3, [{"abc"}], False),
    (r"ab?c", 2, [{"a"}, {"c"}], False),  # the optional b is not required
    (r"(?:token|secret)=\w+", 7, [{"token", "secret"}, {"="}], False),
    (r"(?:x|\d)y", 2, [{"y"}], False),  # a branch starting with a class: no clause
    (r"[ \t]+k", 2, [{" ", "\t"}, {"k"}], False),
    (r"[a-z]k", 2, [{"k"}], False),  # a range is not a literal class
    (r"(?i)Bearer\s", 7, [{"bearer"}], True),
    (r"(?=.*=)x", 1, [{"="}, {"x"}], False),  # a positive lookahead's content is in the text
    (r"(?<!-)x", 1, [{"x"}], False),  # a negative one is not
    (r"(?i:ab)c", 3, [{"c"}], False),  # scoped flags: left unguarded
    (r"(?:ab)+c", 3, [{"ab"}, {"c"}], False),
    (r"(?:ab)*c", 1, [{"c"}], False),
])
def test_needs_reads_what_an_expression_requires(pattern: str, min_width: int, clauses: list[set[str]],
                                                 fold: bool) -> None:
    got = needs(re.compile(pattern))
    assert (got.min_width, [set(c) for c in got.clauses], got.fold) == (min_width, clauses, fold)


def test_non_ascii_text_is_never_skipped_by_a_case_insensitive_guard() -> None:
    """`re` folds `ſ` onto `s` under IGNORECASE; lower-casing does not."""
    bearer = re.compile(r"(?i)\bbasic\s+(?P<value>\w{8,})")
    text = "baſic c2VjcmV0cGFzc3dvcmQ"
    assert bearer.search(text)
    assert needs(bearer).may_match(text, text.lower())


def test_the_letters_only_re_folds_onto_ascii_are_every_such_code_point() -> None:
    """Lower-cased text stands in for `re`'s IGNORECASE except at these characters (prefilter.RE_ONLY_FOLDS)."""
    any_ascii = re.compile(r"[\x00-\x7f]", re.IGNORECASE)
    found = set()
    for point in range(0x80, sys.maxunicode + 1):
        char = chr(point)
        if any_ascii.fullmatch(char):
            found |= {char for ascii_char in map(chr, range(0x80))
                      if re.fullmatch(re.escape(ascii_char), char, re.IGNORECASE) and char.lower() != ascii_char.lower()}
    assert found == set(RE_ONLY_FOLDS)


@pytest.mark.parametrize("text", ["baſic c2VjcmV0cGFzc3dvcmQ", "BASİC c2VjcmV0cGFzc3dvcmQ", "bası c2VjcmV0cGFzc3dvcmQ",
                                  "Ünïcode Basic c2VjcmV0cGFzc3dvcmQ ✅", "\u212aey basic c2VjcmV0cGFzc3dvcmQ ⏎"])
def test_a_non_ascii_text_passes_the_guard_of_what_matches_in_it(text: str) -> None:
    guards = [needs(regex) for _, regex in EXPRESSIONS]
    answers = Guard(guards).may_match(text, text.lower())
    for (name, regex), need, answer in zip(EXPRESSIONS, guards, answers):
        if regex.search(text):
            assert answer and need.may_match(text, text.lower()), name


@pytest.mark.parametrize(("name", "regex"), EXPRESSIONS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(EXPRESSIONS)])
def test_text_an_expression_matches_passes_its_guard(name: str, regex: re.Pattern[str]) -> None:
    need = needs(regex)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(prefix=st.text(max_size=5), body=st.from_regex(regex), suffix=st.text(max_size=5))
    def check(prefix: str, body: str, suffix: str) -> None:
        text = prefix + body + suffix
        if regex.search(text):
            assert need.may_match(text, text.lower()), (name, text)
            assert Guard([need]).may_match(text, text.lower()) == (True,), (name, text)

    check()


def _texts() -> list[str]:
    files = sorted((REPO / "fixtures").rglob("*.hcl")) + sorted((REPO / "tests" / "secrets").glob("*"))
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".hcl", ".nomad", ".json", ".tf"))
    texts: list[str] = []
    for file in files:
        text = file.read_text(errors="replace")
        texts.append(text)
        texts.extend(line for line in text.splitlines() if line.strip())
    return texts


def test_the_guard_answers_as_each_expressions_needs_would() -> None:
    """Guard (one pass for all expressions) against Needs.may_match (one pass each): the same answer, except
    where an expression was left unguarded alone (`useful`) and the guard may skip it: then it cannot match."""
    guards = [needs(regex) for _, regex in EXPRESSIONS]
    guard = Guard(guards)
    skipped = 0
    for text in [*_texts()[:20_000], "baſic c2VjcmV0cGFzc3dvcmQ", "Ünïcode token = x", "", "a"]:
        answers = guard.may_match(text, text.lower())
        for (name, regex), need, answer in zip(EXPRESSIONS, guards, answers):
            alone = need.may_match(text, text.lower())
            if need.useful:
                assert answer == alone, (name, text[:200])
            elif not answer:
                assert regex.search(text) is None, (name, text[:200])
                skipped += 1
    assert skipped  # the prefix-only expressions are guarded too


def test_detector_finds_the_same_spans_with_and_without_the_prefilter() -> None:
    texts = _texts()
    found = 0
    for text in texts:
        for keyed in (True, False):
            guarded = rules._scan(text, keyed, prefilter=True)
            assert guarded == rules._scan(text, keyed, prefilter=False), text[:200]
            found += bool(guarded)
    assert found > 20  # the inputs hold secrets (the planted ones at least): the comparison compared something


def test_the_detector_caches_short_strings_only_so_a_batch_does_not_hold_every_document() -> None:
    from nomad2k8s.secrets import rules

    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    unique = os.urandom(6).hex()  # never scanned before in this process: each text is a miss
    texts = {size: (f"token = {token} {unique}\n" + "word " * size)[:size]
             for size in (rules.SHORT, rules.MEDIUM, 50_000)}
    def calls() -> tuple[int, int]:  # lookups of each cache (a full cache still counts its misses)
        return rules._SHORT_SCANS.lookups, rules._MEDIUM_SCANS.lookups

    for size, text in texts.items():
        before = calls()
        found = rules.find(text)
        assert found == list(rules._scan(text, True, prefilter=False)) and found, size
        grew = tuple(after - was for after, was in zip(calls(), before))
        assert grew == {rules.SHORT: (1, 0), rules.MEDIUM: (0, 1), 50_000: (0, 0)}[size]
