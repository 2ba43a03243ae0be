"""Docker driver storage options -> pod volumes and container mounts.

`volumes = ["src:dst[:opts]"]`, `mount {}` blocks and `mounts = [...]` lists: host paths
become hostPath volumes, paths in the task dir (`local/`, `secrets/`, `../alloc/`) the
task-dir emptyDirs (or the ConfigMap/Secret a template rendered there, by subPath), tmpfs an
in-memory emptyDir, named docker volumes a PVC (NFS driver options an `nfs` volume).
`shm_size` sizes an in-memory emptyDir at /dev/shm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.ledger import Status
from nomad2k8s.model import Task, paths
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.storage.ephemeral import ALLOC_DATA_VOLUME, sticky_data_volume
from nomad2k8s.k8s.names import dns_label
from nomad2k8s.mapping.core.podspec import add_mount, add_volume, claimed_as_a_whole
from nomad2k8s.mapping.storage.claims import RWO, add_pvc, allowed_propagation, bytes_quantity, claim_size, claim_spec, mount_pvc, storage_class
from nomad2k8s.mapping.storage.taskdirs import ensure_task_dir, resolve
from nomad2k8s.mapping.core.values import as_int

PROPAGATION = {"rslave": "HostToContainer", "slave": "HostToContainer", "rshared": "Bidirectional",
               "shared": "Bidirectional", "private": None, "rprivate": None}


@dataclass
class Outcome:
    status: Status
    text: str  # what it became, for the report
    note: str = ""


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            if isinstance(item, dict):
                merged.update({k: v for k, v in item.items() if k not in paths.INTERNAL_KEYS})
        return merged
    return {k: v for k, v in value.items() if k not in paths.INTERNAL_KEYS} if isinstance(value, dict) else {}


def _host_volume_name(path: str) -> str:
    return dns_label("host-" + (path.strip("/").replace("/", "-") or "root"))


def _bind(gctx: GroupContext, task: Task, source: str, target: str, read_only: bool,
          propagation: str | None) -> Outcome:
    """Mount `source` (a host path or a task-dir path) at `target` in the task's container."""
    container = gctx.containers[task.name]
    ro = True if read_only else None
    where = resolve(source)
    if where.task_dir is None:
        propagation, note = allowed_propagation(task, propagation)
        name = _host_volume_name(where.relative)
        add_volume(gctx, k8s.V1Volume(name=name, host_path=k8s.V1HostPathVolumeSource(path=where.relative)))
        add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, read_only=ro,
                                               mount_propagation=propagation))
        if "${" in source:
            return Outcome(Status.NEEDS_DECISION, f"hostPath {where.relative} -> {target}",
                           "the host path uses Nomad interpolation")
        return Outcome(Status.CHANGED if note else Status.MAPPED, f"hostPath {where.relative} -> {target}", note)
    rendered = gctx.rendered_files.get((task.name, where.container_path))
    if rendered is not None:
        volume_name, key = rendered
        add_mount(container, k8s.V1VolumeMount(name=volume_name, mount_path=target, sub_path=key, read_only=True))
        return Outcome(Status.MAPPED, f"{volume_name} subPath {key} -> {target}")
    if where.task_dir == "alloc" and sticky_data_volume(gctx) and (where.relative + "/").startswith("data/"):
        sub = where.relative[len("data/"):] or None
        add_mount(container, k8s.V1VolumeMount(name=ALLOC_DATA_VOLUME, mount_path=target, sub_path=sub, read_only=ro))
        return Outcome(Status.MAPPED, f"{ALLOC_DATA_VOLUME}{' subPath ' + sub if sub else ''} -> {target}")
    name = ensure_task_dir(gctx, task, where.task_dir)
    sub = where.relative or None
    add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, sub_path=sub, read_only=ro))
    shown = f"{name}{' subPath ' + sub if sub else ''} -> {target}"
    if where.task_dir == "alloc":
        return Outcome(Status.MAPPED, shown)
    return Outcome(Status.CHANGED, shown, f"{where.container_path} is an emptyDir: only what a template or "
                   "another container writes there appears (artifacts are not fetched)")


def _named_volume(gctx: GroupContext, task: Task, source: str, target: str, read_only: bool,
                  driver: str | None, options: dict[str, Any]) -> Outcome:
    container = gctx.containers[task.name]
    ro = True if read_only else None
    if not source:
        name = dns_label(f"docker-anon-{target}")
        add_volume(gctx, k8s.V1Volume(name=name, empty_dir=k8s.V1EmptyDirVolumeSource()))
        add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, read_only=ro))
        return Outcome(Status.CHANGED, f"emptyDir {name} -> {target}", "anonymous docker volume")
    name = dns_label(f"docker-{source}")
    nfs_opts = {str(k): str(v) for k, v in options.items()}
    addr = next((p[5:] for p in nfs_opts.get("o", "").split(",") if p.startswith("addr=")), None)
    device = nfs_opts.get("device", "")
    if nfs_opts.get("type", "").startswith("nfs") and addr and device:
        export = device.split(":", 1)[1] if ":" in device else device
        add_volume(gctx, k8s.V1Volume(name=name, nfs=k8s.V1NFSVolumeSource(server=addr, path=export, read_only=ro)))
        add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, read_only=ro))
        return Outcome(Status.MAPPED, f"nfs {addr}:{export} -> {target}")
    claim = dns_label(source)
    at = task.path_of("config")
    add_pvc(gctx, claim, claim_spec(gctx, access_mode=RWO, size=claim_size(gctx, None, task=task, at=at),
                                    storage_class_name=storage_class(gctx, source, task=task, at=at)))
    mount_pvc(gctx, name, claim)
    add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, read_only=ro))
    if driver and driver != "local":
        return Outcome(Status.NEEDS_DECISION, f"PersistentVolumeClaim/{claim} -> {target}",
                       f"docker volume driver {driver!r}: pick the storage class that reaches the same storage")
    return Outcome(Status.CHANGED, f"PersistentVolumeClaim/{claim} -> {target}",
                   "docker named volume -> PVC: copy its data from the Nomad node")


def _tmpfs(gctx: GroupContext, task: Task, target: str, size: Any) -> Outcome:
    container = gctx.containers[task.name]
    name = dns_label(f"tmpfs-{container.name}-{target}")
    count = as_int(size)
    limit = bytes_quantity(count) if count and count > 0 else None
    add_volume(gctx, k8s.V1Volume(name=name, empty_dir=k8s.V1EmptyDirVolumeSource(medium="Memory", size_limit=limit)))
    add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target))
    return Outcome(Status.MAPPED, f"emptyDir {name} (Memory{', ' + limit if limit else ''}) -> {target}")


def _volume_string(gctx: GroupContext, task: Task, spec: Any, driver: str | None) -> Outcome:
    text = str(spec)
    parts = text.split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return Outcome(Status.NEEDS_DECISION, "-", f"cannot read volume {text!r} (want host:container[:opts])")
    source, target = parts[0], parts[1]
    options = parts[2].split(",") if len(parts) > 2 else []
    read_only = "ro" in options
    propagation = next((PROPAGATION[o] for o in options if o in PROPAGATION), None)
    if driver and not source.startswith((".", "/", "$")) and "/" not in source:
        return _named_volume(gctx, task, source, target, read_only, driver, {})
    return _bind(gctx, task, source, target, read_only, propagation)


def _mount_block(gctx: GroupContext, task: Task, block: dict[str, Any], driver: str | None) -> Outcome:
    kind = str(block.get("type") or "volume")
    target = str(block.get("target") or "")
    source = str(block.get("source") or "")
    read_only = block.get("readonly") is True or str(block.get("readonly")).lower() == "true"
    if not target:
        return Outcome(Status.NEEDS_DECISION, "-", "mount without a target")
    if kind == "bind":
        if not source:
            return Outcome(Status.NEEDS_DECISION, "-", "bind mount without a source")
        propagation = PROPAGATION.get(str(_first(block.get("bind_options")).get("propagation")))
        return _bind(gctx, task, source, target, read_only, propagation)
    if kind == "tmpfs":
        return _tmpfs(gctx, task, target, _first(block.get("tmpfs_options")).get("size"))
    if kind == "volume":
        driver_config = _first(_first(block.get("volume_options")).get("driver_config"))
        name = driver_config.get("name") or driver
        return _named_volume(gctx, task, source, target, read_only, str(name) if name else None,
                             _first(driver_config.get("options")))
    return Outcome(Status.NEEDS_DECISION, "-", f"mount type {kind!r} has no equivalent")


def _record(gctx: GroupContext, path: str, code: str, what: str, outcomes: list[Outcome]) -> None:
    status = Status.worst(o.status for o in outcomes)
    k8s_text = "; ".join(o.text for o in outcomes) or "-"
    notes = "; ".join(dict.fromkeys(o.note for o in outcomes if o.note))
    message = what + (f" ({notes})" if notes else "")
    suggestion = "Check the mounts marked in the message." if status == Status.NEEDS_DECISION else ""
    gctx.ledger.record(status, code, path, message, k8s=k8s_text,
                       suggestion=suggestion)


def _shm(gctx: GroupContext, task: Task, path: str, value: Any) -> None:
    container = gctx.containers[task.name]
    count = as_int(value)
    if not count or count <= 0:
        gctx.ledger.decide("N2K-DOCKER-SHM", path, f"shm_size {value!r} is not a byte count", k8s="-",
                           suggestion="Mount an emptyDir (medium: Memory) at /dev/shm by hand.")
        return
    name = dns_label(f"shm-{container.name}")
    limit = bytes_quantity(count)
    add_volume(gctx, k8s.V1Volume(name=name, empty_dir=k8s.V1EmptyDirVolumeSource(medium="Memory", size_limit=limit)))
    add_mount(container, k8s.V1VolumeMount(name=name, mount_path="/dev/shm"))
    gctx.ledger.mapped("N2K-DOCKER-SHM", path, "shared memory size",
                       k8s=f"emptyDir {name} (Memory, sizeLimit {limit}) at /dev/shm")


def _block_items(config_path: str, key: str, value: Any) -> list[tuple[str, dict[str, Any]]]:
    """(ledger path, body) per mount, named the way the ledger names the parsed settings."""
    if isinstance(value, dict):
        return [(paths.join(config_path, key), value)]
    if paths.is_block_list(value):
        return [(paths.block_path(config_path, key, item, i, len(value)), item) for i, item in enumerate(value)]
    return []


def map_docker_mounts(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    for task in gctx.group.task:
        config = task.config or {}
        config_path = task.path_of("config")
        if task.name not in gctx.containers or claimed_as_a_whole(ledger, config_path):
            continue  # an unconverted task, or a host-command config accounted for as a whole
        driver = str(config["volume_driver"]) if config.get("volume_driver") else None
        if "volumes" in config:
            specs = config["volumes"] if isinstance(config["volumes"], list) else [config["volumes"]]
            _record(gctx, paths.join(config_path, "volumes"), "N2K-DOCKER-VOLUMES", "docker volumes",
                    [_volume_string(gctx, task, spec, driver) for spec in specs])
        for key in ("mount", "mounts"):
            if key not in config:
                continue
            items = _block_items(config_path, key, config[key])
            if not items:
                ledger.decide("N2K-DOCKER-MOUNT", paths.join(config_path, key), f"cannot read docker {key}",
                              k8s="-", suggestion="Add the volume and volumeMount by hand.")
            for path, body in items:
                _record(gctx, path, "N2K-DOCKER-MOUNT", f"docker {body.get('type') or 'volume'} mount",
                        [_mount_block(gctx, task, body, driver)])
        if "shm_size" in config:
            _shm(gctx, task, paths.join(config_path, "shm_size"), config["shm_size"])
        if "volume_driver" in config:
            ledger.mapped("N2K-DOCKER-VOLUME-DRIVER", paths.join(config_path, "volume_driver"),
                          "volume driver of the named volumes (see their entries)", k8s="PersistentVolumeClaim")
