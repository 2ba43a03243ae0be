"""Ledger messages that name Connect upstreams still waiting for their destination's port.

A mapper that cannot know a port (the destination Service is in another job) writes the bind port
or keeps the Nomad text, records the entry with `data["pending_upstreams"]` (one item per upstream:
destination, cluster host, bind port or the kept placeholder) and registers the message's parts
here with `track`. The batch pass (batch_upstreams.py) settles the items whose Service is in the
batch and rebuilds the message from the parts: entries are found by identity and no message text
is ever searched or replaced. The wording of both states lives here only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nomad2k8s.ledger import LedgerEntry


def waiting_note(item: dict[str, Any]) -> str:
    """What a message says about an upstream whose port is not known in this job."""
    if "placeholder" in item:  # a `range service` port kept as Nomad text
        return f"port of service {item['destination']} (another job): not known here"
    return (f"upstream {item['destination']} -> {item['host']}; its Service is not in this conversion, so the "
            f"port is the local bind port {item['bind_port']}")


def linked_note(item: dict[str, Any], port: int) -> str:
    """... and once the batch found the destination Service's port."""
    linked = f"port {port} of Service {service_of(item)} converted in the same batch"
    return linked if "placeholder" in item else f"upstream {item['destination']} -> {item['host']}; {linked}"


def service_of(item: dict[str, Any]) -> str:
    return item["host"].split(".")[0]


def namespace_of(item: dict[str, Any]) -> str:
    return item["host"].split(".")[1]


@dataclass
class _Upstream:
    items: list[dict[str, Any]]  # the items this text stands for (same destination: same wording)
    port: int | None = None  # set by the batch pass


@dataclass
class PendingMessage:
    """`entry.message` as `head` + parts joined by "; "; a part is text or upstream items."""

    entry: LedgerEntry
    head: str
    parts: list[str | _Upstream] = field(default_factory=list)

    def upstreams(self) -> list[_Upstream]:
        return [p for p in self.parts if isinstance(p, _Upstream)]

    def settle(self, item: dict[str, Any], port: int) -> None:
        for part in self.upstreams():
            if any(i is item for i in part.items):
                part.port = port

    def render(self) -> str:
        texts = [p if isinstance(p, str) else waiting_note(p.items[0]) if p.port is None
                 else linked_note(p.items[0], p.port) for p in self.parts]
        return self.head + "; ".join(texts)


def track(pending: list[PendingMessage], entry: LedgerEntry, texts: list[str], head: str = "") -> None:
    """Register `entry` (whose message is `head + "; ".join(texts)`) when it has pending upstreams:
    each text that is an item's waiting note stands for that item."""
    items = (entry.data or {}).get("pending_upstreams") or []
    if not items:
        return
    notes: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        notes.setdefault(waiting_note(item), []).append(item)
    message = PendingMessage(entry, head, [_Upstream(notes[t]) if t in notes else t for t in texts])
    if message.render() != entry.message or not set(notes) <= set(texts):
        raise ValueError(f"pending message parts do not make up the entry's message: {entry.message!r}")
    pending.append(message)
