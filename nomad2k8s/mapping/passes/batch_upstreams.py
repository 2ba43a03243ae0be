"""Batch pass: Connect upstreams whose destination Service is converted in the same batch.

Runs once over every job converted together (a directory, or several jobs of one file), on their
object stores before serialization. An upstream address written with the local bind port (env
values, args, template files in ConfigMaps, ExternalSecret templates) or a `range service` port kept
as Nomad text gets the destination Service's port; the ConfigMap checksum annotation follows; the
ledger entries tracked in `jctx.pending_messages` take the status they have without the bind port,
their message rebuilt from its parts (pending.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nomad2k8s.mapping.config.template_files import eso_literal
from nomad2k8s.mapping.config.template_objects import (
    CHECKSUM_ANNOTATION,
    config_checksum,
)
from nomad2k8s.mapping.core.context import JobContext
from nomad2k8s.mapping.passes.batch_inputs import OfferedService
from nomad2k8s.mapping.passes.container_texts import edit_texts
from nomad2k8s.mapping.passes.pending import namespace_of, service_of


def link_upstreams(contexts: list[JobContext], offered: list[tuple[OfferedService, ...]]) -> list[JobContext]:
    """Settle the pending upstreams of `contexts` from the Services every job of the batch emits (`offered`,
    per job in batch order); returns the contexts whose objects changed."""
    ports = _service_ports(offered)
    changed = []
    for jctx in contexts:
        edits: list[tuple[str, str]] = []
        for message in jctx.pending_messages:
            entry = message.entry
            pending = (entry.data or {}).get("pending_upstreams") or []
            found = [(item, port) for item in pending
                     if (port := ports.get((service_of(item), namespace_of(item)))) is not None]
            if not found:
                continue
            for item, port in found:
                message.settle(item, port)
                edits += _edits(item, port)
            left = [item for item in pending if not any(item is i for i, _ in found)]
            entry.data["pending_upstreams"] = left
            message.finish()
        if edits:
            for old, new in dict.fromkeys(edits):
                edit_texts(jctx, _swapper(old, new))
            _refresh_checksums(jctx)
            changed.append(jctx)
    return changed


def _service_ports(offered: list[tuple[OfferedService, ...]]) -> dict[tuple[str, str], int]:
    """(Service name, namespace) -> its first port, over the batch (the first job's Service wins)."""
    ports: dict[tuple[str, str], int] = {}
    for services in offered:
        for svc in sorted(services, key=lambda s: s.name or ""):  # emitted order
            if svc.port is not None:
                ports.setdefault((svc.name, svc.namespace), svc.port)
    return ports


def _edits(item: dict[str, Any], port: int) -> list[tuple[str, str]]:
    if "placeholder" in item:  # raw Nomad text, or escaped in an ESO template
        return [(old, str(port)) for old in dict.fromkeys((item["placeholder"], eso_literal(item["placeholder"])))]
    return [(f"{item['host']}:{item['bind_port']}", f"{item['host']}:{port}")]


def _swapper(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new)


def _refresh_checksums(jctx: JobContext) -> None:
    """Pod templates that roll on a ConfigMap change carry its checksum: recompute it after an edit."""
    config = {c.metadata.name: c.data or {} for c in jctx.objects.of_kind("ConfigMap")}
    for gctx in jctx.groups:
        if gctx.skip or CHECKSUM_ANNOTATION not in gctx.pod_annotations:
            continue
        for volume in gctx.pod_spec.volumes or []:
            name = volume.config_map.name if volume.config_map else None
            if name in config:
                gctx.pod_annotations[CHECKSUM_ANNOTATION] = config_checksum(config[name])
