"""Nomad's per-task directories and where they live in the pod.

Nomad gives every task `local/` and `secrets/` (private to the task) and `alloc/` (shared by
the group); the task sees them at /local, /secrets and /alloc (docker driver). In Kubernetes
they become emptyDir volumes: `alloc` shared by all containers, `local`/`secrets` per task,
`secrets` in memory. Templates, docker bind mounts and ephemeral_disk all resolve paths here.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.interpolate import task_dir_prefix
from nomad2k8s.mapping.core.podspec import add_mount, add_volume
from nomad2k8s.model import Task

TASK_DIRS = ("local", "secrets", "alloc")


@dataclass(frozen=True)
class TaskPath:
    """A Nomad path as the container sees it."""

    task_dir: str | None  # "local" | "secrets" | "alloc" | None for a plain absolute path
    relative: str  # path inside the task dir ("" for the dir itself); the absolute path when task_dir is None

    @property
    def container_path(self) -> str:
        if self.task_dir is None:
            return self.relative
        return posixpath.join(f"/{self.task_dir}", self.relative) if self.relative else f"/{self.task_dir}"


def resolve(path: str) -> TaskPath:
    """`local/x`, `/local/x`, `${NOMAD_TASK_DIR}/x`, `secrets/x`, `../alloc/x`, `alloc/data` -> TaskPath.
    A relative path is normalised as Nomad resolves it, from the task dir (alloc/<task>/), so a `..`
    never reaches a mountPath: `local/../secrets/x` is secrets/x."""
    text = path.strip()
    prefixed = task_dir_prefix(text)
    if prefixed is not None:
        text = prefixed[0] + prefixed[1]
    if text.startswith("/"):
        normalised = posixpath.normpath(text)
        head, _, rest = normalised.lstrip("/").partition("/")
        return TaskPath(head, rest) if head in TASK_DIRS else TaskPath(None, normalised)
    parts = posixpath.normpath(posixpath.join("task", text)).split("/")
    if parts[0] == "task":
        if len(parts) > 1 and parts[1] in TASK_DIRS:
            return TaskPath(parts[1], "/".join(parts[2:]))
        # Other relative paths are relative to the task working dir, which Nomad roots at the task dir.
        return TaskPath("local", "/".join(parts[1:]))
    if parts[0] in TASK_DIRS:  # ../alloc/x: the shared alloc dir (../local/x read as the task's own)
        return TaskPath(parts[0], "/".join(parts[1:]))
    # Outside the allocation dir: Nomad rejects such template destinations (templates.py says so).
    return TaskPath("local", "/".join(parts))


def volume_name(gctx: GroupContext, task: Task, task_dir: str) -> str:
    if task_dir == "alloc":
        return "nomad-alloc"
    return dns_label(f"nomad-{task_dir}-{task.name}")


def ensure_task_dir(gctx: GroupContext, task: Task, task_dir: str) -> str:
    """Make sure the task-dir emptyDir exists and is mounted in the task's container; returns its volume name.

    The alloc dir is mounted in every container of the group (it is shared in Nomad too)."""
    name = volume_name(gctx, task, task_dir)
    medium = "Memory" if task_dir == "secrets" else None
    add_volume(gctx, k8s.V1Volume(name=name, empty_dir=k8s.V1EmptyDirVolumeSource(medium=medium)))
    targets = list(gctx.containers.values()) if task_dir == "alloc" else [gctx.containers.get(task.name)]
    for container in targets:
        if container is not None:
            add_mount(container, k8s.V1VolumeMount(name=name, mount_path=f"/{task_dir}"))
    return name
