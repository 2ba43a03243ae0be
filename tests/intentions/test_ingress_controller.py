"""Issue 13 family 12: under a default deny, every routed service stays reachable from the ingress
controller (Consul intentions never governed it), and the namespace-wide deny is a decision that says
it also cuts off other non-mesh clients. One row per target; the policies pass the CRD schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from nomad2k8s.convert import convert_file
from nomad2k8s.intentions.apply import apply_intentions
from nomad2k8s.intentions.parser import load_intentions
from nomad2k8s.ledger import Status
from nomad2k8s.profile import Profile
from nomad2k8s.profile_load import resolve_profile
from tests.intentions.helpers import jobs, objects
from tests.support import validate_object

WEB = '''
job "web" {
  group "web" {
    network {
      mode = "bridge"
      port "http" {
        to = 3000
      }
      port "metrics" {
        to = 9100
      }
    }
    service {
      name = "web"
      port = "http"
      tags = ["traefik.enable=true", "traefik.http.routers.web.rule=Host(`web.example.org`)"]
      connect {
        sidecar_service {}
      }
    }
    service {
      name = "web-metrics"
      port = "metrics"
    }
    task "web" {
      driver = "docker"
      config {
        image = "example/web:1"
        ports = ["http", "metrics"]
      }
    }
  }
}
'''
ALLOW_API = 'Kind = "service-intentions"\nName = "api"\nSources = [\n  {\n    Name   = "web"\n    Action = "allow"\n  },\n]\n'


def _run(tmp_path: Path, target: str, profile: Profile | None = None, default: str = "deny"):
    (tmp_path / "web.nomad.hcl").write_text(WEB)
    results = convert_file(tmp_path / "web.nomad.hcl") + jobs(tmp_path, api={"port": 8080})
    (tmp_path / "i.hcl").write_text(ALLOW_API)
    policies = apply_intentions(load_intentions([tmp_path / "i.hcl"]), results, profile or Profile(),
                                target=target, default_policy=default)
    for result in results + ([policies] if policies else []):
        for obj in result.objects:
            validate_object(obj)
    return results, policies


def _rows(results, policies, code: str) -> list:
    return [e for r in results + ([policies] if policies else []) for e in r.ledger.entries if e.code == code]


# (target, expected policy kind or None, status of the controller row)
ROWS = [
    ("cilium", "CiliumNetworkPolicy", Status.CHANGED),
    ("kubernetes", "NetworkPolicy", Status.CHANGED),
    ("istio", None, Status.NEEDS_DECISION),
    ("linkerd", None, Status.NEEDS_DECISION),
]


@pytest.mark.parametrize("target, kind, status", ROWS, ids=[r[0] for r in ROWS])
def test_routed_service_reachable_from_controller(tmp_path: Path, target: str, kind: str | None,
                                                  status: Status) -> None:
    results, policies = _run(tmp_path, target)
    found = objects(results, policies).get("allow-ingress-controller-to-web")
    rows = [e for e in _rows(results, policies, "N2K-INTENTION-INGRESS-CONTROLLER") if e.nomad_path == "intention[web]"]
    assert len(rows) == 1 and rows[0].status is status, rows
    if kind is None:
        assert found is None
        return
    assert found is not None and found["kind"] == kind
    assert found in results[0].objects  # beside the routed service
    assert not objects(results, policies).get("allow-ingress-controller-to-web-metrics")  # not routed
    assert not objects(results, policies).get("allow-ingress-controller-to-api")
    if target == "cilium":
        assert found["spec"] == {"endpointSelector": {"matchLabels": {"app": "web"}}, "ingress": [{
            "fromEndpoints": [{"matchLabels": {"app.kubernetes.io/name": "traefik",
                                               "k8s:io.kubernetes.pod.namespace": "traefik"}}],
            "toPorts": [{"ports": [{"port": "3000", "protocol": "TCP"}]}]}]}
    else:
        assert found["spec"]["ingress"] == [{"from": [{
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}}}],
            "ports": [{"port": 3000, "protocol": "TCP"}]}]


def test_k3s_profile_names_kube_system_traefik(tmp_path: Path) -> None:
    results, policies = _run(tmp_path, "cilium", resolve_profile("k3s-traefik-cilium"))
    rule = objects(results, policies)["allow-ingress-controller-to-web"]["spec"]["ingress"][0]
    assert rule["fromEndpoints"] == [{"matchLabels": {"app.kubernetes.io/name": "traefik",
                                                      "k8s:io.kubernetes.pod.namespace": "kube-system"}}]


def test_any_namespace_controller(tmp_path: Path) -> None:
    profile = Profile.model_validate({"ingress": {"controller_namespace": None}})
    results, policies = _run(tmp_path, "cilium", profile)
    source = objects(results, policies)["allow-ingress-controller-to-web"]["spec"]["ingress"][0]["fromEndpoints"][0]
    assert source["matchExpressions"] == [{"key": "k8s:io.kubernetes.pod.namespace", "operator": "Exists"}]
    results, policies = _run(tmp_path, "kubernetes", profile)
    peer = objects(results, policies)["allow-ingress-controller-to-web"]["spec"]["ingress"][0]["from"][0]
    assert peer["namespaceSelector"] == {}


def test_no_controller_labels_is_a_decision(tmp_path: Path) -> None:
    profile = Profile.model_validate({"ingress": {"controller_labels": {}}})
    results, policies = _run(tmp_path, "cilium", profile)
    assert "allow-ingress-controller-to-web" not in objects(results, policies)
    row, = _rows(results, policies, "N2K-INTENTION-INGRESS-CONTROLLER")
    assert row.status is Status.NEEDS_DECISION


def test_namespace_default_deny_is_a_decision(tmp_path: Path) -> None:
    results, policies = _run(tmp_path, "cilium")
    row, = _rows(results, policies, "N2K-INTENTION-DEFAULT-DENY-SCOPE")
    assert row.status is Status.NEEDS_DECISION and "monitoring" in row.message and "web" in row.message
    no_ingress = [e for e in _rows(results, policies, "N2K-INTENTION-NO-INGRESS") if e.nomad_path == "intention[web]"]
    assert "only the ingress controller" in no_ingress[0].message


def test_allow_default_adds_nothing(tmp_path: Path) -> None:
    results, policies = _run(tmp_path, "cilium", default="allow")
    assert "allow-ingress-controller-to-web" not in objects(results, policies)
    assert not _rows(results, policies, "N2K-INTENTION-DEFAULT-DENY-SCOPE")
    assert not _rows(results, policies, "N2K-INTENTION-INGRESS-CONTROLLER")
