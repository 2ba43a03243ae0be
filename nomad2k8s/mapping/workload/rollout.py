"""`update` -> rollout strategy, `restart` -> pod restart policy / Job backoff, `reschedule` -> ledger.

update (group fields override job fields, field by field):
- Deployment: max_parallel -> RollingUpdate maxSurge = max_parallel, maxUnavailable = 0. Nomad
  replaces an allocation destructively (stop, then start: nomad#5033); the Kubernetes rollout
  starts the new pod first, so no replica is lost during an update but the cluster needs room
  for max_parallel extra pods (`changed`). Pods that cannot run beside their predecessor (host ports,
  hostNetwork, required anti-affinity from distinct_hosts) roll stop-first instead, as Nomad does, with or
  without an update block: maxSurge 0, maxUnavailable = max_parallel (1). max_parallel = 0 (no deployment, all at once) -> Recreate.
  A strategy another mapper already chose (Recreate for single-writer volumes) is kept.
- StatefulSet: max_parallel > 1 -> rollingUpdate.maxUnavailable (feature gate MaxUnavailableStatefulSet).
- DaemonSet: max_parallel -> rollingUpdate.maxUnavailable (Nomad system jobs also stop first).
- min_healthy_time -> minReadySeconds; progress_deadline (else healthy_deadline) ->
  progressDeadlineSeconds (Deployments only); health_check -> readiness gates the rollout;
  canary/auto_promote/auto_revert -> needs-decision (Argo Rollouts / Flagger); stagger -> dropped.
restart: Jobs get restartPolicy OnFailure (Never when attempts = 0) and backoffLimit = attempts
(mode fail; Nomad's batch default is 3 attempts; mode delay keeps the default 6); services always restart (kubelet backoff).
"""

from __future__ import annotations

import math
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.ledger import Status
from nomad2k8s.mapping.core.context import GroupContext, JobContext
from nomad2k8s.mapping.core.values import as_int, duration_seconds
from nomad2k8s.mapping.workload.spec import WorkloadSpec
from nomad2k8s.model.blocks import Restart, Update

UPDATE_FIELDS = ("max_parallel", "health_check", "min_healthy_time", "healthy_deadline", "progress_deadline",
                 "auto_revert", "auto_promote", "canary", "stagger")
SERVICE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
NOMAD_BATCH_ATTEMPTS = 3


def _effective(job_update: Update | None, group_update: Update | None) -> dict[str, tuple[Any, Update]]:
    """field -> (value, the block it came from); group overrides job."""
    out: dict[str, tuple[Any, Update]] = {}
    for block in (job_update, group_update):
        if block is None:
            continue
        for name in UPDATE_FIELDS:
            if block.is_set(name):
                out[name] = (getattr(block, name), block)
    return out


def map_update(jctx: JobContext) -> None:
    """Job scope: a job-level update block is shared by every group but claimed once."""
    ledger, job = jctx.ledger, jctx.job
    notes: dict[str, tuple[str, str, str, str]] = {}  # path -> (status, code, message, k8s)
    for gctx in jctx.groups:
        fields = _effective(job.update, gctx.group.update)
        for name, (value, block) in fields.items():
            path = block.path_of(name)
            outcome = _apply(gctx, name, value, fields)
            if path not in notes:
                notes[path] = outcome
    for gctx in jctx.groups:
        _default_stop_first(gctx, "max_parallel" in _effective(job.update, gctx.group.update))
    for update in (job.update, *(g.update for g in job.group)):
        if update is None:
            continue
        for name in UPDATE_FIELDS:
            path = update.path_of(name)
            if not update.is_set(name):
                continue
            status, code, message, k8s_text = notes.get(
                path, ("dropped", "N2K-UPDATE-OVERRIDDEN", "overridden by every group's own update block"
                       if jctx.groups else "the job has no task group", "-"))
            ledger.record(Status(status), code, path, message, k8s=k8s_text, suggestion=_SUGGEST.get(code, ""))


_SUGGEST = {
    "N2K-UPDATE-CANARY": "Use Argo Rollouts or Flagger for canaries with promotion; plain Deployments roll everything.",
    "N2K-UPDATE-AUTO-REVERT": "Kubernetes does not roll back by itself: `kubectl rollout undo` on a failed rollout "
    "(progressDeadlineSeconds exceeded) in CI, or Argo Rollouts/Flagger analysis.",
    "N2K-UPDATE-SURGE": "Set maxUnavailable = max_parallel, maxSurge = 0 for Nomad's exact stop-first order.",
}


def _seconds(value: Any) -> int | None:
    seconds = duration_seconds(value)
    return None if seconds is None else math.ceil(seconds)


def _apply(gctx: GroupContext, name: str, value: Any, fields: dict[str, tuple[Any, Update]]) -> tuple[str, str, str, str]:
    kind, spec = gctx.kind, gctx.workload_spec
    target = f"{kind}/{gctx.workload_name}"
    if gctx.skip:
        return "dropped", "N2K-UPDATE-NO-WORKLOAD", "no workload is emitted for this group", "-"
    if kind not in SERVICE_KINDS:
        return "dropped", "N2K-UPDATE-BATCH", "update applies to service and system jobs only (as in Nomad)", "-"
    if name == "max_parallel":
        return _max_parallel(gctx, value)
    if name == "min_healthy_time":
        seconds = _seconds(value)
        if seconds is None:
            return "needs-decision", "N2K-UPDATE-UNRESOLVED", "min_healthy_time is not a duration", target
        spec.min_ready_seconds = seconds
        _fix_deadline(gctx)
        return "mapped", "N2K-UPDATE-MIN-HEALTHY", "time a new pod must stay ready", f"{target} minReadySeconds: {seconds}"
    if name in ("healthy_deadline", "progress_deadline"):
        if kind != "Deployment":
            return "dropped", "N2K-UPDATE-DEADLINE", f"{kind} has no progress deadline", "-"
        if name == "healthy_deadline" and "progress_deadline" in fields:
            return ("changed", "N2K-UPDATE-DEADLINE", "per-allocation deadline; Kubernetes has only the rollout's "
                    "progress deadline (taken from progress_deadline)", target)
        seconds = _seconds(value)
        if seconds is None:
            return "needs-decision", "N2K-UPDATE-UNRESOLVED", f"{name} is not a duration", target
        if seconds == 0:
            return "dropped", "N2K-UPDATE-DEADLINE", "0 disables the deadline; the Kubernetes default (600s) applies", "-"
        spec.progress_deadline_seconds = seconds
        _fix_deadline(gctx)
        shown = f"{target} progressDeadlineSeconds: {spec.progress_deadline_seconds}"
        if name == "healthy_deadline":
            return ("changed", "N2K-UPDATE-DEADLINE", "per-allocation healthy deadline -> the rollout's progress "
                    "deadline (a rollout without progress for this long is marked failed)", shown)
        return "mapped", "N2K-UPDATE-DEADLINE", "rollout progress deadline", shown
    if name == "health_check":
        if value == "manual":
            return ("needs-decision", "N2K-UPDATE-HEALTH-CHECK", "manual health: Kubernetes always gates on readiness",
                    target)
        return ("changed", "N2K-UPDATE-HEALTH-CHECK", f"health by {value}: Kubernetes rollouts wait for readiness "
                "probes (from the service checks)", target)
    if name == "canary":
        count = as_int(value)
        if count == 0:
            return "dropped", "N2K-UPDATE-CANARY", "no canaries", "-"
        return ("needs-decision", "N2K-UPDATE-CANARY", f"{value} canary allocation(s) before promotion; a Deployment "
                "has no canary phase", target)
    if name == "auto_promote":
        return ("needs-decision", "N2K-UPDATE-CANARY", "canary auto-promotion needs a progressive delivery "
                "controller", target)
    if name == "auto_revert":
        if value is not True:
            return "mapped", "N2K-UPDATE-AUTO-REVERT", "no automatic revert (as in Kubernetes)", target
        return ("needs-decision", "N2K-UPDATE-AUTO-REVERT", "Nomad reverts a failed deployment to the last stable "
                "version", target)
    return "dropped", "N2K-UPDATE-STAGGER", "stagger (delay between batches) has no Kubernetes field", "-"


def _fix_deadline(gctx: GroupContext) -> None:
    """Kubernetes rejects progressDeadlineSeconds <= minReadySeconds."""
    spec = gctx.workload_spec
    mrs, pds = spec.min_ready_seconds, spec.progress_deadline_seconds
    if gctx.kind == "Deployment" and mrs is not None and pds is not None and pds <= mrs:
        spec.progress_deadline_seconds = mrs + 1


def _max_parallel(gctx: GroupContext, value: Any) -> tuple[str, str, str, str]:
    kind, spec = gctx.kind, gctx.workload_spec
    target = f"{kind}/{gctx.workload_name}"
    count = as_int(value)
    if count is None or count < 0:
        return "needs-decision", "N2K-UPDATE-UNRESOLVED", "max_parallel is not a number", target
    if kind == "DaemonSet":
        if count == 0:
            return "changed", "N2K-UPDATE-MAX-PARALLEL", "0: every node at once -> maxUnavailable 100%", _ds(spec, "100%", target)
        return "mapped", "N2K-UPDATE-MAX-PARALLEL", "nodes updated at a time (stop, then start)", _ds(spec, count, target)
    if kind == "StatefulSet":
        if count <= 1:
            return "mapped", "N2K-UPDATE-MAX-PARALLEL", "one pod at a time (the StatefulSet default)", target
        spec.update_strategy = k8s.V1StatefulSetUpdateStrategy(
            type="RollingUpdate", rolling_update=k8s.V1RollingUpdateStatefulSetStrategy(max_unavailable=count))
        return ("changed", "N2K-UPDATE-MAX-PARALLEL", "pods updated at a time; StatefulSets honour maxUnavailable "
                "only with the MaxUnavailableStatefulSet feature gate", f"{target} rollingUpdate.maxUnavailable: {count}")
    if spec.strategy is not None:
        return ("changed", "N2K-UPDATE-MAX-PARALLEL", f"the {spec.strategy.type} strategy chosen for this "
                "workload's storage wins over max_parallel", target)
    if count == 0:
        spec.strategy = k8s.V1DeploymentStrategy(type="Recreate")
        return ("changed", "N2K-UPDATE-MAX-PARALLEL", "0: no rolling deployment, all allocations replaced at once "
                "-> Recreate", f"{target} strategy: Recreate")
    reason = stop_first_reason(gctx)
    if reason:
        spec.strategy = _stop_first(count)
        return ("mapped", "N2K-UPDATE-STOP-FIRST", f"{count} at a time, stopped before their replacement starts "
                f"(as Nomad): a surge pod could never start beside the old one ({reason})",
                f"{target} RollingUpdate maxSurge: 0, maxUnavailable: {count}")
    spec.strategy = k8s.V1DeploymentStrategy(
        type="RollingUpdate", rolling_update=k8s.V1RollingUpdateDeployment(max_surge=count, max_unavailable=0))
    return ("changed", "N2K-UPDATE-SURGE", f"{count} at a time; Nomad stops an old allocation before starting "
            "its replacement, Kubernetes starts the new pod first (no capacity lost, needs room for the surge)",
            f"{target} RollingUpdate maxSurge: {count}, maxUnavailable: 0")


def stop_first_reason(gctx: GroupContext) -> str:
    """Why a new pod cannot run beside the one it replaces: it needs the same host port or host network
    namespace, or a required anti-affinity (distinct_hosts) keeps it off the old pod's node."""
    pod = gctx.pod_spec
    if pod.host_network:
        return "hostNetwork"
    for container in (pod.containers or []) + (pod.init_containers or []):
        for port in container.ports or []:
            if port.host_port:
                return f"hostPort {port.host_port}"
    anti = pod.affinity.pod_anti_affinity if pod.affinity is not None else None
    if anti is not None and anti.required_during_scheduling_ignored_during_execution:
        return "required pod anti-affinity from distinct_hosts"
    return ""


def _stop_first(count: int) -> k8s.V1DeploymentStrategy:
    return k8s.V1DeploymentStrategy(
        type="RollingUpdate", rolling_update=k8s.V1RollingUpdateDeployment(max_surge=0, max_unavailable=count))


def _default_stop_first(gctx: GroupContext, has_max_parallel: bool) -> None:
    """Without max_parallel a Deployment gets Kubernetes' 25 % surge, which rounds up to one extra pod:
    for pods that cannot share a node with their predecessor that rollout never finishes."""
    if gctx.skip or gctx.kind != "Deployment" or has_max_parallel or gctx.workload_spec.strategy is not None:
        return
    reason = stop_first_reason(gctx)
    if not reason:
        return
    gctx.workload_spec.strategy = _stop_first(1)
    gctx.ledger.note(Status.MAPPED, "N2K-UPDATE-STOP-FIRST", gctx.group.nomad_path,
                     f"one pod at a time, stopped before its replacement starts (as Nomad): a surge pod could never "
                     f"start beside the old one ({reason})",
                     k8s=f"Deployment/{gctx.workload_name} RollingUpdate maxSurge: 0, maxUnavailable: 1")


def _ds(spec: WorkloadSpec, value: Any, target: str) -> str:
    spec.update_strategy = k8s.V1DaemonSetUpdateStrategy(
        type="RollingUpdate", rolling_update=k8s.V1RollingUpdateDaemonSet(max_unavailable=value, max_surge=0))
    return f"{target} rollingUpdate.maxUnavailable: {value}"


def map_restart(gctx: GroupContext) -> None:
    ledger, group = gctx.ledger, gctx.group
    target = f"{gctx.kind}/{gctx.workload_name}"
    task_blocks = [t.restart for t in group.task if t.restart is not None]
    if gctx.skip:
        for block in ([group.restart] if group.restart else []) + task_blocks:
            ledger.dropped("N2K-RESTART-NO-WORKLOAD", block.nomad_path, "no workload is emitted", k8s="-")
        return
    if gctx.kind in SERVICE_KINDS:
        for block in ([group.restart] if group.restart else []) + task_blocks:
            ledger.changed("N2K-RESTART-SERVICE", block.nomad_path,
                           "the kubelet always restarts service containers, with exponential backoff "
                           "(10s doubling to 5m); attempts/interval/delay/mode do not apply",
                           k8s=f"{target} restartPolicy: Always",
                           suggestion="A container that keeps failing shows as CrashLoopBackOff; alert on it.")
        return
    _batch_restart(gctx, group.restart, task_blocks)


def _batch_restart(gctx: GroupContext, restart: Restart | None, task_blocks: list[Restart]) -> None:
    ledger = gctx.ledger
    target = f"{gctx.kind}/{gctx.workload_name}"
    attempts = as_int(restart.attempts) if restart is not None and restart.is_set("attempts") else None
    mode = restart.mode if restart is not None and restart.is_set("mode") else "fail"
    if attempts is None:
        attempts = NOMAD_BATCH_ATTEMPTS
    policy = "Never" if attempts == 0 else "OnFailure"
    gctx.pod_spec.restart_policy = policy
    if mode != "delay":
        gctx.workload_spec.backoff_limit = attempts
    # mode delay restarts forever in Nomad; a Job keeps the Kubernetes default retry budget.
    backoff = gctx.workload_spec.backoff_limit if gctx.workload_spec.is_set("backoff_limit") else "6 (default)"
    if restart is None:
        ledger.mapped("N2K-RESTART-DEFAULT", gctx.group.nomad_path,
                      f"no restart block: Nomad's batch default ({NOMAD_BATCH_ATTEMPTS} attempts, mode fail)",
                      k8s=f"{target} restartPolicy: {policy}, backoffLimit: {backoff}", claims=False)
    else:
        for name in ("attempts", "mode", "interval", "delay", "render_templates"):
            if not restart.is_set(name):
                continue
            path = restart.path_of(name)
            if name == "attempts":
                if as_int(restart.attempts) is None:
                    ledger.decide("N2K-RESTART-UNRESOLVED", path, "attempts is not a number", k8s=target)
                else:
                    ledger.mapped("N2K-RESTART-ATTEMPTS", path, "retries before the Job fails",
                                  k8s=f"{target} restartPolicy: {policy}, backoffLimit: {backoff}")
            elif name == "mode" and mode == "delay":
                ledger.changed("N2K-RESTART-MODE", path, "mode delay restarts forever after a pause; a Job gives "
                               f"up after backoffLimit ({backoff}) failures", k8s=f"{target} backoffLimit: {backoff}",
                               suggestion="Raise backoffLimit if the job must keep retrying.")
            elif name == "mode":
                ledger.mapped("N2K-RESTART-MODE", path, "fail after the attempts", k8s=f"{target} backoffLimit")
            elif name == "render_templates":
                ledger.dropped("N2K-RESTART-RENDER", path, "templates are mounted ConfigMaps/Secrets, re-read on "
                               "restart", k8s="-")
            else:
                ledger.changed("N2K-RESTART-TIMING", path, "the kubelet's exponential backoff (10s doubling to 5m) "
                               "replaces Nomad's restart interval/delay", k8s=target)
    for block in task_blocks:
        ledger.changed("N2K-RESTART-TASK", block.nomad_path, "a pod has one restart policy: the group's is used",
                       k8s=f"{target} restartPolicy: {policy}")


def map_reschedule(jctx: JobContext) -> None:
    ledger, job = jctx.ledger, jctx.job
    for block in (job.reschedule, *(g.reschedule for g in job.group)):
        if block is None:
            continue
        ledger.changed("N2K-RESCHEDULE", block.nomad_path,
                       "rescheduling failed allocations onto other nodes: Deployments/StatefulSets always replace "
                       "failed pods; Jobs retry up to backoffLimit (from restart)", k8s="controller behaviour",
                       suggestion="For batch jobs that must not retry, keep restart attempts = 0 (backoffLimit: 0).")
