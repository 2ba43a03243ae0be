"""The ledger: one entry per Nomad setting, saying what became of it.

Statuses:
- mapped: carried over with the same meaning;
- changed: carried over, but approximated or with different semantics;
- dropped: not carried over (the message says why);
- needs-decision: a human must choose; the suggestion says what to choose between.

Modules: status (the one status order), entries (Ledger, LedgerEntry), account (Ledger.account: partial
results folded into one entry), target (Target: where a
setting went, as data), rules (FieldRules),
codes (the catalogue of every code, codes.yaml).
"""

from .account import Account
from .codes import Code, Severity
from .entries import GENERIC_CODES, MAX_VALUE_CHARS, Ledger, LedgerEntry, describe_value
from .rules import FieldRule, FieldRules
from .status import STATUS_ORDER, Status
from .target import Target, Targets

__all__ = ["GENERIC_CODES", "Ledger", "LedgerEntry", "Status", "STATUS_ORDER", "describe_value", "MAX_VALUE_CHARS", "FieldRule", "FieldRules", "Code", "Severity", "Target", "Targets", "Account"]
