"""Docker driver storage options -> pod volumes and container mounts.

`volumes = ["src:dst[:opts]"]`, `mount {}` blocks and `mounts = [...]` lists: host paths
become hostPath volumes, paths in the task dir (`local/`, `secrets/`, `../alloc/`) the
task-dir emptyDirs (or the ConfigMap/Secret a template rendered there, by subPath; a bound directory
also gets the files rendered under it, each at its place under the bind target), tmpfs an
in-memory emptyDir, named docker volumes a PVC (NFS driver options an `nfs` volume).
`shm_size` sizes an in-memory emptyDir at /dev/shm.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.k8s.image_ref import placeholder_name
from nomad2k8s.k8s.names import dns_label
from nomad2k8s.ledger import Account, Status, Target
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.podspec import add_mount, add_volume, claimed_as_a_whole
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.mapping.storage.claims import (
    RWO,
    add_pvc,
    allowed_propagation,
    bytes_quantity,
    claim_size,
    claim_spec,
    mount_pvc,
    storage_class,
)
from nomad2k8s.mapping.storage.ephemeral import ALLOC_DATA_VOLUME, sticky_data_volume
from nomad2k8s.mapping.storage.taskdirs import ensure_task_dir, resolve
from nomad2k8s.model import Task, nested, paths

PROPAGATION = {"rslave": "HostToContainer", "slave": "HostToContainer", "rshared": "Bidirectional",
               "shared": "Bidirectional", "private": None, "rprivate": None}


# Host paths whose mount hands the container the node itself: the container runtime's socket (start any
# container, privileged included) or the root filesystem.
_NODE_TAKEOVER = {"/": "the node's root filesystem",
                  "/var/run/docker.sock": "the Docker socket", "/run/docker.sock": "the Docker socket",
                  "/var/run/docker": "the Docker runtime directory",
                  "/run/containerd/containerd.sock": "the containerd socket",
                  "/var/run/containerd/containerd.sock": "the containerd socket"}


def _host_volume_name(path: str) -> str:
    return dns_label("host-" + (path.strip("/").replace("/", "-") or "root"))


def _bind(gctx: GroupContext, task: Task, source: str, target: str, read_only: bool,
          propagation: str | None, acc: Account) -> None:
    """Mount `source` (a host path or a task-dir path) at `target` in the task's container."""
    container = gctx.containers[task.name]
    ro = True if read_only else None
    where = resolve(source)
    if where.task_dir is None:
        propagation, note = allowed_propagation(task, propagation)
        host, expr = _host_path(gctx, task, where.relative, acc)
        name = _host_volume_name(host)
        add_volume(gctx, k8s.V1Volume(name=name, host_path=k8s.V1HostPathVolumeSource(path=host)))
        add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, read_only=ro, sub_path_expr=expr,
                                               mount_propagation=propagation))
        acc.to(Target("hostPath", host, field=(f"subPathExpr {expr} " if expr else "") + f"-> {target}"))
        takeover = _NODE_TAKEOVER.get(where.relative.rstrip("/") or "/")
        if takeover:
            acc.decide(f"security: a hostPath of {takeover} gives the container control of the node"
                       + (" (and a Kubernetes node may run containerd, not Docker)" if "docker" in where.relative else ""),
                       "Keep it only for a trusted agent (monitoring, CI runner) in a namespace that allows "
                       "privileged pods; prefer the Kubernetes API or a dedicated agent.")
        acc.note(Status.CHANGED if note else Status.MAPPED, note)
        return
    rendered = gctx.rendered_files.get((task.name, where.container_path))
    if rendered is not None:
        volume_name, key = rendered
        add_mount(container, k8s.V1VolumeMount(name=volume_name, mount_path=target, sub_path=key, read_only=True))
        acc.to(Target("volume", volume_name, field=f"subPath {key} -> {target}"))
        return
    if where.task_dir == "alloc" and sticky_data_volume(gctx) and (where.relative + "/").startswith("data/"):
        sub = where.relative[len("data/"):] or None
        add_mount(container, k8s.V1VolumeMount(name=ALLOC_DATA_VOLUME, mount_path=target, sub_path=sub, read_only=ro))
        acc.to(Target("volume", ALLOC_DATA_VOLUME, field=f"{'subPath ' + sub + ' ' if sub else ''}-> {target}"))
        return
    _rendered_under(gctx, task, where.task_dir, where.container_path, target, acc)
    name = ensure_task_dir(gctx, task, where.task_dir)
    sub = where.relative or None
    add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, sub_path=sub, read_only=ro))
    acc.to(Target("volume", name, field=f"{'subPath ' + sub + ' ' if sub else ''}-> {target}"))
    if where.task_dir != "alloc":
        acc.note(Status.CHANGED, f"{where.container_path} is an emptyDir: only what a template or "
                 "another container writes there appears (artifacts are not fetched)")


def _rendered_under(gctx: GroupContext, task: Task, task_dir: str, directory: str, target: str,
                    acc: Account) -> None:
    """A task-dir directory bound elsewhere (`local/config:/etc/app`, `local/:/etc/unbound/`): the templates
    rendered under it are subPath mounts at /local/...; the bound emptyDir does not contain them, so each file
    is mounted again at its place under the bind target."""
    prefix = directory.rstrip("/") + "/"
    found = sorted((path, where) for (owner, path), where in gctx.rendered_files.items()
                   if path.startswith(prefix) and (owner == task.name or task_dir == "alloc"))
    container = gctx.containers[task.name]
    for path, (volume_name, key) in found:
        mount_path = posixpath.join(target, path[len(prefix):])
        add_mount(container, k8s.V1VolumeMount(name=volume_name, mount_path=mount_path, sub_path=key, read_only=True))
        acc.to(Target("volume", volume_name, field=f"subPath {key} -> {mount_path}"))


def _host_path(gctx: GroupContext, task: Task, path: str, acc: Account) -> tuple[str, str | None]:
    """A host path with Nomad interpolation (`/srv/data/${node.unique.name}`) never reaches the hostPath as
    text: the known directory above the first interpolated component is the hostPath, the rest the mount's
    subPathExpr with the values the pod can read as `$(VAR)` (the node's name from the downward API); a part
    nothing stands for is a placeholder component and a decision. (path, None) when nothing is interpolated."""
    parts = path.split("/")
    first = next((i for i, part in enumerate(parts) if "${" in part), None)
    if first is None:
        return path, None
    host = "/".join(parts[:first]) or "/"
    result = runtime.rewrite_text("/".join(parts[first:]), gctx, task)
    runtime.ensure_env_refs(gctx.containers[task.name], result.env_refs)
    runtime.fold(acc, result)
    expr = _placeholders(result.text)
    acc.note(Status.CHANGED, f"the interpolated part of the host path is the mount's subPathExpr {expr} under "
             f"hostPath {host} (the kubelet creates the directory, as Docker did)")
    if expr != result.text:
        acc.suggest("Replace the REPLACE-* component of the subPathExpr with the directory each pod should use.")
    return host, expr


def _placeholders(text: str) -> str:
    """Each `${...}` left in `text` as a REPLACE-<name> component (valid, and visibly not a real path)."""
    return re.sub(r"\$\{([^}]*)\}", lambda m: "REPLACE-" + (re.sub(r"[^A-Za-z0-9_.-]+", "-",
                                                                   placeholder_name(m.group(1))).strip("-.")
                                                            or "value"), text)


def _named_volume(gctx: GroupContext, task: Task, source: str, target: str, read_only: bool,
                  driver: str | None, options: dict[str, Any], acc: Account) -> None:
    container = gctx.containers[task.name]
    ro = True if read_only else None
    if not source:
        name = dns_label(f"docker-anon-{target}")
        add_volume(gctx, k8s.V1Volume(name=name, empty_dir=k8s.V1EmptyDirVolumeSource()))
        add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, read_only=ro))
        acc.to(Target("emptyDir", name, field=f"-> {target}"))
        acc.note(Status.CHANGED, "anonymous docker volume")
        return
    name = dns_label(f"docker-{source}")
    nfs_opts = {str(k): str(v) for k, v in options.items()}
    addr = next((p[5:] for p in nfs_opts.get("o", "").split(",") if p.startswith("addr=")), None)
    device = nfs_opts.get("device", "")
    if nfs_opts.get("type", "").startswith("nfs") and addr and device:
        export = device.split(":", 1)[1] if ":" in device else device
        add_volume(gctx, k8s.V1Volume(name=name, nfs=k8s.V1NFSVolumeSource(server=addr, path=export, read_only=ro)))
        add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, read_only=ro))
        acc.to(Target("nfs", f"{addr}:{export}", field=f"-> {target}"))
        return
    claim = dns_label(source)
    at = task.path_of("config")
    add_pvc(gctx, claim, claim_spec(gctx, access_mode=RWO, size=claim_size(gctx, None, task=task, at=at),
                                    storage_class_name=storage_class(gctx, source, task=task, at=at)))
    mount_pvc(gctx, name, claim)
    add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target, read_only=ro))
    acc.to(Target("PersistentVolumeClaim", claim, field=f"-> {target}"))
    if driver and driver != "local":
        acc.note(Status.NEEDS_DECISION,
                 f"docker volume driver {driver!r}: pick the storage class that reaches the same storage")
    else:
        acc.note(Status.CHANGED, "docker named volume -> PVC: copy its data from the Nomad node")


def _tmpfs(gctx: GroupContext, task: Task, target: str, size: Any, acc: Account) -> None:
    container = gctx.containers[task.name]
    name = dns_label(f"tmpfs-{container.name}-{target}")
    count = as_int(size)
    limit = bytes_quantity(count) if count and count > 0 else None
    add_volume(gctx, k8s.V1Volume(name=name, empty_dir=k8s.V1EmptyDirVolumeSource(medium="Memory", size_limit=limit)))
    add_mount(container, k8s.V1VolumeMount(name=name, mount_path=target))
    acc.to(Target("emptyDir", name, field=f"(Memory{', ' + limit if limit else ''}) -> {target}"))


def _volume_string(gctx: GroupContext, task: Task, spec: Any, driver: str | None, acc: Account) -> None:
    text = str(spec)
    parts = text.split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return acc.note(Status.NEEDS_DECISION, f"cannot read volume {text!r} (want host:container[:opts])")
    source, target = parts[0], parts[1]
    options = parts[2].split(",") if len(parts) > 2 else []
    read_only = "ro" in options
    propagation = next((PROPAGATION[o] for o in options if o in PROPAGATION), None)
    if driver and not source.startswith((".", "/", "$")) and "/" not in source:
        return _named_volume(gctx, task, source, target, read_only, driver, {}, acc)
    _bind(gctx, task, source, target, read_only, propagation, acc)


def _mount_block(gctx: GroupContext, task: Task, block: dict[str, Any], driver: str | None, acc: Account) -> None:
    kind = str(block.get("type") or "volume")
    target = str(block.get("target") or "")
    source = str(block.get("source") or "")
    read_only = block.get("readonly") is True or str(block.get("readonly")).lower() == "true"
    if not target:
        return acc.note(Status.NEEDS_DECISION, "mount without a target")
    if kind == "bind":
        if not source:
            return acc.note(Status.NEEDS_DECISION, "bind mount without a source")
        propagation = PROPAGATION.get(str(nested(block, "bind_options").get("propagation")))
        return _bind(gctx, task, source, target, read_only, propagation, acc)
    if kind == "tmpfs":
        return _tmpfs(gctx, task, target, nested(block, "tmpfs_options").get("size"), acc)
    if kind == "volume":
        driver_config = nested(block, "volume_options", "driver_config")
        name = driver_config.get("name") or driver
        return _named_volume(gctx, task, source, target, read_only, str(name) if name else None,
                             nested(driver_config, "options"), acc)
    acc.note(Status.NEEDS_DECISION, f"mount type {kind!r} has no equivalent")


def _account(gctx: GroupContext, path: str, code: str, what: str) -> Account:
    """One entry for a mount setting: every mount's target, its notes in parentheses."""
    return gctx.ledger.account(path, code, what=what, style="paren", target_sep="; ")


def _check_marked(acc: Account) -> None:
    if acc.status is Status.NEEDS_DECISION:
        acc.suggest("Check the mounts marked in the message.")


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
                       target=Target("emptyDir", name, field=f"(Memory, sizeLimit {limit}) at /dev/shm"))


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
        config = task.docker
        config_path = task.path_of("config")
        if task.name not in gctx.containers or claimed_as_a_whole(ledger, config_path):
            continue  # an unconverted task, or a host-command config accounted for as a whole
        driver = config.volume_driver
        if "volumes" in config:
            specs = config.volumes
            with _account(gctx, paths.join(config_path, "volumes"), "N2K-DOCKER-VOLUMES", "docker volumes") as acc:
                for spec in specs:
                    _volume_string(gctx, task, spec, driver, acc)
                _check_marked(acc)
        for key in ("mount", "mounts"):
            if key not in config:
                continue
            items = _block_items(config_path, key, config[key])
            if not items:
                ledger.decide("N2K-DOCKER-MOUNT", paths.join(config_path, key), f"cannot read docker {key}",
                              k8s="-", suggestion="Add the volume and volumeMount by hand.")
            for path, body in items:
                with _account(gctx, path, "N2K-DOCKER-MOUNT", f"docker {body.get('type') or 'volume'} mount") as acc:
                    _mount_block(gctx, task, body, driver, acc)
                    _check_marked(acc)
        if "shm_size" in config:
            _shm(gctx, task, paths.join(config_path, "shm_size"), config["shm_size"])
        if "volume_driver" in config:
            ledger.mapped("N2K-DOCKER-VOLUME-DRIVER", paths.join(config_path, "volume_driver"),
                          "volume driver of the named volumes (see their entries)",
                          target=Target("PersistentVolumeClaim"))
