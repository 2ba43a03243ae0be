"""Per-job nomad2k8s.* hints and the profile policies wired into the mappers."""

from __future__ import annotations


import pytest

from tests.cases.harness import convert_text
from nomad2k8s.convert import ServiceResult, convert_file
from nomad2k8s.errors import ConversionError
from nomad2k8s.hints import hints_for
from nomad2k8s.model import build_job
from nomad2k8s.profile import Profile
from nomad2k8s.profile_load import resolve_profile


def _job(job_meta: str = "", group_meta: str = "", task_meta: str = "", extra: str = "",
         job_type: str = "service", count: str = "") -> str:
    def meta(body: str) -> str:
        return f"meta {{\n{body}\n}}\n" if body else ""
    return f"""
job "web" {{
  type = "{job_type}"
  {extra}
  {meta(job_meta)}
  group "app" {{
    {count}
    {meta(group_meta)}
    task "server" {{
      driver = "docker"
      config {{ image = "nginx:1.27" }}
      resources {{
        cpu    = 200
        memory = 128
      }}
      {meta(task_meta)}
    }}
  }}
}}
"""


def _convert(text: str, profile: Profile | None = None) -> ServiceResult:
    """One job converted in memory (tests/cases/harness.py), as `convert_file` would: no batch pass."""
    result = convert_text(text, profile, path="web.nomad.hcl", batch=False).service
    return result




def _entries(result: ServiceResult, code: str) -> list:
    return [e for e in result.ledger.entries if e.code == code]


def _kinds(result: ServiceResult) -> dict[str, dict]:
    return {o["kind"]: o for o in result.objects}


# ---- parsing and errors ------------------------------------------------------------------------

def test_unknown_hint_names_valid_hints_closest_first() -> None:
    with pytest.raises(ConversionError) as info:
        _convert(_job(group_meta='"nomad2k8s.replica" = "2"'))
    message = info.value.message
    assert "unknown hint 'nomad2k8s.replica'" in message
    valid = message.split("valid hints: ")[1].split(", ")
    assert valid[0] == "nomad2k8s.replicas"
    assert len(valid) == 10
    assert info.value.file and info.value.file.endswith("web.nomad.hcl")


@pytest.mark.parametrize("meta, fragment", [
    ('"nomad2k8s.workload" = "Pod"', "allowed: Deployment, StatefulSet, DaemonSet, Job, CronJob"),
    ('"nomad2k8s.replicas" = "two"', "expected a whole number >= 0"),
    ('"nomad2k8s.replicas" = "-1"', "expected a whole number >= 0"),
    ('"nomad2k8s.vpa" = "always"', "allowed: Off, Initial, Recreate, Auto, none"),
    ('"nomad2k8s.skip" = "yes"', "allowed: true, false"),
    ('"nomad2k8s.namespace" = "Not_A_Label"', "expected a DNS label"),
    ('"nomad2k8s.volume-size" = "5 gigs"', "expected a quantity such as 5Gi"),
    ('"nomad2k8s.service-type" = "ExternalName"', "allowed: ClusterIP, NodePort, LoadBalancer"),
])
def test_invalid_hint_value(meta: str, fragment: str) -> None:
    with pytest.raises(ConversionError, match="invalid value") as info:
        _convert(_job(group_meta=meta))
    assert fragment in info.value.message


def test_job_level_hint_at_task_level_is_an_error() -> None:
    with pytest.raises(ConversionError, match="applies only at job or group level"):
        _convert(_job(task_meta='"nomad2k8s.replicas" = "2"'))


def test_task_overrides_group_overrides_job() -> None:
    # The parser's canonical tree: labels under __label__, blocks as lists of bodies.
    raw = {"__label__": "web", "meta": {"nomad2k8s.host": "a.example.com", "nomad2k8s.vpa": "Auto"},
           "group": [{"__label__": "g", "meta": {"nomad2k8s.host": "b.example.com"},
                      "task": [{"__label__": "t", "driver": "docker",
                                "meta": {"nomad2k8s.host": "c.example.com", "nomad2k8s.expose": "false"}}]}]}
    job = build_job(raw)
    group, task = job.group[0], job.group[0].task[0]
    assert hints_for(job).host == "a.example.com"
    assert hints_for(job, group).host == "b.example.com"
    got = hints_for(job, group, task)
    assert (got.host, got.expose, got.vpa) == ("c.example.com", False, "Auto")
    assert got.source("host") == 'job[web].group[g].task[t].meta["nomad2k8s.host"]'
    assert got.source("vpa") == 'job[web].meta["nomad2k8s.vpa"]'
    assert got.storage_class is None and got.source("storage_class") is None


def test_every_hint_is_claimed_once_as_mapped() -> None:
    result = _convert(_job(job_meta='"nomad2k8s.vpa" = "Auto"\nowner = "me"',
                                     group_meta='"nomad2k8s.storage-class" = "fast"',
                                     task_meta='"nomad2k8s.host" = "web.example.com"'))
    hints = _entries(result, "N2K-HINT")
    assert sorted(e.nomad_path for e in hints) == [
        'job[web].group[app].meta["nomad2k8s.storage-class"]',
        'job[web].group[app].task[server].meta["nomad2k8s.host"]',
        'job[web].meta["nomad2k8s.vpa"]',
    ]
    assert all(e.status.value == "mapped" and "meta)" in e.message for e in hints)
    assert set(result.ledger.claims_per_leaf().values()) == {1}
    env = _kinds(result)["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in env] == ["NOMAD_META_owner"]  # hints are not env vars


# ---- wired hints ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["StatefulSet", "DaemonSet", "Job"])
def test_workload_hint(kind: str) -> None:
    result = _convert(_job(group_meta=f'"nomad2k8s.workload" = "{kind.lower()}"'))
    workload = _kinds(result)[kind]
    assert workload["metadata"]["name"] == "web"
    if kind == "Job":
        assert workload["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    (note,) = _entries(result, "N2K-WORKLOAD-HINT")
    assert f"{kind} chosen by the workload hint" in note.message and "instead of Deployment" in note.message


def test_cronjob_hint_needs_a_periodic_block() -> None:
    with pytest.raises(ConversionError, match="needs a periodic block"):
        _convert(_job(job_meta='"nomad2k8s.workload" = "CronJob"'))


def test_replicas_hint_overrides_count() -> None:
    result = _convert(_job(group_meta='"nomad2k8s.replicas" = "4"', count="count = 2"))
    assert _kinds(result)["Deployment"]["spec"]["replicas"] == 4
    (entry,) = _entries(result, "N2K-COUNT-HINT")
    assert entry.nomad_path == "job[web].group[app].count" and entry.status.value == "changed"


def test_replicas_hint_on_a_daemonset_is_an_error() -> None:
    with pytest.raises(ConversionError, match="does not apply to a DaemonSet"):
        _convert(_job(job_type="system", job_meta='"nomad2k8s.replicas" = "2"'))


def test_namespace_hint_applies_to_every_object() -> None:
    text = _job(job_meta='"nomad2k8s.namespace" = "shop"', extra='namespace = "retail"')
    text = text.replace('config { image = "nginx:1.27" }', 'config {\n image = "nginx:1.27"\n ports = ["http"]\n}')
    text = text.replace('group "app" {', 'group "app" {\n network {\n port "http" { to = 80 }\n }\n'
                        ' service {\n name = "web"\n port = "http"\n }\n')
    result = _convert(text, resolve_profile(None, None, ["namespace.mode=nomad"]))
    assert {o["kind"] for o in result.objects} - {"VerticalPodAutoscaler"} == {"Deployment", "Service"}
    assert {o["metadata"]["namespace"] for o in result.objects} == {"shop"}
    (entry,) = _entries(result, "N2K-NAMESPACE")
    assert entry.status.value == "changed" and "replaced by the namespace hint" in entry.message


def test_skip_hint_on_the_job() -> None:
    result = _convert(_job(job_meta='"nomad2k8s.skip" = "true"'))
    assert result.objects == []
    (entry,) = result.ledger.entries
    assert (entry.code, entry.nomad_path, entry.status.value) == ("N2K-HINT-SKIP", "job[web]", "dropped")
    assert set(result.ledger.claims_per_leaf().values()) == {1}


def test_skip_hint_on_a_group() -> None:
    text = _job().replace('  group "app" {', '  group "old" {\n meta {\n "nomad2k8s.skip" = "true"\n }\n'
                          ' task "php" {\n driver = "docker"\n config { image = "php:8" }\n }\n }\n  group "app" {')
    result = _convert(text)
    assert [o["metadata"]["name"] for o in result.objects if o["kind"] != "VerticalPodAutoscaler"] == ["web-app"]
    assert "old" not in str([o["metadata"]["name"] for o in result.objects])
    (entry,) = _entries(result, "N2K-HINT-SKIP")
    assert entry.nomad_path == "job[web].group[old]"
    assert set(result.ledger.claims_per_leaf().values()) == {1}


# ---- profile policies ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, nomad_ns, expected, status", [
    ("fixed", "retail", "default", "changed"),
    ("fixed", "default", "default", "mapped"),
    ("nomad", "retail", "retail", "mapped"),
    ("nomad", "Retail_EU", "retail-eu", "changed"),
    ("nomad", None, "default", None),
])
def test_namespace_mode(mode: str, nomad_ns: str | None, expected: str, status: str | None) -> None:
    extra = f'namespace = "{nomad_ns}"' if nomad_ns else ""
    result = _convert(_job(extra=extra), resolve_profile(None, None, [f"namespace.mode={mode}"]))
    assert _kinds(result)["Deployment"]["metadata"]["namespace"] == expected
    entries = _entries(result, "N2K-NAMESPACE")
    assert [e.status.value for e in entries] == ([status] if status else [])


@pytest.mark.parametrize("sets, limits", [
    ([], {"memory": "128Mi"}),
    (["resources.cpu_limit_policy=equal-to-request"], {"cpu": "200m", "memory": "128Mi"}),
    (["resources.cpu_limit_policy=factor", "resources.cpu_limit_factor=2.5"], {"cpu": "500m", "memory": "128Mi"}),
    (["resources.cpu_limit_policy=factor", "resources.cpu_limit_factor=5"], {"cpu": "1", "memory": "128Mi"}),
    (["resources.memory_limit_policy=none"], None),
    (["resources.memory_limit_policy=factor", "resources.memory_limit_factor=1.5"], {"memory": "192Mi"}),
])
def test_limit_policies(sets: list[str], limits: dict | None) -> None:
    result = _convert(_job(), resolve_profile(None, None, sets))
    resources = _kinds(result)["Deployment"]["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources["requests"] == {"cpu": "200m", "memory": "128Mi"}
    assert resources.get("limits") == limits


def test_site_labels_annotations_and_pull_secrets() -> None:
    profile = resolve_profile(None, None, ["labels.example.com/team=web", "labels.app=not-this",
                                           "annotations.example.com/owner=ops", "image_pull_secrets=[regcred]"])
    text = _job(job_type="batch", extra='periodic {\n cron = "0 3 * * *"\n }')
    result = _convert(text, profile)
    cron = _kinds(result)["CronJob"]
    metas = [cron["metadata"], cron["spec"]["jobTemplate"]["metadata"],
             cron["spec"]["jobTemplate"]["spec"]["template"]["metadata"]]
    for meta in metas:
        assert meta["labels"]["example.com/team"] == "web"
        assert meta["labels"]["app"] == "web"  # the mapper's own label wins
        assert meta["annotations"] == {"example.com/owner": "ops"}
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    assert pod["restartPolicy"] == "OnFailure"


def test_vanilla_output_has_no_site_extras() -> None:
    workload = _kinds(_convert(_job()))["Deployment"]
    assert "annotations" not in workload["metadata"]
    assert "imagePullSecrets" not in workload["spec"]["template"]["spec"]


# ---- networking hints --------------------------------------------------------------------------------

def _routed(group_meta: str = "", static: bool = False) -> str:
    port = 'port "http" {\n static = 8088\n to = 80\n }' if static else 'port "http" { to = 80 }'
    text = _job(group_meta=group_meta)
    text = text.replace('config { image = "nginx:1.27" }', 'config {\n image = "nginx:1.27"\n ports = ["http"]\n}')
    return text.replace('group "app" {', f'''group "app" {{
    network {{
      {port}
    }}
    service {{
      name = "web"
      port = "http"
      tags = ["traefik.enable=true", "traefik.http.routers.web.rule=Host(`web.example.com`)"]
    }}
''')


def test_host_hint_replaces_the_routed_host() -> None:
    profile = resolve_profile(None, None, ["hosts.suffix=-k8s"])
    plain = _kinds(_convert(_routed(), profile))["Ingress"]
    assert [r["host"] for r in plain["spec"]["rules"]] == ["web-k8s.example.com"]  # profile rewrite
    hinted = _kinds(_convert(_routed('"nomad2k8s.host" = "shop.example.org"'), profile))["Ingress"]
    assert [r["host"] for r in hinted["spec"]["rules"]] == ["shop.example.org"]  # the hint is final


def test_expose_false_drops_the_ingress() -> None:
    result = _convert(_routed('"nomad2k8s.expose" = "false"'))
    assert {o["kind"] for o in result.objects} - {"VerticalPodAutoscaler"} == {"Deployment", "Service"}
    (note,) = _entries(result, "N2K-HINT-EXPOSE")
    assert "1 routing object(s) not emitted" in note.message
    assert set(result.ledger.claims_per_leaf().values()) == {1}


@pytest.mark.parametrize("static, wanted", [(False, "LoadBalancer"), (True, "ClusterIP"), (False, "NodePort")])
def test_service_type_hint(static: bool, wanted: str) -> None:
    result = _convert(_routed(f'"nomad2k8s.service-type" = "{wanted}"', static=static))
    services = [o for o in result.objects if o["kind"] == "Service"]
    assert [s["spec"]["type"] for s in services] == [wanted]
    if wanted == "ClusterIP":
        assert all("nodePort" not in p for p in services[0]["spec"]["ports"])  # static NodePort undone
    assert _entries(result, "N2K-HINT-SERVICE-TYPE")


def test_hint_inside_an_unconverted_task_is_not_claimed_twice() -> None:
    text = _job(task_meta='"nomad2k8s.vpa" = "Off"').replace('driver = "docker"', 'driver = "qemu"')
    result = _convert(text)
    assert not _entries(result, "N2K-HINT")
    assert set(result.ledger.claims_per_leaf().values()) == {1}
