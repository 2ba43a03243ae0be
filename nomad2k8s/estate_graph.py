"""The estate graph: which converted service calls, shares with or waits for which other, and which
services outside the estate they name (issue 14, item 7).

Built from STRUCTURED data the conversion records where a rewrite or lookup happens, never from the
emitted YAML: `ServiceResult.extra["upstreams"]` (Connect upstreams), `extra["graph_refs"]` (Consul DNS
names in env/args/probes/templates, consul-template `service` lookups, Traefik middlewares used and
defined; JobContext.graph_ref), `extra["shared_volumes"]` (shared_volumes.py), `extra["terraform"]`
(`depends_on` between `nomad_job` resources) and the intentions of the run (`extra["intentions"]` of the
policies result, intentions/apply.py).

Public API (used by the review's waves and by the migration kit; keep it stable):

    build_graph(services, intentions=()) -> EstateGraph
        services: [(key, ServiceResult)]: key = the service's name in the report (review/waves.Node.key:
        its name, or its output directory when two services share a name); intentions: dicts
        {"source", "destination", "action", "evidence"} (Consul service names), with "scope" (the keys of
        the services the intentions govern) when known: names are matched among those only.
    EstateGraph.nodes: list[GraphNode]
        GraphNode(key: str, kind: Literal["service", "external"], consul_name: str | None, used_by: list[str])
        a service node per converted service (consul_name None); an "external" node per Consul service a
        converted service names that no converted service provides: key = consul_name =
        "<service>.service.consul", used_by = the keys of the services naming it (sorted).
        A service node's used_by lists the services with a dependency edge to it.
    EstateGraph.edges: list[GraphEdge(source, target, kind, evidence: list[str])]
        kind: "connect-upstream" | "consul-dns" | "consul-service" | "traefik-middleware" | "intention"
        | "shared-volume" | "terraform-depends-on"; evidence: where it was found (Nomad path and the text,
        file:line for intentions, the Terraform address). One edge per (source, target, kind).
        A shared volume edge goes from the smaller key to the larger one (it has no direction).
    EstateGraph.external() -> list[GraphNode]
    EstateGraph.dependencies(key) -> list[str]   (targets of the DEPENDENCY_KINDS edges: the waves)
    EstateGraph.to_json() -> dict   ({"schema_version": 1, "nodes": [...], "edges": [...]}, sorted)
    EstateGraph.from_json(doc) -> EstateGraph

Matching a name to a service: a Consul name `x` is served by the converted service that emits the
Kubernetes Service `dns_label(x)` (the caller's namespace first, in it the caller's directory first, then
any); a tag (`tag.x.service.consul`,
`service "tag.x"`) filters instances of `x`, it does not name another service.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .k8s.names import dns_label

if TYPE_CHECKING:
    from .convert import ServiceResult

SCHEMA_VERSION = 1
# Edges that order a migration: the source calls (or is deployed after) the target.
DEPENDENCY_KINDS = frozenset({"connect-upstream", "consul-dns", "consul-service", "traefik-middleware",
                              "terraform-depends-on"})
EDGE_KINDS = DEPENDENCY_KINDS | {"intention", "shared-volume"}


@dataclass
class GraphNode:
    key: str
    kind: Literal["service", "external"]
    consul_name: str | None = None
    used_by: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "consul_name": self.consul_name, "used_by": list(self.used_by)}


@dataclass
class GraphEdge:
    source: str
    target: str
    kind: str
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "kind": self.kind, "evidence": list(self.evidence)}


@dataclass
class EstateGraph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)

    def external(self) -> list[GraphNode]:
        return [n for n in self.nodes if n.kind == "external"]

    def node(self, key: str) -> GraphNode | None:
        return next((n for n in self.nodes if n.key == key), None)

    def dependencies(self, key: str) -> list[str]:
        """What `key` needs first (services and external names), from the dependency edges."""
        return sorted({e.target for e in self.edges if e.source == key and e.kind in DEPENDENCY_KINDS})

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "nodes": [n.as_dict() for n in self.nodes],
                "edges": [e.as_dict() for e in self.edges]}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> EstateGraph:
        return cls([GraphNode(n["key"], n["kind"], n.get("consul_name"), list(n.get("used_by", [])))
                    for n in doc.get("nodes", [])],
                   [GraphEdge(e["source"], e["target"], e["kind"], list(e.get("evidence", [])))
                    for e in doc.get("edges", [])])


def consul_service(query: str) -> tuple[str, str | None]:
    """(service, tag) of a Consul service query `[tag.]name`: the tag filters the service's instances."""
    tag, _, name = query.rpartition(".")
    return name, tag or None


class _Builder:
    def __init__(self, services: Sequence[tuple[str, ServiceResult]]) -> None:
        self.keys = [key for key, _ in services]
        # Kubernetes Service name -> [(namespace, key)] of the converted services emitting it.
        self.owners: dict[str, list[tuple[str, str]]] = {}
        self.namespace: dict[str, str] = {}
        self.directory = {key: result.source.parent for key, result in services}
        for key, result in services:
            for obj in result.objects:
                meta = obj.get("metadata", {})
                if obj.get("kind") == "Service":
                    self.owners.setdefault(meta.get("name", ""), []).append((meta.get("namespace", ""), key))
                if obj.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"):
                    self.namespace.setdefault(key, meta.get("namespace", ""))
        self.edges: dict[tuple[str, str, str], list[str]] = {}
        self.external: dict[str, dict[str, None]] = {}

    def owner(self, consul_name: str, caller: str, scope: Sequence[str] | None = None) -> str | None:
        found = [(ns, k) for ns, k in self.owners.get(dns_label(consul_name), []) if scope is None or k in scope]
        # The caller's namespace first, and in it a service of the caller's directory (two directories may
        # each hold a job of one name: each calls its neighbour).
        mine = [k for ns, k in found if ns == self.namespace.get(caller)]
        near = [k for k in mine if caller in self.directory and self.directory.get(k) == self.directory[caller]]
        candidates = near or mine or [k for _, k in found]
        return candidates[0] if candidates else None

    def edge(self, source: str, target: str, kind: str, evidence: str) -> None:
        if source == target:
            return
        found = self.edges.setdefault((source, target, kind), [])
        if evidence and evidence not in found:
            found.append(evidence)

    def call(self, caller: str, service: str, kind: str, evidence: str, external: bool = True) -> None:
        """`caller` names Consul service `service`: an edge to its owner, else to an external node."""
        owner = self.owner(service, caller)
        if owner is not None:
            self.edge(caller, owner, kind, evidence)
        elif external and service:
            name = f"{dns_label(service)}.service.consul"
            self.external.setdefault(name, {})[caller] = None
            self.edge(caller, name, kind, evidence)

    def graph(self) -> EstateGraph:
        used_by: dict[str, set[str]] = {}
        for source, target, kind in self.edges:
            if kind in DEPENDENCY_KINDS:
                used_by.setdefault(target, set()).add(source)
        nodes = [GraphNode(k, "service", None, sorted(used_by.get(k, ()))) for k in sorted(set(self.keys))]
        nodes += [GraphNode(name, "external", name, sorted(users)) for name, users in sorted(self.external.items())]
        edges = [GraphEdge(s, t, k, sorted(ev)) for (s, t, k), ev in sorted(self.edges.items())]
        return EstateGraph(nodes, edges)


def _evidence(ref: dict[str, Any]) -> str:
    path, text = ref.get("path") or "", ref.get("name") or ""
    return f"{path}: {text}" if path and text else path or text


def build_graph(services: Sequence[tuple[str, ServiceResult]],
                intentions: Iterable[dict[str, Any]] = ()) -> EstateGraph:
    """See the module docstring."""
    b = _Builder(services)
    middlewares: dict[str, list[str]] = {}  # middleware name -> keys of the services defining it
    for key, result in services:
        for ref in result.extra.get("graph_refs", []):
            if ref["kind"] == "traefik-middleware-def":
                middlewares.setdefault(ref["name"], []).append(key)
    for key, result in services:
        for up in result.extra.get("upstreams", []):
            b.call(key, up["destination"], "connect-upstream", f"{up['nomad_path']}: {up['destination']}")
        for ref in result.extra.get("graph_refs", []):
            if ref["kind"] == "consul-dns":
                b.call(key, ref["service"], "consul-dns", _evidence(ref))
            elif ref["kind"] == "consul-service":
                b.call(key, consul_service(ref["service"])[0], "consul-service", _evidence(ref))
            elif ref["kind"] == "traefik-middleware-use":
                for definer in middlewares.get(ref["name"], []):  # none: defined outside the estate
                    b.edge(key, definer, "traefik-middleware", f"{ref.get('path', '')}: middleware {ref['name']}")
        for dep in (result.extra.get("terraform") or {}).get("depends_on", []):
            for other_key, other in services:
                address = (other.extra.get("terraform") or {}).get("address") or ""
                if other is not result and address and (address == dep or address.startswith(dep + ".")):
                    b.edge(key, other_key, "terraform-depends-on", f"{result.extra['terraform']['address']}: "
                           f"depends_on {dep}")
    claims: dict[str, list[tuple[str, str]]] = {}
    for key, result in services:
        for item in result.extra.get("shared_volumes", []):
            claims.setdefault(item["claim"], []).append((key, item.get("path", "")))
    for claim, users in sorted(claims.items()):
        for i, (a, path_a) in enumerate(users):
            for b_key, path_b in users[i + 1:]:
                first, second = sorted((a, b_key))
                b.edge(first, second, "shared-volume", f"claim {claim}: " + ", ".join(p for p in (path_a, path_b) if p))
    for intention in intentions:
        scope = intention.get("scope")  # the services of the intentions' run, when known
        source = b.owner(intention["source"], "", scope)
        target = b.owner(intention["destination"], "", scope)
        if source is not None and target is not None:
            b.edge(source, target, "intention", f"{intention.get('evidence', '')}: {intention.get('action', '')}"
                   .strip(": "))
    return b.graph()
