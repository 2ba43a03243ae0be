"""Workload consequences of storage: Recreate for single-writer volumes, and the governing
(headless) Service every StatefulSet names in spec.serviceName."""

from __future__ import annotations

from typing import Any

from kubernetes import client as k8s

from nomad2k8s.mapping.core.context import GroupContext, JobContext
from nomad2k8s.mapping.storage.claims import single_writer_claims


def map_single_writer_strategy(gctx: GroupContext) -> None:
    """A rolling update starts the new pod while the old one still holds a ReadWriteOnce volume:
    on another node it never attaches and the rollout deadlocks. Recreate stops the old pod first."""
    if gctx.kind != "Deployment" or gctx.skip or gctx.workload_spec.replicas == 0:
        return
    volumes = single_writer_claims(gctx)
    if not volumes:
        return
    gctx.workload_spec.strategy = k8s.V1DeploymentStrategy(type="Recreate")
    gctx.ledger.changed("N2K-STRATEGY-RECREATE", gctx.group.nomad_path,
                        f"single-writer volume(s) {', '.join(volumes)}: RollingUpdate would deadlock, so "
                        "the old pod stops before the new one starts", k8s=f"Deployment/{gctx.workload_name} "
                        "strategy: Recreate", claims=False)


def _service_name(obj: Any) -> str | None:
    if isinstance(obj, k8s.V1Service):
        return obj.metadata.name if obj.metadata is not None else None
    if isinstance(obj, dict) and obj.get("kind") == "Service":
        return obj.get("metadata", {}).get("name")
    return None


def map_governing_services(jctx: JobContext) -> None:
    """spec.serviceName must name an existing Service; emit a headless one when none has that name."""
    for gctx in jctx.groups:
        if gctx.kind != "StatefulSet" or gctx.skip:
            continue
        taken = {name for name in map(_service_name, jctx.objects) if name}
        wanted = gctx.workload_spec.service_name or gctx.workload_name
        if wanted in gctx.services:
            continue  # this group's own Service already governs it
        name = wanted if wanted not in taken else f"{gctx.workload_name}-headless"
        gctx.workload_spec.service_name = name
        jctx.objects.add(k8s.V1Service(
            api_version="v1", kind="Service",
            metadata=k8s.V1ObjectMeta(name=name, namespace=jctx.profile.namespace.name, labels=dict(gctx.labels)),
            spec=k8s.V1ServiceSpec(cluster_ip="None", selector=dict(gctx.selector)),
        ))
        jctx.ledger.mapped("N2K-STATEFULSET-SERVICE", gctx.group.nomad_path,
                           "a StatefulSet needs a governing Service: headless Service added",
                           k8s=f"Service/{name} clusterIP: None", claims=False)
