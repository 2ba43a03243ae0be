"""Nomad runtime interpolation: one variable table (mapping/core/interpolate.py), template actions read
from the parsed tree only, UDP decided from the parsed Traefik tags."""

from __future__ import annotations

import pytest

from .harness import Case, check_case

META_SERVICE = '''
job "shop" {
  meta { svc = "orders" }
  group "api" {
    network { port "http" { to = 8080 } }
    service {
      name = "${NOMAD_META_svc}-api"
      port = "http"
    }
    task "api" {
      driver = "docker"
      config { image = "nginx:1.27"
        ports = ["http"] }
      env { PEER = "${NOMAD_META_svc}-api.service.consul" }
    }
  }
}
'''
CUSTOM_DELIMITERS = '''
job "t" {
  group "t" {
    task "t" {
      driver = "docker"
      config { image = "nginx:1.27" }
      template {
        left_delimiter = "[["
        right_delimiter = "]]"
        data = <<EOT
literal {{ env "NOMAD_TASK_DIR" }}
action [[ env "NOMAD_TASK_DIR" ]]
EOT
        destination = "local/x.conf"
      }
    }
  }
}
'''
UDP_IN_RULE = '''
job "s" {
  group "s" {
    network { port "web" { to = 8080 } }
    service {
      name = "stats"
      port = "web"
      tags = ["traefik.enable=true", "traefik.http.routers.stats.rule=Host(`udp-stats.example.com`)"]
    }
    task "s" {
      driver = "docker"
      config { image = "nginx:1.27"
        ports = ["web"] }
    }
  }
}
'''

CASES = [
    # a. the service name and the env value use the same interpolation of NOMAD_META_svc
    Case("service-name-meta", META_SERVICE,
         objects={("Service", "orders-api"): {"spec": {"ports": [{"port": 8080}]}},
                  ("Deployment", "shop"): {"spec": {"template": {"spec": {"containers": [{"env": [
                      {"name": "PEER", "value": "orders-api.default.svc.cluster.local"}]}]}}}}},
         absent=(("Service", "nomad-meta-svc-api"),)),
    # b. with [[ ]] delimiters, {{ env }} is literal text; [[ env ]] is the action
    Case("custom-delimiters-literal", CUSTOM_DELIMITERS,
         objects={("ConfigMap", "t-config"): {"data": {
             "x.conf": 'literal {{ env "NOMAD_TASK_DIR" }}\naction /local\n'}}}),
    # c. "udp" inside a router rule's host name is not UDP
    Case("udp-word-in-rule", UDP_IN_RULE,
         objects={("Service", "stats"): {"spec": {"ports": [{"name": "web", "protocol": "TCP"}]}}}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_interpolation(case: Case) -> None:
    check_case(case)


def test_udp_rule_adds_no_udp_port() -> None:
    from .harness import convert_text

    ports = convert_text(UDP_IN_RULE).object("Service", "stats")["spec"]["ports"]
    assert [p["protocol"] for p in ports] == ["TCP"]
