"""The placement package's rows of the mapper table (assembled in order by core/registry.py)."""

from __future__ import annotations

from nomad2k8s.mapping.core.transform import Transform
from nomad2k8s.mapping.placement import constraints, devices

TRANSFORMS: tuple[Transform, ...] = (
    Transform("device", "group", devices.map_devices,
              "device nvidia/gpu, docker runtime nvidia -> nvidia.com/gpu limits, runtimeClassName, toleration; "
              "docker devices -> hostPath + privileged", after=("task",)),
    Transform("placement", "group", constraints.map_placement,
              "constraint/affinity/spread -> nodeSelector, node affinity, pod anti-affinity, "
              "topologySpreadConstraints; default arch affinity from the profile"),
    Transform("job-placement", "job", constraints.map_job_placement,
              "job-level constraint/affinity/spread, recorded once", after=("placement",)),
)
