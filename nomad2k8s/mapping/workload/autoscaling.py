"""VerticalPodAutoscaler per long-running workload; group `scaling` -> HorizontalPodAutoscaler.

VPA (autoscaling.k8s.io/v1, plain dict): `<workload>-vpa`, updateMode from the profile
(default Off = recommendations only), one containerPolicy per app container with
minAllowed = request x min_factor and maxAllowed = (limit, else request) x max_factor (the
profile's fixed min_allowed/max_allowed win over the factors). A task `scaling "cpu"/"mem"`
block (Nomad Enterprise Dynamic Application Sizing) sets that container's bounds instead:
the VPA is its Kubernetes counterpart.

The `vpa` hint is the operator's per-job choice and wins over the profile: at job/group level
an update mode emits a VPA in that mode (even when the profile's vpa.enabled is false) and
`none` emits none; at task level `none`/`Off` turns that container's policy off (mode Off),
while another mode cannot differ per container (updateMode is per workload) and is noted.

HPA (autoscaling/v2): group scaling min/max -> minReplicas/maxReplicas when a policy check is a
nomad-apm `<op>_cpu-allocated` / `<op>_memory-allocated` target-value (percent of the
allocation = Utilization of the request); other sources (Prometheus, Datadog...) need a
metrics adapter or KEDA -> needs-decision, no HPA. With an HPA the workload carries no
spec.replicas: the HPA owns the count, and a pinned one would be reset by every apply.
Every HPA emitted here scales on cpu/memory utilization of the requests, which a VPA that
applies its recommendations (any mode but Off: Initial too, since the HPA keeps creating
pods) rewrites under it -> N2K-HPA-VPA-CONFLICT.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.hints import hints_for
from nomad2k8s.k8s import crds
from nomad2k8s.k8s.quantity import cpu_millis, cpu_quantity, memory_mi, memory_quantity
from nomad2k8s.ledger import Target
from nomad2k8s.mapping.core.context import GroupContext, JobContext
from nomad2k8s.mapping.core.values import as_int, duration_seconds
from nomad2k8s.model import Task
from nomad2k8s.model.blocks import Scaling

VPA_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
HPA_KINDS = frozenset({"Deployment", "StatefulSet"})
_APM_QUERY = re.compile(r"^(avg|max|min|sum)_(cpu|memory)(-allocated)?$")
MAX_STABILIZATION = 3600
CONTAINER_OFF = frozenset({"none", "Off"})  # task-level vpa hints that take a container out of the VPA


@dataclass(frozen=True)
class VpaPlan:
    """Whether a group gets a VPA and in which updateMode; `source` is the hint's path (None:
    the profile decided)."""

    emit: bool
    mode: str
    source: str | None


def vpa_plan(gctx: GroupContext) -> VpaPlan:
    hint, source, profile = gctx.hints.vpa, gctx.hints.source("vpa"), gctx.profile.vpa
    if gctx.skip or gctx.kind not in VPA_KINDS:
        return VpaPlan(False, hint or profile.update_mode, source)
    if hint == "none":
        return VpaPlan(False, hint, source)
    if hint:
        return VpaPlan(True, hint, source)
    return VpaPlan(profile.enabled, profile.update_mode, None)


def _task_hint(gctx: GroupContext, task: Task) -> tuple[str, str] | None:
    """(value, path) of a vpa hint set on the task itself (inherited ones decide the workload)."""
    found = hints_for(gctx.job, gctx.group, task).sources.get("vpa")
    return (found.value, found.nomad_path) if found is not None and found.level == "task" else None


def _containers_off(gctx: GroupContext) -> set[str]:
    """Names of the containers a task-level vpa hint takes out of the VPA."""
    off = set()
    for task in gctx.group.task:
        hint = _task_hint(gctx, task)
        if hint and hint[0] in CONTAINER_OFF and task.name in gctx.containers:
            off.add(gctx.containers[task.name].name)
    return off


def vpa_acts(gctx: GroupContext) -> bool:
    """True when the group's VPA rewrites the requests of at least one app container."""
    plan = vpa_plan(gctx)
    if not plan.emit or plan.mode == "Off":
        return False
    off = _containers_off(gctx)
    return any(c.name not in off for c in gctx.pod_spec.containers or [])


def _bounds(gctx: GroupContext, container: k8s.V1Container) -> tuple[dict[str, str], dict[str, str]]:
    vpa = gctx.profile.vpa
    resources = container.resources or k8s.V1ResourceRequirements()
    requests, limits = resources.requests or {}, resources.limits or {}
    low: dict[str, str] = {}
    high: dict[str, str] = {}
    for name, parse, render in (("cpu", cpu_millis, cpu_quantity), ("memory", memory_mi, memory_quantity)):
        request = parse(requests[name]) if name in requests else None
        ceiling = parse(limits[name]) if name in limits else request
        if name in vpa.min_allowed:
            low[name] = vpa.min_allowed[name]
        elif request is not None:
            low[name] = render(request * vpa.min_factor)
        if name in vpa.max_allowed:
            high[name] = vpa.max_allowed[name]
        elif ceiling is not None:
            high[name] = render(ceiling * vpa.max_factor)
    return low, high


def _das_bounds(gctx: GroupContext, task: Task, low: dict[str, str], high: dict[str, str]) -> list[str]:
    """Task scaling "cpu"/"mem" min/max (MHz / MB) override the factor-derived bounds."""
    used = []
    for block in task.scaling:
        resource = {"cpu": "cpu", "mem": "memory", "memory": "memory"}.get(block.label or "")
        if resource is None:
            continue
        for field, side in (("min", low), ("max", high)):
            value = as_int(getattr(block, field)) if block.is_set(field) else None
            if value is None:
                continue
            side[resource] = (cpu_quantity(value * gctx.profile.resources.cpu_factor) if resource == "cpu"
                              else memory_quantity(value))
            used.append(f"{resource} {field}")
    return used


def _vpa(gctx: GroupContext, mode: str) -> dict[str, Any]:
    policies = []
    off = _containers_off(gctx)
    by_container = {id(c): t for t, c in ((t, gctx.containers.get(t.name)) for t in gctx.group.task) if c is not None}
    for container in gctx.pod_spec.containers or []:
        low, high = _bounds(gctx, container)
        task = by_container.get(id(container))
        if task is not None:
            _das_bounds(gctx, task, low, high)
        policies.append(crds.vpa_container_policy(container.name, off=container.name in off, min_allowed=low,
                                                  max_allowed=high))
    return crds.vertical_pod_autoscaler(
        metadata=crds.metadata(f"{gctx.workload_name}-vpa", gctx.profile.namespace.name, dict(gctx.labels)),
        target_kind=gctx.kind, target_name=gctx.workload_name, update_mode=mode, container_policies=policies)


def map_vpa(jctx: JobContext) -> None:
    for gctx in jctx.groups:
        plan = vpa_plan(gctx)
        if plan.emit:
            vpa = _vpa(gctx, plan.mode)
            gctx.add_object(vpa)
            settings = gctx.profile.vpa
            gctx.ledger.mapped("N2K-VPA", gctx.group.nomad_path,
                               f"VerticalPodAutoscaler, updateMode {plan.mode} "
                               f"({'vpa hint' if plan.source else 'profile vpa'}), bounds = request x "
                               f"{settings.min_factor:g} .. limit x {settings.max_factor:g}"
                               + (" (profile min_allowed/max_allowed win)" if settings.min_allowed
                                  or settings.max_allowed else ""),
                               k8s=f"VerticalPodAutoscaler/{vpa['metadata']['name']}", claims=False)
        _note_vpa_hints(gctx, plan)
        for task in gctx.group.task:
            for block in task.scaling:
                _claim_das(gctx, task, block, plan.emit)


def _note_vpa_hints(gctx: GroupContext, plan: VpaPlan) -> None:
    """What the job/group and task-level vpa hints did, as claims=False notes."""
    ledger, target = gctx.ledger, f"VerticalPodAutoscaler/{gctx.workload_name}-vpa"
    if plan.source:
        if gctx.skip or gctx.kind not in VPA_KINDS:
            message, shown = f"no VPA for a {gctx.kind}" if not gctx.skip else "no workload is emitted", "-"
        elif plan.emit:
            message, shown = f"updateMode {plan.mode}", f"{target} updateMode: {plan.mode}"
        else:
            message, shown = "none: no VerticalPodAutoscaler for this workload", "-"
        ledger.mapped("N2K-HINT-VPA", gctx.group.nomad_path, f"vpa hint ({plan.source}): {message}", k8s=shown,
                      claims=False)
    for task in gctx.group.task:
        hint = _task_hint(gctx, task)
        if hint is None or task.name not in gctx.containers:  # no container: an unconverted task
            continue
        value, source = hint
        container = gctx.containers[task.name].name
        if not plan.emit:
            message, shown = "no VPA is emitted for this workload", "-"
        elif value in CONTAINER_OFF:
            message, shown = f"container {container} taken out of the VPA", f"{target} container {container} mode: Off"
        else:
            message, shown = (f"{value} cannot differ per container (updateMode is per workload: "
                              f"{plan.mode}); container {container} stays in the VPA",
                              f"{target} updateMode: {plan.mode}")
        ledger.mapped("N2K-HINT-VPA", task.nomad_path, f"vpa hint ({source}): {message}", k8s=shown, claims=False)


def _claim_das(gctx: GroupContext, task: Task, block: Scaling, emitted: bool) -> None:
    ledger = gctx.ledger
    if ledger.is_claimed(block.nomad_path):
        return  # the whole task is already accounted for (unsupported driver)
    if not emitted:
        ledger.decide("N2K-SCALING-DAS", block.nomad_path, "Dynamic Application Sizing; no VPA is emitted for "
                      f"this {gctx.kind}", k8s="-", suggestion="Enable the profile's vpa section (long-running "
                      "workloads only).")
        return
    label = block.label or "?"
    if label not in ("cpu", "mem", "memory"):
        ledger.decide("N2K-SCALING-DAS", block.nomad_path, f"task scaling {label!r} is neither cpu nor mem",
                      k8s=f"VerticalPodAutoscaler/{gctx.workload_name}-vpa")
        return
    ledger.changed("N2K-SCALING-DAS", block.nomad_path,
                   "Dynamic Application Sizing -> the VPA's bounds for this container (min/max); its policy "
                   "(strategy, cooldown) is the VPA recommender's",
                   **({"target": Target("VerticalPodAutoscaler", f"{gctx.workload_name}-vpa",
                                        container=gctx.containers[task.name].name)}
                      if task.name in gctx.containers else {"k8s": "-"}))


def _checks(policy: Any) -> list[dict[str, Any]]:
    blocks = policy if isinstance(policy, list) else [policy] if isinstance(policy, dict) else []
    out = []
    for block in blocks:
        if isinstance(block, dict):
            checks = block.get("check") or []
            out += [c for c in (checks if isinstance(checks, list) else [checks]) if isinstance(c, dict)]
    return out


def _metric(check: dict[str, Any]) -> tuple[k8s.V2MetricSpec | None, str]:
    name = check.get("__label__", "check")
    source, query = check.get("source"), str(check.get("query", ""))
    strategies = check.get("strategy") or []
    strategy = next((s for s in (strategies if isinstance(strategies, list) else [strategies])
                     if isinstance(s, dict) and s.get("__label__") == "target-value"), None)
    match = _APM_QUERY.match(query) if source in (None, "nomad-apm") else None
    target = strategy.get("target") if strategy else None
    if not match or not match.group(3) or not isinstance(target, (int, float)) or isinstance(target, bool):
        return None, f"check {name!r} ({source or 'nomad-apm'}: {query or '?'}) is not a cpu/memory-allocated target"
    resource = "cpu" if match.group(2) == "cpu" else "memory"
    utilization = max(1, round(target))
    note = "" if match.group(1) == "avg" else f" ({match.group(1)} across allocations -> the HPA's average)"
    return (k8s.V2MetricSpec(type="Resource", resource=k8s.V2ResourceMetricSource(
        name=resource, target=k8s.V2MetricTarget(type="Utilization", average_utilization=utilization)))), \
        f"check {name!r} -> {resource} {utilization}% of requests{note}"


def _cooldown(policy: Any) -> int | None:
    blocks = policy if isinstance(policy, list) else [policy] if isinstance(policy, dict) else []
    for block in blocks:
        if isinstance(block, dict) and "cooldown" in block:
            seconds = duration_seconds(block["cooldown"])
            if seconds is not None:
                return min(MAX_STABILIZATION, math.ceil(seconds))
    return None


def map_hpa(jctx: JobContext) -> None:
    for gctx in jctx.groups:
        if gctx.group.scaling is not None:
            _group_scaling(gctx, gctx.group.scaling)


def _group_scaling(gctx: GroupContext, scaling: Scaling) -> None:
    ledger = gctx.ledger
    target = f"{gctx.kind}/{gctx.workload_name}"
    if gctx.skip or gctx.kind not in HPA_KINDS:
        ledger.dropped("N2K-SCALING", scaling.nomad_path, f"horizontal scaling does not apply to a {gctx.kind}"
                       if not gctx.skip else "no workload is emitted", k8s="-")
        return
    if scaling.enabled is False:
        ledger.dropped("N2K-SCALING", scaling.nomad_path, "scaling policy disabled (enabled = false): no HPA",
                       k8s="-", suggestion="Create a HorizontalPodAutoscaler when you enable it.")
        return
    results = [_metric(c) for c in _checks(scaling.policy)]
    metrics = [m for m, _ in results if m is not None]
    notes = [n for _, n in results]
    maximum = as_int(scaling.max) if scaling.is_set("max") else None
    minimum = as_int(scaling.min) if scaling.is_set("min") else None
    replicas = gctx.workload_spec.replicas if gctx.workload_spec.is_set("replicas") else 1
    if minimum is None:
        minimum = max(1, replicas or 1)  # Nomad's min defaults to the group count
    if not metrics or maximum is None or maximum < max(1, minimum):
        why = ("; ".join(notes) if notes else "no policy check") if maximum is not None else "max is not a number"
        ledger.decide("N2K-SCALING", scaling.nomad_path, f"autoscaling policy without a cpu/memory target ({why}); "
                      "no HorizontalPodAutoscaler is emitted", k8s=target,
                      suggestion="Use KEDA or an HPA on external/custom metrics (prometheus-adapter) "
                      f"with min {scaling.min}, max {scaling.max}.")
        return
    name = f"{gctx.workload_name}-hpa"
    behavior = None
    cooldown = _cooldown(scaling.policy)
    if cooldown is not None:
        window = k8s.V2HPAScalingRules(stabilization_window_seconds=cooldown)
        behavior = k8s.V2HorizontalPodAutoscalerBehavior(scale_up=window, scale_down=window)
    hpa = k8s.V2HorizontalPodAutoscaler(
        api_version="autoscaling/v2", kind="HorizontalPodAutoscaler",
        metadata=k8s.V1ObjectMeta(name=name, namespace=gctx.profile.namespace.name, labels=dict(gctx.labels)),
        spec=k8s.V2HorizontalPodAutoscalerSpec(
            scale_target_ref=k8s.V2CrossVersionObjectReference(api_version="apps/v1", kind=gctx.kind,
                                                               name=gctx.workload_name),
            min_replicas=max(1, minimum), max_replicas=maximum, metrics=metrics, behavior=behavior),
    )
    gctx.add_object(hpa)
    shown = f"HorizontalPodAutoscaler/{name} minReplicas {max(1, minimum)}, maxReplicas {maximum}"
    for field in ("min", "max", "enabled"):
        if scaling.is_set(field):
            ledger.mapped("N2K-SCALING", scaling.path_of(field), f"scaling {field}", k8s=shown)
    if scaling.is_set("policy"):
        ledger.changed("N2K-SCALING-POLICY", scaling.path_of("policy"),
                       "; ".join(notes) + (f"; cooldown -> stabilization window {cooldown}s" if cooldown else "")
                       + "; evaluation interval and thresholds are the HPA controller's", k8s=shown)
    _release_replicas(gctx, name, max(1, minimum))
    if vpa_acts(gctx):
        plan = vpa_plan(gctx)
        resources = sorted({m.resource.name for m in metrics if m.resource is not None})
        ledger.decide("N2K-HPA-VPA-CONFLICT", scaling.nomad_path,
                      f"the HPA scales on {'/'.join(resources)} utilization of the requests, which the VPA "
                      f"(updateMode {plan.mode}, {'vpa hint' if plan.source else 'profile vpa'}) rewrites: "
                      "they fight each other", k8s=f"{shown}; VerticalPodAutoscaler/{gctx.workload_name}-vpa",
                      claims=False, suggestion="Keep the VPA in updateMode Off for this workload (hint "
                      "nomad2k8s.vpa = \"Off\"), or scale on other metrics.")


def _release_replicas(gctx: GroupContext, hpa_name: str, minimum: int) -> None:
    """The HPA owns the replica count: the workload must not pin spec.replicas as well."""
    pinned, gctx.workload_spec.replicas = gctx.workload_spec.replicas, None
    group = gctx.group
    path = group.path_of("count") if group.is_set("count") else gctx.hints.source("replicas") or group.nomad_path
    for entry in gctx.ledger.entries:
        # The count's own entry named spec.replicas; point it at the HPA that now holds the count.
        if entry.claims and entry.nomad_path == path and entry.code in ("N2K-COUNT", "N2K-COUNT-HINT"):
            gctx.ledger.retarget(entry, Target("HorizontalPodAutoscaler", hpa_name, field="(spec.replicas not set)"))
    gctx.ledger.changed("N2K-COUNT-HPA", path, f"spec.replicas not set ({pinned} dropped): "
                        f"HorizontalPodAutoscaler/{hpa_name} owns the replica count (a new workload starts with 1 pod "
                        f"until the HPA raises it to minReplicas {minimum}); a pinned count would be reset by every "
                        "kubectl apply",
                        k8s=f"{gctx.kind}/{gctx.workload_name} spec.replicas unset", claims=False)
