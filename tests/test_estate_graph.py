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


def _job(name: str, service: str, *, tags: str = "", env: str = "", template: str = "", volume: bool = False) -> str:
    vol = ('    volume "data" {\n      type = "csi"\n      source = "shared-data"\n'
           '      access_mode = "multi-node-multi-writer"\n      attachment_mode = "file-system"\n    }\n') if volume else ""
    mount = '      volume_mount {\n        volume = "data"\n        destination = "/data"\n      }\n' if volume else ""
    tpl = (f'      template {{\n        destination = "local/app.conf"\n        data = <<EOT\n{template}\nEOT\n      }}\n'
           if template else "")
    return (f'job "{name}" {{\n  group "g" {{\n{vol}    network {{\n      port "http" {{ to = 8080 }}\n    }}\n'
            f'    service {{\n      name = "{service}"\n      port = "http"\n      tags = [{tags}]\n    }}\n'
            f'    task "t" {{\n      driver = "docker"\n      config {{\n        image = "app:1"\n        ports = ["http"]\n'
            f'      }}\n{mount}{tpl}      env {{\n{env}      }}\n    }}\n  }}\n}}\n')


def test_a_converted_directory_writes_its_graph(tmp_path: Path) -> None:
    import json

    from tests.support import run_cli

    src = tmp_path / "jobs"
    src.mkdir()
    (src / "auth.nomad.hcl").write_text(_job("auth", "auth", tags='"traefik.http.middlewares.auth.basicauth.users=u"'))
    (src / "db.nomad.hcl").write_text(_job("db", "db", volume=True))
    (src / "web.nomad.hcl").write_text(_job(
        "web", "web", volume=True,
        tags='"traefik.http.routers.web.rule=Host(`web.example.com`)", "traefik.http.routers.web.middlewares=auth@consulcatalog"',
        env='        DB = "db.service.consul:5432"\n        VAULT = "https://vault.service.consul:8200"\n',
        template='primary={{ range service "primary.db" }}{{ .Address }}{{ end }}'))
    out = tmp_path / "out"
    proc = run_cli("convert", src, "--output", out)
    assert proc.returncode == 0, proc.stderr
    graph = json.loads((out / "estate.json").read_text())
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert edges == {("web", "db", "consul-dns"), ("web", "vault.service.consul", "consul-dns"),
                     ("web", "db", "consul-service"), ("web", "auth", "traefik-middleware"),
                     ("db", "web", "shared-volume")}
    assert {n["key"]: n["used_by"] for n in graph["nodes"]} == {
        "auth": ["web"], "db": ["web"], "web": [], "vault.service.consul": ["web"]}
    report = json.loads((out / "report.json").read_text())
    assert report["graph"] == graph
    assert report["waves"][0]["services"] == ["_shared", "auth", "db"] and report["waves"][1]["services"] == ["web"]
    assert report["waves"][1]["external"] == ["vault.service.consul"]
    (action,) = [a for a in report["actions"] if a["kind"] == "consul-dns"]
    assert [(i["service"], i["detail"]) for i in action["items"]] == [("web", "vault.service.consul")]
