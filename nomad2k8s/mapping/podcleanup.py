"""Last group step: drop pod volumes nothing mounts, and say so for tasks left out of the pod.

Mappers add volumes per task (task-dir emptyDirs, template ConfigMaps/Secrets, group
volumes) before lifecycle.py decides which tasks become containers; a poststart/poststop
task that is not emitted leaves volumes behind that no container mounts, and ledger rows
that name a container the pod does not have. A group volume no task mounts is dropped from
the pod too (its PVC, if any, is still emitted: the Nomad volume block asked for it).
"""

from __future__ import annotations

import re

from kubernetes import client as k8s

from .context import GroupContext

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


def _names(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


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
            if any(entry.k8s.startswith(f"volume {name} ") for name in dropped):
                entry.k8s = UNMOUNTED
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
                    and _names(entry.k8s, f"container {container.name}")):
                entry.k8s = NOT_EMITTED
