"""Which Kubernetes namespace a job's objects go to, and what became of `job.namespace`.

Order: a `nomad2k8s.namespace` hint, else the profile's policy: `fixed` (always
namespace.name) or `nomad` (the job's Nomad namespace, namespace.name when it has none).
"""

from __future__ import annotations

from nomad2k8s.hints import Hints
from nomad2k8s.k8s.names import dns_label
from nomad2k8s.mapping.core.context import JobContext
from nomad2k8s.model import Job
from nomad2k8s.profile import Profile


def job_namespace(job: Job, profile: Profile, hints: Hints) -> str:
    if hints.namespace:
        return hints.namespace
    if profile.namespace.mode == "nomad" and isinstance(job.namespace, str) and job.namespace:
        return dns_label(job.namespace)
    return profile.namespace.name


def map_namespace(jctx: JobContext) -> None:
    job, ledger, policy = jctx.job, jctx.ledger, jctx.profile.namespace
    if not job.is_set("namespace"):
        return
    path, target = job.path_of("namespace"), f"namespace {jctx.namespace}"
    nomad_ns = str(job.namespace)
    if jctx.hints.namespace:
        ledger.changed("N2K-NAMESPACE", path, f"Nomad namespace {nomad_ns!r} replaced by the namespace hint "
                       f"({jctx.hints.source('namespace')})", k8s=target)
    elif policy.mode == "nomad" and jctx.namespace == nomad_ns:
        ledger.mapped("N2K-NAMESPACE", path, "Nomad namespace -> Kubernetes namespace (profile namespace.mode: nomad)",
                      k8s=target)
    elif policy.mode == "nomad":
        ledger.changed("N2K-NAMESPACE", path, "Nomad namespace renamed to a DNS label (profile namespace.mode: nomad)",
                       k8s=target)
    elif nomad_ns == jctx.namespace:
        ledger.mapped("N2K-NAMESPACE", path, "Nomad namespace equals the profile's fixed namespace", k8s=target)
    else:
        ledger.changed("N2K-NAMESPACE", path,
                       f"Nomad namespace; the profile puts every job in {policy.name!r} (namespace.mode: fixed)",
                       k8s=target, suggestion="Set the profile's namespace.mode to nomad to keep Nomad namespaces, "
                       "or add a nomad2k8s.namespace hint.")
