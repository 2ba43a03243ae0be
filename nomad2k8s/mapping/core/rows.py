"""The core package's rows of the mapper table (assembled in order by core/registry.py)."""

from __future__ import annotations

from nomad2k8s import hints
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.transform import Transform

TRANSFORMS: tuple[Transform, ...] = (
    # Upstream and service addresses take the ports of the Services converted so far.
    Transform("runtime", "group", runtime.map_runtime,
              "${NOMAD_*} runtime values, Consul DNS names and Connect upstream addresses in env/args -> "
              "Service DNS names, container ports, downward API", after=("task", "meta", "network", "service")),
    Transform("hints", "job", hints.map_hints,
              "nomad2k8s.* meta keys -> conversion choices (workload, replicas, namespace, skip, host, "
              "service-type, expose, storage-class, volume-size, vpa)"),
)
