"""Ledger entries and the ledger of one service."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model import paths
from ..secrets.rules import (  # the one detector: keys and values a report must not print
    is_secret_name,
    redact,
)
from . import codes as catalogue
from .account import Account
from .status import STATUS_ORDER, Status
from .target import Target, Targets

MAX_VALUE_CHARS = 80
# No index yet (no ledger has a list at id 0): the first query builds one, in a set of its own.
_NO_INDEX: tuple[int, int, set[str]] = (0, 0, set())


def paths_above(path: str) -> list[str]:
    """The settings holding `path`, nearest first, below its task or group (`t.a.b[0].c` -> `t.a.b[0]`,
    `t.a.b`, `t.a`). A single block is named without an index by the parser and with `[0]` by the mappers:
    both spellings are listed."""
    cuts, depth = [], 0
    for i, char in enumerate(path):
        if char == "[" and depth == 0 and i:
            cuts.append(i)
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "." and depth == 0:
            cuts.append(i)
    out: list[str] = []
    for i in reversed(cuts):
        head = path[:i]
        last = head.rsplit(".", 1)[-1]
        if last.startswith(("task[", "group[", "job[")):
            break
        out += [head] if head.endswith("]") else [head, head + "[0]"]
    return out


# Codes that restate, for the parser, what a mapper's entry on the same setting says ("left as text").
GENERIC_CODES = frozenset({"N2K-PARSE-UNRESOLVED"})


def describe_value(path: str, value: Any) -> str:
    """A short, safe rendering of a Nomad value for reports."""
    if value is None:
        return ""
    last = re.split(r"[.\[\]\"]+", path.strip('."]'))[-1] if path else ""
    if is_secret_name(last):
        return redact(_compact(value) if isinstance(value, (dict, list)) else str(value), whole=True)
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (dict, list)):
        text = _compact(value)
    else:
        text = str(value)
    text = redact(text).replace("\n", "⏎")  # before truncation: no prefix of a secret survives
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _compact(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_compact(v)}" for k, v in value.items() if k not in paths.INTERNAL_KEYS) + "}"
    return str(value)


@dataclass(slots=True)
class LedgerEntry:
    status: Status
    code: str
    nomad_path: str
    service: str
    message: str
    k8s: str = ""  # the text reports print: rendered from `target` when there is one
    suggestion: str = ""
    value: str = ""
    line: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # False for notes that explain a choice without accounting for a parsed setting.
    claims: bool = True
    # What the setting became, as data: passes that re-point rows read this, not the text.
    target: Target | Targets | None = None

    @property
    def severity(self) -> catalogue.Severity:
        """The code's severity for the go/no-go review (from the catalogue, nomad2k8s/ledger/codes.yaml)."""
        return catalogue.lookup(self.code).severity

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status.value,
            "code": self.code,
            "nomad_path": self.nomad_path,
            "service": self.service,
            "message": self.message,
            "k8s": self.k8s,
            "suggestion": self.suggestion,
            "value": self.value,
            "line": self.line,
            # False for notes: they explain a choice but do not account for a parsed setting.
            "claims": self.claims,
        }
        if self.data:
            out["data"] = self.data
        return out


@dataclass
class Ledger:
    service: str
    values: dict[str, Any] = field(default_factory=dict)  # leaf path -> value, from the parser
    entries: list[LedgerEntry] = field(default_factory=list)
    # The claimed paths as a set, extended with the entries appended since the last query: "is this
    # setting claimed" is then a walk over the path's own prefixes, not a scan of the whole ledger
    # per group (which made 10,000 groups quadratic).
    _index: tuple[int, int, set[str]] = field(default=_NO_INDEX, init=False, repr=False, compare=False)

    def record(
        self,
        status: Status,
        code: str,
        nomad_path: str,
        message: str,
        *,
        k8s: str = "",
        target: Target | Targets | None = None,
        suggestion: str = "",
        line: int | None = None,
        value: Any = None,
        data: dict[str, Any] | None = None,
        claims: bool = True,
    ) -> LedgerEntry:
        catalogue.lookup(code)  # a ValueError naming an uncatalogued code
        if target is not None:
            if k8s:
                raise ValueError(f"{code} at {nomad_path}: give k8s text or a target, not both")
            k8s = target.render()
        if value is None:
            value = self._value_at(nomad_path)
        entry = LedgerEntry(
            status=status,
            code=code,
            nomad_path=nomad_path,
            service=self.service,
            message=message,
            k8s=k8s,
            suggestion=suggestion,
            value=describe_value(nomad_path, value),
            line=line,
            data=data or {},
            claims=claims,
            target=target,
        )
        self.entries.append(entry)
        return entry

    def retarget(self, entry: LedgerEntry, target: Target | Targets | None, text: str | None = None) -> None:
        """Point `entry` (found by identity, not by its text) somewhere else: at `target`, or, with no
        target, at what `text` says (e.g. "not emitted: ..."); the report text follows."""
        self._own(entry)
        entry.target = target
        entry.k8s = target.render() if target is not None else (text if text is not None else "-")

    def supersede(self, entry: LedgerEntry, status: Status, why: str) -> None:
        """A later pass re-states `entry`: its new status, and why, with what it said before; it no
        longer names a Kubernetes target."""
        self._own(entry)
        entry.status = status
        entry.message = f"{why} (would have been: {entry.message})"
        self.retarget(entry, None, "-")

    def fold_generic(self) -> None:
        """One cause, one entry: the parser's generic "left as text" note (GENERIC_CODES) goes when a mapper's
        own entry reports the same setting as a decision (or drops it anyway) -- at the note's path, or at a
        block or list holding it whose message names the same expression (`config.volumes` for
        `config.volumes[0]`). That entry says what became of the value (an unresolved image is
        N2K-IMAGE-UNRESOLVED, not that and N2K-PARSE-UNRESOLVED)."""
        specific: dict[str, list[LedgerEntry]] = {}
        for e in self.entries:
            if e.code not in GENERIC_CODES and e.status in (Status.NEEDS_DECISION, Status.DROPPED):
                specific.setdefault(e.nomad_path, []).append(e)

        def restated(note: LedgerEntry) -> bool:
            if not (note.code in GENERIC_CODES and not note.claims):
                return False
            expression, _, reason = note.message.partition(" left as text: ")
            holder = next(iter(specific.get(note.nomad_path, ())), None) or next(
                (e for prefix in paths_above(note.nomad_path) for e in specific.get(prefix, ())
                 if expression and expression in e.message), None)
            if holder is not None and reason and reason not in holder.message:
                holder.message += f" ({reason})"  # the parser's why is not lost with its note
            return holder is not None

        kept = [e for e in self.entries if not restated(e)]
        if len(kept) != len(self.entries):
            self.entries = kept

    def _own(self, entry: LedgerEntry) -> None:
        if not any(e is entry for e in self.entries):
            raise ValueError(f"{entry.code} at {entry.nomad_path} is not an entry of this ledger")

    def mapped(self, code: str, path: str, message: str, **kw: Any) -> LedgerEntry:
        return self.record(Status.MAPPED, code, path, message, **kw)

    def changed(self, code: str, path: str, message: str, **kw: Any) -> LedgerEntry:
        return self.record(Status.CHANGED, code, path, message, **kw)

    def dropped(self, code: str, path: str, message: str, **kw: Any) -> LedgerEntry:
        return self.record(Status.DROPPED, code, path, message, **kw)

    def decide(self, code: str, path: str, message: str, **kw: Any) -> LedgerEntry:
        return self.record(Status.NEEDS_DECISION, code, path, message, **kw)

    def account(self, path: str, code: str, target: Target | Targets | None = None, **kw: Any) -> Account:
        """`with ledger.account(path, code, target) as acc:` folds partial results into one entry
        on exit (see ledger/account.py)."""
        return Account(self, path, code, target, **kw)

    def claim(self, node: Any, field: str, status: Status, code: str, message: str,
              **kw: Any) -> LedgerEntry | None:
        """Record `node.field` (a typed model block) with `status`; nothing when the field is unset."""
        if not node.is_set(field):
            return None
        return self.record(status, code, node.path_of(field), message, **kw)

    def note(self, status: Status, code: str, path: str, message: str, *, k8s: str = "-",
             **kw: Any) -> LedgerEntry:
        """An entry that explains a choice without accounting for a setting (claims=False)."""
        if kw.get("target") is not None:
            k8s = ""  # rendered from the target
        return self.record(status, code, path, message, k8s=k8s, claims=False, **kw)

    def _value_at(self, path: str) -> Any:
        if path in self.values:
            return self.values[path]
        return None

    def claimed_paths(self) -> list[str]:
        return [e.nomad_path for e in self.entries if e.claims]

    def claimed_set(self) -> set[str]:
        list_id, done, claimed = self._index
        if list_id != id(self.entries) or done > len(self.entries):  # replaced or shrunk: rebuild
            done, claimed = 0, set()
        claimed.update(e.nomad_path for e in self.entries[done:] if e.claims)
        self._index = (id(self.entries), len(self.entries), claimed)
        return claimed

    def drop_index(self) -> None:
        """Let go of the claimed-paths index once the mappers are done querying it: a converted service
        no longer holds it, nor sends it back from a worker or keeps it in a cache entry (rebuilt if asked)."""
        self._index = _NO_INDEX

    def covered(self, path: str) -> bool:
        """True when an entry accounts for `path` as a whole (itself or an enclosing setting)."""
        claimed = self.claimed_set()
        if path in claimed:
            return True
        return any(path[:i] in claimed for i, ch in enumerate(path) if ch in ".[" and i)

    def is_claimed(self, path: str) -> bool:
        """True when an entry already accounts for `path` or for any setting below it."""
        return self.covered(path) or any(paths.covers(path, c) for c in self.claimed_set())

    def unclaimed(self) -> list[str]:
        return [leaf for leaf in self.values if not self.covered(leaf)]

    def claims_per_leaf(self) -> dict[str, int]:
        """How many entries account for each parsed setting (the invariant is exactly one)."""
        claimed = self.claimed_paths()
        return {leaf: sum(1 for c in claimed if paths.covers(c, leaf)) for leaf in self.values}

    def counts(self) -> dict[Status, int]:
        out = {s: 0 for s in STATUS_ORDER}
        for e in self.entries:
            out[e.status] += 1
        return out
