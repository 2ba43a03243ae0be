"""The storage package's rows of the mapper table (assembled in order by core/registry.py)."""

from __future__ import annotations

from nomad2k8s.mapping.core.transform import Transform
from nomad2k8s.mapping.storage import docker_mounts, ephemeral, volumes

TRANSFORMS: tuple[Transform, ...] = (
    Transform("volume", "group", volumes.map_volumes,
              "group volume csi -> PVC (access modes; per_alloc -> volumeClaimTemplates) or hostPath/NFS per "
              "profile; host volume -> hostPath or PVC; volume_mount -> volumeMounts", after=("task",)),
    Transform("ephemeral-disk", "group", ephemeral.map_ephemeral_disk,
              "ephemeral_disk -> ephemeral-storage request + /alloc emptyDir sizeLimit; sticky/migrate -> "
              "per-replica PVC at /alloc/data", after=("task",)),
    # Bind mounts of rendered templates mount gctx.rendered_files, which the template mapper fills.
    Transform("docker-mounts", "group", docker_mounts.map_docker_mounts,
              "docker volumes/mount/mounts/shm_size -> hostPath, task-dir emptyDirs, rendered templates by "
              "subPath, tmpfs and /dev/shm in-memory emptyDirs", after=("task", "template")),
)
