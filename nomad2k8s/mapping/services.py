"""Nomad `service` blocks -> ClusterIP Services (one per Nomad service name).

The Service port is the container port, so clients that used the Nomad port number keep
working; the target is the named container port.
"""

from __future__ import annotations

from kubernetes import client as k8s

from ..model import Service, Task
from .context import GroupContext
from .names import dns_label
from .network import port_name
from .values import as_int


def default_service_name(gctx: GroupContext, task: Task | None) -> str:
    # Nomad's own default: ${JOB}-${TASKGROUP}-${TASK} (group-level services omit the task).
    parts = [gctx.job.name, gctx.group.name] + ([task.name] if task is not None else [])
    return "-".join(parts)


def _all_services(gctx: GroupContext) -> list[tuple[Service, Task | None]]:
    found: list[tuple[Service, Task | None]] = [(s, None) for s in gctx.group.service]
    for task in gctx.group.task:
        if task.name in gctx.containers:  # an unconverted task is accounted for as a whole
            found += [(s, task) for s in task.service]
    return found


def _resolve_port(gctx: GroupContext, service: Service) -> tuple[int | None, str | None]:
    """(container port, port name) for a service's `port`, which is a label or a number."""
    if service.port is None:
        return None, None
    label = str(service.port)
    info = gctx.ports.get(label)
    if info is not None:
        return info.container_port, port_name(info.label)
    number = as_int(service.port)
    return (number, None) if number else (None, None)


def map_services(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    by_name: dict[str, k8s.V1Service] = {}
    for service, task in _all_services(gctx):
        nomad_name = service.name or default_service_name(gctx, task)
        name = dns_label(nomad_name)
        number, target_name = _resolve_port(gctx, service)
        target = f"Service/{name}"
        if service.is_set("name"):
            note = "" if name == nomad_name else f" (renamed from {nomad_name!r}: not DNS-safe)"
            ledger.mapped("N2K-SERVICE-NAME", service.path_of("name"), f"service name{note}", k8s=target)
        if service.is_set("provider"):
            ledger.mapped("N2K-SERVICE-PROVIDER", service.path_of("provider"),
                          f"{service.provider} service discovery -> Kubernetes Service + cluster DNS", k8s=target)
        if number is None:
            if service.is_set("port"):
                ledger.decide("N2K-SERVICE-PORT-UNKNOWN", service.path_of("port"),
                              f"port {service.port!r} is not a declared port label or number", k8s="no Service",
                              suggestion="Declare the port in the group network block.")
            else:
                ledger.mapped("N2K-SERVICE-NO-PORT", service.nomad_path,
                              "service without a port registers no address; no Service is needed", k8s="-",
                              claims=False)
            continue
        ledger.mapped("N2K-SERVICE-PORT", service.path_of("port"), "service port",
                      k8s=f"{target} port {number} -> {target_name or number}")
        svc = by_name.get(name)
        spec_port = k8s.V1ServicePort(name=port_name(target_name or str(number)), port=number,
                                      target_port=target_name or number, protocol="TCP")
        if svc is None:
            annotations = {"nomad2k8s.io/nomad-service-name": nomad_name} if name != nomad_name else None
            svc = k8s.V1Service(
                api_version="v1", kind="Service",
                metadata=k8s.V1ObjectMeta(name=name, namespace=gctx.profile.namespace.name, labels=dict(gctx.labels),
                                          annotations=annotations),
                spec=k8s.V1ServiceSpec(type="ClusterIP", selector=dict(gctx.selector), ports=[spec_port]),
            )
            by_name[name] = svc
            gctx.add_object(svc)
        elif not any(p.port == number for p in svc.spec.ports):
            svc.spec.ports.append(spec_port)
        if service.is_set("task"):
            ledger.mapped("N2K-SERVICE-TASK", service.path_of("task"), "pods are the unit; task is implicit",
                          k8s=target)
    gctx.services.update(by_name)
