"""Batch pass: Consul names are rewritten only to Services the conversion emits (issue 13, family 13).

Each job keeps the Consul names it reads as written (`x.service.consul`, `tag.x.service.dc.consul`,
`x.virtual.consul` in env values, args, probes and template text; the Nomad text of a consul-template
`service "x"` lookup) and records them as pending (mapping/passes/pending.py). Over every job converted
together (a directory; a single file is a batch of its own jobs) this pass decides each one:

- a job of the batch emits the Service `x` -> its cluster address (`x.<namespace>.svc.<domain>`, the
  caller's namespace first); a tag filter or datacenter is lost (changed);
- no job does -> the name stays (a lookup becomes the service's Consul DNS name; a `nomadService` lookup
  stays Nomad text) and a N2K-CONSUL-NAME-EXTERNAL decision says it resolves from the cluster only through
  the migration kit's Consul DNS forwarding or an ExternalName Service. Rewriting it to the cluster
  address of a Service that will not exist would break the call while the report says mapped.

The ledger entries take their final message and status from their parts (PendingMessage.finish); the
ConfigMap checksum annotation follows the edited text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.mapping.config.template_files import eso_literal
from nomad2k8s.mapping.core.context import JobContext
from nomad2k8s.mapping.passes.batch_inputs import OfferedService
from nomad2k8s.mapping.passes.batch_upstreams import _refresh_checksums
from nomad2k8s.mapping.passes.container_texts import edit_texts
from nomad2k8s.mapping.passes.pending import (
    consul_external_name,
    consul_kept_note,
    consul_linked_note,
)

EXTERNAL = "N2K-CONSUL-NAME-EXTERNAL"


def link_consul_names(contexts: list[JobContext], offered: list[tuple[OfferedService, ...]]) -> list[JobContext]:
    """Settle the pending Consul names of `contexts` from the Services every job of the batch emits
    (`offered`, per job in batch order); returns the contexts whose objects changed."""
    owners = _service_namespaces(offered)
    changed = []
    for jctx in contexts:
        edits: dict[str, str] = {}  # DNS name as written -> cluster host
        literal: dict[str, str] = {}  # a lookup's kept Nomad text -> its replacement
        for message in jctx.pending_messages:
            parts = [p for p in message.consul() if p.settled is None]
            for part in parts:
                item = part.item
                host = _host(item, owners)
                if host is not None:
                    part.settled = consul_linked_note(item, host)
                    _edit(item, host, edits, literal)
                else:
                    part.settled = consul_kept_note(item)
                    if "placeholder" in item and not item.get("nomad"):
                        _edit(item, consul_external_name(item), edits, literal)
                    _decide(jctx, message.entry, item)
            if parts:
                message.finish()
        if edits or literal:
            edit_texts(jctx, _replacer(edits, literal))
            _refresh_checksums(jctx)
            changed.append(jctx)
    return changed


def _service_namespaces(offered: list[tuple[OfferedService, ...]]) -> dict[str, list[str]]:
    """Service name -> the namespaces the batch emits it in (in job order)."""
    found: dict[str, list[str]] = {}
    for services in offered:
        for svc in services:
            if svc.namespace not in found.setdefault(svc.name, []):
                found[svc.name].append(svc.namespace)
    return found


def _host(item: dict[str, Any], owners: dict[str, list[str]]) -> str | None:
    """The cluster address of the item's service when the batch emits it: in the caller's namespace (the
    host the job computed) when it is there, else in the first namespace that has it."""
    name = dns_label(item["service"])
    namespaces = owners.get(name)
    if not namespaces:
        return None
    _, caller, _, domain = item["host"].split(".", 3)
    return item["host"] if caller in namespaces else f"{name}.{namespaces[0]}.svc.{domain}"


def _edit(item: dict[str, Any], new: str, edits: dict[str, str], literal: dict[str, str]) -> None:
    if "placeholder" in item:  # raw Nomad text, or escaped in an ESO template
        for old in (item["placeholder"], eso_literal(item["placeholder"])):
            literal.setdefault(old, new)
    else:
        edits.setdefault(item["consul"], new)


def _replacer(edits: dict[str, str], literal: dict[str, str]) -> Callable[[str], str]:
    """Each DNS name replaced where it stands as a whole name (not inside `tag.x.service.consul` when
    only `x.service.consul` is linked), then each kept lookup text."""
    dns = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(n) for n in sorted(edits, key=len, reverse=True))
                     + r")(?![\w-])") if edits else None

    def replace(text: str) -> str:
        if dns is not None:
            text = dns.sub(lambda m: edits[m.group(1)], text)
        for old, new in literal.items():
            text = text.replace(old, new)
        return text
    return replace


def _decide(jctx: JobContext, entry: Any, item: dict[str, Any]) -> None:
    """One decision per job, place and service not in the conversion."""
    service, path = item["service"], entry.nomad_path
    if any(e.code == EXTERNAL and e.nomad_path == path and e.data.get("service") == service
           for e in jctx.ledger.entries):
        return
    what = f"`{item['consul']}`" if "placeholder" not in item else f"the lookup `service \"{item['consul']}\"`"
    jctx.ledger.decide(
        EXTERNAL, path, f"{what} names the Consul service {service}, which no job of this conversion provides: "
        "kept; from the cluster it resolves only through Consul DNS forwarding or an ExternalName Service",
        target=entry.target, k8s="" if entry.target is not None else "-", claims=False, data={"service": service},
        suggestion=f"Apply the migration kit's CoreDNS forwarding of `consul` to Consul DNS while {service} stays "
        f"on Nomad, or create an ExternalName Service {dns_label(service)} for its address, or convert the job "
        "that provides it in the same run.")
