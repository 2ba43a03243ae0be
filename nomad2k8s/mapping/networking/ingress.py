"""Routing tags of a Nomad service -> Ingress, or Traefik IngressRoute + Middleware.

A plain `networking.k8s.io/v1` Ingress is emitted when every router rule is host/path only
(Host, Host(a) || Host(b), Path, PathPrefix, &&) and uses no priority or middleware; Traefik's
router options become `traefik.ingress.kubernetes.io/router.*` annotations. Anything else
(HostRegexp, headers, priorities, middlewares) becomes a `traefik.io/v1alpha1` IngressRoute,
with a Middleware per middleware the tags define. Hosts go through the profile's host rewrite.

The whole tag list is ONE setting: one entry claims it, with a per-tag account in `data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.hints import hints_for
from nomad2k8s.k8s import crds
from nomad2k8s.k8s.names import dns_label, is_host_name
from nomad2k8s.lang import traefik as tt
from nomad2k8s.ledger import Account, Status, Target
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.model import Service, Task

ROUTER_ANNOTATION = "traefik.ingress.kubernetes.io/router."


@dataclass
class TagReport(Account):
    """The account of a service's tags (the one ledger entry for `tags`): every routing object it
    emits is a target; `host_hint` is the effective `host` hint of the service's task (or group/job)."""

    host_hint: str | None = None

    @property
    def objects(self) -> list[str]:
        return [t.render() for t in self.targets]


def rewrite_host(gctx: GroupContext, host: str, hint: str | None = None) -> str:
    """A `host` hint (the service task's, else the group's or job's) replaces every routed host;
    else the profile host rewrite: exact `map` first, else `suffix` appended to the first DNS label."""
    chosen = hint or gctx.hints.host
    if chosen:
        return chosen
    hosts = gctx.profile.hosts
    if host in hosts.map:
        return hosts.map[host]
    if hosts.suffix and not host.startswith("*"):
        first, dot, rest = host.partition(".")
        return f"{first}{hosts.suffix}{dot}{rest}"
    return host


def valid_host(host: str) -> bool:
    return is_host_name(host)


def map_tags(gctx: GroupContext, service: Service, svc: k8s.V1Service | None, port: int | None,
             task: Task | None = None) -> None:
    """Account for `service.tags` (and `canary_tags`), emitting routing objects for `svc`; `task`
    is the task a task-level service belongs to (its `host` hint wins)."""
    if service.is_set("canary_tags"):
        gctx.ledger.dropped("N2K-SERVICE-CANARY-TAGS", service.path_of("canary_tags"),
                            "tags registered only for canaries: Kubernetes has no canary registrations",
                            k8s="-", suggestion="Use a separate canary Deployment/Service (or Argo Rollouts).")
    if not service.is_set("tags"):
        return
    tags = [str(t) for t in (service.tags or [])] if isinstance(service.tags, list) else [str(service.tags)]
    parsed = tt.parse_tags(tags)
    for mw in parsed.middlewares:  # defined here: another job's router may use it (estate graph)
        gctx.job_ctx.graph_ref("traefik-middleware-def", name=mw, path=service.path_of("tags"))
    hints = hints_for(gctx.job, gctx.group, task)
    report = TagReport(gctx.ledger, service.path_of("tags"), "N2K-SERVICE-TAGS", empty="service tags",
                       target_sep=", ", host_hint=hints.host)
    if parsed.plain:
        if svc is not None:
            meta = _service_meta(svc)
            meta.annotations = {**(meta.annotations or {}), "nomad2k8s.io/consul-tags": ",".join(parsed.plain)}
        report.note(Status.CHANGED, f"catalog tags {parsed.plain} kept as annotation nomad2k8s.io/consul-tags "
                    "(nothing in Kubernetes filters on them)")
    if parsed.enabled is False:
        report.note(Status.MAPPED, "traefik.enable=false: not exposed, no Ingress")
    elif svc is None or port is None:
        if parsed.routing:
            report.note(Status.NEEDS_DECISION, "routing tags on a service without a port: no route emitted",
                        "Give the service a port, then add the route.")
    else:
        _routers(gctx, service, parsed, svc, port, report)
        _unconverted_service_options(parsed, report)
        _fabio(gctx, parsed, svc, port, report)
        if parsed.enabled is True and not parsed.routers and not parsed.fabio:
            report.note(Status.NEEDS_DECISION, "traefik.enable=true without a router rule: Traefik's default "
                        "rule (from its provider's defaultRule) applied", "Write the host rule explicitly.")
    for tag in parsed.other_traefik:
        report.note(Status.DROPPED, f"{tag!r}: no Kubernetes rendering")
    if hints.host and report.targets:
        gctx.ledger.mapped("N2K-HINT-HOST", service.nomad_path, f"host hint ({hints.source('host')}): every "
                           f"routed host of this service is {hints.host}", target=report.where(),
                           claims=False)
    report.data = {"tags": tags, "objects": report.objects}
    report.record()


def _object_name(svc_name: str, router: str, count: int) -> str:
    if count == 1 or dns_label(router) == svc_name:
        return svc_name
    return dns_label(f"{svc_name}-{router}")


# Traefik service (load balancer) options -> the Service annotation the Kubernetes Ingress provider
# reads, and the field of an IngressRoute `services` entry. Values are strings in tags.
SERVICE_ANNOTATION = "traefik.ingress.kubernetes.io/service."
SERVICE_OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "loadbalancer.server.scheme": ("serversscheme", ("scheme",)),
    "loadbalancer.passhostheader": ("passhostheader", ("passHostHeader",)),
    "loadbalancer.sticky.cookie": ("sticky.cookie", ("sticky", "cookie")),
    "loadbalancer.sticky.cookie.name": ("sticky.cookie.name", ("sticky", "cookie", "name")),
    "loadbalancer.sticky.cookie.secure": ("sticky.cookie.secure", ("sticky", "cookie", "secure")),
    "loadbalancer.sticky.cookie.httponly": ("sticky.cookie.httponly", ("sticky", "cookie", "httpOnly")),
    "loadbalancer.sticky.cookie.samesite": ("sticky.cookie.samesite", ("sticky", "cookie", "sameSite")),
    "loadbalancer.sticky.cookie.maxage": ("sticky.cookie.maxage", ("sticky", "cookie", "maxAge")),
}
BACKEND_PORT = "loadbalancer.server.port"


def _backend(parsed: tt.TagSet, router: tt.Router, svc: k8s.V1Service, port: int) -> tuple[int, dict[str, str]]:
    """(Service port, Traefik service options) behind a router: the tag-set `loadbalancer.server.port`,
    else the service's port; the options are those of the router's Traefik service (or the only one)."""
    names = [router.service] if router.service else list(parsed.services)
    options = parsed.services.get(names[0] or "", {}) if len(names) == 1 else {}
    for name in names:
        wanted = parsed.services.get(name or "", {}).get(BACKEND_PORT)
        if wanted and wanted.isdigit():
            number = int(wanted)
            ports = _service_ports(svc)
            if not any(p.port == number for p in ports):
                ports.append(k8s.V1ServicePort(name=f"lb-{number}", port=number, target_port=number,
                                                        protocol="TCP"))
            return number, parsed.services.get(name or "", {})
    return port, options


def _service_annotations(svc: k8s.V1Service, options: dict[str, str], report: TagReport) -> None:
    """Ingress backends: the Traefik service options become annotations of the Kubernetes Service."""
    added = {SERVICE_ANNOTATION + SERVICE_OPTIONS[k][0]: v for k, v in sorted(options.items()) if k in SERVICE_OPTIONS}
    if added:
        meta = _service_meta(svc)
        meta.annotations = {**(meta.annotations or {}), **added}
        report.note(Status.MAPPED, f"Traefik service options {sorted(k for k in options if k in SERVICE_OPTIONS)} "
                    f"-> Service/{_service_name(svc)} annotations {SERVICE_ANNOTATION}*")


def _route_service_fields(entry: dict[str, Any], options: dict[str, str], report: TagReport) -> None:
    """IngressRoute backends: the Traefik service options become fields of the route's service entry."""
    used = sorted(k for k in options if k in SERVICE_OPTIONS)
    for key in used:
        *parents, leaf = SERVICE_OPTIONS[key][1]
        node = entry
        for parent in parents:
            node = node.setdefault(parent, {})
        if leaf == "cookie":
            if options[key].lower() != "false":
                node.setdefault("cookie", {})  # `sticky.cookie=true`: a sticky cookie, Traefik's defaults
        else:
            node[leaf] = _typed(leaf, options[key])
    if used:
        report.note(Status.MAPPED, f"Traefik service options {used} -> IngressRoute service fields")


def _typed(field_name: str, value: str) -> Any:
    if field_name in ("passHostHeader", "secure", "httpOnly"):
        return value.lower() == "true"
    if field_name == "maxAge" and value.lstrip("-").isdigit():
        return int(value)
    return value


def _unconverted_service_options(parsed: tt.TagSet, report: TagReport) -> None:
    for name, options in parsed.services.items():
        for key, value in sorted(options.items()):
            if key != BACKEND_PORT and key not in SERVICE_OPTIONS:
                report.note(Status.NEEDS_DECISION, f"Traefik service {name!r} option {key}={value!r} is not "
                            "converted", "Set it on the IngressRoute service / a ServersTransport or the "
                            "Service annotations by hand (health checks: the readiness probe already "
                            "removes unhealthy pods).")


def _routers(gctx: GroupContext, service: Service, parsed: tt.TagSet, svc: k8s.V1Service, port: int,
             report: TagReport) -> None:
    count = len(parsed.routers)
    for router in parsed.routers.values():
        name = _object_name(_service_name(svc), router.name, count)
        if not router.rule:
            report.note(Status.NEEDS_DECISION, f"router {router.name!r} has no rule (Traefik's defaultRule applied)",
                        "Write the host rule explicitly.")
            continue
        try:
            tree = tt.parse_rule(router.rule)
        except tt.RuleError as exc:
            report.note(Status.NEEDS_DECISION, f"router {router.name!r} rule {router.rule!r} not understood: {exc}",
                        "Write the Ingress/IngressRoute by hand.")
            continue
        hosts = _rule_hosts(tree)
        bad = [h for h in hosts if not valid_host(rewrite_host(gctx, h, report.host_hint))]
        if bad:
            report.note(Status.NEEDS_DECISION, f"router {router.name!r}: host {bad[0]!r} is not a literal DNS name "
                        "(unresolved variable?); no route emitted", "Resolve the host (pass --var) and convert again.")
            continue
        if router.service and router.service.endswith("@internal"):
            report.note(Status.NEEDS_DECISION, f"router {router.name!r} targets Traefik's own {router.service}",
                        "Expose the Traefik dashboard/API through the cluster's Traefik install instead.")
            continue
        backend, options = _backend(parsed, router, svc, port)
        routes = tt.simple_routes(tree)
        legacy = " (Traefik v1 frontend rule)" if router.legacy else ""
        if routes is not None and not router.middlewares and router.priority is None:
            _ingress(gctx, name, router, routes, _service_name(svc), backend, report.host_hint)
            _service_annotations(svc, options, report)
            report.to(Target("Ingress", name))
            report.note(Status.CHANGED if router.legacy else Status.MAPPED,
                        f"router {router.name!r}{legacy}: {router.rule} -> Ingress/{name}")
        else:
            status = _ingress_route(gctx, name, router, tree, parsed, _service_name(svc), backend, report, options)
            report.to(Target("IngressRoute", name))
            report.note(status, f"router {router.name!r}{legacy}: {router.rule} -> IngressRoute/{name} "
                        "(not expressible as a plain Ingress)")
        for key in router.others:
            if key.startswith("tls."):
                report.note(Status.CHANGED, f"router {router.name!r} {key}: TLS is enabled; certificates come from "
                            "the profile (tls_secret / cert-manager)")


def _rule_hosts(node) -> list[str]:
    if isinstance(node, tt.Matcher):
        return list(node.args) if node.name.lower() == "host" else []
    return [h for item in node.items for h in _rule_hosts(item)]


def _entrypoints(gctx: GroupContext, router: tt.Router) -> list[str]:
    return router.entrypoints or list(gctx.profile.ingress.entrypoints)


def _serves_tls(gctx: GroupContext, router: tt.Router) -> bool:
    """A router terminates TLS when it says so, or its entrypoints (the profile's default when it names none)
    include one the profile lists as TLS; a router on a plain entrypoint such as `web` stays plain."""
    return bool(router.tls) or any(e in gctx.profile.ingress.tls_entrypoints for e in _entrypoints(gctx, router))


def _metadata(gctx: GroupContext, name: str, annotations: dict[str, str], tls: bool = True) -> k8s.V1ObjectMeta:
    # The profile's router TLS annotations belong to TLS routers only: on a plain route they would force TLS.
    profile = {k: v for k, v in gctx.profile.ingress.annotations.items()
               if tls or not k.startswith(ROUTER_ANNOTATION + "tls")}
    merged = {**profile, **annotations}
    return k8s.V1ObjectMeta(name=name, namespace=gctx.profile.namespace.name, labels=dict(gctx.labels),
                            annotations=merged or None)


def _ingress(gctx: GroupContext, name: str, router: tt.Router, routes: list[tt.Route], backend_service: str,
             port: int, host_hint: str | None = None) -> None:
    settings = gctx.profile.ingress
    annotations: dict[str, str] = {}
    entrypoints = _entrypoints(gctx, router)
    if entrypoints:
        annotations[ROUTER_ANNOTATION + "entrypoints"] = ",".join(entrypoints)
    backend = k8s.V1IngressBackend(service=k8s.V1IngressServiceBackend(
        name=backend_service, port=k8s.V1ServiceBackendPort(number=port)))
    rules: dict[str, list[k8s.V1HTTPIngressPath]] = {}
    for route in routes:
        for host in route.hosts or ("",):
            paths = rules.setdefault(rewrite_host(gctx, host, host_hint) if host else "", [])
            path = k8s.V1HTTPIngressPath(path=route.path, path_type=route.path_type, backend=backend)
            if not any(p.path == path.path and p.path_type == path.path_type for p in paths):
                paths.append(path)
    spec = k8s.V1IngressSpec(
        ingress_class_name=settings.class_name,
        rules=[k8s.V1IngressRule(host=host or None, http=k8s.V1HTTPIngressRuleValue(paths=paths))
               for host, paths in rules.items()],
    )
    tls_hosts = [h for h in rules if h]
    serves_tls = _serves_tls(gctx, router)
    if router.tls:
        annotations[ROUTER_ANNOTATION + "tls"] = "true"
        if router.certresolver:
            annotations[ROUTER_ANNOTATION + "tls.certresolver"] = router.certresolver
        secret = settings.tls_secret
        if settings.cert_manager_issuer:
            annotations["cert-manager.io/cluster-issuer"] = settings.cert_manager_issuer
            secret = secret or f"{name}-tls"
        if tls_hosts or secret:
            spec.tls = [k8s.V1IngressTLS(hosts=tls_hosts or None, secret_name=secret)]
    elif serves_tls and settings.tls_secret and tls_hosts:
        # A TLS entrypoint with the profile's certificate: the hosts are served with that secret.
        spec.tls = [k8s.V1IngressTLS(hosts=tls_hosts, secret_name=settings.tls_secret)]
    gctx.add_object(k8s.V1Ingress(api_version="networking.k8s.io/v1", kind="Ingress",
                                  metadata=_metadata(gctx, name, annotations, tls=serves_tls), spec=spec))


def _ingress_route(gctx: GroupContext, name: str, router: tt.Router, tree, parsed: tt.TagSet,
                   backend_service: str, port: int, report: TagReport, options: dict[str, str]) -> Status:
    status = Status.CHANGED
    refs: list[dict[str, str]] = []
    for mw in router.middlewares:
        mw_name, _, provider = mw.partition("@")
        if provider and provider not in ("consulcatalog", "nomad", "kubernetescrd"):
            status = Status.NEEDS_DECISION
            report.note(Status.NEEDS_DECISION, f"middleware {mw!r} is defined outside the job ({provider} provider)",
                        f"Create a Middleware equivalent to {mw!r} and add it to IngressRoute/{name}.")
            continue
        if mw_name not in parsed.middlewares:
            gctx.job_ctx.graph_ref("traefik-middleware-use", name=mw_name, path=report.path)
            status = Status.NEEDS_DECISION
            report.note(Status.NEEDS_DECISION, f"middleware {mw!r} is defined by another job's tags",
                        f"Convert the job that defines {mw_name!r}; its Middleware is referenced by name.")
            refs.append({"name": dns_label(mw_name)})
            continue
        obj = middleware(gctx, mw_name, *parsed.middlewares[mw_name], report)
        if obj is not None:
            refs.append({"name": obj["metadata"]["name"]})
    target: dict[str, Any] = {"name": backend_service, "port": port}
    _route_service_fields(target, options, report)
    route: dict[str, Any] = {
        "kind": "Rule",
        "match": tt.top_rule(tree, lambda h: rewrite_host(gctx, h, report.host_hint)),
        "services": [target],
    }
    if router.priority is not None:
        route["priority"] = router.priority
    if refs:
        route["middlewares"] = refs
    tls: dict[str, Any] | None = None
    if router.tls:
        tls = {}
        if router.certresolver:
            tls["certResolver"] = router.certresolver
        elif gctx.profile.ingress.tls_secret:
            tls["secretName"] = gctx.profile.ingress.tls_secret
    elif _serves_tls(gctx, router) and gctx.profile.ingress.tls_secret:
        tls = {"secretName": gctx.profile.ingress.tls_secret}
    gctx.add_object(crds.ingress_route(metadata=_plain_meta(gctx, name), routes=[route],
                                       entry_points=_entrypoints(gctx, router), tls=tls))
    return status


def _plain_meta(gctx: GroupContext, name: str) -> dict[str, Any]:
    meta = _metadata(gctx, name, {})
    return crds.metadata(name, meta.namespace, meta.labels, meta.annotations)


# The Services routed here are built by services.py, always with a name and a spec with ports.
def _service_meta(svc: k8s.V1Service) -> k8s.V1ObjectMeta:
    if svc.metadata is None:
        raise ValueError("a routed Service has no metadata")
    return svc.metadata


def _service_name(svc: k8s.V1Service) -> str:
    name = _service_meta(svc).name
    if not name:
        raise ValueError("a routed Service has no name")
    return name


def _service_ports(svc: k8s.V1Service) -> list[k8s.V1ServicePort]:
    if svc.spec is None or svc.spec.ports is None:
        raise ValueError(f"Service/{_service_name(svc)} has no ports")
    return svc.spec.ports


def middleware(gctx: GroupContext, name: str, kind: str, options: dict[str, str],
               report: TagReport) -> dict[str, Any] | None:
    """A Middleware object from tag options; None (and a needs-decision) when it cannot be rendered."""
    field_name = tt.MIDDLEWARE_TYPES.get(kind)
    obj_name = dns_label(name)
    if field_name is None:
        report.note(Status.NEEDS_DECISION, f"middleware {name!r} of type {kind!r} is not converted",
                    f"Write Middleware/{obj_name} by hand.")
        return None
    body: dict[str, Any] = {}
    for option, value in options.items():
        if option in tt.SECRET_OPTIONS:
            body["secret"] = f"{obj_name}-users"
            report.note(Status.NEEDS_DECISION, f"middleware {name!r} {option}: credentials are not copied into "
                        f"manifests; Middleware/{obj_name} reads Secret {obj_name}-users",
                        f"Create Secret {obj_name}-users (key `users`) from your secret store.")
            continue
        key = tt.OPTION_NAMES.get(option)
        if key is None:
            report.note(Status.NEEDS_DECISION, f"middleware {name!r} option {option!r} is not converted",
                        f"Set it on Middleware/{obj_name} by hand.")
            continue
        body[key] = _option_value(option, value)
    existing = gctx.job_ctx.objects.get("Middleware", obj_name)
    if existing is not None:
        return existing
    obj = crds.middleware(metadata=_plain_meta(gctx, obj_name), middleware_type=field_name,
                          options=body)
    gctx.add_object(obj)
    report.to(Target("Middleware", obj_name))
    report.note(Status.CHANGED, f"middleware {name!r} ({kind}) -> Middleware/{obj_name}")
    return obj


def _option_value(option: str, value: str) -> Any:
    if option in tt.LIST_OPTIONS:
        return tt._split_list(value)
    if option in tt.BOOL_OPTIONS:
        return value.lower() == "true"
    if option in tt.INT_OPTIONS and value.isdigit():
        return int(value)
    return value


def _fabio(gctx: GroupContext, parsed: tt.TagSet, svc: k8s.V1Service, port: int, report: TagReport) -> None:
    for i, tag in enumerate(parsed.fabio):
        route, options = tt.fabio_route(tag)
        if route is None or options.get("proto", "http") not in ("http", "https"):
            report.note(Status.NEEDS_DECISION, f"Fabio tag {tag!r} is not an HTTP route",
                        "Expose it with a LoadBalancer Service or a Traefik IngressRouteTCP.")
            continue
        bad = [h for h in route.hosts if not valid_host(rewrite_host(gctx, h, report.host_hint))]
        if bad:
            report.note(Status.NEEDS_DECISION, f"Fabio tag {tag!r}: host {bad[0]!r} is not a DNS name",
                        "Resolve the host and convert again.")
            continue
        name = _service_name(svc) if len(parsed.fabio) == 1 and not parsed.routers else dns_label(
            f"{_service_name(svc)}-fabio-{i}")
        router = tt.Router(name=name, entrypoints=[])
        _ingress(gctx, name, router, [route], _service_name(svc), port, report.host_hint)
        report.to(Target("Ingress", name))
        extra = ""
        if "strip" in options:
            extra = f"; strip={options['strip']} needs a stripPrefix Middleware"
            report.note(Status.NEEDS_DECISION, f"Fabio tag {tag!r} -> Ingress/{name}{extra}",
                        f"Add a Traefik stripPrefix Middleware for {options['strip']} (router.middlewares annotation).")
        else:
            report.note(Status.CHANGED, f"Fabio tag {tag!r} -> Ingress/{name} (Fabio replaced by the ingress "
                        "controller)")
