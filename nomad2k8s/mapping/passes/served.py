"""After containers are placed: Services and routes only for what the pod really serves.

Services are built before the lifecycle mapper decides which tasks become containers, so a
group that emits no workload (N2K-GROUP-NO-CONTAINER) or a hook task that is not emitted would
leave Services selecting no pod, targets naming ports no container has, and ledger rows
claiming a mapping into a container that does not exist. This pass removes such Service ports
(and Services left without ports, with the Ingress/IngressRoute/Middleware routing to them)
and re-states the rows of what was not emitted as dropped, with the reason.
"""

from __future__ import annotations

from typing import Any

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.ledger import Ledger, Status
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.networking.services import all_services, service_name
from nomad2k8s.model import paths

ROUTE_KINDS = ("Ingress", "IngressRoute")


def restate(ledger: Ledger, path: str, reason: str, keep: tuple[str, ...] = ()) -> None:
    """Claiming rows at or below `path` (but not below `keep`) that say mapped/changed become dropped."""
    for entry in ledger.entries:
        if not entry.claims or entry.status not in (Status.MAPPED, Status.CHANGED):
            continue
        if not paths.covers(path, entry.nomad_path) or any(paths.covers(k, entry.nomad_path) for k in keep):
            continue
        ledger.supersede(entry, Status.DROPPED, reason)


def _placed(gctx: GroupContext) -> tuple[set[str], set[str]]:
    """(names of emitted containers, names of the container ports the pod serves)."""
    if gctx.skip:
        return set(), set()
    regular = list(gctx.pod_spec.containers or [])
    init = list(gctx.pod_spec.init_containers or [])
    serving = regular + [c for c in init if c.restart_policy == "Always"]
    return {c.name for c in regular + init}, {p.name for c in serving for p in c.ports or [] if p.name}


def map_served(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    placed, port_names = _placed(gctx)
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is not None and container.name not in placed and not gctx.skip:
            _restate_task(gctx, task)
    if gctx.skip:
        for network in gctx.group.network:
            restate(ledger, network.nomad_path, "no workload is emitted for this group (N2K-GROUP-NO-CONTAINER)")
    removed = _prune_services(gctx, port_names)
    if not removed:
        return
    for service, owner in all_services(gctx):
        if dns_label(service_name(gctx, service, owner)) in removed:
            reason = ("no workload is emitted for this group (N2K-GROUP-NO-CONTAINER): no Service" if gctx.skip
                      else "no emitted container serves this port: no Service")
            restate(ledger, service.nomad_path, reason)
    _prune_routes(gctx, removed)


def _restate_task(gctx: GroupContext, task: Any) -> None:
    lifecycle = task.path_of("lifecycle")
    hook = next((e for e in gctx.ledger.entries if e.code == "N2K-LIFECYCLE-HOOK" and e.nomad_path == lifecycle),
                None)
    if hook is not None:  # its command runs as an exec hook of an app container: only the command is carried
        config = task.path_of("config")
        # ... and the files its templates render, mounted where the hook runs (lifecycle.py).
        carried = tuple((hook.data or {}).get("carried_templates", ()))
        restate(gctx.ledger, task.nomad_path, f"task {task.name} runs as an exec hook of an app container (see "
                "its lifecycle entry); its own container settings are not carried",
                keep=(lifecycle, f"{config}.command", f"{config}.args", f"{config}.entrypoint", *carried))
    else:
        restate(gctx.ledger, task.nomad_path, f"task {task.name} is not emitted as a container (see its lifecycle "
                "entry)", keep=(lifecycle,))


def _prune_services(gctx: GroupContext, port_names: set[str]) -> set[str]:
    """Drop Service ports targeting a port no emitted container has; names of Services left empty."""
    removed: set[str] = set()
    objects = gctx.job_ctx.objects
    for svc in objects.by_owner(gctx, "Service"):
        kept = [p for p in svc.spec.ports or [] if not isinstance(p.target_port, str) or p.target_port in port_names]
        if kept and not gctx.skip:
            svc.spec.ports = kept
            continue
        objects.remove(svc)
        gctx.services.pop(svc.metadata.name, None)
        removed.add(svc.metadata.name)
    return removed


def _backends(obj: Any) -> set[str]:
    if isinstance(obj, dict):  # IngressRoute
        return {s.get("name") for r in obj["spec"].get("routes", []) for s in r.get("services", [])}
    return {p.backend.service.name for rule in obj.spec.rules or [] for p in rule.http.paths}


def _prune_routes(gctx: GroupContext, removed: set[str]) -> None:
    """Routes to a removed Service go too, and Middlewares only they referenced."""
    objects = gctx.job_ctx.objects
    dropped_routes = [o for o in objects.of_kind(*ROUTE_KINDS) if _backends(o) & removed]
    for obj in dropped_routes:
        objects.remove(obj)
    used = {m["name"] for o in objects.of_kind("IngressRoute")
            for r in o["spec"].get("routes", []) for m in r.get("middlewares", [])}
    orphaned = {m["name"] for o in dropped_routes if isinstance(o, dict)
                for r in o["spec"].get("routes", []) for m in r.get("middlewares", [])} - used
    for obj in [o for o in objects.of_kind("Middleware") if o["metadata"]["name"] in orphaned]:
        objects.remove(obj)
