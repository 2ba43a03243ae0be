"""Other targets, the input formats, bad input, the corpus sweep and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nomad2k8s.errors import ConversionError
from nomad2k8s.intentions.apply import TARGETS, apply_intentions
from nomad2k8s.intentions.parser import dedupe, load_file, load_intentions
from nomad2k8s.ledger import Status
from nomad2k8s.profile import Profile
from tests.intentions.helpers import by_path, jobs, objects, run
from tests.support import SHARED, require_shared, run_cli, validate_object

CORPUS_INTENTIONS = SHARED / "corpus" / "intentions"

MIXED = '''Kind = "service-intentions"
Name = "api"
Sources = [
  { Name = "web", Action = "allow" },
  { Name = "*", Action = "deny" },
]
'''


def kinds(results, policies) -> list[str]:
    return sorted(o["kind"] for o in objects(results, policies).values())


def test_kubernetes_target(tmp_path: Path) -> None:
    results, policies = run(tmp_path, MIXED, jobs(tmp_path, api={}, web={}), target="kubernetes",
                            default_policy="deny")
    found = objects(results, policies)
    assert found["allow-web-to-api"]["spec"]["ingress"] == [
        {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 8080, "protocol": "TCP"}]}]
    assert found["default-deny"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    # under an allow default the wildcard deny would need a deny rule: not expressible
    results, policies = run(tmp_path, MIXED, jobs(tmp_path, api={}, web={}), target="kubernetes")
    assert not objects(results, policies)
    assert by_path(results, policies)["intention[api].sources[1]"].code == "N2K-INTENTION-K8S-DENY"


def test_istio_target(tmp_path: Path) -> None:
    results, policies = run(tmp_path, MIXED, jobs(tmp_path, api={}, web={}), target="istio")
    found = objects(results, policies)
    assert found["deny-to-api"]["spec"] == {
        "selector": {"matchLabels": {"app": "api"}}, "action": "DENY",
        "rules": [{"from": [{"source": {"namespaces": ["default"],
                                        "notPrincipals": ["cluster.local/ns/default/sa/web"]}}]}]}
    results, policies = run(tmp_path, MIXED, jobs(tmp_path, api={}, web={}), target="istio", default_policy="deny")
    found = objects(results, policies)
    assert found["allow-web-to-api"]["spec"]["rules"] == [
        {"from": [{"source": {"principals": ["cluster.local/ns/default/sa/web"]}}],
         "to": [{"operation": {"ports": ["8080"]}}]}]
    assert found["allow-nothing"]["spec"] == {}


def test_linkerd_target(tmp_path: Path) -> None:
    results, policies = run(tmp_path, MIXED, jobs(tmp_path, api={}, web={}), target="linkerd", default_policy="deny")
    assert kinds(results, policies) == ["AuthorizationPolicy", "MeshTLSAuthentication", "Server"]
    found = objects(results, policies)
    assert found["api"]["spec"] == {"podSelector": {"matchLabels": {"app": "api"}}, "port": 8080}
    assert found["web-to-api"]["spec"] == {"identityRefs": [{"kind": "ServiceAccount", "name": "web",
                                                             "namespace": "default"}]}
    assert any(e.code == "N2K-INTENTION-LINKERD-DEFAULT" for e in policies.ledger.entries)


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_validates_on_l7_and_namespaces(tmp_path: Path, target: str) -> None:
    from tests.intentions.test_semantics import L7

    results, policies = run(tmp_path, L7, jobs(tmp_path, api={}, web={}), target=target, default_policy="deny")
    assert by_path(results, policies)["intention[api].sources[0]"]  # exactly one claiming entry


FORMATS = {
    "agent.hcl": '''acl {
  default_policy = "deny"
}
config_entries {
  bootstrap {
    kind     = "service-defaults"
    name     = "api"
    protocol = "http"
  }
  bootstrap {
    kind = "service-intentions"
    name = "api"
    sources {
      name = "web"
      permissions = [
        {
          action = "allow"
          http { path_prefix = "/v1" }
        },
      ]
    }
  }
}
''',
    "entry.json": '{"Kind": "service-intentions", "Name": "api", "Sources": [{"Name": "web", "Action": "allow"}]}',
    "tf.tf": '''resource "consul_config_entry" "api" {
  name = "api"
  kind = "service-intentions"
  config_json = jsonencode({
    Sources = [
      { Name = "web", Action = "allow", Precedence = 9, Type = "consul" },
      { Name = var.gateway_name, Action = "allow" },
    ]
  })
}

resource "consul_intention" "legacy" {
  source_name      = "batch"
  destination_name = "api"
  action           = "deny"
}
''',
}


def test_formats(tmp_path: Path) -> None:
    for name, text in FORMATS.items():
        (tmp_path / name).write_text(text)
    iset = load_intentions([tmp_path / n for n in FORMATS])
    assert iset.stated_default == "deny"
    results = jobs(tmp_path, api={}, web={}, batch={})
    policies = apply_intentions(iset, results, Profile(), default_policy="deny")
    paths = by_path(results, policies)
    assert paths["intention[api].sources[0]"].code == "N2K-INTENTION-L7"  # agent, snake_case + HTTP block
    assert any(e.code == "N2K-INTENTION-DUPLICATE" for e in policies.ledger.entries)  # agent + terraform
    ref = paths["intention[api]@tf.tf.sources[1]"]
    assert ref.status is Status.NEEDS_DECISION and "var.gateway_name" in ref.message
    assert paths["intention[api].consul_intention[legacy]"]
    assert paths["config_entry[service-defaults/api].protocol"].status is Status.MAPPED
    service = next(o for o in results[0].objects if o["kind"] == "Service")
    assert service["spec"]["ports"][0]["appProtocol"] == "http"
    for result in results + [policies]:
        for obj in result.objects:
            validate_object(obj)


@pytest.mark.parametrize("text,where", [
    ('Kind = "service-intentions"\nName = "api"\nSources = [\n  { Name = "web" },\n]\n', ":1"),
    ('Kind = "service-intentions"\nName = "api"\nSources = [\n  { Name = "web", Action = "maybe" },\n]\n', ":4"),
    ('Name = "api"\n', ":"),
    ('Kind = "service-intentions"\nName = "api"\nSources = [ {\n', ":"),
    ('{"Kind": "service-intentions", "Name": "api", "Sources": [}', ":1:"),
])
def test_bad_input_is_one_clean_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "bad.hcl" if not text.startswith("{") else tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ConversionError) as exc:
        load_file(path)
    line = str(exc.value)
    assert "\n" not in line and line.startswith(str(path) + where[:-1] if where != ":" else str(path))


def test_corpus_intentions_parse_and_validate() -> None:
    require_shared(CORPUS_INTENTIONS)
    files = sorted(p for p in CORPUS_INTENTIONS.rglob("*") if p.is_file())
    ok, failed = [], []
    for path in files:
        try:
            ok.append(load_file(path))
        except ConversionError as exc:
            assert "\n" not in str(exc)
            failed.append(str(exc))
    assert len(ok) == len(files), failed
    from nomad2k8s.intentions.model import IntentionSet

    merged = IntentionSet()
    for iset in ok:
        merged.extend(iset)
    dedupe(merged)
    for target in TARGETS:
        for default in ("allow", "deny"):
            policies = apply_intentions(merged, [], Profile(), target=target, default_policy=default, any_port=True)
            for obj in policies.objects:
                validate_object(obj)
            claims = [e.nomad_path for e in policies.ledger.entries if e.claims]
            assert len(claims) == len(set(claims)), "a setting claimed twice"


def test_cli_intentions_command(tmp_path: Path) -> None:
    (tmp_path / "api.hcl").write_text(MIXED)
    (tmp_path / "bad.hcl").write_text('Name = "x"\n')
    out = tmp_path / "out"
    proc = run_cli("intentions", str(tmp_path / "api.hcl"), str(tmp_path / "bad.hcl"), "--output", str(out),
                   "--default-policy", "deny", "--any-port")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{tmp_path / 'bad.hcl'}: " in proc.stderr
    names = sorted(p.name for p in (out / "_policies").iterdir())
    assert "ciliumnetworkpolicy-allow-web-to-api.yaml" in names and "MIGRATION.md" in names


def test_cli_convert_with_intentions(tmp_path: Path) -> None:
    jobs_dir = tmp_path / "jobs"
    jobs_dir.mkdir()
    from tests.intentions.helpers import jobspec

    (jobs_dir / "api.nomad.hcl").write_text(jobspec("api"))
    (jobs_dir / "web.nomad.hcl").write_text(jobspec("web", upstreams=("api",)))
    (tmp_path / "i.hcl").write_text(MIXED)
    out = tmp_path / "out"
    proc = run_cli("convert", str(jobs_dir), "--output", str(out), "--intentions", str(tmp_path / "i.hcl"),
                   "--policy-target", "istio", "--default-policy", "deny")
    assert proc.returncode == 0, proc.stderr
    policy = yaml.safe_load((out / "api" / "authorizationpolicy-allow-web-to-api.yaml").read_text())
    assert policy["spec"]["action"] == "ALLOW"
    kustomization = yaml.safe_load((out / "api" / "kustomization.yaml").read_text())
    assert "authorizationpolicy-allow-web-to-api.yaml" in kustomization["resources"]
    assert (out / "_policies" / "authorizationpolicy-allow-nothing.yaml").is_file()


def test_cli_intentions_command_success_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "api.hcl").write_text(MIXED)
    out = tmp_path / "out"
    proc = run_cli("intentions", str(tmp_path / "api.hcl"), "--output", str(out), "--default-policy", "deny",
                   "--any-port")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (out / "SUMMARY.md").is_file() and (out / "_policies" / "MIGRATION.md").is_file()
