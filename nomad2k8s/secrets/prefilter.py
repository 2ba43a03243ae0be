"""What a text must contain for a regular expression to match in it, read off the expression itself.

The secret detector runs some thirty expressions over every distinct string a conversion writes; most
strings (labels, image names, paths, the ledger's prose) cannot match most of them, and Python's `re`
still walks each string once per expression (it skips ahead fast only to a literal the expression
starts with, and never when it ignores case). A `Needs` is derived from the parsed expression (the
`re` module's own parser), so it cannot drift from the expression it guards:

- its minimum width: a shorter text cannot match;
- clauses of literal strings, each of which the text must hold at least one of: a literal run the
  expression requires (`://`, `=`), a required alternation whose every branch starts with a literal
  (`(?:bearer|basic)`), a required class of a few literal characters (`[ \\t]`).

Only what the expression requires everywhere is used (a positive lookaround's content included):
optional parts, repeats that may be absent, negative lookarounds and scoped flags are skipped (a
weaker guard, never a wrong one). A case-insensitive expression's literals are looked for in the
lower-cased text, unless the text holds one of the three letters `re` folds onto an ASCII one while
lower-casing does not (`ſ` matches `s`, `ı` and `İ` match `i`: RE_ONLY_FOLDS): then with `re` itself. An expression whose only need is the literal it
starts with (case kept) is not guarded: `re`'s own skip-ahead is the same check, done in C.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_parser: Any = re._parser  # the `re` module's own parser (sre_parse before 3.11)
_c: Any = re._constants
_MAX_CLASS = 4  # a class of more literal characters than this is too weak to be worth a check
# The characters `re` matches to an ASCII character under IGNORECASE whose lower case is not that character's
# (tests/test_secret_prefilter.py finds them over every code point): in any other text, a case-insensitive
# match of an ASCII literal is that literal in the lower-cased text.
RE_ONLY_FOLDS = "\u0130\u0131\u017f"  # İ ı ſ
_RE_ONLY_FOLD = re.compile(f"[{RE_ONLY_FOLDS}]")


def lower_safe(text: str, literals: Iterable[str]) -> bool:
    """The lower-cased `text` holds each of `literals` (lower case) that a case-insensitive `re` finds in it."""
    return text.isascii() or (all(part.isascii() for part in literals) and _RE_ONLY_FOLD.search(text) is None)


@dataclass(frozen=True)
class Needs:
    min_width: int
    clauses: tuple[frozenset[str], ...]
    fold: bool  # compare lower-cased (the expression ignores case)
    # Worth checking before running the expression (see the module's docstring).
    useful: bool = True
    folded: tuple[re.Pattern[str], ...] = ()  # the clauses as case-insensitive searches (non-ASCII text)

    def may_match(self, text: str, lowered: str) -> bool:
        """False only when `regex` cannot match anywhere in `text` (`lowered`: text.lower())."""
        if not self.useful:
            return True
        if len(text) < self.min_width:
            return False
        if self.fold:
            if not lower_safe(text, (part for clause in self.clauses for part in clause)):
                return all(p.search(text) for p in self.folded)
            text = lowered
        return all(any(part in text for part in clause) for clause in self.clauses)


def needs(regex: re.Pattern[str]) -> Needs:
    parsed = _parser.parse(regex.pattern, regex.flags)
    fold = bool(parsed.state.flags & re.IGNORECASE)
    clauses = [frozenset(p.lower() for p in c) if fold else c for c in _clauses(list(parsed))]
    kept = tuple(dict.fromkeys(c for c in clauses if c and all(c)))
    folded = tuple(re.compile("|".join(map(re.escape, sorted(c))), re.IGNORECASE) for c in kept) if fold else ()
    width = parsed.getwidth()[0]
    # Only the literal it starts with (case kept): `re` skips ahead to it itself.
    prefix_only = not fold and len(kept) == 1 and bool(parsed.data) and parsed.data[0][0] is _c.LITERAL
    return Needs(width, kept, fold, useful=not prefix_only and (bool(kept) or width > 1), folded=folded)


def _clauses(items: list[tuple[Any, Any]]) -> list[frozenset[str]]:
    """The clauses a sequence requires: its literal runs, and what its required items require."""
    out: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if run:
            out.append(frozenset({run}))
            run = ""
        out.extend(_item_clauses(op, av))
    if run:
        out.append(frozenset({run}))
    return out


def _item_clauses(op: Any, av: Any) -> list[frozenset[str]]:
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return [] if add_flags or del_flags else _clauses(list(sub))  # scoped flags: left unguarded
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        return _clauses(list(sub)) if low >= 1 else []
    if op is _c.ASSERT:  # a lookaround that must hold: what it reads is in the text
        return _clauses(list(av[1]))
    if op is _c.BRANCH:
        prefixes = [_literal_prefix(list(branch)) for branch in av[1]]
        return [frozenset(prefixes)] if all(prefixes) else []
    if op is _c.IN:
        chars = [chr(v) for kind, v in av if kind is _c.LITERAL]
        return [frozenset(chars)] if len(chars) == len(av) and len(chars) <= _MAX_CLASS else []
    return []


def _literal_prefix(items: list[tuple[Any, Any]]) -> str:
    """The literal run a branch starts with ('' when it starts otherwise)."""
    prefix = ""
    for op, av in items:
        if op is _c.LITERAL:
            prefix += chr(av)
        elif op is _c.SUBPATTERN and not (av[1] or av[2]) and not prefix:
            return _literal_prefix(list(av[3]))
        else:
            break
    return prefix



class Guard:
    """Which of several expressions may match a text, as their `Needs` tell, for the price of one pass:
    each literal any of them needs is looked for once per text (not once per expression, which was most
    of the detector's cost), then every expression's clauses are tested on the bits of the literals found."""

    def __init__(self, guards: list[Needs]) -> None:
        self._needs = tuple(guards)
        bits: dict[tuple[str, bool], int] = {}
        tests = []
        for need in self._needs:
            masks = []
            for clause in need.clauses:
                mask = 0
                for part in clause:
                    mask |= 1 << bits.setdefault((part, need.fold), len(bits))
                masks.append(f"found & {mask:#x}")
            # `useful` is not asked: an expression guarded by its first literal only is left to `re` when
            # checked alone, but here its literal costs one more `in`, less than a search.
            tests.append(" and ".join([f"width >= {need.min_width}", *masks]))
        self._exact = tuple((part, 1 << bit) for (part, fold), bit in bits.items() if not fold)
        self._folded = tuple((part, 1 << bit) for (part, fold), bit in bits.items() if fold)
        self._folded_parts = tuple(part for part, _ in self._folded)
        # One expression tests them all (built from the Needs alone): a loop over expressions and their
        # clauses cost more than looking for the literals.
        self._answer = eval(  # noqa: S307 - the code is made above from integers and comparisons only
            "lambda found, width: (" + "".join(f"bool({t})," for t in tests) + ")")

    def may_match(self, text: str, lowered: str) -> tuple[bool, ...]:
        """Each expression's `Needs.may_match(text, lowered)`, in order."""
        if self._folded and not lower_safe(text, self._folded_parts):  # `re`'s own folding decides (Needs.may_match): rare
            return tuple(n.may_match(text, lowered) for n in self._needs)
        found = 0
        for part, bit in self._exact:
            if part in text:
                found |= bit
        for part, bit in self._folded:
            if part in lowered:
                found |= bit
        answer: tuple[bool, ...] = self._answer(found, len(text))
        return answer
