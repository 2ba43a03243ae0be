"""Volumes, claims, the ephemeral disk, task directories and docker mounts."""
