"""Job type -> workload kind, one workload per group, and the final workload object."""

from __future__ import annotations

from kubernetes import client as k8s

from nomad2k8s.errors import ConversionError
from nomad2k8s.hints import Hints, hints_for
from nomad2k8s.k8s.names import dns_label
from nomad2k8s.mapping.core.context import GroupContext, JobContext
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.mapping.workload.kind_choice import service_kind
from nomad2k8s.mapping.workload.spec import CRON_FIELDS, JOB_FIELDS
from nomad2k8s.model import Group, Job
from nomad2k8s.profile import Profile

MANAGED_BY = "nomad2k8s"


def workload_kind(job: Job, group: Group, profile: Profile, hints: Hints | None = None) -> str:
    job_type = job.job_type
    if job_type == "system":
        return "DaemonSet"
    if job_type in ("batch", "sysbatch"):
        return "CronJob" if job.periodic is not None else "Job"
    return service_kind(group, profile, hints).kind


def workload_name(job: Job, group: Group) -> str:
    if len(job.group) == 1:
        return dns_label(job.name)
    return dns_label(f"{job.name}-{group.name}")


def new_group_context(jctx: JobContext, group: Group) -> GroupContext:
    name = workload_name(jctx.job, group)
    hints = hints_for(jctx.job, group)
    kind = hints.workload or workload_kind(jctx.job, group, jctx.profile, hints)
    if kind == "CronJob" and jctx.job.periodic is None:
        raise ConversionError(f"workload hint CronJob at {hints.source('workload')} needs a periodic block "
                              "for its schedule", jctx.source_file, group.line)
    selector = {"app": name}
    labels = {
        "app": name,
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": jctx.service,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }
    return GroupContext(
        job_ctx=jctx,
        group=group,
        workload_name=name,
        kind=kind,
        labels=labels,
        selector=selector,
        pod_spec=k8s.V1PodSpec(containers=[]),
        namespace=hints.namespace or jctx.namespace,
        hints=hints,
    )


def map_job_type(jctx: JobContext) -> None:
    job, ledger = jctx.job, jctx.ledger
    kinds = sorted({g.kind for g in jctx.groups})
    target = ", ".join(kinds) or "nothing"
    if not job.is_set("type"):
        ledger.mapped("N2K-JOB-TYPE", job.path_of("type"), "no type: Nomad defaults to a service job",
                      k8s=target, claims=False)
    elif job.job_type == "sysbatch":
        ledger.decide(
            "N2K-JOB-SYSBATCH", job.path_of("type"),
            "sysbatch runs once on every node; Kubernetes has no run-once-per-node kind",
            k8s=target, suggestion="Run the Job once per node (e.g. a Job per node name) or a DaemonSet whose "
            "container exits into a sleep.",
        )
    elif job.job_type not in ("service", "batch", "system"):
        ledger.decide("N2K-JOB-TYPE-UNKNOWN", job.path_of("type"), f"unknown job type {job.type!r}",
                      k8s=target, suggestion="Treated as a service job; check the intent.")
    else:
        ledger.mapped("N2K-JOB-TYPE", job.path_of("type"), f"{job.job_type} job", k8s=target)
    for gctx in jctx.groups:
        _kind_row(jctx, gctx)


def _kind_row(jctx: JobContext, gctx: GroupContext) -> None:
    """The kind decision: why a service group is a StatefulSet or a Deployment with data, or the hint."""
    job, ledger = jctx.job, jctx.ledger
    service = job.job_type not in ("system", "batch", "sysbatch")
    choice = service_kind(gctx.group, jctx.profile, gctx.hints) if service else None
    derived = workload_kind(job, gctx.group, jctx.profile, gctx.hints)
    if gctx.kind != derived:
        why = f" (derived: {choice.reason})" if choice is not None and choice.reason else ""
        ledger.mapped("N2K-WORKLOAD-HINT", gctx.group.nomad_path,
                      f"{gctx.kind} chosen by the workload hint ({gctx.hints.source('workload')}) "
                      f"instead of {derived}{why}", k8s=f"{gctx.kind}/{gctx.workload_name}", claims=False)
    elif choice is not None and choice.code and choice.suggestion:
        ledger.decide(choice.code, gctx.group.nomad_path, f"{choice.kind} because {choice.reason}",
                      k8s=f"{choice.kind}/{gctx.workload_name}", suggestion=choice.suggestion, claims=False)
    elif choice is not None and choice.code:
        ledger.mapped(choice.code, gctx.group.nomad_path, f"{choice.kind} because {choice.reason}",
                      k8s=f"{choice.kind}/{gctx.workload_name}", claims=False)


def map_count(gctx: GroupContext) -> None:
    group, ledger = gctx.group, gctx.ledger
    target = f"{gctx.kind}/{gctx.workload_name}"
    replicas = gctx.hints.replicas
    if replicas is not None:
        if gctx.kind == "DaemonSet":
            raise ConversionError(f"replicas hint at {gctx.hints.source('replicas')} does not apply to a DaemonSet "
                                  "(one pod per node)", gctx.job_ctx.source_file, group.line)
        if group.is_set("count"):
            ledger.changed("N2K-COUNT-HINT", group.path_of("count"),
                           f"count replaced by the replicas hint ({gctx.hints.source('replicas')})",
                           k8s=f"{target} replicas: {replicas}")
        _set_count(gctx, replicas)
        return
    count = as_int(group.count) if group.is_set("count") else 1
    if group.is_set("count") and count is None:
        ledger.decide("N2K-COUNT-UNRESOLVED", group.path_of("count"), "count is not a literal number",
                      k8s=f"{target} replicas: 1", suggestion="Set the replica count by hand or pass --var.")
        count = 1
    if gctx.kind in ("Deployment", "StatefulSet"):
        gctx.workload_spec.replicas = count
        if group.is_set("count"):
            ledger.mapped("N2K-COUNT", group.path_of("count"), "group count", k8s=f"{target} spec.replicas: {count}")
    elif gctx.kind == "DaemonSet":
        if group.is_set("count"):
            ledger.dropped("N2K-COUNT-SYSTEM", group.path_of("count"),
                           "system jobs run one copy per node; count does not apply", k8s=target)
    else:
        gctx.workload_spec.completions = count
        gctx.workload_spec.parallelism = count
        if group.is_set("count"):
            ledger.mapped("N2K-COUNT-BATCH", group.path_of("count"), "batch count -> completions and parallelism",
                          k8s=f"{target} completions/parallelism: {count}")


def _set_count(gctx: GroupContext, count: int) -> None:
    if gctx.kind in ("Deployment", "StatefulSet"):
        gctx.workload_spec.replicas = count
    elif gctx.kind in ("Job", "CronJob"):
        gctx.workload_spec.completions = count
        gctx.workload_spec.parallelism = count


def _metadata(gctx: GroupContext, labels: dict[str, str]) -> k8s.V1ObjectMeta:
    return k8s.V1ObjectMeta(name=gctx.workload_name, namespace=gctx.namespace, labels=dict(labels))


def _finish_pod_spec(gctx: GroupContext) -> None:
    """Site-wide pod settings and what the workload kind requires."""
    spec = gctx.pod_spec
    pull = [ref.name for ref in spec.image_pull_secrets or []]
    pull += [name for name in gctx.profile.image_pull_secrets if name not in pull]
    spec.image_pull_secrets = [k8s.V1LocalObjectReference(name=name) for name in pull] or None
    if gctx.kind in ("Job", "CronJob") and spec.restart_policy is None:
        # Job pods must not use the default Always; Nomad's batch restart default is "retry, then fail".
        spec.restart_policy = "OnFailure"


def build_workload(gctx: GroupContext) -> object:
    """Assemble the workload from what the mappers put on the group context."""
    _finish_pod_spec(gctx)
    template = k8s.V1PodTemplateSpec(
        metadata=k8s.V1ObjectMeta(labels=dict(gctx.labels), annotations=dict(gctx.pod_annotations) or None),
        spec=gctx.pod_spec,
    )
    spec = gctx.workload_spec.for_kind(gctx.kind)
    selector = k8s.V1LabelSelector(match_labels=dict(gctx.selector))
    meta = _metadata(gctx, gctx.labels)
    if gctx.kind == "Deployment":
        return k8s.V1Deployment(api_version="apps/v1", kind="Deployment", metadata=meta,
                                spec=k8s.V1DeploymentSpec(selector=selector, template=template, **spec))
    if gctx.kind == "StatefulSet":
        spec.setdefault("service_name", gctx.workload_name)
        return k8s.V1StatefulSet(api_version="apps/v1", kind="StatefulSet", metadata=meta,
                                 spec=k8s.V1StatefulSetSpec(selector=selector, template=template, **spec))
    if gctx.kind == "DaemonSet":
        return k8s.V1DaemonSet(api_version="apps/v1", kind="DaemonSet", metadata=meta,
                               spec=k8s.V1DaemonSetSpec(selector=selector, template=template, **spec))
    job_spec = k8s.V1JobSpec(template=template, **{k: v for k, v in spec.items() if k in JOB_FIELDS})
    if gctx.kind == "Job":
        return k8s.V1Job(api_version="batch/v1", kind="Job", metadata=meta, spec=job_spec)
    cron_spec = {k: v for k, v in spec.items() if k in CRON_FIELDS}
    job_spec.suspend = None  # a suspended CronJob is expressed on the CronJob itself
    return k8s.V1CronJob(
        api_version="batch/v1", kind="CronJob", metadata=meta,
        spec=k8s.V1CronJobSpec(job_template=k8s.V1JobTemplateSpec(
            metadata=k8s.V1ObjectMeta(labels=dict(gctx.labels)), spec=job_spec), **cron_spec),
    )
