"""The pipeline: parsed job -> typed model -> mappers -> Kubernetes objects + ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.mapping.core import unsupported
from nomad2k8s.mapping.core.context import JobContext, resolved_namespace
from nomad2k8s.mapping.core.registry import TRANSFORMS, Transform
from nomad2k8s.mapping.networking.upstreams import collect_upstreams
from nomad2k8s.mapping.passes.batch_inputs import has_batch_work
from nomad2k8s.mapping.workload import kinds as workload
from nomad2k8s.mapping.workload import namespace

from . import hints
from .decisions.answers import MetaOverrides, inject
from .estate import JobSource
from .job_view import JobView, job_view
from .ledger import Ledger, Status
from .k8s import limits
from .model import build_job, paths
from .model.base import NomadBlock
from .parse import ParsedSource, load_jobspec, load_text
from .parse.model import ParseDiagnostic
from .profile import Profile
from .terraform.model import EstateFacts

TF_UNRESOLVED = "N2K-TF-UNRESOLVED"

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
    # The converted job before serialization, for the batch stage (link_batch); let go once no batch pass
    # has work in it (release_context). What later stages read of the job is in `view`.
    context: JobContext | None = field(default=None, repr=False, compare=False)
    view: JobView | None = field(default=None, repr=False, compare=False)


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
    if obj.get("kind") not in CLUSTER_SCOPED:
        meta["namespace"] = resolved_namespace(meta.get("namespace"), namespace_name, profile)
    for target in [meta, *_template_metadata(obj)]:
        for key, extra in (("labels", profile.labels), ("annotations", profile.annotations)):
            if extra:
                target[key] = {**extra, **target.get(key, {})}  # the mapper's own keys win
    return obj


# Parse diagnostics that are not decisions: server state dropped from API JSON, a file() read beside the jobspec.
DIAGNOSTIC_STATUS = {"N2K-INFO-SERVER-STATE": Status.DROPPED, "N2K-FILE-BESIDE-JOBSPEC": Status.CHANGED}


def convert_job(raw: dict[str, Any], parsed: ParsedSource, profile: Profile,
                transforms: Sequence[Transform] = TRANSFORMS, meta: MetaOverrides | None = None,
                facts: EstateFacts | None = None) -> ServiceResult:
    """Run the group- and job-scope transforms of `transforms` (default: the registry's table) on one job
    and serialize its objects; the batch-scope ones run in link_batch, over every job converted together.
    `meta`: extra meta keys per block path (answered decisions, nomad2k8s/decisions/), added before any
    mapper reads the job, as if written in the jobspec."""
    job = build_job(raw, str(parsed.path))
    if meta:
        inject(job, meta)
    service = dns_label(job.name)
    ledger = Ledger(service=service)
    ledger.values = dict(paths.iter_leaves(raw, job.nomad_path))
    jctx = JobContext(job=job, ledger=ledger, profile=profile, service=service, source_file=str(parsed.path),
                      source_root=str(parsed.root or parsed.path.parent), facts=facts or EstateFacts())
    for diag in parsed.diagnostics:
        status = DIAGNOSTIC_STATUS.get(diag.code, Status.NEEDS_DECISION)
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
    kept_ids = {id(g) for g in kept}  # not a scan of `kept` per group (quadratic in groups)
    for group in job.group:
        if id(group) not in kept_ids:
            ledger.dropped("N2K-HINT-SKIP", group.nomad_path,
                           f"group not converted: skip hint ({hints.hints_for(job, group).source('skip')})", k8s="-")
    jctx.groups = [workload.new_group_context(jctx, group) for group in kept]
    if not job.group:
        ledger.decide("N2K-JOB-NO-GROUP", job.nomad_path, "job has no task group; nothing to run", claims=False)
    for transform in transforms:
        if transform.scope == "group":
            for gctx in jctx.groups:
                transform.fn(gctx)
        elif transform.scope == "job":
            transform.fn(jctx)
    unsupported.apply_rows(ledger)
    unsupported.apply_catch_all(ledger, _unknown_prefixes(job))
    ledger.fold_generic()  # one cause, one decision
    extra: dict[str, Any] = {"upstreams": [u.as_dict() for u in collect_upstreams(job)],
                             "secret_refs": jctx.secret_refs, "graph_refs": jctx.graph_refs}
    used = _used_volume_facts(job, jctx.facts)
    if used:  # external_id / context: for the migration kit's static PersistentVolumes
        extra["volume_facts"] = used
    objects = serialize(jctx)
    limits.enforce(objects, ledger, job.nomad_path, str(parsed.path))  # what the API server would refuse
    ledger.drop_index()  # the mappers' queries are done
    return ServiceResult(name=service, source=parsed.path, syntax=parsed.syntax,
                         objects=objects, ledger=ledger, extra=extra, context=jctx, view=job_view(jctx))


def release_context(result: ServiceResult) -> None:
    """Let go of the job's context unless a batch pass may change the job (its view stays)."""
    if result.context is not None and not has_batch_work(result.context):
        result.context = None


def _used_volume_facts(job: Any, facts: EstateFacts) -> list[dict[str, Any]]:
    sources = sorted({str(v.source) for g in job.group for v in g.volume if v.source})
    return [fact.as_dict() for s in sources if (fact := facts.volume(s)) is not None]


def serialize(jctx: JobContext) -> list[dict[str, Any]]:
    """The job's objects and workloads as plain dicts with the site metadata, in output order."""
    objects = [_site_metadata(to_plain(obj), jctx.namespace_for(obj), jctx.profile) for obj in jctx.objects]
    for gctx in jctx.groups:
        if not gctx.skip:
            objects.append(_site_metadata(to_plain(workload.build_workload(gctx)), gctx.namespace, jctx.profile))
    return sort_objects(objects)


def convert_file(
    path: Path,
    profile: Profile | None = None,
    variables: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
    transforms: Sequence[Transform] = TRANSFORMS,
    root: Path | None = None,
    meta: MetaOverrides | None = None,
    base_dir: Path | None = None,
) -> list[ServiceResult]:
    """`root`: the repository being converted (default: the jobspec's directory); see fileaccess.
    `base_dir`: where file() & co. resolve (default: the current directory). `meta`: see convert_job."""
    parsed = load_jobspec(path, variables=variables, var_files=var_files, root=root, base_dir=base_dir)
    profile = profile or Profile()
    return [convert_job(raw, parsed, profile, transforms, meta) for raw in parsed.jobs]


def convert_source(source: JobSource, profile: Profile, variables: dict[str, str] | None = None,
                   var_files: list[Path] | None = None, root: Path | None = None,
                   facts: EstateFacts | None = None, meta: MetaOverrides | None = None,
                   base_dir: Path | None = None) -> list[ServiceResult]:
    """One unit of an estate: a jobspec file (as convert_file), or jobspec text a Terraform root
    deploys, parsed with its `hcl2 { vars }` only (the provider passes no NOMAD_VAR_* and no var
    files); the Terraform values that could not be evaluated are decisions in its ledger. The
    deployed text's own file() calls resolve beside the file Terraform read it from, as before
    (the Terraform evaluator's path.module logic decides that file)."""
    if source.text is None:
        parsed = load_jobspec(source.path, variables=variables, var_files=var_files, root=root, base_dir=base_dir)
    elif source.stdin:
        parsed = load_text(source.text, source.path, variables, var_files, None, root, base_dir)
    else:
        parsed = load_text(source.text, source.path, dict(source.variables or ()), None, {}, root,
                           base_dir=source.path.parent)
        parsed.diagnostics += [ParseDiagnostic(TF_UNRESOLVED, d, "") for d in source.diagnostics]
    results = [convert_job(raw, parsed, profile, TRANSFORMS, meta, facts) for raw in parsed.jobs]
    if source.address:
        for result in results:
            result.extra["terraform"] = source.terraform
    return results


def link_batch(results: list[ServiceResult], transforms: Sequence[Transform] = TRANSFORMS) -> None:
    """The batch stage, after every job of a conversion is converted: the batch-scope transforms run on
    the jobs' object stores (e.g. Connect upstreams whose destination Service is in the batch get its
    port, mapping/passes/batch_upstreams.py); the jobs whose objects they changed are serialized again."""
    contexts = [r.context for r in results if r.context is not None]
    offered = [r.view.services for r in results if r.view is not None]
    changed: set[int] = set()  # ids of the contexts a pass changed (a scan per job was quadratic)
    for transform in transforms:
        if transform.scope == "batch":
            changed.update(id(c) for c in transform.fn(contexts, offered))
    for result in results:
        if result.context is not None and id(result.context) in changed:
            jctx = result.context
            result.objects = serialize(jctx)
            # The same API limits as the first serialization (names shortened again); its rows are recorded.
            limits.enforce(result.objects, Ledger(service=jctx.service), jctx.job.nomad_path, jctx.source_file)
    for result in results:  # no later stage reads a context (their view is what they read)
        result.context = None


def flag_name_clashes(results: list[ServiceResult]) -> list[str]:
    """Jobs converted together (under one site profile) whose objects share kind, namespace and
    name would overwrite each other when applied. Each affected service gets one decision listing
    its clashing objects and the other jobspecs producing them; the caller gets one warning line per
    clashing object, naming its owners. Linear in the objects: ten copies of a 400-file estate give
    one line per object, not one per pair of jobspecs."""
    owners: dict[tuple[str, str, str], list[ServiceResult]] = {}
    for result in results:
        for obj in result.objects:
            meta = obj.get("metadata", {})
            key = (obj.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))
            found = owners.setdefault(key, [])
            if not found or found[-1] is not result:  # a result's objects are consecutive
                found.append(result)
    mine: dict[int, tuple[ServiceResult, list[str], dict[str, None]]] = {}
    warnings = []
    for (kind, ns, name), clashing in sorted(owners.items()):
        if len(clashing) < 2:
            continue
        label, sources = f"{kind} {ns}/{name}", sorted({r.source.as_posix() for r in clashing})
        warnings.append(f"{_listed(sources, len(sources))} produce the same object {label}")
        for result in clashing:
            _, objects, others = mine.setdefault(id(result), (result, [], {}))
            objects.append(label)
            others.update((s, None) for s in sources if s != result.source.as_posix())
    for result, objects, others in mine.values():
        path = result.ledger.entries[0].nomad_path.split(".")[0] if result.ledger.entries else "job"
        result.ledger.decide(
            "N2K-OBJECT-NAME-CLASH", path, f"{len(objects)} object(s) also produced by "
            f"{_listed(sorted(others), 3)}: " + ", ".join(objects) + "; applying both overwrites one", k8s="-",
            suggestion="Rename one job, or give them different namespaces.", claims=False)
    return warnings


def _listed(names: list[str], most: int) -> str:
    """`a, b and c`; past `most` names, `a, b and N more` (a line stays short with many copies)."""
    if len(names) > most:
        names = names[:most - 1] + [f"{len(names) - most + 1} more"]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
