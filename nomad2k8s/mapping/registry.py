"""The one table of mappers, in the order they run (like sqlglot's TRANSFORMS).

Group-scope mappers run once per task group with its GroupContext; job-scope mappers run
once per job with the JobContext, after every group is built. A new concept is one
module plus one row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from . import network, periodic, resources, services, tasks, templates, vaultblock, workload


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
    Transform("network", "group", network.map_network),
    Transform("service", "group", services.map_services),
    # Templates run after services (they name Service DNS/ports) and before the storage
    # mappers, which mount gctx.rendered_files at docker bind-mount targets.
    Transform("template", "group", templates.map_templates),
    Transform("vault", "job", vaultblock.map_vault),
    Transform("lifecycle", "group", tasks.place_containers),
    Transform("job-type", "job", workload.map_job_type),
    Transform("job-meta", "job", tasks.map_job_meta),
)


def concepts() -> list[str]:
    return [t.concept for t in TRANSFORMS]
