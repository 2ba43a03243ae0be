"""Idempotent edits of the pod under construction, shared by every mapper."""

from __future__ import annotations

from kubernetes import client as k8s

from nomad2k8s.ledger import Ledger
from nomad2k8s.mapping.core.context import GroupContext


def add_volume(gctx: GroupContext, volume: k8s.V1Volume) -> k8s.V1Volume:
    """Add a pod volume once (by name); returns the volume now in the pod."""
    volumes = list(gctx.pod_spec.volumes or [])
    for existing in volumes:
        if existing.name == volume.name:
            return existing
    volumes.append(volume)
    gctx.pod_spec.volumes = volumes
    return volume


def add_mount(container: k8s.V1Container, mount: k8s.V1VolumeMount) -> None:
    """Mount once per mountPath: the first mapper to claim a path wins (Kubernetes rejects duplicates)."""
    mounts = list(container.volume_mounts or [])
    if any(m.mount_path == mount.mount_path for m in mounts):
        return
    mounts.append(mount)
    container.volume_mounts = mounts


def add_env(container: k8s.V1Container, var: k8s.V1EnvVar) -> None:
    """Set an env var, replacing one of the same name (later, more specific mappers win)."""
    env = [e for e in (container.env or []) if e.name != var.name]
    env.append(var)
    container.env = env


def claimed_as_a_whole(ledger: Ledger, path: str) -> bool:
    """True when an entry already accounts for `path` and everything below it (e.g. a whole task config)."""
    return ledger.covered(path)  # indexed: linear in groups
