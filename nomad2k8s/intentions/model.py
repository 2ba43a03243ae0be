"""Typed Consul config entries: service-intentions (the sources, their L7 permissions) and the
other kinds we only report on. Every node keeps its ledger path and its file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WILDCARD = "*"


@dataclass(frozen=True)
class Pattern:
    """A set of services: (namespace, name); either may be `*` (Consul allows `*` names in an
    exact namespace, and `*` namespaces only with a `*` name)."""

    namespace: str
    name: str

    @property
    def is_exact(self) -> bool:
        return self.name != WILDCARD

    def covers(self, other: "Pattern") -> bool:
        """True when every service in `other` is also in self."""
        ns_ok = self.namespace == WILDCARD or self.namespace == other.namespace
        name_ok = self.name == WILDCARD or (self.name == other.name and other.namespace != WILDCARD)
        return ns_ok and name_ok

    def overlaps(self, other: "Pattern") -> bool:
        return self.covers(other) or other.covers(self)

    def render(self) -> str:
        return self.name if self.namespace in ("", "default") else f"{self.namespace}/{self.name}"


@dataclass
class HeaderMatch:
    name: str
    present: bool = False
    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    regex: str | None = None
    invert: bool = False


@dataclass
class HttpMatch:
    path_exact: str | None = None
    path_prefix: str | None = None
    path_regex: str | None = None
    methods: list[str] = field(default_factory=list)
    headers: list[HeaderMatch] = field(default_factory=list)


@dataclass
class Permission:
    action: str
    http: HttpMatch | None
    path: str
    unsupported: list[str] = field(default_factory=list)  # keys Cilium/K8s cannot express (JWT...)


@dataclass
class Source:
    pattern: Pattern
    action: str | None  # None when the source uses Permissions (L7)
    permissions: list[Permission]
    path: str
    file: str
    line: int | None
    raw: dict[str, Any]
    # Why the source cannot be interpreted (peer, partition, unresolved reference...).
    blockers: list[str] = field(default_factory=list)
    precedence: int = 0  # filled by semantics

    @property
    def is_l7(self) -> bool:
        return bool(self.permissions)


@dataclass
class Intention:
    """All the sources of one destination (one service-intentions entry or legacy resources)."""

    destination: Pattern
    sources: list[Source]
    path: str
    file: str
    line: int | None
    raw: dict[str, Any] = field(default_factory=dict)
    blockers: list[str] = field(default_factory=list)


@dataclass
class OtherEntry:
    kind: str
    name: str
    body: dict[str, Any]
    path: str
    file: str
    line: int | None


@dataclass
class Note:
    """A parse-time finding that is not a source: conditional Terraform resource, agent ACL default..."""

    code: str
    path: str
    message: str
    file: str
    line: int | None
    status: str = "needs-decision"
    suggestion: str = ""
    claims: bool = True
    destination: str | None = None


@dataclass
class IntentionSet:
    intentions: list[Intention] = field(default_factory=list)
    others: list[OtherEntry] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Consul ACL default policy stated by an agent config in the input (acl.default_policy).
    stated_default: str | None = None

    def extend(self, other: "IntentionSet") -> None:
        self.intentions += other.intentions
        self.others += other.others
        self.notes += other.notes
        self.files += other.files
        self.stated_default = other.stated_default or self.stated_default
