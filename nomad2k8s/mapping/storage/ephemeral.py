"""`ephemeral_disk` -> ephemeral-storage request and the alloc dir, or a per-replica PVC.

Nomad's ephemeral disk is the allocation directory. Sticky/migrating disks keep their data
across updates, which in Kubernetes is a StatefulSet volumeClaimTemplates entry mounted at
/alloc/data (the seeds' `data` volume), or for a single-replica Deployment one standalone PVC
`<workload>-alloc-data` there (mapping/workload/kind_choice.py says which); otherwise the alloc dir is an emptyDir with a size
limit, and the size is requested as ephemeral-storage by the group's main container.
"""

from __future__ import annotations

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.ledger import Status
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.podspec import add_mount
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.mapping.storage.claims import (
    RWO,
    add_claim_template,
    add_pvc,
    claim_size,
    claim_spec,
    mib_quantity,
    mount_pvc,
    size_origin,
    storage_class,
)
from nomad2k8s.mapping.storage.taskdirs import ensure_task_dir
from nomad2k8s.mapping.workload.kind_choice import max_replicas

NOMAD_DEFAULT_DISK_MB = 300
ALLOC_DATA_VOLUME = "alloc-data"
ALLOC_DATA_PATH = "/alloc/data"


def sticky_data_volume(gctx: GroupContext) -> str | None:
    """The volume holding /alloc/data (per replica, or the single replica's claim), when the disk is sticky."""
    templates = gctx.workload_spec.volume_claim_templates
    if any(t.metadata is not None and t.metadata.name == ALLOC_DATA_VOLUME for t in templates):
        return ALLOC_DATA_VOLUME
    own = any(v.name == ALLOC_DATA_VOLUME and v.persistent_volume_claim is not None for v in gctx.pod_spec.volumes or [])
    return ALLOC_DATA_VOLUME if own else None


def map_ephemeral_disk(gctx: GroupContext) -> None:
    disk = gctx.group.ephemeral_disk
    if disk is None or not gctx.containers:
        return
    ledger = gctx.ledger
    size = as_int(disk.size) if disk.is_set("size") else None
    if disk.is_set("size") and (size is None or size <= 0):
        ledger.decide("N2K-EPHEMERAL-SIZE-UNRESOLVED", disk.path_of("size"), "ephemeral_disk size is not a number",
                      k8s="-", suggestion="Set the size by hand.")
        size = None
    mb = size or NOMAD_DEFAULT_DISK_MB
    quantity = mib_quantity(mb)
    keep = disk.sticky is True or disk.migrate is True
    mains = [t for t in gctx.main_tasks() if t.name in gctx.containers]
    main = gctx.containers[mains[0].name] if mains else next(iter(gctx.containers.values()))
    # One replica in a Deployment: the same data in one standalone claim (the workload rolls with Recreate).
    single = gctx.kind == "Deployment" and max_replicas(gctx.group, gctx.hints) <= 1
    if keep and (gctx.kind == "StatefulSet" or single):
        if gctx.hints.volume_size:  # an unsized disk is Nomad's 300 MB default unless the hint sizes it
            quantity = claim_size(gctx, quantity if size else None, at=disk.nomad_path)
        spec = claim_spec(gctx, access_mode=RWO, size=quantity,
                          storage_class_name=storage_class(gctx, None, at=disk.nomad_path))
        if single:
            claim_name = dns_label(f"{gctx.workload_name}-{ALLOC_DATA_VOLUME}")
            add_pvc(gctx, claim_name, spec)
            mount_pvc(gctx, ALLOC_DATA_VOLUME, claim_name)
            target = f"PersistentVolumeClaim/{claim_name} ({quantity}) at {ALLOC_DATA_PATH}"
            each = "a new, empty claim"
        else:
            add_claim_template(gctx, ALLOC_DATA_VOLUME, spec)
            target = (f"StatefulSet/{gctx.workload_name} volumeClaimTemplates {ALLOC_DATA_VOLUME} ({quantity}) "
                      f"at {ALLOC_DATA_PATH}")
            each = "a new, empty claim per replica"
        for container in gctx.containers.values():
            add_mount(container, k8s.V1VolumeMount(name=ALLOC_DATA_VOLUME, mount_path=ALLOC_DATA_PATH))
        origin = (size_origin(gctx, None) if gctx.hints.volume_size and not size
                  else "the ephemeral_disk size" if size else f"Nomad's default {NOMAD_DEFAULT_DISK_MB} MB")
        ledger.decide("N2K-VOLUME-DATA", disk.nomad_path,
                      f"sticky ephemeral disk -> {each} of {quantity} (size from {origin}): "
                      "the data in the Nomad allocation directory is not carried over", k8s=target, claims=False,
                      suggestion="Copy the data into the claim before switching over if it must be kept.")
        if size is not None:
            ledger.mapped("N2K-EPHEMERAL-SIZE", disk.path_of("size"), f"{mb} MB sticky disk -> PVC size", k8s=target)
        ledger.claim(disk, "sticky", Status.MAPPED, "N2K-EPHEMERAL-STICKY",
                     f"sticky alloc data -> {'a PVC' if single else 'a PVC per replica'} that survives pod "
                     "replacement" if disk.sticky else "not sticky; migrate keeps the data", k8s=target)
        ledger.claim(disk, "migrate", Status.CHANGED, "N2K-EPHEMERAL-MIGRATE",
                     "Nomad copies the data to the new node; a PVC follows the pod only if its storage class "
                     "is network storage (node-local PVCs pin the pod to its node)", k8s=target)
        return
    name = ensure_task_dir(gctx, mains[0] if mains else gctx.group.task[0], "alloc")
    for volume in gctx.pod_spec.volumes or []:
        if volume.name == name and volume.empty_dir is not None:
            volume.empty_dir.size_limit = quantity
    requests = dict((main.resources.requests if main.resources else None) or {})
    requests["ephemeral-storage"] = quantity
    if main.resources is None:
        main.resources = k8s.V1ResourceRequirements()
    main.resources.requests = requests
    target = (f"emptyDir {name} sizeLimit {quantity}; container {main.name} requests.ephemeral-storage {quantity} "
              "(the whole group's disk, on the main container)")
    if size is not None:
        ledger.mapped("N2K-EPHEMERAL-SIZE", disk.path_of("size"), f"{mb} MB alloc disk", k8s=target)
    else:
        ledger.mapped("N2K-EPHEMERAL-SIZE", disk.nomad_path, f"no size: Nomad's default {mb} MB",
                      k8s=target, claims=False)
    for field in ("sticky", "migrate"):
        if not disk.is_set(field):
            continue
        if getattr(disk, field) is True:
            ledger.changed(f"N2K-EPHEMERAL-{field.upper()}", disk.path_of(field),
                           f"{field} needs a StatefulSet; a {gctx.kind} keeps no data across pods: emptyDir",
                           k8s=target, suggestion="Move the data to a PVC if it must survive restarts.")
        else:
            ledger.mapped(f"N2K-EPHEMERAL-{field.upper()}", disk.path_of(field), f"not {field}: emptyDir",
                          k8s=target)
