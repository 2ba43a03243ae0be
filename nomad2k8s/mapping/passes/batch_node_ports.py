"""Batch pass: NodePort numbers unique over every job converted together.

A NodePort is open on every node of the cluster, so two Services can never share one; each group
only chose its preferred number (mapping/networking/nodeports.py). Here every Service port with a
nodePort in the run is a request, taken in a fixed order (namespace, Service, port name, then the
jobspec), so the numbers depend on the input, not on --jobs or the order files are read:

1. a static port inside the profile's range keeps its number; when two Services ask for the same
   one, the first keeps it and both get a needs-decision row naming the other (N2K-PORT-NODEPORT-CLASH);
2. every other request gets its preferred number, or the next free one inside the range.

A renumbered port's ledger entry says so (changed, with the Service that holds the number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.ledger import LedgerEntry, Status, Target
from nomad2k8s.mapping.core.context import JobContext, resolved_namespace
from nomad2k8s.mapping.networking import nodeports
from nomad2k8s.mapping.networking.network import PortInfo, all_ports
from nomad2k8s.mapping.passes.batch_inputs import OfferedService

CLASH = "N2K-PORT-NODEPORT-CLASH"


@dataclass
class _Request:
    """The Service ports (TCP and UDP twins) exposing one static port on the nodes."""

    jctx: JobContext
    service: k8s.V1Service
    ports: list[k8s.V1ServicePort]
    static: int
    info: PortInfo | None
    namespace: str
    bounds: nodeports.Bounds
    provisional: int | None = None  # the group mapper's number
    final: int | None = None
    holder: _Request | None = None  # who holds the number it preferred, when it was renumbered
    clashes: list[_Request] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.service.metadata.name) if self.service.metadata is not None else "?"

    @property
    def key(self) -> tuple[str, ...]:
        return (self.namespace, self.name, str(self.ports[0].name or ""), f"{self.static:05d}",
                self.jctx.source_file, self.jctx.job.name)

    @property
    def entry(self) -> LedgerEntry | None:
        return self.info.entry if self.info is not None else None

    def who(self) -> str:
        return f"Service {self.namespace}/{self.name} of job {self.jctx.job.name}"


def allocate_node_ports(contexts: list[JobContext], offered: list[tuple[OfferedService, ...]]) -> list[JobContext]:
    """Make every nodePort of `contexts` unique (the jobs with a nodePort keep their context:
    batch_inputs.has_batch_work, so `offered` is not needed); returns the contexts whose objects changed."""
    requests = sorted(_requests(contexts), key=lambda r: r.key)
    taken: dict[int, _Request] = {}
    later: list[_Request] = []
    for request in requests:
        low, high = request.bounds
        if not low <= request.static <= high:
            later.append(request)
            continue
        holder = taken.get(request.static)
        if holder is None:
            taken[request.static] = request
            request.final = request.static
            continue
        holder.clashes.append(request)
        request.clashes.append(holder)
        later.append(request)
    for request in later:
        want = nodeports.preferred(request.static, request.bounds)
        request.holder = taken.get(want)
        request.final = _free(want, request.bounds, taken)
        if request.final is not None:
            taken[request.final] = request
    changed: dict[int, JobContext] = {}  # by id, in order
    for request in requests:
        if request.final != request.provisional:
            for port in request.ports:
                port.node_port = request.final
            changed.setdefault(id(request.jctx), request.jctx)
    _restate(requests)
    _clash_rows(requests)
    return list(changed.values())


def _requests(contexts: list[JobContext]) -> list[_Request]:
    out: list[_Request] = []
    for jctx in contexts:
        for gctx in jctx.groups:
            if gctx.skip:
                continue
            infos = list(all_ports(gctx))
            for svc in jctx.objects.by_owner(gctx, "Service"):
                namespace = resolved_namespace(svc.metadata.namespace, jctx.namespace_for(svc), jctx.profile)
                by_static: dict[int, _Request] = {}
                for port in svc.spec.ports or []:
                    if port.node_port is None:
                        continue
                    info = _info_of(port, infos)
                    static = info.static if info is not None and info.static else port.node_port
                    request = by_static.get(static)
                    if request is None:
                        request = by_static[static] = _Request(jctx, svc, [], static, info, namespace,
                                                               nodeports.bounds(jctx.profile), port.node_port)
                        out.append(request)
                    request.ports.append(port)
    return out


def _info_of(port: k8s.V1ServicePort, infos: list[PortInfo]) -> PortInfo | None:
    """The declared port a Service port targets: by container port name, else by number."""
    for info in infos:
        if isinstance(port.target_port, str) and port.target_port in (info.name, info.udp_name):
            return info
    return next((i for i in infos if i.static and i.container_port == port.target_port), None)


def _free(want: int, bounds: nodeports.Bounds, taken: dict[int, Any]) -> int | None:
    """`want`, else the next number of the range no one holds (wrapping); None when the range is full."""
    low, high = bounds
    size = high - low + 1
    for step in range(size):
        number = low + (want - low + step) % size
        if number not in taken:
            return number
    return None


def _restate(requests: list[_Request]) -> None:
    """Rewrite the entries of renumbered ports: the numbers, why, and the new suggestion."""
    by_entry: dict[int, list[_Request]] = {}
    for request in requests:
        if request.entry is not None and "node_port" in request.entry.data:
            by_entry.setdefault(id(request.entry), []).append(request)
    for group in by_entry.values():
        if all(r.final == r.provisional and r.holder is None for r in group):
            continue
        entry, first = group[0].entry, group[0]
        assert entry is not None
        data = entry.data["node_port"]
        numbers = [(r.name, r.final) for r in group]
        holders = [r.holder.who() for r in group if r.holder is not None and r.holder is not r]
        what = nodeports.static_what(first.static, data["container_port"], numbers, first.bounds,
                                     ", ".join(dict.fromkeys(holders)))
        rest = entry.message[len(data["what"]):] if entry.message.startswith(data["what"]) else ""
        entry.message, data["what"] = what + rest, what
        if any(r.final != first.static for r in group):
            entry.status = Status.worst(entry.status, Status.CHANGED)
            entry.suggestion = nodeports.suggestion([r.final for r in group])
        if isinstance(entry.target, Target) and entry.target.field:
            old = f"NodePort {first.provisional}"
            new = "NodePort " + "/".join(str(n) for n in dict.fromkeys(r.final for r in group))
            first.jctx.ledger.retarget(entry, Target(entry.target.kind, entry.target.name, entry.target.container,
                                                     entry.target.field.replace(old, new, 1), entry.target.into))


def _clash_rows(requests: list[_Request]) -> None:
    """One needs-decision row per Service that asked for an in-range nodePort another one also asked for."""
    for request in requests:
        if not request.clashes:
            continue
        path = request.entry.nomad_path if request.entry is not None else request.jctx.job.nomad_path
        others = "; ".join(f"{o.who()} asks for it too and got nodePort {nodeports.number_text(o.final)}"
                           if o.final != o.static else f"{o.who()} asks for it too and keeps it"
                           for o in request.clashes)
        mine = ("this Service keeps it" if request.final == request.static
                else f"this Service got nodePort {nodeports.number_text(request.final)}")
        request.jctx.ledger.decide(
            CLASH, path, f"static port {request.static} asks for nodePort {request.static}, which is cluster-wide: "
            f"{others}; {mine}", k8s=f"Service/{request.name} nodePort {request.final}",
            suggestion=f"Choose which Service keeps node port {request.static} and tell the other's clients its "
            "new number, or use a LoadBalancer Service / hostPort (profile ports.static_port_policy).",
            claims=False)
