"""Workload consequences of storage: Recreate for single-writer volumes, and the governing
(headless) Service every StatefulSet names in spec.serviceName."""

from __future__ import annotations

from typing import Any

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
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


def _headless(obj: Any) -> bool:
    if isinstance(obj, k8s.V1Service):
        return obj.spec is not None and obj.spec.cluster_ip == "None"
    return isinstance(obj, dict) and obj.get("spec", {}).get("clusterIP") == "None"


def _ports(gctx: GroupContext) -> list[k8s.V1ServicePort] | None:
    """The pods' container ports: peers reach each other by pod DNS name on them (and SRV records name them)."""
    found: dict[tuple[int, str], str | None] = {}
    containers = list(gctx.pod_spec.containers or []) + list(gctx.pod_spec.init_containers or [])
    for container in containers:
        for port in container.ports or []:
            found.setdefault((port.container_port, port.protocol or "TCP"), port.name)
    ports, used = [], set()
    for i, ((number, protocol), name) in enumerate(sorted(found.items())):
        if len(found) > 1 and (not name or name in used):
            name = f"port-{i}"  # several ports need distinct names
        used.add(name)
        ports.append(k8s.V1ServicePort(name=name, port=number, target_port=number, protocol=protocol))
    return ports or None


def map_governing_services(jctx: JobContext) -> None:
    """spec.serviceName must name a headless Service (it gives each pod its DNS name). The group's own
    ClusterIP Service stays for clients; a headless `<workload>-headless` is added beside it."""
    for gctx in jctx.groups:
        if gctx.kind != "StatefulSet" or gctx.skip:
            continue
        objects = list(jctx.objects)
        taken = {name for name in map(_service_name, objects) if name}
        wanted = gctx.workload_spec.service_name or gctx.workload_name
        named = next((o for o in objects if _service_name(o) == wanted), None)
        if named is not None and _headless(named):
            continue  # already a headless Service of that name
        clients = wanted in gctx.services
        name = wanted if wanted not in taken else dns_label(f"{gctx.workload_name}-headless")
        n = 2
        while name in taken:  # a Nomad service may already carry the name
            name, n = dns_label(f"{gctx.workload_name}-headless-{n}"), n + 1
        gctx.workload_spec.service_name = name
        jctx.objects.add(k8s.V1Service(
            api_version="v1", kind="Service",
            metadata=k8s.V1ObjectMeta(name=name, namespace=jctx.profile.namespace.name, labels=dict(gctx.labels)),
            spec=k8s.V1ServiceSpec(cluster_ip="None", selector=dict(gctx.selector), ports=_ports(gctx)),
        ))
        why = (f"Service/{wanted} keeps its ClusterIP for clients; the StatefulSet's serviceName names a headless "
               "governing Service beside it" if clients else "a StatefulSet needs a governing Service")
        jctx.ledger.mapped("N2K-STATEFULSET-SERVICE", gctx.group.nomad_path, f"{why}: headless Service added",
                           k8s=f"Service/{name} clusterIP: None (StatefulSet serviceName)", claims=False)
