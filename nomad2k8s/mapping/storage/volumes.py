"""Group `volume` blocks (csi, host) and task `volume_mount` -> pod volumes, PVCs, mounts.

CSI volumes become PVCs (one per Nomad volume, or one per replica via volumeClaimTemplates for
`per_alloc`), or a host directory / NFS export when the profile says the storage behind them
is reachable that way (the seeds' GlusterFS pattern). Host volumes are node configuration
Nomad never shows, so they need the profile's path table (or become PVCs).
"""

from __future__ import annotations

from dataclasses import dataclass

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.k8s.quantity import from_byte_units
from nomad2k8s.ledger import Status, Target
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.podspec import add_mount, add_volume
from nomad2k8s.mapping.core.values import claim_value
from nomad2k8s.mapping.storage.claims import (
    ROX,
    RWO,
    RWOP,
    RWX,
    add_claim_template,
    add_pvc,
    allowed_propagation,
    claim_size,
    claim_spec,
    class_for_mode,
    class_modes,
    fact_size,
    mount_pvc,
    size_origin,
    storage_class,
    volume_fact,
)
from nomad2k8s.mapping.storage.taskdirs import ensure_task_dir, resolve
from nomad2k8s.mapping.workload.kind_choice import max_replicas
from nomad2k8s.model import Volume, VolumeMount
from nomad2k8s.terraform.model import VolumeFact

# Nomad CSI access mode -> (Kubernetes access mode, mounted read-only)
ACCESS_MODES: dict[str, tuple[str, bool]] = {
    "single-node-writer": (RWO, False),
    "single-node-single-writer": (RWO, False),
    "single-node-multi-writer": (RWO, False),
    "single-node-reader-only": (RWO, True),
    "multi-node-reader-only": (ROX, True),
    "multi-node-single-writer": (RWX, False),
    "multi-node-multi-writer": (RWX, False),
}
PROPAGATION = {"private": None, "host-to-task": "HostToContainer", "bidirectional": "Bidirectional"}


@dataclass(frozen=True)
class PodVolume:
    """What a Nomad group volume became in the pod."""

    name: str
    read_only: bool
    target: str  # for reports: "PersistentVolumeClaim/x", "hostPath /srv/x"...
    block: bool = False  # a raw block device: attached as a volumeDevice, not mounted


def _source(volume: Volume) -> tuple[str | None, str | None]:
    """(source, the path that names it): `source`, or the Nomad 0.10 `config { source }` form."""
    if volume.is_set("source") and volume.source:
        return str(volume.source), volume.path_of("source")
    legacy = (volume.model_extra or {}).get("config")
    legacy = legacy[0] if isinstance(legacy, list) and legacy else legacy
    if isinstance(legacy, dict) and legacy.get("source"):
        return str(legacy["source"]), volume.path_of("config")
    return None, None


def _volume_name(volume: Volume) -> str:
    return dns_label(volume.label or volume.source or "volume")


def _size(gctx: GroupContext, volume: Volume) -> str:
    """A host volume's claim size: the jobspec's, else a declared dynamic host volume's capacity."""
    declared, _ = fact_size(volume_fact(gctx, _source(volume)[0] or volume.label, "host"))
    return claim_size(gctx, _stated_size(volume) or declared, at=volume.nomad_path)


def _stated_size(volume: Volume) -> str | None:
    extra = volume.model_extra or {}
    # capacity_min belongs to Nomad's volume specification; accept it when a jobspec carries it.
    for key in ("capacity_min", "capacity_max"):
        if isinstance(extra.get(key), str) and extra[key].strip():
            text = extra[key].strip().replace(" ", "")
            return from_byte_units(text) or text
    return None


def _claim(gctx: GroupContext, node, field: str, status: Status, code: str, message: str, k8s_text: str | Target,
           suggestion: str = "") -> None:
    if isinstance(k8s_text, Target):
        gctx.ledger.claim(node, field, status, code, message, target=k8s_text, suggestion=suggestion)
    else:
        gctx.ledger.claim(node, field, status, code, message, k8s=k8s_text, suggestion=suggestion)


def _map_csi(gctx: GroupContext, volume: Volume) -> PodVolume:
    storage, ledger = gctx.profile.storage, gctx.ledger
    name = _volume_name(volume)
    source, source_path = _source(volume)
    source = source or volume.label or name
    access = str(volume.access_mode) if volume.access_mode else None
    mode, reader = ACCESS_MODES.get(access or "", (RWO, False))
    if mode == RWO and not reader and storage.read_write_once_pod and access in ("single-node-writer",
                                                                                  "single-node-single-writer"):
        mode = RWOP
    read_only = bool(volume.read_only) or reader
    block = volume.attachment_mode == "block-device"
    per_alloc = volume.per_alloc is True
    claim_class: str | None = None
    if storage.csi_as == "hostPath" and storage.host_path_root:
        path = f"{storage.host_path_root.rstrip('/')}/{source}"
        add_volume(gctx, k8s.V1Volume(name=name, host_path=k8s.V1HostPathVolumeSource(path=path, type="Directory")))
        pod_volume = PodVolume(name, read_only, f"hostPath {path}")
        ledger.changed("N2K-CSI-HOSTPATH", volume.nomad_path,
                       "CSI volume -> host directory (profile storage.csi_as = hostPath): the storage must be "
                       "mounted on every node", target=Target("volume", name, field=f"hostPath {path}"), claims=False)
    elif storage.csi_as == "nfs" and storage.nfs_server and storage.nfs_path:
        path = f"{storage.nfs_path.rstrip('/')}/{source}"
        add_volume(gctx, k8s.V1Volume(name=name, nfs=k8s.V1NFSVolumeSource(server=storage.nfs_server, path=path,
                                                                        read_only=True if read_only else None)))
        pod_volume = PodVolume(name, read_only, f"nfs {storage.nfs_server}:{path}")
        ledger.changed("N2K-CSI-NFS", volume.nomad_path, "CSI volume -> NFS export (profile storage.csi_as = nfs)",
                       target=Target("volume", name, field=f"nfs {storage.nfs_server}:{path}"), claims=False)
    else:
        if storage.csi_as != "pvc":
            ledger.decide("N2K-CSI-PROFILE-INCOMPLETE", volume.nomad_path,
                          f"profile storage.csi_as = {storage.csi_as} but its root/server is not set; a PVC is used",
                          k8s="PersistentVolumeClaim", claims=False,
                          suggestion="Set storage.host_path_root or storage.nfs_server/nfs_path in the profile.")
        # A per_alloc volume is declared once per allocation: `source[0]` stands for them all.
        fact = volume_fact(gctx, source) or (volume_fact(gctx, f"{source}[0]") if per_alloc else None)
        declared, declared_by = fact_size(fact)
        own = _stated_size(volume)
        stated = own or declared
        size = claim_size(gctx, stated, at=volume.nomad_path)
        plugin = (volume.model_extra or {}).get("plugin_id") or (fact.plugin_id if fact else None)
        spec = claim_spec(gctx, access_mode=mode, size=size, block=block,
                          storage_class_name=storage_class(gctx, source, plugin, at=volume.nomad_path))
        claim_class = spec.storage_class_name or None
        if per_alloc and gctx.kind == "StatefulSet":
            add_claim_template(gctx, name, spec)
            pod_volume = PodVolume(name, read_only, f"volumeClaimTemplates {name} (one PVC per replica)", block)
        else:
            claim_name = dns_label(source)
            add_pvc(gctx, claim_name, spec)
            mount_pvc(gctx, name, claim_name, read_only)
            pod_volume = PodVolume(name, read_only, f"PersistentVolumeClaim/{claim_name}", block)
        origin = size_origin(gctx, stated, stated_by="the jobspec's capacity_min/capacity_max" if own else declared_by)
        if fact is not None:
            _declared_volume(gctx, volume, fact, access)
        ledger.decide("N2K-VOLUME-DATA", volume.nomad_path,
                      f"CSI volume {source!r} -> a new, empty claim of {size} (size from {origin}): the existing "
                      "Nomad volume's data is not carried over", k8s=pod_volume.target, claims=False,
                      suggestion="Bind the existing volume with a static PersistentVolume (volumeName) or copy the "
                      "data into the new claim.")
    target = pod_volume.target
    _claim(gctx, volume, "type", Status.MAPPED, "N2K-VOLUME-CSI", "CSI volume", target)
    if source_path:
        claim_value(ledger, Status.MAPPED, "N2K-VOLUME-SOURCE", source_path, source, "volume id names the claim",
                    k8s=target)
    if volume.is_set("access_mode"):
        if access not in ACCESS_MODES:
            ledger.decide("N2K-VOLUME-ACCESS-MODE", volume.path_of("access_mode"),
                          f"unknown access mode {access!r}; ReadWriteOnce assumed", k8s=f"{target} accessModes: [{mode}]",
                          suggestion="Pick the access mode the storage supports.")
        elif mode not in (class_modes(gctx, claim_class) or (mode,)):
            able = class_for_mode(gctx, mode)
            ledger.decide("N2K-VOLUME-ACCESS-UNSUPPORTED", volume.path_of("access_mode"),
                          f"{access} -> {mode}, which storage class {claim_class!r} cannot provide (it offers "
                          f"{', '.join(class_modes(gctx, claim_class) or ())}): the claim would stay Pending",
                          k8s=f"{target} accessModes: [{mode}]",
                          suggestion=(f"Use a class that provides {mode}, e.g. {able!r} (profile "
                                      "storage.class_by_volume / class_by_plugin or the storage-class hint)"
                                      if able else f"Use a storage class that provides {mode}")
                          + ", or run the group's copies on one node with ReadWriteOnce.")
        else:
            note = " mounted read-only" if reader else ""
            ledger.mapped("N2K-VOLUME-ACCESS-MODE", volume.path_of("access_mode"), f"{access} -> {mode}{note}",
                          k8s=f"{target} accessModes: [{mode}]")
    _claim(gctx, volume, "attachment_mode",
           Status.MAPPED, "N2K-VOLUME-ATTACHMENT", f"attachment mode {volume.attachment_mode}",
           f"{target} volumeMode: {'Block' if block else 'Filesystem'}")
    _claim(gctx, volume, "read_only", Status.MAPPED, "N2K-VOLUME-READ-ONLY",
           "read-only volume" if volume.read_only else "read-write volume", f"{target} readOnly: {str(read_only).lower()}")
    if volume.is_set("per_alloc"):
        one = max_replicas(gctx.group, gctx.hints) <= 1
        if per_alloc and gctx.kind != "StatefulSet" and target.startswith("PersistentVolumeClaim") and one:
            ledger.mapped("N2K-VOLUME-PER-ALLOC", volume.path_of("per_alloc"),
                          f"one replica: its per-allocation volume is one claim of the {gctx.kind}", k8s=target)
        elif per_alloc and gctx.kind != "StatefulSet" and target.startswith("PersistentVolumeClaim"):
            ledger.changed("N2K-VOLUME-PER-ALLOC", volume.path_of("per_alloc"),
                           f"per-allocation volumes need a StatefulSet; a {gctx.kind} shares one claim",
                           k8s=target, suggestion="Run the group as a StatefulSet if each copy needs its own volume.")
        else:
            ledger.mapped("N2K-VOLUME-PER-ALLOC", volume.path_of("per_alloc"),
                          "one volume per allocation" if per_alloc else "one shared volume", k8s=target)
    _claim(gctx, volume, "mount_options", Status.DROPPED, "N2K-VOLUME-MOUNT-OPTIONS",
           "CSI mount options are set on the StorageClass in Kubernetes", target,
           "Put fs_type in the StorageClass parameters (csi.storage.k8s.io/fstype) and mount_flags in its mountOptions.")
    return pod_volume


def _declared_volume(gctx: GroupContext, volume: Volume, fact: VolumeFact, access: str | None) -> None:
    """The job's volume is declared in the estate (Terraform, a volume spec file): say so, and
    cross-check the access and attachment modes the job asks for with the ones declared."""
    plugin = f"plugin {fact.plugin_id}" if fact.plugin_id else "no plugin_id"
    kept = [k for k in ("external_id", "context") if getattr(fact, k)]
    gctx.ledger.mapped("N2K-VOLUME-DECLARED", volume.nomad_path,
                       f"volume declared by {fact.described()}: {plugin}"
                       + (f"; {' and '.join(kept)} kept for a static PersistentVolume" if kept else ""),
                       k8s="-", claims=False)
    asked = [("access mode", access, fact.access_modes),
             ("attachment mode", str(volume.attachment_mode) if volume.attachment_mode else None, fact.attachment_modes)]
    for what, mode, offered in asked:
        if mode and offered and mode not in offered:
            gctx.ledger.decide("N2K-VOLUME-DECLARED-MISMATCH", volume.nomad_path,
                               f"the job asks for {what} {mode} but {fact.described()} offers only "
                               f"{', '.join(offered)}", k8s="-", claims=False,
                               suggestion="Align the job's volume block with the volume's capability blocks.")


def _map_host(gctx: GroupContext, volume: Volume) -> PodVolume:
    storage, ledger = gctx.profile.storage, gctx.ledger
    name = _volume_name(volume)
    source, source_path = _source(volume)
    source = source or volume.label or name
    read_only = bool(volume.read_only)
    host_path = storage.host_volumes.get(source)
    # host_volumes_as = pvc: a claim even where the path is known (the cluster kit binds it to that path).
    if host_path and storage.host_volumes_as != "pvc":
        add_volume(gctx, k8s.V1Volume(name=name, host_path=k8s.V1HostPathVolumeSource(path=host_path,
                                                                                   type="Directory")))
        where = Target("volume", name, field=f"hostPath {host_path}")
        ledger.changed("N2K-VOLUME-HOST", source_path or volume.nomad_path,
                       f"host volume {source!r} -> hostPath from the profile: the pod must run where the "
                       "directory exists", target=where,
                       suggestion="Pin the pod to those nodes (constraint/nodeSelector) or move the data to a PVC.",
                       claims=source_path is not None)
    elif gctx.kind == "DaemonSet":
        # A host volume is a directory on each node; one claim cannot be mounted by a pod on every node.
        add_volume(gctx, k8s.V1Volume(name=name, empty_dir=k8s.V1EmptyDirVolumeSource()))
        where = Target("volume", name, field="emptyDir until the host path is known")
        ledger.decide("N2K-VOLUME-HOST-DAEMONSET", source_path or volume.nomad_path,
                      f"host volume {source!r} of a DaemonSet: a path on each node (hostPath), which is Nomad client "
                      "config the jobspec does not show; an emptyDir stands in, the node's data is not seen",
                      target=where, suggestion=f"Add `{source}: /path/on/node` to the profile's storage.host_volumes "
                      "to mount it as a hostPath.", claims=source_path is not None)
    else:
        claim_name = dns_label(source)
        spec = claim_spec(gctx, access_mode=RWO, size=_size(gctx, volume),
                          storage_class_name=storage_class(gctx, source, at=volume.nomad_path))
        add_pvc(gctx, claim_name, spec)
        mount_pvc(gctx, name, claim_name, read_only)
        where = Target("PersistentVolumeClaim", claim_name)
        path = source_path or volume.nomad_path
        if storage.host_volumes_as == "pvc":
            known = f"; its data is at {host_path} on the Nomad node (storage.host_volumes)" if host_path else ""
            ledger.changed("N2K-VOLUME-HOST-PVC", path,
                           f"host volume {source!r} -> PVC (profile host_volumes_as = pvc){known}", target=where, suggestion="Copy the existing data from the Nomad node into the new volume.",
                           claims=source_path is not None)
        else:
            ledger.decide("N2K-VOLUME-HOST-UNKNOWN", path,
                          f"host volume {source!r}: its path is Nomad client config the jobspec does not show; "
                          "an empty PVC is emitted meanwhile", target=where,
                          suggestion=f"Add `{source}: /path/on/node` to the profile's storage.host_volumes for a "
                          "hostPath, or copy the data into the PVC.", claims=source_path is not None)
    ledger.claim(volume, "type", Status.MAPPED, "N2K-VOLUME-HOST-TYPE", "host volume", target=where)
    _claim(gctx, volume, "read_only", Status.MAPPED, "N2K-VOLUME-READ-ONLY",
           "read-only volume" if read_only else "read-write volume", where.at(f"readOnly: {str(read_only).lower()}"))
    for field in ("access_mode", "attachment_mode", "per_alloc", "mount_options"):
        _claim(gctx, volume, field, Status.DROPPED, "N2K-VOLUME-HOST-OPTION",
               f"{field} only matters for dynamic host volumes; the claim/hostPath decides", where)
    return PodVolume(name, read_only, where.render())


def map_group_volumes(gctx: GroupContext) -> dict[str, PodVolume]:
    found: dict[str, PodVolume] = {}
    for volume in gctx.group.volume:
        kind = volume.type or "host"
        if kind == "csi":
            found[volume.label or ""] = _map_csi(gctx, volume)
        elif kind == "host":
            found[volume.label or ""] = _map_host(gctx, volume)
        else:
            gctx.ledger.decide("N2K-VOLUME-TYPE", volume.nomad_path, f"volume type {kind!r} is not known",
                               k8s="-", suggestion="Create the volume by hand.")
    return found


def _map_volume_mount(gctx: GroupContext, task_name: str, vm: VolumeMount, volumes: dict[str, PodVolume]) -> None:
    ledger = gctx.ledger
    container = gctx.containers[task_name]
    source = volumes.get(str(vm.volume)) if vm.volume is not None else None
    if source is None or not vm.destination:
        ledger.decide("N2K-VOLUME-MOUNT-UNKNOWN", vm.nomad_path,
                      f"volume_mount of {vm.volume!r}: no such group volume (or no destination)", k8s="-",
                      suggestion="Check the volume label.")
        return
    read_only = bool(vm.read_only) or source.read_only
    task = next(t for t in gctx.group.task if t.name == task_name)
    # `${NOMAD_ALLOC_DIR}/x`, `local/x`: Nomad paths, resolved like every other task-dir path.
    where = resolve(str(vm.destination))
    destination = where.container_path
    if where.task_dir is not None and where.relative:
        ensure_task_dir(gctx, task, where.task_dir)  # the parent dir is the task dir's emptyDir, as in Nomad
    wanted = PROPAGATION.get(str(vm.propagation_mode)) if vm.is_set("propagation_mode") else None
    propagation, downgrade = allowed_propagation(task, wanted)
    if source.block:
        devices = list(container.volume_devices or [])
        if not any(d.device_path == destination for d in devices):
            devices.append(k8s.V1VolumeDevice(name=source.name, device_path=destination))
        container.volume_devices = devices
        target = Target("container", container.name, field=f"volumeDevice {destination}")
    else:
        add_mount(container, k8s.V1VolumeMount(name=source.name, mount_path=destination,
                                               read_only=True if read_only else None, mount_propagation=propagation))
        target = Target("container", container.name, field=f"volumeMount {destination}")
    ledger.mapped("N2K-VOLUME-MOUNT", vm.path_of("volume"), f"mounts {source.target}", target=target)
    if destination != str(vm.destination):
        _claim(gctx, vm, "destination", Status.CHANGED, "N2K-VOLUME-MOUNT-PATH",
               f"mount path {vm.destination!r} is a Nomad task-dir path: {destination}", target.at("mountPath"))
    else:
        claim_value(ledger, Status.MAPPED, "N2K-VOLUME-MOUNT-PATH", vm.path_of("destination"), destination,
                    "mount path", target=target.at("mountPath"))
    _claim(gctx, vm, "read_only", Status.MAPPED, "N2K-VOLUME-MOUNT-READ-ONLY",
           "read-only mount" if read_only else "read-write mount",
           target.at(f"readOnly: {str(read_only).lower()}"))
    if vm.is_set("propagation_mode"):
        mode = str(vm.propagation_mode)
        if mode not in PROPAGATION:
            ledger.decide("N2K-VOLUME-MOUNT-PROPAGATION", vm.path_of("propagation_mode"),
                          f"unknown propagation mode {mode!r}", target=target)
        else:
            ledger.record(Status.CHANGED if downgrade else Status.MAPPED, "N2K-VOLUME-MOUNT-PROPAGATION",
                          vm.path_of("propagation_mode"),
                          f"propagation {mode} -> {propagation or 'None'}" + (f" ({downgrade})" if downgrade else ""),
                          target=target.at(f"mountPropagation: {propagation or 'None'}"))
    _claim(gctx, vm, "selinux_label", Status.DROPPED, "N2K-VOLUME-MOUNT-SELINUX",
           "SELinux relabelling is set per pod in Kubernetes", target,
           "Set securityContext.seLinuxOptions if the node enforces SELinux.")


def map_volumes(gctx: GroupContext) -> None:
    volumes = map_group_volumes(gctx)
    for task in gctx.group.task:
        if task.name not in gctx.containers:
            continue  # the unconverted task is accounted for as a whole
        for vm in task.volume_mount:
            _map_volume_mount(gctx, task.name, vm, volumes)
