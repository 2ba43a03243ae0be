"""FieldRules: "these fields of this block are dropped/changed with this code and message".

A small table (like sqlglot's `unsupported_args`) replaces runs of
`if node.is_set(f): ledger.dropped(code, node.path_of(f), why, k8s="-")`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .status import Status

if TYPE_CHECKING:
    from .entries import Ledger, LedgerEntry


@dataclass(frozen=True)
class FieldRule:
    field: str
    status: Status
    code: str
    message: str
    k8s: str = "-"
    suggestion: str = ""


class FieldRules(tuple):
    """An ordered table of FieldRule rows; `apply` records one entry per rule whose field is set."""

    def __new__(cls, *rules: FieldRule) -> FieldRules:
        return super().__new__(cls, rules)

    def apply(self, ledger: Ledger, node: Any, **kw: Any) -> list[LedgerEntry]:
        """Record the rules for `node` (skipping unset fields); `kw` (e.g. k8s=target) overrides each row."""
        out = []
        for rule in self:
            options = {"k8s": rule.k8s, "suggestion": rule.suggestion, **kw}
            entry = ledger.claim(node, rule.field, rule.status, rule.code, rule.message, **options)
            if entry is not None:
                out.append(entry)
        return out


def dropped(field: str, code: str, message: str, **kw: Any) -> FieldRule:
    return FieldRule(field, Status.DROPPED, code, message, **kw)


def changed(field: str, code: str, message: str, **kw: Any) -> FieldRule:
    return FieldRule(field, Status.CHANGED, code, message, **kw)
