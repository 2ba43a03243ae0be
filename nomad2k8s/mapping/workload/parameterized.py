"""`parameterized` batch job -> a suspended Job template, dispatched by copying it.

Nomad dispatches a parameterized job with meta values (NOMAD_META_<key> in the tasks) and an
optional payload file. The Job is emitted with `suspend: true` so applying it runs nothing;
every meta key is an env var NOMAD_META_<key> (the job's meta default, else empty) to be
filled per dispatch.
"""

from __future__ import annotations

from kubernetes import client as k8s

from nomad2k8s.k8s.names import env_name
from nomad2k8s.mapping.core.context import GroupContext, JobContext
from nomad2k8s.mapping.core.podspec import add_env
from nomad2k8s.mapping.core.values import hcl_text


def map_parameterized(gctx: GroupContext) -> None:
    """Group scope: suspend the Job and give every container the meta keys as env."""
    job = gctx.job
    params = job.parameterized
    if params is None or gctx.kind != "Job" or gctx.skip:
        return
    gctx.workload_spec.suspend = True
    defaults = {str(k): v for k, v in (job.meta or {}).items()}
    containers = list(gctx.pod_spec.init_containers or []) + list(gctx.pod_spec.containers or [])
    for key in _keys(params):
        name = env_name(f"NOMAD_META_{key}")
        for container in containers:
            if not any(e.name == name for e in container.env or []):
                add_env(container, k8s.V1EnvVar(name=name, value=hcl_text(defaults.get(str(key), ""))))


def _keys(params) -> list[str]:
    return [str(k) for k in (*(params.meta_required or []), *(params.meta_optional or []))]


def record_parameterized(jctx: JobContext) -> None:
    """Job scope: one entry for the block, whatever the number of groups."""
    job, ledger = jctx.job, jctx.ledger
    params = job.parameterized
    if params is None:
        return
    jobs = [g for g in jctx.groups if g.kind == "Job" and not g.skip]
    if not jobs:
        ledger.decide("N2K-PARAMETERIZED", params.nomad_path,
                      f"parameterized {job.job_type} job; only batch job groups become a suspended Job template",
                      k8s="-", suggestion="Make it a batch job, or dispatch it by hand.")
        return
    targets = ", ".join(f"Job/{g.workload_name}" for g in jobs)
    env_names = [env_name(f"NOMAD_META_{k}") for k in _keys(params)]
    ledger.decide(
        "N2K-PARAMETERIZED", params.nomad_path,
        "parameterized job -> a suspended Job template: each dispatch is a copy with its own name, "
        f"meta values and suspend: false (meta keys as env: {', '.join(env_names) or 'none'})",
        k8s=f"{targets} suspend: true",
        suggestion="Dispatch with e.g. `kubectl get job X -o json | jq '.metadata.name=\"X-<id>\" | "
        ".spec.suspend=false | del(.spec.selector,.spec.template.metadata.labels)' | kubectl "
        "create -f -` after setting the env values, or use a workflow engine (Argo Workflows); "
        "required keys: " + (", ".join(map(str, params.meta_required or [])) or "none")
        + (f"; payload ({params.payload}) -> mount a ConfigMap/Secret per dispatch" if params.payload else ""),
    )
