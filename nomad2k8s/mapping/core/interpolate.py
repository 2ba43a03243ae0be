"""The values Nomad interpolates that are known at conversion time, in one table.

Job, group and task names, the namespace and `NOMAD_META_*` (job < group < task meta) read the same
here for every consumer — env values, args, template text (core/runtime.py) and service names
(networking/services.py) — so a service `name = "${NOMAD_META_svc}-api"` and an address
`${NOMAD_META_svc}-api.service.consul` in the same job agree. Values only the running allocation has
(addresses, ports, alloc ids) stay with core/runtime.py.
"""

from __future__ import annotations

from nomad2k8s.k8s.names import env_name
from nomad2k8s.model import Group, Job, Task

META_PREFIX = "NOMAD_META_"


def name_values(job: Job, group: Group, task: Task | None, namespace: str) -> dict[str, str]:
    """Nomad's runtime names: `NOMAD_JOB_NAME`, `NOMAD_GROUP_NAME`, `NOMAD_TASK_NAME`..."""
    values = {"NOMAD_JOB_NAME": job.name, "NOMAD_JOB_ID": job.name, "NOMAD_GROUP_NAME": group.name,
              "NOMAD_NAMESPACE": namespace}
    if task is not None:
        values["NOMAD_TASK_NAME"] = task.name
    return values


def meta_values(job: Job, group: Group, task: Task | None) -> dict[str, str]:
    """`NOMAD_META_<key>` for every meta key the task sees (task meta wins over group, group over job)."""
    merged: dict[str, str] = {}
    for block in (job.meta or {}, group.meta or {}, (task.meta if task else None) or {}):
        merged.update({META_PREFIX + env_name(str(k)): str(v) for k, v in block.items()})
    return merged


def service_name_values(job: Job, group: Group, task: Task | None, namespace: str) -> dict[str, str]:
    """What a service `name` may interpolate: the runtime names and meta, plus the service-name-only
    forms `${JOB}`, `${TASKGROUP}`, `${TASK}` and `${BASE}` (Nomad's `<job>-<group>[-<task>]`)."""
    base = "-".join([job.name, group.name] + ([task.name] if task is not None else []))
    legacy = {"JOB": job.name, "TASKGROUP": group.name, "TASK": task.name if task else "", "BASE": base}
    return {**legacy, **name_values(job, group, task, namespace), **meta_values(job, group, task)}
