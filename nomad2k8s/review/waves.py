"""Migration waves from the estate graph (nomad2k8s/estate_graph.py): who calls whom, in dependency
order (leaves first).

A node's dependencies are the targets of its dependency edges in the graph (Connect upstreams, Consul DNS
names, consul-template `service` lookups, Traefik middlewares defined by another job, Terraform
`depends_on`): another service is a dependency, an external node (a Consul service no converted service
provides) is external: during the hybrid period that name must still resolve to Nomad/Consul (shown as
`<svc>.service.consul`).

A wave holds the services whose dependencies are all in earlier waves; the members of a cycle move
together, in one wave, and the cycle is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..estate_graph import EstateGraph


@dataclass
class Node:
    key: str  # the service's name in the report (its output path when two services share a name)
    depends_on: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


def link(nodes: list[Node], graph: EstateGraph) -> None:
    """Fill each node's depends_on (other nodes' keys) and external (names no node serves) from `graph`."""
    keys = {n.key for n in nodes}
    external = {n.key for n in graph.external()}
    for node in nodes:
        targets = graph.dependencies(node.key)
        node.depends_on = sorted(t for t in targets if t in keys and t != node.key)
        node.external = sorted(t for t in targets if t in external)


def _components(keys: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Kosaraju, iterative)."""
    order: list[str] = []
    seen: set[str] = set()
    for start in keys:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(edges[start]))]
        while stack:
            key, it = stack[-1]
            nxt = next((n for n in it if n not in seen), None)
            if nxt is None:
                order.append(key)
                stack.pop()
            else:
                seen.add(nxt)
                stack.append((nxt, iter(edges[nxt])))
    reverse: dict[str, list[str]] = {k: [] for k in keys}
    for key in keys:
        for dep in edges[key]:
            reverse[dep].append(key)
    assigned: set[str] = set()
    components = []
    for start in reversed(order):
        if start in assigned:
            continue
        component, todo = [], [start]
        assigned.add(start)
        while todo:
            key = todo.pop()
            component.append(key)
            for n in reverse[key]:
                if n not in assigned:
                    assigned.add(n)
                    todo.append(n)
        components.append(sorted(component))
    return components


def waves(nodes: list[Node]) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """(waves, cycles) of already linked nodes: [{"wave": 1, "services": [...], "external": [...]}]."""
    keys = sorted(n.key for n in nodes)
    edges = {n.key: list(n.depends_on) for n in nodes}
    components = _components(keys, edges)
    component_of = {key: i for i, members in enumerate(components) for key in members}
    depth: dict[int, int] = {}
    # Kosaraju gives the components in topological order, callers first: walk it backwards, leaves first.
    for i in reversed(range(len(components))):
        deps = {component_of[d] for key in components[i] for d in edges[key]} - {i}
        depth[i] = 1 + max((depth[d] for d in deps), default=0)
    by_node = {n.key: n for n in nodes}
    out: list[dict[str, Any]] = []
    for wave in range(1, max(depth.values(), default=0) + 1):
        members = sorted(k for i, c in enumerate(components) if depth[i] == wave for k in c)
        external = sorted({e for k in members for e in by_node[k].external})
        out.append({"wave": wave, "services": members, "external": external})
    cycles = sorted(c for c in components if len(c) > 1)
    return out, cycles
