"""Ledger messages that name Connect upstreams still waiting for their destination's port, or Consul
names waiting to know whether their service is in the conversion.

A mapper that cannot know a port (the destination Service is in another job) writes the bind port
or keeps the Nomad text, records the entry with `data["pending_upstreams"]` (one item per upstream:
destination, cluster host, bind port or the kept placeholder) and registers the message's parts
here with `track`. The batch pass (batch_upstreams.py) settles the items whose Service is in the
batch and rebuilds the message from the parts: entries are found by identity and no message text
is ever searched or replaced. The wording of both states lives here only.

Consul names (`x.service.consul` in env/args/templates, consul-template `service "x"` lookups) work the
same way with `data["pending_consul"]` items (`consul_item`): the job keeps the Nomad text and says so
(`consul_waiting_note`); the batch pass (batch_consul.py) either rewrites it to the cluster address of
the Service a converted job emits (`consul_linked_note`) or keeps it (`consul_kept_note`, plus a
N2K-CONSUL-NAME-EXTERNAL decision). `track` moves the items off the entry's data onto the message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nomad2k8s.ledger import LedgerEntry, Status


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


def consul_item(name: str, service: str, host: str, tag: str | None = None, dc: str | None = None,
                placeholder: str | None = None, nomad: bool = False) -> dict[str, Any]:
    """A Consul name waiting for the batch: `name` as written (a DNS name, or the query of a `service`
    lookup whose Nomad text `placeholder` is kept), the service it names, its cluster host in this job."""
    item: dict[str, Any] = {"consul": name, "service": service, "host": host, "tag": tag, "dc": dc}
    if placeholder is not None:
        item.update(placeholder=placeholder, nomad=nomad)
    return item


def consul_waiting_note(item: dict[str, Any]) -> str:
    if "placeholder" in item:
        return (f"service {item['consul']}: not known in this job; the Nomad text is kept until the batch "
                "knows every service")
    return f"{item['consul']}: service {item['service']} is not known in this job; kept until the batch knows every service"


def consul_external_name(item: dict[str, Any]) -> str:
    """The Consul DNS name of a lookup's service (its tag filter included: Consul DNS has it too)."""
    return (f"{item['tag']}." if item.get("tag") else "") + f"{item['service']}.service.consul"


def consul_linked_note(item: dict[str, Any], host: str) -> tuple[Status, str]:
    """(status, words) once the batch found the service's Service at `host`."""
    lost = []
    if item.get("tag"):
        lost.append(f"tag filter {item['tag']!r} lost: every pod of the Service answers")
    if item.get("dc"):
        lost.append(f"datacenter {item['dc']!r} dropped")
    detail = f" ({', '.join(lost)})" if lost else ""
    if "placeholder" in item:
        return Status.CHANGED, f"service {item['consul']} -> {host}{detail}"
    return (Status.CHANGED if lost else Status.MAPPED), f"{item['consul']} -> {host}{detail}"


def consul_kept_note(item: dict[str, Any]) -> tuple[Status, str]:
    """(status, words) when no job of the conversion provides the service."""
    if "placeholder" not in item:
        return Status.MAPPED, f"{item['consul']} kept: service {item['service']} is not in this conversion"
    if item.get("nomad"):
        return (Status.CHANGED, f"service {item['consul']} kept as Nomad text: the Nomad service "
                f"{item['service']} is not in this conversion")
    return (Status.CHANGED, f"service {item['consul']} -> {consul_external_name(item)}: not in this conversion, "
            "its Consul DNS name")


def service_of(item: dict[str, Any]) -> str:
    return item["host"].split(".")[0]


def namespace_of(item: dict[str, Any]) -> str:
    return item["host"].split(".")[1]


@dataclass
class _Upstream:
    items: list[dict[str, Any]]  # the items this text stands for (same destination: same wording)
    port: int | None = None  # set by the batch pass


@dataclass
class _Consul:
    item: dict[str, Any]
    settled: tuple[Status, str] | None = None  # set by the batch pass: the part's status and words


@dataclass
class PendingMessage:
    """`entry.message` as `head` + parts joined by "; "; a part is text, upstream items or a Consul name."""

    entry: LedgerEntry
    head: str
    parts: list[str | _Upstream | _Consul] = field(default_factory=list)
    resolved: Status = Status.MAPPED  # the entry's status without its pending parts

    def upstreams(self) -> list[_Upstream]:
        return [p for p in self.parts if isinstance(p, _Upstream)]

    def consul(self) -> list[_Consul]:
        return [p for p in self.parts if isinstance(p, _Consul)]

    def settle(self, item: dict[str, Any], port: int) -> None:
        for part in self.upstreams():
            if any(i is item for i in part.items):
                part.port = port

    def render(self) -> str:
        texts = [p if isinstance(p, str) else (p.settled[1] if p.settled else consul_waiting_note(p.item))
                 if isinstance(p, _Consul) else waiting_note(p.items[0]) if p.port is None
                 else linked_note(p.items[0], p.port) for p in self.parts]
        return self.head + "; ".join(texts)

    def finish(self) -> None:
        """The message rebuilt; once no part is pending, the status the settled parts give."""
        entry = self.entry
        entry.message = self.render()
        if (entry.data or {}).get("pending_upstreams") or any(p.settled is None for p in self.consul()):
            return
        entry.status = Status.worst(self.resolved, [p.settled[0] for p in self.consul() if p.settled])
        if entry.status is not Status.NEEDS_DECISION:
            entry.suggestion = ""


def track(pending: list[PendingMessage], entry: LedgerEntry, texts: list[str], head: str = "") -> None:
    """Register `entry` (whose message is `head + "; ".join(texts)`) when it has pending upstreams:
    each text that is an item's waiting note stands for that item."""
    data = entry.data or {}
    items = data.get("pending_upstreams") or []
    consul = data.get("pending_consul") or []
    if not items and not consul:
        return
    resolved = Status(data.get("resolved_status", Status.MAPPED.value))
    if consul:  # the items live on the message: ledger.json shows the settled words, not the waiting list
        entry.data = {k: v for k, v in data.items() if k != "pending_consul"
                      and (k != "resolved_status" or items)}
    notes: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        notes.setdefault(waiting_note(item), []).append(item)
    waiting = {consul_waiting_note(item): item for item in consul}
    parts: list[str | _Upstream | _Consul] = [
        _Upstream(notes[t]) if t in notes else _Consul(waiting[t]) if t in waiting else t for t in texts]
    message = PendingMessage(entry, head, parts, resolved)
    if message.render() != entry.message or not (set(notes) | set(waiting)) <= set(texts):
        raise ValueError(f"pending message parts do not make up the entry's message: {entry.message!r}")
    pending.append(message)
