"""What mappers share: the job being converted, the group's pod under construction,
the ledger, the profile and the objects produced so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.hints import Hints
from nomad2k8s.ledger import Ledger
from nomad2k8s.mapping.core.store import ObjectStore
from nomad2k8s.mapping.passes.pending import PendingMessage
from nomad2k8s.mapping.workload.spec import WorkloadSpec
from nomad2k8s.model import Group, Job, Task
from nomad2k8s.profile import Profile
from nomad2k8s.terraform.model import EstateFacts


@dataclass
class JobContext:
    job: Job
    ledger: Ledger
    profile: Profile
    service: str  # DNS-safe job name: the unit an operator migrates
    source_file: str = ""
    source_root: str = ""  # the repository being converted: files the jobspec names stay under it
    namespace: str = "default"  # where the job's objects go (profile policy, Nomad namespace, hint)
    hints: Hints = field(default_factory=Hints)  # job-level hints
    # Objects that are not workloads (Services, Ingresses, ConfigMaps, CRDs), each with the group
    # that added it (whose namespace it gets when serialized).
    objects: ObjectStore = field(default_factory=ObjectStore)
    groups: list[GroupContext] = field(default_factory=list)
    # Secrets the templates read (Vault paths, Nomad Variables), as plain dicts: the vault
    # block mapper and the live Vault check (vault_check.py) use them. Never values.
    secret_refs: list[dict[str, Any]] = field(default_factory=list)
    # Ledger entries whose message names upstreams waiting for a port, for the batch pass
    # (mapping/passes/pending.py): they are found by identity and their message rebuilt from parts.
    pending_messages: list[PendingMessage] = field(default_factory=list)
    # What the estate around the job declares (Terraform volumes, volume spec files, Nomad
    # variables); read by the mappers through mapping/storage/claims.volume_fact.
    facts: EstateFacts = field(default_factory=EstateFacts)
    # What the job names of other services, recorded where the rewrite or lookup happens (Consul DNS
    # names, consul-template `service` lookups, Traefik middlewares used/defined): plain dicts with a
    # `kind`, for the estate graph (nomad2k8s/estate_graph.py) through ServiceResult.extra["graph_refs"].
    graph_refs: list[dict[str, Any]] = field(default_factory=list)

    def graph_ref(self, kind: str, **data: Any) -> None:
        """Record one reference for the estate graph (each once)."""
        item = {"kind": kind, **data}
        if item not in self.graph_refs:
            self.graph_refs.append(item)

    def namespace_for(self, obj: Any) -> str:
        """The namespace an object of the store goes to: its group's, else the job's."""
        owner = self.objects.owner(obj)
        return owner.namespace if owner is not None else self.namespace


def resolved_namespace(written: str | None, default: str, profile: Profile) -> str:
    """Mappers may have written the profile's fixed namespace before hints/namespace.mode were known to
    them; the resolved namespace `default` replaces it (an explicit other one stays)."""
    return default if written in (None, profile.namespace.name) else written


@dataclass
class GroupContext:
    job_ctx: JobContext
    group: Group
    workload_name: str
    kind: str  # Deployment | StatefulSet | DaemonSet | Job | CronJob
    labels: dict[str, str]
    selector: dict[str, str]
    pod_spec: k8s.V1PodSpec
    namespace: str = "default"  # the job's namespace unless a group hint says otherwise
    hints: Hints = field(default_factory=Hints)  # hints_for(job, group)
    pod_annotations: dict[str, str] = field(default_factory=dict)
    containers: dict[str, k8s.V1Container] = field(default_factory=dict)  # by task name
    # Workload spec fields set by mappers (replicas, strategy, schedule...), applied last.
    workload_spec: WorkloadSpec = field(default_factory=WorkloadSpec)
    skip: bool = False  # nothing runnable: no workload is emitted
    ports: dict[str, Any] = field(default_factory=dict)  # port label -> network.PortInfo
    services: dict[str, Any] = field(default_factory=dict)  # k8s Service name -> V1Service
    # Files rendered by templates, so other mappers (docker bind mounts) can mount the same
    # content elsewhere: (task name, container path like "/local/nginx.conf") -> (volume name, key).
    rendered_files: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # ... and the template block that renders each of them (its Nomad path), so that a pass moving
    # the file to another container finds the template's ledger rows without reading their text.
    rendered_by: dict[tuple[str, str], str] = field(default_factory=dict)

    def render_file(self, task: str, path: str, volume: str, key: str, template_path: str) -> None:
        self.rendered_files[(task, path)] = (volume, key)
        self.rendered_by[(task, path)] = template_path

    @property
    def job(self) -> Job:
        return self.job_ctx.job

    @property
    def ledger(self) -> Ledger:
        return self.job_ctx.ledger

    @property
    def profile(self) -> Profile:
        return self.job_ctx.profile

    def tasks(self) -> list[Task]:
        return list(self.group.task)

    def main_tasks(self) -> list[Task]:
        """Tasks that are the service itself (no lifecycle hook, or a poststart sidecar)."""
        mains = [t for t in self.group.task if t.lifecycle is None or t.lifecycle.hook is None]
        return mains or list(self.group.task)

    def add_object(self, obj: Any) -> None:
        self.job_ctx.objects.add(obj, owner=self)
