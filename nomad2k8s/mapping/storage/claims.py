"""Persistent storage shared by the volume mappers: PVCs, volumeClaimTemplates, sizes and
storage classes, all chosen by the profile or the job's hints (never by a literal here).

Precedence (the hints are the operator's explicit per-job choices, see hints.py):
- storage class: `storage-class` hint > profile class_by_volume > class_by_plugin > default_class;
- size: a size the jobspec states (CSI capacity_min/max, ephemeral_disk size) > `volume-size`
  hint > profile default_size. The jobspec size is what the application asked for; the hint
  only fills in sizes Nomad never had (host volumes, docker named volumes, unsized disks).
A task-level hint applies to the claims that task creates (docker named volumes); group
volumes and the ephemeral disk belong to the group and read the job/group hints.
"""

from __future__ import annotations

from kubernetes import client as k8s

from nomad2k8s.hints import Hints, hints_for
from nomad2k8s.k8s.quantity import bytes_quantity, from_byte_units, mib_quantity  # noqa: F401  (re-exported for the volume mappers)
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.podspec import add_volume
from nomad2k8s.model import Task
from nomad2k8s.profile import KNOWN_CLASS_MODES
from nomad2k8s.terraform.model import VolumeFact

RWO, RWOP, ROX, RWX = "ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany"


def class_modes(gctx: GroupContext, storage_class_name: str | None) -> tuple[str, ...] | None:
    """The access modes a storage class provides, or None when neither the profile nor the defaults know."""
    if storage_class_name is None:
        return None
    stated = gctx.profile.storage.access_modes.get(storage_class_name)
    return tuple(stated) if stated is not None else KNOWN_CLASS_MODES.get(storage_class_name)


def class_for_mode(gctx: GroupContext, mode: str) -> str | None:
    """A storage class that provides `mode`: the profile's own classes first, then a well-known one."""
    storage = gctx.profile.storage
    own = [storage.default_class, *storage.class_by_volume.values(), *storage.class_by_plugin.values(),
           *storage.access_modes]
    for name in [n for n in own if n] + list(KNOWN_CLASS_MODES):
        if mode in (class_modes(gctx, name) or ()):
            return name
    return None
SINGLE_WRITER = frozenset({RWO, RWOP})


def volume_fact(gctx: GroupContext, source: str | None, volume_type: str = "csi") -> VolumeFact | None:
    """What the estate declares about the Nomad volume `source` (a Terraform volume resource or a
    Nomad volume spec file), or None: the one place mappers read volume facts from."""
    fact = gctx.job_ctx.facts.volume(source)
    return fact if fact is not None and fact.volume_type == volume_type else None


def fact_size(fact: VolumeFact | None) -> tuple[str | None, str]:
    """(size, where it comes from) from a declared volume's capacity_min, else capacity_max."""
    if fact is None:
        return None, ""
    for key in ("capacity_min", "capacity_max"):
        text = getattr(fact, key)
        if text:
            compact = str(text).strip().replace(" ", "")
            return from_byte_units(compact) or compact, f"{key} of {fact.described()}"
    return None, ""


def _hints(gctx: GroupContext, task: Task | None) -> Hints:
    return hints_for(gctx.job, gctx.group, task) if task is not None else gctx.hints


def storage_class(gctx: GroupContext, source: str | None, plugin: str | None = None, *,
                  task: Task | None = None, at: str | None = None) -> str | None:
    """The claim's storageClassName; `at` is the Nomad path the hint's effect is noted on."""
    hints = _hints(gctx, task)
    if hints.storage_class:
        if at is not None:
            gctx.ledger.mapped("N2K-HINT-STORAGE-CLASS", at,
                               f"storage-class hint ({hints.source('storage_class')}) chooses the storage class",
                               k8s=f"storageClassName: {hints.storage_class}", claims=False)
        return hints.storage_class
    storage = gctx.profile.storage
    if source and source in storage.class_by_volume:
        return storage.class_by_volume[source]
    if plugin and plugin in storage.class_by_plugin:
        return storage.class_by_plugin[plugin]
    return storage.default_class


def claim_size(gctx: GroupContext, stated: str | None, *, task: Task | None = None,
               at: str | None = None) -> str:
    """The claim's size: the jobspec's own, else the volume-size hint, else the profile default."""
    hints = _hints(gctx, task)
    if stated:
        if hints.volume_size and at is not None:
            gctx.ledger.mapped("N2K-HINT-VOLUME-SIZE", at,
                               f"volume-size hint ({hints.source('volume_size')}) not used: the jobspec states "
                               f"the size {stated}", k8s=f"storage: {stated}", claims=False)
        return stated
    if hints.volume_size:
        if at is not None:
            gctx.ledger.mapped("N2K-HINT-VOLUME-SIZE", at,
                               f"volume-size hint ({hints.source('volume_size')}) sizes the claim "
                               f"(the jobspec states none)", k8s=f"storage: {hints.volume_size}", claims=False)
        return hints.volume_size
    return gctx.profile.storage.default_size


def size_origin(gctx: GroupContext, stated: str | None, *, task: Task | None = None,
                stated_by: str = "the jobspec's capacity_min/capacity_max") -> str:
    """Where claim_size's answer came from, in its precedence order, for ledger messages."""
    if stated:
        return stated_by
    hints = _hints(gctx, task)
    if hints.volume_size:
        return f"the volume-size hint ({hints.source('volume_size')})"
    return "the profile's storage.default_size"


def claim_spec(gctx: GroupContext, *, access_mode: str, size: str, storage_class_name: str | None,
               block: bool = False) -> k8s.V1PersistentVolumeClaimSpec:
    return k8s.V1PersistentVolumeClaimSpec(
        access_modes=[access_mode],
        storage_class_name=storage_class_name,
        volume_mode="Block" if block else None,
        resources=k8s.V1VolumeResourceRequirements(requests={"storage": size}),
    )


def add_pvc(gctx: GroupContext, claim_name: str, spec: k8s.V1PersistentVolumeClaimSpec) -> None:
    """A standalone PVC (once per name across the job: groups may share a Nomad volume)."""
    if gctx.job_ctx.objects.get("PersistentVolumeClaim", claim_name) is not None:
        return
    gctx.add_object(k8s.V1PersistentVolumeClaim(
        api_version="v1", kind="PersistentVolumeClaim",
        metadata=k8s.V1ObjectMeta(name=claim_name, namespace=gctx.profile.namespace.name,
                                  labels={"app.kubernetes.io/part-of": gctx.job_ctx.service,
                                          "app.kubernetes.io/managed-by": "nomad2k8s"}),
        spec=spec,
    ))


def mount_pvc(gctx: GroupContext, volume_name: str, claim_name: str, read_only: bool = False) -> None:
    add_volume(gctx, k8s.V1Volume(name=volume_name, persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(
        claim_name=claim_name, read_only=True if read_only else None)))


def add_claim_template(gctx: GroupContext, volume_name: str, spec: k8s.V1PersistentVolumeClaimSpec) -> None:
    """A StatefulSet volumeClaimTemplates entry: one PVC per replica, like a per-alloc volume."""
    templates = gctx.workload_spec.volume_claim_templates
    if any(t.metadata is not None and t.metadata.name == volume_name for t in templates):
        return
    templates.append(k8s.V1PersistentVolumeClaim(metadata=k8s.V1ObjectMeta(name=volume_name), spec=spec))


def single_writer_claims(gctx: GroupContext) -> list[str]:
    """Names of pod volumes backed by a read-write single-node PVC (standalone, not per replica)."""
    claims = {o.metadata.name: o for o in gctx.job_ctx.objects.of_kind("PersistentVolumeClaim")}
    found = []
    for volume in gctx.pod_spec.volumes or []:
        source = volume.persistent_volume_claim
        if source is None or source.read_only:
            continue
        claim = claims.get(source.claim_name)
        if claim is not None and SINGLE_WRITER & set(claim.spec.access_modes or []):
            found.append(volume.name)
    return found


def privileged_task(task) -> bool:
    return task.docker.get("privileged") is True


def allowed_propagation(task, propagation: str | None) -> tuple[str | None, str]:
    """Kubernetes accepts Bidirectional only in privileged containers: otherwise fall back to
    HostToContainer (host mounts still reach the container; the reverse direction is lost)."""
    if propagation == "Bidirectional" and not privileged_task(task):
        return "HostToContainer", "Bidirectional propagation needs a privileged container: HostToContainer used"
    return propagation, ""
