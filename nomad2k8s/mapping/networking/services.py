"""Nomad `service` blocks -> ClusterIP Services (one per Nomad service name).

The Service port is the container port, so clients that used the Nomad port number keep
working; the target is the named container port. Static ports make the Service a NodePort
when the profile says so (profile.ports.static_port_policy). Tags become routing objects
(mapping/networking/ingress.py), checks become probes (mapping/networking/probes.py), Connect blocks are recorded by
mapping/networking/connect.py.
"""

from __future__ import annotations

from kubernetes import client as k8s

from nomad2k8s.hints import hints_for
from nomad2k8s.k8s.names import dns_label, is_qualified_name_part
from nomad2k8s.ledger import FieldRules, rules
from nomad2k8s.mapping.core import interpolate
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.interpolate import default_service_name
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.mapping.networking import connect, ingress, nodeports, probes
from nomad2k8s.mapping.networking.network import PortInfo, all_ports, port_for, port_name
from nomad2k8s.mapping.networking.upstreams import namespace_of
from nomad2k8s.model import Service, Task, paths

NOMAD_NAME_ANNOTATION = "nomad2k8s.io/nomad-service-name"
META_ANNOTATION_PREFIX = "nomad.service.meta/"


def service_name(gctx: GroupContext, service: Service, task: Task | None) -> str:
    """The Nomad service name with the runtime values Nomad fills in (`${JOB}`, `${NOMAD_TASK_NAME}`,
    `${NOMAD_META_x}`...) from the one variable table, as for env values; anything else stays as written."""
    if not service.name:
        return default_service_name(gctx, task)
    return interpolate.Interpolator(gctx, task, mode="service").substitute(str(service.name))


def all_services(gctx: GroupContext) -> list[tuple[Service, Task | None]]:
    found: list[tuple[Service, Task | None]] = [(s, None) for s in gctx.group.service]
    for task in gctx.group.task:
        if task.name in gctx.containers:  # an unconverted task is accounted for as a whole
            found += [(s, task) for s in task.service]
    return found


def _resolve_port(gctx: GroupContext, service: Service, task: Task | None) -> tuple[int | None, PortInfo | None]:
    """(container port, the declared port) for a service's `port`, which is a label or a number; a task's
    service (or a group service naming its `task`) uses that task's port of the label."""
    if service.port is None:
        return None, None
    owner = task.name if task is not None else service.task if isinstance(service.task, str) else None
    info = port_for(gctx, str(service.port), owner)
    if info is not None:
        return info.container_port, info
    number = as_int(service.port)
    return (number, None) if number else (None, None)


def service_ports(number: int, info: PortInfo | None) -> list[k8s.V1ServicePort]:
    """The Service port(s) for a container port: TCP, plus UDP for a port exposed for both."""
    if info is None:
        return [k8s.V1ServicePort(name=port_name(str(number)), port=number, target_port=number, protocol="TCP")]
    out = [k8s.V1ServicePort(name=info.name, port=number, target_port=info.name, protocol="TCP")]
    if info.udp:
        out.append(k8s.V1ServicePort(name=info.udp_name, port=number, target_port=info.udp_name, protocol="UDP"))
    return out


def _new_service(gctx: GroupContext, name: str, nomad_name: str) -> k8s.V1Service:
    annotations = {NOMAD_NAME_ANNOTATION: nomad_name} if name != nomad_name else None
    return k8s.V1Service(
        api_version="v1", kind="Service",
        metadata=k8s.V1ObjectMeta(name=name, namespace=namespace_of(gctx), labels=dict(gctx.labels),
                                  annotations=annotations),
        spec=k8s.V1ServiceSpec(type="ClusterIP", selector=dict(gctx.selector), ports=[]),
    )


def _spec(svc: k8s.V1Service) -> k8s.V1ServiceSpec:
    """The spec of a Service built by _new_service (which always sets one)."""
    if svc.spec is None:
        raise ValueError(f"Service {_name(svc)!r} has no spec")
    return svc.spec


def _name(svc: k8s.V1Service) -> str:
    return str(svc.metadata.name) if svc.metadata is not None else "?"


ROUTING_KINDS = frozenset({"Ingress", "IngressRoute", "Middleware"})


def _unexpose(gctx: GroupContext, first: int, service: Service, source: str | None) -> None:
    """expose=false hint: drop the routing objects this service's tags produced."""
    objects = gctx.job_ctx.objects
    routed = objects.added_since(first, *ROUTING_KINDS)
    for obj in routed:
        objects.remove(obj)
    if routed:
        gctx.ledger.changed("N2K-HINT-EXPOSE", service.nomad_path,
                            f"expose hint ({source}) = false: {len(routed)} routing object(s) not emitted",
                            k8s="no Ingress", claims=False)


def _service_type(gctx: GroupContext, svc: k8s.V1Service, wanted: str, source: str | None) -> None:
    spec = _spec(svc)
    if spec.type == wanted:
        return
    if wanted == "ClusterIP":
        for port in spec.ports or []:
            port.node_port = None
    gctx.ledger.mapped("N2K-HINT-SERVICE-TYPE", gctx.group.nomad_path,
                       f"service-type hint ({source}): {wanted} instead of {spec.type}",
                       k8s=f"Service/{_name(svc)} type: {wanted}", claims=False)
    spec.type = wanted


def map_services(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    by_name: dict[str, k8s.V1Service] = {}
    types: dict[str, tuple[str, str | None]] = {}  # Service name -> (service-type hint, its source)
    for service, task in all_services(gctx):
        hints = hints_for(gctx.job, gctx.group, task)
        nomad_name = service_name(gctx, service, task)
        name = dns_label(nomad_name)
        number, info = _resolve_port(gctx, service, task)
        target_name = info.name if info is not None else None
        target = f"Service/{name}"
        if service.is_set("name"):
            note = "" if name == nomad_name else f" (renamed from {nomad_name!r}: not DNS-safe)"
            ledger.mapped("N2K-SERVICE-NAME", service.path_of("name"), f"service name{note}", k8s=target)
        if service.is_set("provider"):
            ledger.mapped("N2K-SERVICE-PROVIDER", service.path_of("provider"),
                          f"{service.provider} service discovery -> Kubernetes Service + cluster DNS", k8s=target)
        if service.is_set("task"):
            ledger.mapped("N2K-SERVICE-TASK", service.path_of("task"), "pods are the unit; task is implicit",
                          k8s=target)
        svc = None
        if number is None:
            if service.is_set("port"):
                ledger.decide("N2K-SERVICE-PORT-UNKNOWN", service.path_of("port"),
                              f"port {service.port!r} is not a declared port label or number", k8s="no Service",
                              suggestion="Declare the port in the group network block.")
            else:
                ledger.mapped("N2K-SERVICE-NO-PORT", service.nomad_path,
                              "service without a port registers no address; no Service is needed", k8s="-",
                              claims=False)
        else:
            svc = by_name.get(name)
            if svc is None:
                svc = by_name[name] = _new_service(gctx, name, nomad_name)
                gctx.add_object(svc)
            ledger.mapped("N2K-SERVICE-PORT", service.path_of("port"), "service port",
                          k8s=f"{target} port {number} -> {target_name or number}")
            spec = _spec(svc)
            ports = spec.ports or []
            if not any(p.port == number for p in ports):
                spec.ports = ports + service_ports(number, info)
        if svc is not None and hints.service_type:
            types[name] = (hints.service_type, hints.source("service_type"))
        first = gctx.job_ctx.objects.mark()
        ingress.map_tags(gctx, service, svc, number, task)
        if hints.expose is False:
            _unexpose(gctx, first, service, hints.source("expose"))
        _settings(gctx, service, svc, target)
        probes.map_checks(gctx, service, task)
        connect.map_connect(gctx, service)
    gctx.services.update(by_name)
    _static_ports(gctx, by_name)
    for name, (wanted, source) in types.items():
        _service_type(gctx, by_name[name], wanted, source)


# Consul registration settings with no Kubernetes meaning.
_DROPPED_SETTINGS = FieldRules(
    rules.dropped("canary_meta", "N2K-SERVICE-CANARY-META",
                  "meta registered only for canaries: Kubernetes has no canary registrations"),
    rules.dropped("enable_tag_override", "N2K-SERVICE-TAG-OVERRIDE",
                  "Consul anti-entropy tag override: Kubernetes Services have no tags"),
    rules.dropped("on_update", "N2K-SERVICE-ON-UPDATE",
                  "check behaviour during deployments: rollout health always uses readiness probes"),
)


def _settings(gctx: GroupContext, service: Service, svc: k8s.V1Service | None, target: str) -> None:
    """address_mode, address, meta, canary_meta, enable_tag_override, on_update."""
    ledger = gctx.ledger
    if service.is_set("address_mode"):
        mode = str(service.address_mode)
        if mode == "host":
            ledger.changed("N2K-SERVICE-ADDRESS-MODE", service.path_of("address_mode"),
                           "address_mode host advertised the node address; the Service routes to pod IPs",
                           k8s=target)
        else:
            ledger.mapped("N2K-SERVICE-ADDRESS-MODE", service.path_of("address_mode"),
                          f"address_mode {mode}: the Service routes to pod IPs", k8s=target)
    if service.is_set("address"):
        ledger.decide("N2K-SERVICE-ADDRESS", service.path_of("address"),
                      f"service advertised a custom address {service.address!r}", k8s=target,
                      suggestion="Use an ExternalName Service or Endpoints if clients must reach that address.")
    for key, value in (service.meta or {}).items():
        path = paths.join(service.path_of("meta"), str(key))
        metadata = svc.metadata if svc is not None else None
        if metadata is not None and is_qualified_name_part(str(key)):
            metadata.annotations = {**(metadata.annotations or {}), META_ANNOTATION_PREFIX + str(key): str(value)}
            ledger.changed("N2K-SERVICE-META", path, "Consul service meta kept as a Service annotation "
                           "(nothing reads it in Kubernetes)", k8s=f"{target} annotation {META_ANNOTATION_PREFIX}{key}")
        else:
            ledger.dropped("N2K-SERVICE-META", path, "Consul service meta: no Service to annotate or not a valid "
                           "annotation name", k8s="-")
    _DROPPED_SETTINGS.apply(ledger, service)


def _static_ports(gctx: GroupContext, by_name: dict[str, k8s.V1Service]) -> None:
    """NodePort policy: a Service exposing a static port becomes NodePort with its preferred number (the batch
    pass, mapping/passes/batch_node_ports.py, makes the numbers unique over the run)."""
    if gctx.profile.ports.static_port_policy != "NodePort" or gctx.pod_spec.host_network:
        return
    infos = [i for i in all_ports(gctx) if i.static]
    if not infos:
        return
    bounds = nodeports.bounds(gctx.profile)
    exposed: set[str] = set()
    for svc in by_name.values():
        spec = _spec(svc)
        for port in spec.ports or []:
            info = _static_of(port, infos)
            if info is not None and info.static:
                spec.type = "NodePort"
                port.node_port = nodeports.preferred(info.static, bounds)
                exposed.add(info.name)
    rest = [i for i in infos if i.name not in exposed and i.shares is None]
    if rest:
        # The static port was reachable on every node running the job: keep that with a NodePort Service.
        name = dns_label(f"{gctx.workload_name}-static")
        svc = _new_service(gctx, name, name)
        spec = _spec(svc)
        spec.type = "NodePort"
        spec.ports = []
        for info in sorted(rest, key=lambda i: i.container_port):
            for port in service_ports(info.container_port, info):
                port.node_port = nodeports.preferred(info.static or 0, bounds)
                spec.ports.append(port)
        gctx.add_object(svc)


def _static_of(port: k8s.V1ServicePort, infos: list[PortInfo]) -> PortInfo | None:
    """The static port a Service port targets: by container port name, else by number."""
    for info in infos:
        if isinstance(port.target_port, str) and port.target_port in (info.name, info.udp_name):
            return info
    return next((i for i in infos if i.container_port == port.port), None)
