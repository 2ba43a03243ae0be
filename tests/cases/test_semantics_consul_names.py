"""Issue 13, family 13: a Consul name is rewritten only to a Service of the conversion.

`x.service.consul` (and `tag.x.service.dc.consul`, `x.virtual.consul`, consul-template `service "x"`) of a
service no converted job provides stays as written and is a N2K-CONSUL-NAME-EXTERNAL decision; one a job of
the run provides becomes its cluster address; a tag is a filter on the service, not part of its name.
The external rows and the tag rows failed on main (every name became `<name>.default.svc.cluster.local`,
mapped; `service "master.postdb"` became `master-postdb`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nomad2k8s.convert import convert_job, link_batch
from nomad2k8s.parse import load_text
from nomad2k8s.profile import Profile

from .harness import Case, check_case, convert_text

JOB = '''
job "app" {
  group "db" {
    network {
      port "pg" { to = 5432 }
    }
    service {
      name = "postdb"
      port = "pg"
      tags = ["master"]
    }
    task "pg" {
      driver = "docker"
      config {
        image = "postgres:16"
        ports = ["pg"]
      }
    }
  }
  group "app" {
    task "app" {
      driver = "docker"
      config { image = "app:1" }
      env {
        ADDR = "%s"
      }
      template {
        destination = "local/app.conf"
        data        = "%s"
      }
    }
  }
}
'''
ENV = "job[app].group[app].task[app].env.ADDR"
TPL = "job[app].group[app].task[app].template[0].data"


def _job(env: str = "x", template: str = "plain") -> str:
    return JOB % (env, template.replace('"', '\\"'))


def _env(result, name: str = "ADDR") -> str:
    containers = result.object("Deployment", "app-app")["spec"]["template"]["spec"]["containers"]
    return next(e["value"] for e in containers[0]["env"] if e["name"] == name)


CASES = [
    Case("f13-external-dns-name-kept", _job("http://vault.service.consul:8200"),
         objects={("Deployment", "app-app"): {"spec": {"template": {"spec": {"containers": [{
             "env": [{"name": "ADDR", "value": "http://vault.service.consul:8200"}]}]}}}}},
         rows={ENV: ("needs-decision", "N2K-CONSUL-NAME-EXTERNAL")}),
    Case("f13-external-virtual-name-kept", _job("nomad.virtual.consul"),
         objects={("Deployment", "app-app"): {"spec": {"template": {"spec": {"containers": [{
             "env": [{"name": "ADDR", "value": "nomad.virtual.consul"}]}]}}}}},
         rows={ENV: ("needs-decision", "N2K-CONSUL-NAME-EXTERNAL")}),
    Case("f13-own-service-rewritten", _job("postdb.service.consul:5432"),
         objects={("Deployment", "app-app"): {"spec": {"template": {"spec": {"containers": [{
             "env": [{"name": "ADDR", "value": "postdb.default.svc.cluster.local:5432"}]}]}}}}},
         rows={ENV: ("mapped", "N2K-ENV-REWRITE")}),
    Case("f13-dns-tag-is-a-filter", _job("master.postdb.service.dc1.consul"),
         objects={("Deployment", "app-app"): {"spec": {"template": {"spec": {"containers": [{
             "env": [{"name": "ADDR", "value": "postdb.default.svc.cluster.local"}]}]}}}}},
         rows={ENV: ("changed", "N2K-ENV-REWRITE")}),
    Case("f13-template-tag-lookup-is-a-filter",
         _job(template='{{ range service "master.postdb" }}{{ .Address }}:{{ .Port }}{{ end }}'),
         objects={("ConfigMap", "app-app-config"): {"data": {"app.conf": "postdb.default.svc.cluster.local:5432"}}},
         rows={TPL: ("changed", "N2K-TEMPLATE-CONFIGMAP")}),
    Case("f13-template-external-lookup-is-consul-dns",
         _job(template='{{ with service "vault" }}{{ .Address }}{{ end }}'),
         objects={("ConfigMap", "app-app-config"): {"data": {"app.conf": "vault.service.consul"}}},
         rows={TPL: ("needs-decision", "N2K-CONSUL-NAME-EXTERNAL")}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    check_case(case)


def test_messages_say_what_happened() -> None:
    tag = convert_text(_job("master.postdb.service.consul"))
    assert "tag filter 'master' lost" in tag.row(ENV, "N2K-ENV-REWRITE").message
    kept = convert_text(_job("vault.service.consul"))
    assert kept.row(ENV, "N2K-ENV-REWRITE").message.endswith("vault.service.consul kept: service vault is not in "
                                                              "this conversion")
    decision = kept.row(ENV, "N2K-CONSUL-NAME-EXTERNAL")
    assert "ExternalName" in decision.suggestion and "CoreDNS" in decision.suggestion
    assert not any("pending_consul" in (e.data or {}) for e in kept.entries)  # ledger.json shows no waiting list
    lookup = convert_text(_job(template='{{ range service "master.postdb" }}{{ .Address }}{{ end }}'))
    assert "master-postdb" not in str(lookup.objects)
    assert "tag filter 'master' lost" in lookup.row(TPL, "N2K-TEMPLATE-CONFIGMAP").message


CALLER = '''
job "web" {
  group "web" {
    task "web" {
      driver = "docker"
      config { image = "web:1" }
      env {
        API   = "http://api.service.consul:8080"
        VAULT = "https://vault.service.consul:8200"
      }
    }
  }
}
'''
API = '''
job "api" {
  group "api" {
    network {
      port "http" { to = 8080 }
    }
    service {
      name = "api"
      port = "http"
    }
    task "api" {
      driver = "docker"
      config {
        image = "api:1"
        ports = ["http"]
      }
    }
  }
}
'''


def _convert(text: str, name: str):
    parsed = load_text(text, Path(f"{name}.nomad.hcl"), env={})
    return convert_job(parsed.jobs[0], parsed, Profile())


def test_batch_rewrites_a_name_another_job_provides_and_keeps_the_others() -> None:
    web, api = _convert(CALLER, "web"), _convert(API, "api")
    link_batch([web, api])
    env = {e["name"]: e["value"] for o in web.objects if o["kind"] == "Deployment"
           for e in o["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env == {"API": "http://api.default.svc.cluster.local:8080", "VAULT": "https://vault.service.consul:8200"}
    rows = {(e.nomad_path.rsplit(".", 1)[-1], e.code): e for e in web.ledger.entries if ".env." in e.nomad_path}
    assert rows["API", "N2K-ENV-REWRITE"].status.value == "mapped"
    assert "api.service.consul -> api.default.svc.cluster.local" in rows["API", "N2K-ENV-REWRITE"].message
    assert rows["VAULT", "N2K-ENV-REWRITE"].status.value == "mapped"
    assert rows["VAULT", "N2K-CONSUL-NAME-EXTERNAL"].status.value == "needs-decision"
    assert ("API", "N2K-CONSUL-NAME-EXTERNAL") not in rows


def test_alone_the_caller_keeps_both_names() -> None:
    web = _convert(CALLER, "web")
    link_batch([web])
    codes = [e.code for e in web.ledger.entries if e.code == "N2K-CONSUL-NAME-EXTERNAL"]
    assert len(codes) == 2
    assert "api.service.consul" in str(web.objects) and "svc.cluster.local" not in str(web.objects)
