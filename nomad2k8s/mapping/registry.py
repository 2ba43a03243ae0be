"""The one table of mappers, in the order they run (like sqlglot's TRANSFORMS).

Group-scope mappers run once per task group with its GroupContext; job-scope mappers run
once per job with the JobContext, after every group is built. A new concept is one
module plus one row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from . import (
    autoscaling, devices, docker_mounts, docker_options, ephemeral, lifecycle, network, parameterized, periodic,
    placement, resources, rollout, runtime, services, shutdown, stateful, tasks, volumes, workload,
)


@dataclass(frozen=True)
class Transform:
    concept: str
    scope: Literal["group", "job"]
    fn: Callable


TRANSFORMS: tuple[Transform, ...] = (
    Transform("task", "group", tasks.map_tasks),
    Transform("meta", "group", tasks.map_meta),
    Transform("count", "group", workload.map_count),
    Transform("periodic", "group", periodic.map_periodic),
    Transform("resources", "group", resources.map_resources),
    Transform("docker-options", "group", docker_options.map_docker_options),
    Transform("network", "group", network.map_network),
    Transform("service", "group", services.map_services),
    Transform("runtime", "group", runtime.map_runtime),
    # Storage runs after templates (they register rendered files that docker binds mount by subPath).
    Transform("volume", "group", volumes.map_volumes),
    Transform("ephemeral-disk", "group", ephemeral.map_ephemeral_disk),
    Transform("docker-mounts", "group", docker_mounts.map_docker_mounts),
    Transform("device", "group", devices.map_devices),
    Transform("single-writer-strategy", "group", stateful.map_single_writer_strategy),
    Transform("placement", "group", placement.map_placement),
    Transform("lifecycle", "group", lifecycle.place_containers),
    Transform("shutdown", "group", shutdown.map_shutdown),
    Transform("restart", "group", rollout.map_restart),
    Transform("parameterized", "group", parameterized.map_parameterized),
    Transform("job-type", "job", workload.map_job_type),
    Transform("job-placement", "job", placement.map_job_placement),
    Transform("statefulset-service", "job", stateful.map_governing_services),
    Transform("job-meta", "job", tasks.map_job_meta),
    Transform("update", "job", rollout.map_update),
    Transform("reschedule", "job", rollout.map_reschedule),
    Transform("parameterized-entry", "job", parameterized.record_parameterized),
    Transform("hpa", "job", autoscaling.map_hpa),
    Transform("vpa", "job", autoscaling.map_vpa),  # last: reads the final container resources
)


def concepts() -> list[str]:
    return [t.concept for t in TRANSFORMS]
