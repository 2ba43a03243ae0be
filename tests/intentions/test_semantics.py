"""Table tests: Consul intention semantics -> Cilium policies (default target)."""

from __future__ import annotations

from pathlib import Path

from nomad2k8s.intentions.model import Pattern
from nomad2k8s.intentions.semantics import precedence
from nomad2k8s.ledger import Status
from tests.intentions.helpers import by_path, jobs, objects, run

NS = "k8s:io.kubernetes.pod.namespace"


def entry(sources: str, name: str = "api") -> str:
    return f'Kind = "service-intentions"\nName = "{name}"\nSources = [\n{sources}\n]\n'


def src(name: str, action: str, extra: str = "") -> str:
    return f'  {{\n    Name   = "{name}"\n    Action = "{action}"\n{extra}  }},'


def test_precedence_table() -> None:
    assert precedence(Pattern("default", "web"), Pattern("default", "api")) == 9
    assert precedence(Pattern("default", "*"), Pattern("default", "api")) == 8
    assert precedence(Pattern("*", "*"), Pattern("default", "api")) == 7
    assert precedence(Pattern("default", "web"), Pattern("default", "*")) == 6
    assert precedence(Pattern("default", "*"), Pattern("default", "*")) == 5
    assert precedence(Pattern("*", "*"), Pattern("*", "*")) == 1


def test_single_allow_under_default_deny(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={"port": 8080}, web={})
    results, policies = run(tmp_path, entry(src("web", "allow")), results, default_policy="deny")
    policy = objects(results, policies)["allow-web-to-api"]
    assert policy["kind"] == "CiliumNetworkPolicy"
    assert policy["spec"] == {"endpointSelector": {"matchLabels": {"app": "api"}}, "ingress": [
        {"fromEndpoints": [{"matchLabels": {"app": "web"}}],
         "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}]}]}
    assert policy in results[0].objects  # beside the destination's other objects
    deny = objects(results, policies)["default-deny"]
    assert deny in policies.objects and deny["spec"]["endpointSelector"] == {}
    assert by_path(results, policies)["intention[api].sources[0]"].status is Status.MAPPED


def test_allow_under_default_allow_needs_no_policy(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, web={})
    results, policies = run(tmp_path, entry(src("web", "allow")), results)
    assert not objects(results, policies, "CiliumNetworkPolicy")
    assert by_path(results, policies)["intention[api].sources[0]"].code == "N2K-INTENTION-ALLOW-DEFAULT"


def test_allow_plus_wildcard_deny_is_a_default_deny(tmp_path: Path) -> None:
    from nomad2k8s.intentions.apply import apply_intentions
    from nomad2k8s.intentions.parser import load_intentions
    from nomad2k8s.profile import Profile

    (tmp_path / "default.hcl").write_text(entry(src("*", "deny"), name="*"))
    (tmp_path / "api.hcl").write_text(entry(src("web", "allow")))
    results = jobs(tmp_path, api={}, web={})
    policies = apply_intentions(load_intentions([tmp_path / "default.hcl", tmp_path / "api.hcl"]), results,
                                Profile())  # the profile default (allow) is overridden by `* -> *` deny
    found = objects(results, policies)
    assert set(found) == {"default-deny", "allow-web-to-api"}
    assert not any("ingressDeny" in o["spec"] for o in found.values())
    # web itself is now unreachable: reported on its own report
    assert any(e.code == "N2K-INTENTION-NO-INGRESS" for e in results[1].ledger.entries)


def test_wildcard_allow(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, web={})
    results, policies = run(tmp_path, entry(src("*", "allow")), results, default_policy="deny")
    rule = objects(results, policies)["allow-all-to-api"]["spec"]["ingress"][0]
    assert rule["fromEndpoints"] == [{}]  # every endpoint of the namespace


def test_exact_deny_overrides_wildcard_allow(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, web={}, batch={})
    results, policies = run(tmp_path, entry(src("*", "allow") + "\n" + src("batch", "deny")), results,
                            default_policy="deny")
    found = objects(results, policies)
    assert found["deny-to-api"]["spec"]["ingressDeny"] == [{"fromEndpoints": [{"matchLabels": {"app": "batch"}}]}]
    assert "allow-all-to-api" in found
    paths = by_path(results, policies)
    assert paths["intention[api].sources[1]"].code == "N2K-INTENTION-DENY"


def test_wildcard_deny_with_exact_allow_under_default_allow_is_narrowed(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, web={})
    results, policies = run(tmp_path, entry(src("web", "allow") + "\n" + src("*", "deny")), results)
    spec = objects(results, policies)["deny-to-api"]["spec"]
    assert spec["enableDefaultDeny"] == {"ingress": False, "egress": False}
    assert spec["ingressDeny"] == [{"fromEndpoints": [
        {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}]}]
    assert by_path(results, policies)["intention[api].sources[1]"].status is Status.CHANGED


def test_shadowed_intention_is_dropped(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, web={})
    text = entry(src("*", "deny")) + "\n"
    (tmp_path / "wild.hcl").write_text('Kind = "service-intentions"\nName = "*"\nSources = [\n'
                                       + src("web", "allow") + "\n]\n")
    from nomad2k8s.intentions.apply import apply_intentions
    from nomad2k8s.intentions.parser import load_intentions
    from nomad2k8s.profile import Profile

    (tmp_path / "api.hcl").write_text(text)
    policies = apply_intentions(load_intentions([tmp_path / "api.hcl", tmp_path / "wild.hcl"]), results,
                                Profile(), default_policy="deny")
    # `* -> api deny` (8) beats `web -> * allow` (6) for api: web may not call api.
    assert "allow-web-to-api" not in objects(results, policies)
    wild = by_path(results, policies)["intention[*].sources[0]"]
    assert "shadowed" in wild.message  # for api; for unconverted services its ports are unknown
    assert wild.code == "N2K-INTENTION-NO-PORTS"


def test_namespaced_sources(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, web={})
    text = entry(src("web", "allow", '    Namespace = "team-a"\n') + "\n"
                 + src("*", "allow", '    Namespace = "*"\n'))
    results, policies = run(tmp_path, text, results, default_policy="deny")
    found = objects(results, policies)
    assert found["allow-team-a-web-to-api"]["spec"]["ingress"][0]["fromEndpoints"] == [
        {"matchLabels": {"app": "web", NS: "team-a"}}]
    assert found["allow-all-namespaces-to-api"]["spec"]["ingress"][0]["fromEndpoints"] == [
        {"matchExpressions": [{"key": NS, "operator": "Exists"}]}]


def test_peer_and_partition_need_a_decision(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={})
    text = entry(src("web", "allow", '    Peer = "dc2"\n'))
    results, policies = run(tmp_path, text, results, default_policy="deny")
    assert "allow-web-to-api" not in objects(results, policies)
    assert by_path(results, policies)["intention[api].sources[0]"].status is Status.NEEDS_DECISION


L7 = '''Kind = "service-intentions"
Name = "api"
Sources = [
  {
    Name = "web"
    Permissions = [
      {
        Action = "allow"
        HTTP {
          PathExact = "/v1.0/health"
          Methods   = ["GET", "HEAD"]
        }
      },
      {
        Action = "allow"
        HTTP {
          PathPrefix = "/static/"
          Header = [
            { Name = "x-debug", Present = true },
            { Name = "x-team", Exact = "a" },
          ]
        }
      },
      {
        Action = "allow"
        HTTP {
          PathRegex = "/items/[0-9]+"
          Header = [{ Name = "x-user", Prefix = "adm" }]
        }
      },
      {
        Action = "deny"
        HTTP {
          PathPrefix = "/"
        }
      },
    ]
  },
]
'''


def test_l7_permissions_become_http_rules(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, web={})
    results, policies = run(tmp_path, L7, results, default_policy="deny")
    port = objects(results, policies)["allow-web-to-api"]["spec"]["ingress"][0]["toPorts"][0]
    assert port["rules"]["http"] == [
        {"method": "GET", "path": r"^/v1\.0/health$"},
        {"method": "HEAD", "path": r"^/v1\.0/health$"},
        {"path": "^/static/.*", "headers": ["x-debug"], "headerMatches": [{"name": "x-team", "value": "a"}]},
    ]
    entry_ = by_path(results, policies)["intention[api].sources[0]"]
    assert entry_.status is Status.NEEDS_DECISION  # the header prefix match is left out
    assert "Prefix match" in entry_.message and "deny permissions after the allows" in entry_.message


def test_l7_deny_before_allow_is_not_emitted(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, web={})
    text = L7.replace('PathExact = "/v1.0/health"', 'PathExact = "/x"').replace(
        '        Action = "allow"\n        HTTP {\n          PathExact', '        Action = "deny"\n        HTTP {\n          PathExact', 1)
    results, policies = run(tmp_path, text, results, default_policy="deny")
    assert "allow-web-to-api" not in objects(results, policies)
    assert by_path(results, policies)["intention[api].sources[0]"].code == "N2K-INTENTION-L7-DENY"


def test_upstream_without_intention_under_default_deny_is_reported(tmp_path: Path) -> None:
    results = jobs(tmp_path, api={}, db={}, web={"upstreams": ("api", "db")})
    results, policies = run(tmp_path, entry(src("web", "allow")), results, default_policy="deny")
    web = results[2]
    blocked = [e for e in web.ledger.entries if e.code == "N2K-INTENTION-BLOCKED"]
    assert len(blocked) == 1 and "web -> db" in blocked[0].message
    assert blocked[0].status is Status.NEEDS_DECISION and not blocked[0].claims


def test_unknown_services_are_reported_and_ports_need_a_decision(tmp_path: Path) -> None:
    from nomad2k8s.intentions.apply import apply_intentions
    from nomad2k8s.intentions.parser import load_intentions
    from nomad2k8s.profile import Profile

    (tmp_path / "a.hcl").write_text(entry(src("ghost", "allow")))
    (tmp_path / "b.hcl").write_text(entry(src("api", "allow"), name="other"))
    files = [tmp_path / "a.hcl", tmp_path / "b.hcl"]
    results = jobs(tmp_path, api={})
    policies = apply_intentions(load_intentions(files), results, Profile(), default_policy="deny")
    paths = by_path(results, policies)
    assert "source ghost is not in this conversion" in paths["intention[api].sources[0]"].message
    other = paths["intention[other].sources[0]"]
    assert other.status is Status.NEEDS_DECISION and other.code == "N2K-INTENTION-NO-PORTS"
    assert "allow-api-to-other" not in objects(results, policies)
    results = jobs(tmp_path, api={})
    policies = apply_intentions(load_intentions(files), results, Profile(), default_policy="deny", any_port=True)
    assert "toPorts" not in objects(results, policies)["allow-api-to-other"]["spec"]["ingress"][0]
