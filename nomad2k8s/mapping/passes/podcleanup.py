"""Last group step: drop pod volumes nothing mounts, and say so for tasks left out of the pod.

Mappers add volumes per task (task-dir emptyDirs, template ConfigMaps/Secrets, group
volumes) before lifecycle.py decides which tasks become containers; a poststart/poststop
task that is not emitted leaves volumes behind that no container mounts, and ledger rows
that name a container the pod does not have. A group volume no task mounts is dropped from
the pod too (its PVC, if any, is still emitted: the Nomad volume block asked for it).
Template objects follow: ConfigMap keys and ExternalSecret entries no container in the pod
reads are removed, and an object left empty is not emitted.
"""

from __future__ import annotations

import re

from kubernetes import client as k8s

from nomad2k8s.mapping.config.template_objects import (
    CHECKSUM_ANNOTATION,
    config_checksum,
    template_configmap,
)
from nomad2k8s.mapping.core.context import GroupContext

NOT_EMITTED = "not emitted: its task is not in the pod"
UNMOUNTED = "not emitted: no container in the pod mounts it"


def _pod_containers(gctx: GroupContext) -> list[k8s.V1Container]:
    return list(gctx.pod_spec.containers or []) + list(gctx.pod_spec.init_containers or [])


def _used_volumes(containers: list[k8s.V1Container]) -> set[str]:
    used = set()
    for container in containers:
        used |= {m.name for m in container.volume_mounts or []}
        used |= {d.name for d in container.volume_devices or []}
    return used


def prune_pod(gctx: GroupContext) -> None:
    if gctx.skip:
        return
    in_pod = _pod_containers(gctx)
    used = _used_volumes(in_pod)
    volumes = list(gctx.pod_spec.volumes or [])
    kept = [v for v in volumes if v.name in used]
    if len(kept) != len(volumes):
        gctx.pod_spec.volumes = kept or None
        dropped = [v.name for v in volumes if v.name not in used]
        for entry in gctx.ledger.entries:
            # A row whose only effect was the dropped volume (e.g. a host volume -> hostPath).
            if entry.target is not None and all(t.kind == "volume" and t.name in dropped
                                                for t in entry.target.parts()):
                gctx.ledger.retarget(entry, None, UNMOUNTED)
    _prune_template_objects(gctx, in_pod)
    # Rows of tasks whose container is not in the pod (a poststart/poststop task that became
    # an exec hook or nothing): the container they name does not exist.
    left_out = {name: c for name, c in gctx.containers.items() if all(c is not p for p in in_pod)}
    for task in gctx.group.task:
        container = left_out.get(task.name)
        if container is None:
            continue
        prefix = task.nomad_path + "."
        for entry in gctx.ledger.entries:
            if (entry.nomad_path.startswith(prefix) and not entry.code.startswith("N2K-LIFECYCLE")
                    and entry.target is not None and entry.target.names_container(container.name)):
                gctx.ledger.retarget(entry, None, NOT_EMITTED)


def _reads(gctx: GroupContext, containers: list[k8s.V1Container]) -> tuple[dict[str, set[str] | None], set[str]]:
    """({ConfigMap/Secret name: keys the pod reads, None for every key}, names read by the pod at all)."""
    volumes = {v.name: v for v in gctx.pod_spec.volumes or []}
    keys: dict[str, set[str] | None] = {}

    def add(name: str, key: str | None) -> None:
        if key is None:
            keys[name] = None
        elif keys.get(name, set()) is not None:
            keys.setdefault(name, set()).add(key)  # type: ignore[union-attr]

    for container in containers:
        for mount in container.volume_mounts or []:
            volume = volumes.get(mount.name)
            name, items = _object_source(volume) if volume is not None else (None, None)
            if name is None:
                continue
            if mount.sub_path:
                add(name, mount.sub_path)
            elif not items:
                add(name, None)  # the whole object
            else:
                for item in items:
                    add(name, item.key)
        for var in container.env or []:
            source = var.value_from
            key_ref = (source.secret_key_ref or source.config_map_key_ref) if source is not None else None
            if key_ref is not None and key_ref.name:
                add(key_ref.name, key_ref.key)
        for env_from in container.env_from or []:
            whole = env_from.secret_ref or env_from.config_map_ref
            if whole is not None and whole.name:
                add(whole.name, None)
    for pull in gctx.pod_spec.image_pull_secrets or []:
        if pull.name:
            add(pull.name, None)
    return keys, set(keys)


def _object_source(volume: k8s.V1Volume) -> tuple[str | None, list[k8s.V1KeyToPath] | None]:
    """(ConfigMap/Secret name, its items) of a volume that projects one; (None, None) otherwise."""
    if volume.config_map is not None:
        return volume.config_map.name, volume.config_map.items
    if volume.secret is not None:
        return volume.secret.secret_name, volume.secret.items
    return None, None


def _prune_template_objects(gctx: GroupContext, in_pod: list[k8s.V1Container]) -> None:
    """ConfigMap keys / ExternalSecret entries only a task left out of the pod used (e.g. a poststop
    task that is not emitted) are removed; volume items follow; an empty object is not emitted."""
    keys, read = _reads(gctx, in_pod)
    objects = gctx.job_ctx.objects
    owned = objects.by_owner(gctx)
    configmap = template_configmap(gctx)
    for obj in owned:
        if isinstance(obj, k8s.V1ConfigMap) and obj.data and obj.metadata and obj.metadata.name == configmap:
            wanted = keys.get(configmap, set()) if configmap in read else set()
            if wanted is None:
                continue
            data = {k: v for k, v in obj.data.items() if k in wanted}
            if not data:
                objects.remove(obj)
            elif data != obj.data:
                obj.data = data
                if CHECKSUM_ANNOTATION in gctx.pod_annotations:
                    gctx.pod_annotations[CHECKSUM_ANNOTATION] = config_checksum(data)
        elif isinstance(obj, dict) and obj.get("kind") == "ExternalSecret":
            target = obj["spec"]["target"]["name"]
            wanted = keys.get(target, set()) if target in read else set()
            if wanted is None:
                continue
            if not _prune_external_secret(obj, wanted):
                objects.remove(obj)
    for volume in gctx.pod_spec.volumes or []:
        name, items = _object_source(volume)
        if name is None or not items:
            continue
        wanted = keys.get(name, set())
        if wanted is not None:
            kept = [i for i in items if i.key in wanted] or items
            if volume.config_map is not None:
                volume.config_map.items = kept
            elif volume.secret is not None:
                volume.secret.items = kept


def _prune_external_secret(obj: dict, wanted: set[str]) -> bool:
    """Keep the entries the pod reads and the data keys a kept file template uses; False when nothing
    is left (a dataFrom extract is read whole or not at all)."""
    spec = obj["spec"]
    if spec.get("dataFrom"):
        return False
    template = spec.get("target", {}).get("template")
    files = {k: v for k, v in (template or {}).get("data", {}).items() if k in wanted}
    text = "\n".join(files.values())
    data = [d for d in spec.get("data", []) if d["secretKey"] in wanted
            or re.search(rf'{{{{ \.{re.escape(d["secretKey"])} }}}}|index \. "{re.escape(d["secretKey"])}"', text)]
    if template is not None:
        if files:
            template["data"] = files
        else:
            del spec["target"]["template"]
    spec["data"] = data
    return bool(data or files)
