"""The pipeline: parsed job -> typed model -> mappers -> Kubernetes objects + ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client as k8s

from . import hints
from .ledger import Ledger, Status
from nomad2k8s.mapping.workload import namespace
from nomad2k8s.mapping.core import unsupported
from nomad2k8s.mapping.workload import kinds as workload
from nomad2k8s.mapping.core.context import JobContext
from nomad2k8s.k8s.names import dns_label
from nomad2k8s.mapping.core.registry import TRANSFORMS
from nomad2k8s.mapping.config.template_files import eso_literal
from nomad2k8s.mapping.config.template_objects import CHECKSUM_ANNOTATION, config_checksum
from nomad2k8s.mapping.networking.upstreams import collect_upstreams
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
CLUSTER_SCOPED = frozenset({
    "Namespace", "ClusterSecretStore", "CiliumClusterwideNetworkPolicy", "PersistentVolume", "StorageClass",
    "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "IngressClass", "PriorityClass", "RuntimeClass",
})


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
        return {k: v for k, v in out.items() if v != {} or k in ("emptyDir", "data", "tls")}
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


def _template_metadata(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """Pod template (and CronJob job template) metadata, created when absent."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    found = []
    if isinstance(spec.get("template"), dict):
        found.append(spec["template"].setdefault("metadata", {}))
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict):
        found.append(job_template.setdefault("metadata", {}))
        template = job_template.get("spec", {}).get("template")
        if isinstance(template, dict):
            found.append(template.setdefault("metadata", {}))
    return found


def _site_metadata(obj: dict[str, Any], namespace_name: str, profile: Profile) -> dict[str, Any]:
    """The namespace and the profile's extra labels/annotations, applied to every object."""
    meta = obj.setdefault("metadata", {})
    # Mappers may have written the profile's fixed namespace before hints/namespace.mode were
    # known to them; the group's resolved namespace replaces it (an explicit other one stays).
    if obj.get("kind") not in CLUSTER_SCOPED and meta.get("namespace") in (None, profile.namespace.name):
        meta["namespace"] = namespace_name
    for target in [meta, *_template_metadata(obj)]:
        for key, extra in (("labels", profile.labels), ("annotations", profile.annotations)):
            if extra:
                target[key] = {**extra, **target.get(key, {})}  # the mapper's own keys win
    return obj


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
    hints.validate_job(job, str(parsed.path))
    jctx.hints = hints.hints_for(job)
    jctx.namespace = namespace.job_namespace(job, profile, jctx.hints)
    kept = [g for g in job.group if not hints.hints_for(job, g).skip]
    if jctx.hints.skip and not kept:
        ledger.dropped("N2K-HINT-SKIP", job.nomad_path,
                       f"job not converted: skip hint ({jctx.hints.source('skip')})", k8s="-")
        return ServiceResult(name=service, source=parsed.path, syntax=parsed.syntax, objects=[], ledger=ledger)
    for group in job.group:
        if not any(group is k for k in kept):
            ledger.dropped("N2K-HINT-SKIP", group.nomad_path,
                           f"group not converted: skip hint ({hints.hints_for(job, group).source('skip')})", k8s="-")
    jctx.groups = [workload.new_group_context(jctx, group) for group in kept]
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
    objects = []
    for obj in jctx.objects:
        owner = jctx.owners.get(id(obj))
        objects.append(_site_metadata(to_plain(obj), owner.namespace if owner else jctx.namespace, profile))
    for gctx in jctx.groups:
        if not gctx.skip:
            objects.append(_site_metadata(to_plain(workload.build_workload(gctx)), gctx.namespace, profile))
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


def link_batch(results: list[ServiceResult]) -> None:
    """Batch pass after every job of a conversion is converted: Connect upstreams whose destination
    Service is in the batch get that Service's port instead of the local bind port (env values, args,
    template files in ConfigMaps and ExternalSecret templates are fixed in the objects, the ConfigMap
    checksum annotation follows, and the ledger entries take the status they have without the bind port)."""
    ports: dict[tuple[str, str], int] = {}
    for result in results:
        for obj in result.objects:
            if obj.get("kind") == "Service" and obj.get("spec", {}).get("ports"):
                meta = obj["metadata"]
                ports.setdefault((meta["name"], meta.get("namespace", "")), obj["spec"]["ports"][0]["port"])
    for result in results:
        replaced = False
        for entry in result.ledger.entries:
            pending = entry.data.get("pending_upstreams") if entry.data else None
            if not pending:
                continue
            left = []
            for item in pending:
                name, namespace = item["host"].split(".")[:2]
                port = ports.get((name, namespace))
                if port is None:
                    left.append(item)
                    continue
                if "placeholder" in item:
                    # A `range service` port kept as Nomad text (raw, or escaped in an ESO template).
                    for old in dict.fromkeys((item["placeholder"], eso_literal(item["placeholder"]))):
                        for obj in result.objects:
                            _replace_address(obj, old, str(port))
                    entry.message = entry.message.replace(
                        f"port of service {item['destination']} (another job): not known here",
                        f"port {port} of Service {name} converted in the same batch")
                else:
                    old, new = f"{item['host']}:{item['bind_port']}", f"{item['host']}:{port}"
                    for obj in result.objects:
                        _replace_address(obj, old, new)
                    entry.message = entry.message.replace(
                        f"its Service is not in this conversion, so the port is the local bind port "
                        f"{item['bind_port']}", f"port {port} of Service {name} converted in the same batch")
                replaced = True
            entry.data["pending_upstreams"] = left
            if not left:
                entry.status = Status(entry.data.get("resolved_status", Status.MAPPED.value))
                if entry.status is not Status.NEEDS_DECISION:
                    entry.suggestion = ""
        if replaced:
            _refresh_checksums(result.objects)


def _replace_address(obj: Any, old: str, new: str) -> None:
    """Replace an address in every env value, command and args of a workload object, in ConfigMap data
    and in ExternalSecret target templates (plain dicts)."""
    if isinstance(obj, dict):
        if obj.get("kind") == "ConfigMap" and isinstance(obj.get("data"), dict):
            obj["data"] = {k: v.replace(old, new) for k, v in obj["data"].items()}
            return
        if obj.get("kind") == "ExternalSecret":
            data = obj.get("spec", {}).get("target", {}).get("template", {}).get("data")
            if isinstance(data, dict):
                obj["spec"]["target"]["template"]["data"] = {k: v.replace(old, new) for k, v in data.items()}
            return
        for key, value in obj.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for container in value:
                    for var in container.get("env", []):
                        if isinstance(var.get("value"), str):
                            var["value"] = var["value"].replace(old, new)
                    for field_name in ("command", "args"):
                        if field_name in container:
                            container[field_name] = [a.replace(old, new) for a in container[field_name]]
            else:
                _replace_address(value, old, new)
    elif isinstance(obj, list):
        for item in obj:
            _replace_address(item, old, new)


def _refresh_checksums(objects: list[dict[str, Any]]) -> None:
    """Pod templates that roll on a ConfigMap change carry its checksum: recompute it after an edit."""
    config = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o.get("kind") == "ConfigMap"}
    for obj in objects:
        spec = obj.get("spec", {})
        template = spec.get("jobTemplate", {}).get("spec", spec).get("template", {})
        annotations = template.get("metadata", {}).get("annotations", {})
        if CHECKSUM_ANNOTATION not in annotations:
            continue
        for volume in template.get("spec", {}).get("volumes", []):
            name = volume.get("configMap", {}).get("name")
            if name in config:
                annotations[CHECKSUM_ANNOTATION] = config_checksum(config[name])


def flag_name_clashes(results: list[ServiceResult]) -> list[str]:
    """Jobs converted together (under one site profile) whose objects share kind, namespace and
    name would overwrite each other when applied. Each affected service gets one decision listing
    the clashing objects; the caller gets one warning line per pair of jobspecs."""
    owners: dict[tuple[str, str, str], list[ServiceResult]] = {}
    for result in results:
        for obj in result.objects:
            meta = obj.get("metadata", {})
            key = (obj.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))
            if not any(r is result for r in owners.setdefault(key, [])):
                owners[key].append(result)
    clashes: dict[tuple[int, int], list[str]] = {}
    by_id = {id(r): r for r in results}
    for (kind, namespace, name), clashing in sorted(owners.items()):
        for result in clashing:
            for other in clashing:
                if other is not result:
                    clashes.setdefault((id(result), id(other)), []).append(f"{kind} {namespace}/{name}")
    warnings = []
    for (mine, theirs), objects in clashes.items():
        result, other = by_id[mine], by_id[theirs]
        result.ledger.decide(
            "N2K-OBJECT-NAME-CLASH", result.ledger.entries[0].nomad_path.split(".")[0] if result.ledger.entries
            else "job", f"{len(objects)} object(s) also produced by {other.source.as_posix()}: "
            + ", ".join(objects) + "; applying both overwrites one", k8s="-",
            suggestion="Rename one job, or give them different namespaces.", claims=False)
        if result.source.as_posix() < other.source.as_posix():
            warnings.append(f"{result.source.as_posix()} and {other.source.as_posix()} produce the same "
                            f"{len(objects)} object(s), e.g. {objects[0]}")
    return sorted(warnings)
