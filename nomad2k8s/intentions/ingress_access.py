"""Clients Consul intentions never governed, under a namespace default deny.

Consul intentions only judge mesh connections; a Kubernetes default-deny policy closes every
pod's ingress. The ingress controller (Traefik reaches the app's pods directly, not through the
mesh) would be locked out of every routed service: each Service an Ingress/IngressRoute routes to
gets an allow rule from the controller's pods (profile `ingress.controller_namespace` /
`controller_labels`) to the container ports the routes reach. Other non-mesh clients (monitoring)
are not known to the conversion: the namespace-wide deny is a decision that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..ledger import Status
from .catalog import Workload, _container_ports
from .common import EmitContext, Emitted, metadata, policy_name

INGRESS_KINDS = ("Ingress", "IngressRoute", "IngressRouteTCP")
CILIUM_NS = "k8s:io.kubernetes.pod.namespace"
K8S_NS = "kubernetes.io/metadata.name"


@dataclass
class Routed:
    workload: Workload
    routes: list[str]  # "Ingress/x"
    ports: list[tuple[str, str]]  # container (port, protocol) the routes reach


def _backends(obj: dict[str, Any]) -> list[tuple[str, Any]]:
    """(Service name, port number or name) pairs an Ingress or IngressRoute sends traffic to."""
    spec = obj.get("spec") or {}
    found: list[tuple[str, Any]] = []
    if obj.get("kind") == "Ingress":
        backends = [spec.get("defaultBackend") or {}]
        for rule in spec.get("rules") or []:
            backends += [p.get("backend") or {} for p in (rule.get("http") or {}).get("paths") or []]
        for backend in backends:
            service = backend.get("service") or {}
            if service.get("name"):
                port = service.get("port") or {}
                found.append((service["name"], port.get("number", port.get("name"))))
    else:
        for route in spec.get("routes") or []:
            for service in route.get("services") or []:
                if service.get("name") and service.get("kind", "Service") == "Service":
                    found.append((service["name"], service.get("port")))
    return found


def _target_ports(result: Any, service: str, port: Any) -> list[tuple[str, str]]:
    """The container ports behind one Service port (all its ports when the route names none)."""
    named = _container_ports(result.objects)
    for obj in result.objects:
        if obj.get("kind") != "Service" or obj.get("metadata", {}).get("name") != service:
            continue
        out = []
        for sp in (obj.get("spec") or {}).get("ports") or []:
            if port is not None and port not in (sp.get("port"), sp.get("name")):
                continue
            target = sp.get("targetPort", sp.get("port"))
            target = named.get(target, target) if isinstance(target, str) else target
            out.append((str(target), sp.get("protocol", "TCP")))
        return out
    return []


def routed_services(ctx: EmitContext, results: list[Any]) -> list[Routed]:
    found: dict[str, Routed] = {}
    for result in results:
        for obj in result.objects:
            if obj.get("kind") not in INGRESS_KINDS:
                continue
            for service, port in _backends(obj):
                workload = ctx.catalog.services.get(service)
                if workload is None or workload.result is not result:
                    continue
                routed = found.setdefault(service, Routed(workload, [], []))
                route = f"{obj['kind']}/{obj['metadata']['name']}"
                if route not in routed.routes:
                    routed.routes.append(route)
                for target in _target_ports(result, service, port):
                    if target not in routed.ports:
                        routed.ports.append(target)
    return [found[name] for name in sorted(found)]


def _controller(ctx: EmitContext) -> str:
    ingress = ctx.profile.ingress
    labels = ", ".join(f"{k}={v}" for k, v in sorted(ingress.controller_labels.items()))
    where = f"namespace {ingress.controller_namespace}" if ingress.controller_namespace else "any namespace"
    return f"the ingress controller's pods ({labels} in {where}; profile ingress.controller_namespace/controller_labels)"


def _cilium(ctx: EmitContext, routed: Routed, name: str) -> dict[str, Any]:
    ingress = ctx.profile.ingress
    source: dict[str, Any] = {"matchLabels": dict(ingress.controller_labels)}
    if ingress.controller_namespace:
        source["matchLabels"][CILIUM_NS] = ingress.controller_namespace
    else:  # a namespaced policy's selectors stay in its namespace unless the namespace label is matched
        source["matchExpressions"] = [{"key": CILIUM_NS, "operator": "Exists"}]
    return {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
            "metadata": metadata(name, routed.workload.namespace, ctx.profile),
            "spec": {"endpointSelector": {"matchLabels": dict(routed.workload.labels)}, "ingress": [{
                "fromEndpoints": [source],
                "toPorts": [{"ports": [{"port": p, "protocol": proto} for p, proto in routed.ports]}]}]}}


def _kubernetes(ctx: EmitContext, routed: Routed, name: str) -> dict[str, Any]:
    ingress = ctx.profile.ingress
    namespaces = ({"matchLabels": {K8S_NS: ingress.controller_namespace}} if ingress.controller_namespace else {})
    peer = {"namespaceSelector": namespaces, "podSelector": {"matchLabels": dict(ingress.controller_labels)}}
    ports = [{"port": int(p) if p.isdigit() else p, "protocol": proto} for p, proto in routed.ports]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": metadata(name, routed.workload.namespace, ctx.profile),
            "spec": {"podSelector": {"matchLabels": dict(routed.workload.labels)}, "policyTypes": ["Ingress"],
                     "ingress": [{"from": [peer], "ports": ports}]}}


def controller_access(ctx: EmitContext, results: list[Any], target: str) -> tuple[list[Emitted], set[str]]:
    """Allow rules from the ingress controller to the routed services under a default deny; ledger rows on
    each service. Returns the policies and the names of the services they open."""
    out: list[Emitted] = []
    opened: set[str] = set()
    deny = set(ctx.plan.default_deny_namespaces)
    for routed in routed_services(ctx, results):
        workload = routed.workload
        if workload.namespace not in deny or not routed.ports or not workload.labels:
            continue
        ledger, path = workload.result.ledger, f"intention[{workload.name}]"
        routes = ", ".join(routed.routes)
        ports = ", ".join(p for p, _ in routed.ports)
        if not ctx.profile.ingress.controller_labels:
            ledger.decide("N2K-INTENTION-INGRESS-CONTROLLER", path,
                          f"{routes} route(s) to {workload.name}, but the namespace default deny blocks the ingress "
                          "controller and the profile names no controller pods (ingress.controller_labels)",
                          suggestion="Set ingress.controller_namespace/controller_labels in the profile, or add "
                          "the allow rule by hand.", claims=False, k8s="-")
            continue
        name = policy_name("allow-ingress-controller-to", workload.name)
        if target in ("cilium", "kubernetes"):
            obj = _cilium(ctx, routed, name) if target == "cilium" else _kubernetes(ctx, routed, name)
            out.append(Emitted(obj, workload.name))
            opened.add(workload.name)
            ledger.changed("N2K-INTENTION-INGRESS-CONTROLLER", path,
                           f"{routes} route(s) to {workload.name}; the namespace default deny would block the "
                           f"ingress controller, which Consul intentions never governed: {_controller(ctx)} may "
                           f"reach port(s) {ports}", k8s=f"{obj['kind']}/{name}", claims=False,
                           suggestion="Check that the profile's controller namespace and labels match the "
                           "cluster's ingress controller.")
        else:
            ledger.decide("N2K-INTENTION-INGRESS-CONTROLLER", path,
                          f"{routes} route(s) to {workload.name}, but the namespace default deny ({target}) also "
                          f"blocks the ingress controller ({_controller(ctx)}); no {target} rule is emitted for it: "
                          "a controller outside the mesh has no mesh identity to allow", k8s="-", claims=False,
                          suggestion="Put the ingress controller in the mesh and allow its identity to port(s) "
                          f"{ports}, or exclude the routed port(s) from the mesh policy.")
    return out, opened


def default_deny_scope(ctx: EmitContext, ledger: Any, opened: set[str]) -> None:
    """A namespace-wide deny also closes the pods to clients no intention governed: a decision, never silent."""
    for ns in ctx.plan.default_deny_namespaces:
        let_in = sorted(n for n in opened if ctx.catalog.services[n].namespace == ns)
        also = (f"; the ingress controller is let through to {', '.join(let_in)}" if let_in else "")
        ledger.record(Status.NEEDS_DECISION, "N2K-INTENTION-DEFAULT-DENY-SCOPE", f"namespace[{ns}].default-deny",
                      f"the default-deny policy of namespace {ns} closes every pod's ingress, not only mesh traffic: "
                      "clients Consul intentions never governed (monitoring scrapes, the ingress controller, jobs "
                      f"outside the mesh) are blocked too{also}",
                      suggestion="Add allow policies for the non-mesh clients that must keep reaching these pods "
                      "(e.g. Prometheus on the metrics ports), or accept that they are cut off.",
                      claims=False, k8s="default-deny")
