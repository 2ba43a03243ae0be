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
    autoscaling, docker_options, lifecycle, network, parameterized, periodic, resources, rollout, services, shutdown,
    tasks, workload,
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
    Transform("lifecycle", "group", lifecycle.place_containers),
    Transform("shutdown", "group", shutdown.map_shutdown),
    Transform("restart", "group", rollout.map_restart),
    Transform("parameterized", "group", parameterized.map_parameterized),
    Transform("job-type", "job", workload.map_job_type),
    Transform("job-meta", "job", tasks.map_job_meta),
    Transform("update", "job", rollout.map_update),
    Transform("reschedule", "job", rollout.map_reschedule),
    Transform("parameterized-entry", "job", parameterized.record_parameterized),
    Transform("hpa", "job", autoscaling.map_hpa),
    Transform("vpa", "job", autoscaling.map_vpa),  # last: reads the final container resources
)


def concepts() -> list[str]:
    return [t.concept for t in TRANSFORMS]
