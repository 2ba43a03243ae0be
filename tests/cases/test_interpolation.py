"""Nomad runtime interpolation reads the same everywhere (mapping/core/interpolate.py)."""

from __future__ import annotations

import pytest

from .harness import Case, check_case

META_SERVICE = '''
job "shop" {
  meta { svc = "orders" }
  group "api" {
    network {
      port "http" { to = 8080 }
    }
    service {
      name = "${NOMAD_META_svc}-api"
      port = "http"
    }
    task "api" {
      driver = "docker"
      config {
        image = "ghcr.io/example/orders:1.0"
        ports = ["http"]
      }
      env {
        SELF = "${NOMAD_META_svc}-api.service.consul"
      }
    }
  }
}
'''

CASES = [
    # The service name and the env address interpolate NOMAD_META_svc from the same table.
    Case("meta-in-service-name", META_SERVICE,
         objects={("Service", "orders-api"): {"spec": {"ports": [{"port": 8080}]}},
                  ("Deployment", "shop"): {"spec": {"template": {"spec": {"containers": [
                      {"env": [{"name": "SELF", "value": "orders-api.default.svc.cluster.local"}]}]}}}}},
         absent=(("Service", "nomad-meta-svc-api"),),
         rows={"job[shop].group[api].service[0].name": ("mapped", "N2K-SERVICE-NAME")}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_interpolation_case(case: Case) -> None:
    check_case(case)


def _udp_job(tag: str) -> str:
    return f'''
job "stats" {{
  group "stats" {{
    network {{
      port "web" {{ to = 8125 }}
    }}
    service {{
      name = "stats"
      port = "web"
      tags = ["{tag}"]
    }}
    task "stats" {{
      driver = "docker"
      config {{
        image = "example/stats:1"
        ports = ["web"]
      }}
    }}
  }}
}}
'''


UDP_CASES = [
    # A router rule naming a host with "udp" in it is HTTP routing: no UDP port (was added by substring).
    ("http-rule-with-udp-host", "traefik.http.routers.stats.rule=Host(`udp-stats.example.com`)", False),
    ("udp-router", "traefik.udp.routers.stats.entrypoints=statsd", True),
    ("plain-udp-tag", "udp", True),
]


@pytest.mark.parametrize(("tag", "udp"), [c[1:] for c in UDP_CASES], ids=[c[0] for c in UDP_CASES])
def test_udp_comes_from_parsed_tags(tag: str, udp: bool) -> None:
    result = check_case(Case("udp", _udp_job(tag)))
    protocols = {p.get("protocol", "TCP") for p in result.object("Service", "stats")["spec"]["ports"]}
    assert ("UDP" in protocols) is udp, protocols


DELIMITERS = '''
job "web" {
  group "web" {
    task "web" {
      driver = "docker"
      config {
        image = "nginx:1.27"
      }
      template {
        data            = <<EOT
literal={{ env "NOMAD_TASK_DIR" }}
db=db.service.consul
action=[[ env "NOMAD_TASK_DIR" ]]
EOT
        destination     = "local/app.conf"
        left_delimiter  = "[["
        right_delimiter = "]]"
      }
    }
  }
}
'''


def test_custom_delimiters_leave_default_braces_literal() -> None:
    # With [[ ]] delimiters, `{{ env ... }}` is file text (the app's own syntax); `[[ env ... ]]` is the action.
    result = check_case(Case("delimiters", DELIMITERS))
    (text,) = result.object("ConfigMap")["data"].values()
    assert text == ('literal={{ env "NOMAD_TASK_DIR" }}\ndb=db.service.consul\n'
                    'action=/local\n'), text
