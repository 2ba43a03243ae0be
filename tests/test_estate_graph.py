"""The estate graph (nomad2k8s/estate_graph.py): nodes, edges of every kind with evidence, external
dependencies, and the JSON round trip the review and OUT/estate.json use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nomad2k8s.convert import ServiceResult
from nomad2k8s.estate_graph import EstateGraph, GraphNode, build_graph
from nomad2k8s.ledger import Ledger


def _service(name: str, services: list[str], **extra: Any) -> ServiceResult:
    objects = [{"kind": "Service", "metadata": {"name": s, "namespace": "default"}} for s in services]
    objects.append({"kind": "Deployment", "metadata": {"name": name, "namespace": "default"}})
    return ServiceResult(name, Path(f"{name}.nomad.hcl"), "hcl2", objects, Ledger(service=name), dict(extra))


def test_every_edge_kind_and_the_external_nodes() -> None:
    web = _service("web", ["web"], upstreams=[{"destination": "api", "nomad_path": "job[web].upstreams[0]"}],
                   graph_refs=[{"kind": "consul-dns", "service": "vault", "name": "vault.service.consul",
                                "path": "job[web].env.VAULT_ADDR"},
                               {"kind": "consul-service", "service": "master.db", "name": "master.db",
                                "path": "job[web].template[0].data"},
                               {"kind": "traefik-middleware-use", "name": "auth", "path": "job[web].service[0].tags"}],
                   shared_volumes=[{"claim": "default/media", "path": "job[web].group[g].volume[media]"}],
                   terraform={"address": "module.web.nomad_job.this", "depends_on": ["module.api"]})
    api = _service("api", ["api"], graph_refs=[{"kind": "traefik-middleware-def", "name": "auth", "path": "p"},
                                               {"kind": "consul-dns", "service": "api", "name": "api.service.consul",
                                                "path": "self"}],
                   shared_volumes=[{"claim": "default/media", "path": "job[api].group[g].volume[media]"}],
                   terraform={"address": "module.api.nomad_job.this", "depends_on": []})
    db = _service("db", ["db"])
    graph = build_graph([("web", web), ("api", api), ("db", db)],
                        [{"source": "web", "destination": "api", "action": "allow", "evidence": "i.hcl:3"}])
    kinds = {(e.source, e.target, e.kind) for e in graph.edges}
    assert kinds == {("web", "api", "connect-upstream"), ("web", "vault.service.consul", "consul-dns"),
                     ("web", "db", "consul-service"), ("web", "api", "traefik-middleware"),
                     ("api", "web", "shared-volume"), ("web", "api", "terraform-depends-on"),
                     ("web", "api", "intention")}  # a self reference is no edge; a tag filters db
    assert all(e.evidence for e in graph.edges)
    assert graph.external() == [GraphNode("vault.service.consul", "external", "vault.service.consul", ["web"])]
    assert graph.node("api") == GraphNode("api", "service", None, ["web"])
    assert graph.dependencies("web") == ["api", "db", "vault.service.consul"]
    assert graph.dependencies("api") == []  # a shared volume orders nothing
    assert EstateGraph.from_json(graph.to_json()) == graph
