"""`with ledger.account(path, code, target) as acc:` — partial results folded into ONE entry.

A mapper that reaches its verdict on one setting in several steps (the mounts of a `volumes` list,
the routers of a tag list, the rewrites of an env value, the parts of a template) notes each step on
the account; on leaving the block the account records exactly one entry: the worst status of the
steps (Status.worst), their messages, their suggestions and where the setting went.

The message is `what` followed by the parts (`what: a; b`, or `what (a; b)` with style="paren"),
or only the parts (`empty` when there are none); decisions (`acc.decide`) come after the other parts.
Parts and suggestions are listed once each, in the order noted. A part noted `pending=True` is a
decision that the batch pass may settle (a Connect upstream's port): `linked_status` is the status
the entry would have without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .status import Status
from .target import Target, Targets

if TYPE_CHECKING:
    from .entries import Ledger, LedgerEntry


@dataclass
class _Part:
    status: Status
    text: str
    pending: bool = False


@dataclass
class Account:
    ledger: Ledger | None
    path: str
    code: str
    target: Target | Targets | None = None
    what: str = ""
    style: str = "colon"  # "colon": `what: parts`; "paren": `what (parts)`; "list": `what; parts`
    empty: str = ""  # the message when there is neither `what` nor a part
    status: Status = Status.MAPPED  # the worst so far, pending parts left out (final_status has them)
    parts: list[_Part] = field(default_factory=list)
    decisions: list[_Part] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    target_sep: str = "; "
    k8s: str = "-"  # the report text when there is no structured target (placement rows)
    tail: str = ""  # words after the parts (a scope: " (job level: ...)")
    suggestion: str | None = None  # set to override the joined suggestions
    message_override: str | None = None
    data: dict[str, Any] | None = None
    # Connect upstreams waiting for their destination's port (mapping/passes/pending.py): recorded
    # in `data` with the status the entry has once the batch pass settles them (never below `floor`).
    upstreams: list[dict[str, Any]] = field(default_factory=list)
    # Consul names waiting to know whether their service is in the conversion (pending.consul_item).
    consul: list[dict[str, Any]] = field(default_factory=list)
    floor: Status = Status.MAPPED
    value: Any = None
    claims: bool = True
    entry: LedgerEntry | None = None  # the entry, once recorded
    _skipped: bool = False

    # --- noting partial results ---------------------------------------------------------------
    def worse(self, status: Status) -> None:
        self.status = Status.worst(self.status, status)

    def note(self, status: Status, text: str = "", suggestion: str = "", pending: bool = False) -> None:
        """One partial result: its status, its words in the message, and a suggestion."""
        if not pending:
            self.worse(status)
        if text:
            self.parts.append(_Part(status, text, pending))
        self.suggest(suggestion)

    def decide(self, text: str, suggestion: str = "", pending: bool = False) -> None:
        """A part a human must decide; listed after the other parts. A pending one (a port the batch
        pass may find) does not make the status a decision until the entry is recorded."""
        if not pending:
            self.worse(Status.NEEDS_DECISION)
        if not any(d.text == text for d in self.decisions):
            self.decisions.append(_Part(Status.NEEDS_DECISION, text, pending))
        self.suggest(suggestion)

    def suggest(self, suggestion: str) -> None:
        if suggestion and suggestion not in self.suggestions:
            self.suggestions.append(suggestion)

    def to(self, target: Target) -> None:
        """Another place the setting went (several make a Targets joined by `target_sep`)."""
        self.targets.append(target)

    def skip(self) -> None:
        """Record nothing (the caller accounted for the setting another way)."""
        self._skipped = True

    # --- the fold --------------------------------------------------------------------------------
    @property
    def texts(self) -> list[str]:
        """The message's parts, each once, decisions last."""
        return list(dict.fromkeys([p.text for p in self.parts] + [d.text for d in self.decisions]))

    @property
    def head(self) -> str:
        """What comes before the parts in the message (for pending.track)."""
        if not self.what:
            return ""
        return self.what + {"colon": ": ", "paren": " (", "list": "; "}[self.style]

    @property
    def message(self) -> str:
        if self.message_override is not None:
            return self.message_override
        texts = "; ".join(self.texts)
        if not self.what:
            return (texts or self.empty) + self.tail
        if not texts:
            return self.what + self.tail
        return self.head + texts + (")" if self.style == "paren" else "") + self.tail

    def wait_for(self, item: dict[str, Any]) -> None:
        """An upstream whose port the batch pass may find (each item once)."""
        if item not in self.upstreams:
            self.upstreams.append(item)

    def wait_for_consul(self, item: dict[str, Any]) -> None:
        """A Consul name the batch pass rewrites or keeps (each item once)."""
        if item not in self.consul:
            self.consul.append(item)

    @property
    def final_status(self) -> Status:
        return Status.worst(self.status, [p.status for p in self.parts + self.decisions])

    @property
    def linked_status(self) -> Status:
        """The status once the batch pass has settled every pending part."""
        settled = [p.status for p in self.parts + self.decisions if not p.pending]
        return Status.worst(self.status, self.floor, settled)

    def where(self) -> Target | Targets | None:
        if self.target is not None:
            return self.target
        if len(self.targets) == 1:
            return self.targets[0]
        if self.targets:
            return Targets(tuple(self.targets), self.target_sep)
        return None

    def target_kw(self) -> dict[str, Any]:
        """Where the setting went, as keywords for another entry about it (ledger.record)."""
        where = self.where()
        return {"target": where} if where is not None else {"k8s": self.k8s}

    def record(self, ledger: Ledger | None = None, path: str | None = None,
               code: str | None = None) -> LedgerEntry | None:
        """Record the entry (once); a detached account (no ledger yet) is given one here."""
        self.ledger, self.path, self.code = ledger or self.ledger, path or self.path, code or self.code
        if self.entry is not None:
            raise ValueError(f"{self.code} at {self.path}: the account is already recorded")
        if self._skipped or self.ledger is None:
            return None
        where = self.where()
        suggestion = self.suggestion if self.suggestion is not None else " ".join(self.suggestions)
        data = self.data
        if self.upstreams:
            data = {**(data or {}), "pending_upstreams": self.upstreams}
        if self.consul:
            data = {**(data or {}), "pending_consul": self.consul}
        if self.upstreams or self.consul:
            data = {**(data or {}), "resolved_status": self.linked_status.value}
        self.entry = self.ledger.record(
            self.final_status, self.code, self.path, self.message,
            target=where, k8s="" if where is not None else self.k8s,
            suggestion=suggestion, value=self.value, data=data, claims=self.claims)
        return self.entry

    def __enter__(self) -> Account:  # noqa: PYI034 (subclasses add fields, not behaviour)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.record()
