"""The pipeline: parsed job -> typed model -> mappers -> Kubernetes objects + ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client as k8s

from .ledger import Ledger, Status
from .mapping import unsupported, workload
from .mapping.context import JobContext
from .mapping.names import dns_label
from .mapping.registry import TRANSFORMS
from .mapping.upstreams import collect_upstreams
from .model import build_job, paths
from .model.base import NomadBlock
from .parse import ParsedSource, load_jobspec
from .profile import Profile

_SERIALIZER = k8s.ApiClient()

# Output order: what must exist first comes first (namespaced config before workloads).
KIND_ORDER = [
    "Namespace", "ServiceAccount", "ConfigMap", "Secret", "ExternalSecret", "PersistentVolumeClaim",
    "Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Ingress", "IngressRoute",
    "Middleware", "HorizontalPodAutoscaler", "VerticalPodAutoscaler", "PodDisruptionBudget",
    "NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy",
]


@dataclass
class ServiceResult:
    """One converted job: the unit an operator migrates and reviews."""

    name: str
    source: Path
    syntax: str
    objects: list[dict[str, Any]]
    ledger: Ledger
    extra: dict[str, Any] = field(default_factory=dict)


def to_plain(obj: Any) -> dict[str, Any]:
    """A kubernetes client model (or dict) as a plain camelCase dict without nulls."""
    plain = _SERIALIZER.sanitize_for_serialization(obj)
    return _drop_empty(plain)


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _drop_empty(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in out.items() if v != {} or k in ("emptyDir", "data")}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def sort_objects(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(obj: dict[str, Any]) -> tuple[int, str, str]:
        kind = obj.get("kind", "")
        rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
        return rank, kind, obj.get("metadata", {}).get("name", "")

    return sorted(objects, key=key)


def _unknown_prefixes(node: NomadBlock) -> list[str]:
    found = [paths.join(node.nomad_path, k) for k in node.unknown_keys()]
    for name in type(node).model_fields:
        value = getattr(node, name)
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, NomadBlock):
                found += _unknown_prefixes(child)
    return found


def convert_job(raw: dict[str, Any], parsed: ParsedSource, profile: Profile) -> ServiceResult:
    job = build_job(raw, str(parsed.path))
    service = dns_label(job.name)
    ledger = Ledger(service=service)
    ledger.values = dict(paths.iter_leaves(raw, job.nomad_path))
    jctx = JobContext(job=job, ledger=ledger, profile=profile, service=service, source_file=str(parsed.path))
    for diag in parsed.diagnostics:
        status = Status.NEEDS_DECISION if diag.code != "N2K-INFO-SERVER-STATE" else Status.DROPPED
        ledger.record(status, diag.code, diag.nomad_path or job.nomad_path, diag.message, line=diag.line,
                      k8s="-", claims=False)
    jctx.groups = [workload.new_group_context(jctx, group) for group in job.group]
    if not job.group:
        ledger.decide("N2K-JOB-NO-GROUP", job.nomad_path, "job has no task group; nothing to run", claims=False)
    for transform in TRANSFORMS:
        if transform.scope == "group":
            for gctx in jctx.groups:
                transform.fn(gctx)
        else:
            transform.fn(jctx)
    unsupported.apply_rows(ledger)
    unsupported.apply_catch_all(ledger, _unknown_prefixes(job))
    objects = [to_plain(o) for o in jctx.objects]
    for gctx in jctx.groups:
        if not gctx.skip:
            objects.append(to_plain(workload.build_workload(gctx)))
    extra = {"upstreams": [u.as_dict() for u in collect_upstreams(job)], "secret_refs": jctx.secret_refs}
    return ServiceResult(name=service, source=parsed.path, syntax=parsed.syntax,
                         objects=sort_objects(objects), ledger=ledger, extra=extra)


def convert_file(
    path: Path,
    profile: Profile | None = None,
    variables: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
) -> list[ServiceResult]:
    parsed = load_jobspec(path, variables=variables, var_files=var_files)
    profile = profile or Profile()
    return [convert_job(raw, parsed, profile) for raw in parsed.jobs]
