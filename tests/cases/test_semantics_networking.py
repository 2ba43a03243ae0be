"""Issue 13, networking families: what an expert would write, one minimal jobspec per family.
Each row failed on main before its fix (see the family number in the id)."""

from __future__ import annotations

import pytest

from nomad2k8s.profile import Profile

from .harness import Case, check_case

ENVOY_EXPOSE = '''
job "api" {
  group "api" {
    network {
      mode = "bridge"
      port "http" { to = 8080 }
      port "health" { to = -1 }
    }
    service {
      name = "api"
      port = "http"
      connect { sidecar_service {} }
      check {
        type     = "http"
        path     = "/health"
        port     = "health"
        expose   = true
        interval = "10s"
        timeout  = "2s"
      }
    }
    task "api" {
      driver = "docker"
      config {
        image = "nginx:1"
        ports = ["http"]
      }
    }
  }
}
'''

SERVICE_CHECK_RESTART = '''
job "web" {
  group "web" {
    network {
      port "http" { to = 8080 }
    }
    service {
      name = "web"
      port = "http"
      check_restart {
        limit = 3
        grace = "30s"
      }
      check {
        type     = "http"
        path     = "/"
        interval = "10s"
        timeout  = "2s"
%s
      }
    }
    task "web" {
      driver = "docker"
      config {
        image = "nginx:1"
        ports = ["http"]
      }
    }
  }
}
'''

ROUTED = '''
job "app" {
  group "app" {
    network {
      port "http" { to = 8080 }
    }
    service {
      name = "app"
      port = "http"
      tags = ["traefik.enable=true", "traefik.http.routers.app.rule=Host(`app.example.com`)"%s]
    }
    task "app" {
      driver = "docker"
      config {
        image = "nginx:1"
        ports = ["http"]
      }
    }
  }
}
'''

TLS_PROFILE = Profile.model_validate({"ingress": {
    "entrypoints": ["websecure"], "tls_secret": "wildcard-tls",
    "annotations": {"traefik.ingress.kubernetes.io/router.tls": "true"}}})

CASES = [
    Case("f1-envoy-expose-probe-targets-app-port", ENVOY_EXPOSE,
         objects={("Deployment", "api"): {"spec": {"template": {"spec": {"containers": [{
             "ports": [{"name": "http", "containerPort": 8080}],
             "readinessProbe": {"httpGet": {"path": "/health", "port": "http"}}}]}}}}},
         rows={"job[api].group[api].network.port[health]": ("dropped", "N2K-PORT-ENVOY-EXPOSE")}),
    Case("f10-service-level-check-restart-is-liveness", SERVICE_CHECK_RESTART % "",
         objects={("Deployment", "web"): {"spec": {"template": {"spec": {"containers": [{
             "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "failureThreshold": 3,
                               "initialDelaySeconds": 30}}]}}}}},
         rows={"job[web].group[web].service[0].check_restart": ("mapped", "N2K-CHECK-RESTART")}),
    # Nomad merges the two field by field (the check's win): limit 5 from the check, grace 30s from the service.
    Case("f10-check-level-check-restart-wins", SERVICE_CHECK_RESTART % "        check_restart { limit = 5 }",
         objects={("Deployment", "web"): {"spec": {"template": {"spec": {"containers": [{
             "livenessProbe": {"failureThreshold": 5, "initialDelaySeconds": 30}}]}}}}},
         rows={"job[web].group[web].service[0].check_restart": ("mapped", "N2K-CHECK-RESTART"),
               "job[web].group[web].service[0].check[0].check_restart": ("mapped", "N2K-CHECK-RESTART")}),
    Case("f6-plain-entrypoint-stays-plain", ROUTED % ', "traefik.http.routers.app.entrypoints=web"',
         profile=TLS_PROFILE,
         objects={("Ingress", "app"): {"metadata": {"annotations": {
             "traefik.ingress.kubernetes.io/router.entrypoints": "web"}}}}),
    Case("f6-tls-default-entrypoint-gets-tls-section", ROUTED % "", profile=TLS_PROFILE,
         objects={("Ingress", "app"): {
             "metadata": {"annotations": {"traefik.ingress.kubernetes.io/router.tls": "true"}},
             "spec": {"tls": [{"hosts": ["app.example.com"], "secretName": "wildcard-tls"}]}}}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    check_case(case)


def test_envoy_expose_port_has_no_container_port() -> None:
    result = check_case(CASES[0])
    ports = result.object("Deployment", "api")["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert [p["name"] for p in ports] == ["http"]


def test_plain_route_has_no_tls() -> None:
    result = check_case(CASES[3])
    ingress = result.object("Ingress", "app")
    assert "traefik.ingress.kubernetes.io/router.tls" not in ingress["metadata"]["annotations"]
    assert not ingress["spec"].get("tls")
