"""Deployment or StatefulSet for a service group, as an expert chooses it.

A StatefulSet is for per-replica identity or per-replica storage: several replicas with
per-allocation volumes or sticky disks, or replicas that use their stable name/ordinal
(NOMAD_ALLOC_INDEX / NOMAD_ALLOC_NAME). A single replica with persistent data (a sticky disk, a
single-writer CSI volume) needs neither: hand migrations write a Deployment with a standalone
PersistentVolumeClaim and `strategy: Recreate`; the profile's `workload.single_replica_stateful`
keeps the StatefulSet where a site prefers it (the seeds' PoC does, for its SQLite services).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from nomad2k8s.hints import Hints
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.model import Group
from nomad2k8s.profile import Profile

SINGLE_WRITER_MODES = frozenset({"single-node-writer", "single-node-single-writer", "multi-node-single-writer"})
IDENTITY_VARS = re.compile(r"\bNOMAD_ALLOC_(INDEX|NAME)\b")


@dataclass(frozen=True)
class KindChoice:
    kind: str  # Deployment | StatefulSet
    code: str  # the ledger code of the decision row; "" when nothing needed choosing
    reason: str  # why, for the ledger message
    suggestion: str = ""  # set when a person must decide (the row is then needs-decision)


def max_replicas(group: Group, hints: Hints | None = None) -> int:
    """The most copies the group runs: the replicas hint, else count (1 when unknown), or a scaling max above it."""
    if hints is not None and hints.replicas is not None:
        count = hints.replicas
    else:
        count = (as_int(group.count) if group.is_set("count") else 1) or 1
    scaling = group.scaling
    top = as_int(scaling.max) if scaling is not None and scaling.is_set("max") and scaling.enabled is not False else None
    return max(count, top or 0)


def persistent_data(group: Group) -> str | None:
    """Data the group keeps across pod replacement that a StatefulSet could hold, or None."""
    per_replica = per_replica_storage(group)
    if per_replica is not None:
        return per_replica
    for volume in group.volume:
        if volume.type == "csi" and volume.access_mode in SINGLE_WRITER_MODES:
            return f"single-writer CSI volume {volume.label!r}"
    return None


def _single_node_writer(group: Group) -> bool:
    return any(v.type == "csi" and v.per_alloc is not True and not v.read_only
               and v.access_mode in ("single-node-writer", "single-node-single-writer") for v in group.volume)


def per_replica_storage(group: Group) -> str | None:
    """Storage Nomad gives each allocation on its own (what volumeClaimTemplates are for)."""
    disk = group.ephemeral_disk
    if disk is not None and (disk.sticky is True or disk.migrate is True):
        return "sticky ephemeral_disk"
    for volume in group.volume:
        if volume.type == "csi" and volume.per_alloc is True:
            return f"per-allocation CSI volume {volume.label!r}"
    return None


def identity_use(group: Group) -> str | None:
    """NOMAD_ALLOC_INDEX / NOMAD_ALLOC_NAME anywhere in the group (env, args, templates, services)."""
    text = json.dumps(group.model_dump(mode="json", exclude_none=True), default=str)
    found = sorted({f"NOMAD_ALLOC_{m}" for m in IDENTITY_VARS.findall(text)})
    return " and ".join(found) if found else None


def service_kind(group: Group, profile: Profile, hints: Hints | None = None) -> KindChoice:
    """The kind of a service job's group, with the reason the ledger gives."""
    identity = identity_use(group)
    if identity:
        return KindChoice("StatefulSet", "N2K-WORKLOAD-STATEFUL",
                          f"the tasks use {identity}: each replica needs a stable name/ordinal")
    replicas = max_replicas(group, hints)
    own = per_replica_storage(group)
    if own and replicas > 1:
        return KindChoice("StatefulSet", "N2K-WORKLOAD-STATEFUL",
                          f"{replicas} replicas with {own}: each replica keeps its own claim")
    data = persistent_data(group)
    if data is None:
        return KindChoice("Deployment", "", "")
    if replicas > 1:
        shared = KindChoice("Deployment", "N2K-WORKLOAD-DEPLOYMENT",
                            f"{replicas} replicas share the {data}, nothing is per replica: a Deployment with one "
                            "claim (a StatefulSet would add identity the job does not use)")
        if _single_node_writer(group):  # one read-write mount: Nomad, too, gives the volume to one allocation
            return KindChoice(shared.kind, shared.code, shared.reason + "; only one pod can mount it read-write",
                              "Run one replica, give each replica its own volume (per_alloc = true), or use a "
                              "multi-node access mode on storage that provides it.")
        return shared
    setting = profile.workload.single_replica_stateful
    why = f"one replica with persistent data ({data}); profile workload.single_replica_stateful = {setting}"
    if setting == "StatefulSet":
        return KindChoice("StatefulSet", "N2K-WORKLOAD-STATEFUL", why)
    return KindChoice("Deployment", "N2K-WORKLOAD-DEPLOYMENT",
                      why + ": a Deployment with a standalone claim and strategy Recreate (no per-replica "
                      "identity is needed)")
