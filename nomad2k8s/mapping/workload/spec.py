"""The workload spec fields mappers set (replicas, strategy, schedule...), typed.

A field outside this class is an AttributeError (slots), and a field the workload kind has no
place for is an error when the workload is built: nothing a mapper sets disappears silently.
Values use the kubernetes client's snake_case names, so `for_kind` feeds the client's spec models.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from kubernetes import client as k8s

_POD_SET = {"replicas", "min_ready_seconds"}
_JOB = {"completions", "parallelism", "backoff_limit", "active_deadline_seconds", "ttl_seconds_after_finished",
        "suspend"}
CRON_FIELDS = frozenset({"schedule", "time_zone", "concurrency_policy", "starting_deadline_seconds", "suspend"})
JOB_FIELDS = frozenset(_JOB)
# Which fields each kind's spec takes (a CronJob's job fields go to its job template).
KIND_FIELDS: dict[str, frozenset[str]] = {
    "Deployment": frozenset(_POD_SET | {"strategy", "progress_deadline_seconds"}),
    "StatefulSet": frozenset(_POD_SET | {"update_strategy", "service_name", "volume_claim_templates"}),
    "DaemonSet": frozenset({"update_strategy", "min_ready_seconds"}),
    "Job": JOB_FIELDS,
    "CronJob": JOB_FIELDS | CRON_FIELDS,
}


@dataclass(slots=True)
class WorkloadSpec:
    # Deployment / StatefulSet / DaemonSet
    replicas: int | None = None
    strategy: k8s.V1DeploymentStrategy | None = None
    update_strategy: k8s.V1StatefulSetUpdateStrategy | k8s.V1DaemonSetUpdateStrategy | None = None
    min_ready_seconds: int | None = None
    progress_deadline_seconds: int | None = None
    service_name: str | None = None
    volume_claim_templates: list[k8s.V1PersistentVolumeClaim] = field(default_factory=list)
    # Job / CronJob
    completions: int | None = None
    parallelism: int | None = None
    backoff_limit: int | None = None
    active_deadline_seconds: int | None = None
    ttl_seconds_after_finished: int | None = None
    suspend: bool | None = None
    schedule: str | None = None
    time_zone: str | None = None
    concurrency_policy: str | None = None
    starting_deadline_seconds: int | None = None

    def is_set(self, name: str) -> bool:
        value = getattr(self, name)
        return value is not None and value != []

    def set_fields(self) -> dict[str, Any]:
        """The fields a mapper set, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if self.is_set(f.name)}

    def for_kind(self, kind: str) -> dict[str, Any]:
        """The set fields as keyword arguments of `kind`'s spec; a set field the kind has no place for
        is an error (a mapper wrote it for the wrong kind)."""
        values = self.set_fields()
        misplaced = sorted(set(values) - KIND_FIELDS[kind])
        if misplaced:
            raise ValueError(f"workload spec field(s) {', '.join(misplaced)} do not apply to a {kind}")
        return values
