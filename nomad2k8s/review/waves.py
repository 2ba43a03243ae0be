"""Migration waves from the estate graph: who calls whom, in dependency order (leaves first).

Until the estate graph of the repository issue lands, the links are the ones the conversion already
records: the Connect upstreams of each job (`extra["upstreams"]`) and the cluster addresses the rewrite
put into the emitted objects (`<svc>.<namespace>.svc.<cluster_domain>`, from Consul DNS names and upstream
addresses). A link to a Service another converted service emits is a dependency; a link to a Service no
converted service emits is external: during the hybrid period that name must still resolve to
Nomad/Consul (shown as `<svc>.service.consul`).

A wave holds the services whose dependencies are all in earlier waves; the members of a cycle move
together, in one wave, and the cycle is named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..k8s.names import dns_label


@dataclass
class Node:
    key: str  # the service's name in the report (its output path when two services share a name)
    objects: list[dict[str, Any]]
    upstreams: list[str] = field(default_factory=list)  # Consul service names it calls through Connect
    cluster_domain: str = "cluster.local"
    depends_on: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _called(node: Node) -> list[tuple[str, str | None]]:
    """(Service name, namespace or None) this service's objects and upstreams address."""
    host = re.compile(r"(?<![\w.-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc\."
                      + re.escape(node.cluster_domain) + r"(?![\w-])")
    found: dict[tuple[str, str | None], None] = {}
    for obj in node.objects:
        if obj.get("kind") == "Service":
            continue
        for text in _strings(obj):
            for m in host.finditer(text):
                found[(m.group(1), m.group(2))] = None
    for destination in node.upstreams:
        found[(dns_label(destination), None)] = None
    return list(found)


def link(nodes: list[Node]) -> None:
    """Fill each node's depends_on (other nodes' keys) and external (names no node serves)."""
    owners: dict[tuple[str, str], str] = {}
    by_name: dict[str, str] = {}
    for node in nodes:
        for obj in node.objects:
            if obj.get("kind") == "Service":
                meta = obj.get("metadata", {})
                owners.setdefault((meta.get("name", ""), meta.get("namespace", "")), node.key)
                by_name.setdefault(meta.get("name", ""), node.key)
    for node in nodes:
        deps: dict[str, None] = {}
        external: dict[str, None] = {}
        for name, namespace in _called(node):
            owner = owners.get((name, namespace)) if namespace is not None else by_name.get(name)
            if owner is None:
                external[f"{name}.service.consul"] = None
            elif owner != node.key:
                deps[owner] = None
        node.depends_on, node.external = sorted(deps), sorted(external)


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
