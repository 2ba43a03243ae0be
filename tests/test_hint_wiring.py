"""The storage-class, volume-size and vpa hints, end to end through convert_file: what they
change in the manifests, and the claims=False note each effect leaves in the ledger."""

from __future__ import annotations


import pytest

from tests.cases.harness import convert_text
from nomad2k8s.convert import ServiceResult, convert_file
from nomad2k8s.profile import Profile
from nomad2k8s.profile_load import resolve_profile
from tests.support import validate_object


def _meta(body: str) -> str:
    # The map form: valid HCL2 for dotted keys (tests/test_hints.py covers the HCL1 block form).
    return f"meta = {{\n{body}\n}}\n" if body else ""


def _job(*, job_meta: str = "", group_meta: str = "", task_meta: str = "", group_extra: str = "",
         task_config: str = "", task_extra: str = "") -> str:
    return f"""
job "shop" {{
  {_meta(job_meta)}
  group "db" {{
    {_meta(group_meta)}
    {group_extra}
    task "pg" {{
      driver = "docker"
      config {{
        image = "postgres:16"
        {task_config}
      }}
      resources {{
        cpu    = 500
        memory = 256
      }}
      {task_extra}
      {_meta(task_meta)}
    }}
  }}
}}
"""


CSI = '''
volume "data" {
  type        = "csi"
  source      = "pg-data"
  access_mode = "single-node-writer"
  %s
}
'''
HOST = '''
volume "cache" {
  type   = "host"
  source = "pg-cache"
}
'''
MOUNT_DATA = 'volume_mount {\n volume = "data"\n destination = "/var/lib/postgresql"\n }'
MOUNT_CACHE = 'volume_mount {\n volume = "cache"\n destination = "/cache"\n }'


def _convert(text: str, profile: Profile | None = None) -> ServiceResult:
    """One job converted in memory (tests/cases/harness.py), as `convert_file` would: no batch pass."""
    result = convert_text(text, profile, path="shop.nomad.hcl", batch=False).service
    for obj in result.objects:
        validate_object(obj)
    assert set(result.ledger.claims_per_leaf().values()) == {1}  # hints stay claimed once (N2K-HINT)
    return result




def _objects(result: ServiceResult, kind: str) -> list[dict]:
    return [o for o in result.objects if o["kind"] == kind]


def _notes(result: ServiceResult, code: str) -> list:
    return [e for e in result.ledger.entries if e.code == code]


def _claims(result: ServiceResult) -> list[dict]:
    """Every claim spec: standalone PVCs and StatefulSet volumeClaimTemplates."""
    specs = [o["spec"] for o in _objects(result, "PersistentVolumeClaim")]
    for sts in _objects(result, "StatefulSet"):
        specs += [t["spec"] for t in sts["spec"].get("volumeClaimTemplates", [])]
    return specs


# ---- storage-class ---------------------------------------------------------------------------------

PROFILE_CLASSES = {"storage": {"default_class": "standard", "class_by_volume": {"pg-data": "by-volume",
                                                                                 "pg-cache": "by-volume"},
                               "host_volumes_as": "pvc"}}


@pytest.mark.parametrize("level", ["job", "group"])
@pytest.mark.parametrize("group_extra, task_extra", [
    (CSI % "", MOUNT_DATA),                                 # CSI volume -> PVC
    (CSI % "per_alloc = true", MOUNT_DATA),                 # per_alloc -> volumeClaimTemplates
    (HOST, MOUNT_CACHE),                                    # host volume without a path -> PVC
    ('ephemeral_disk {\n sticky = true\n }', ""),           # sticky disk -> volumeClaimTemplates
], ids=["csi", "csi-per-alloc", "host-pvc", "sticky-disk"])
def test_storage_class_hint_beats_the_profile(level: str, group_extra: str, task_extra: str) -> None:
    hint = '"nomad2k8s.storage-class" = "fast-ssd"'
    sticky = "per_alloc" in group_extra or "sticky" in group_extra
    workload = '"nomad2k8s.workload" = "StatefulSet"' if sticky else ""
    text = _job(job_meta=hint if level == "job" else "", group_meta="\n".join(
        x for x in (hint if level == "group" else "", workload) if x), group_extra=group_extra, task_extra=task_extra)
    result = _convert(text, Profile.model_validate(PROFILE_CLASSES))
    (claim,) = _claims(result)
    assert claim["storageClassName"] == "fast-ssd"
    (note,) = _notes(result, "N2K-HINT-STORAGE-CLASS")
    assert not note.claims and note.k8s == "storageClassName: fast-ssd"
    assert f'{level}' in note.message and "nomad2k8s.storage-class" in note.message


def test_without_the_hint_the_profile_chooses() -> None:
    result = _convert(_job(group_extra=CSI % "", task_extra=MOUNT_DATA),
                      Profile.model_validate(PROFILE_CLASSES))
    assert [c["storageClassName"] for c in _claims(result)] == ["by-volume"]
    assert not _notes(result, "N2K-HINT-STORAGE-CLASS")


def test_task_level_hints_apply_to_that_tasks_docker_volumes() -> None:
    text = _job(task_config='mount {\n type = "volume"\n source = "pgdata"\n target = "/var/lib/postgresql"\n }',
                task_meta='"nomad2k8s.storage-class" = "local-path"\n"nomad2k8s.volume-size" = "20Gi"')
    result = _convert(text)
    (pvc,) = _objects(result, "PersistentVolumeClaim")
    assert pvc["metadata"]["name"] == "pgdata"
    assert pvc["spec"]["storageClassName"] == "local-path"
    assert pvc["spec"]["resources"]["requests"]["storage"] == "20Gi"
    for code in ("N2K-HINT-STORAGE-CLASS", "N2K-HINT-VOLUME-SIZE"):
        (note,) = _notes(result, code)
        assert note.nomad_path == "job[shop].group[db].task[pg].config"
        assert "task[pg].meta" in note.message


def test_task_level_storage_class_does_not_reach_group_volumes() -> None:
    text = _job(group_extra=CSI % "", task_extra=MOUNT_DATA, task_meta='"nomad2k8s.storage-class" = "local-path"')
    result = _convert(text, Profile.model_validate(PROFILE_CLASSES))
    assert [c["storageClassName"] for c in _claims(result)] == ["by-volume"]


# ---- volume-size -----------------------------------------------------------------------------------

@pytest.mark.parametrize("group_extra, task_extra, hinted, expected, used", [
    (CSI % "", MOUNT_DATA, True, "50Gi", True),                                # no size in the jobspec
    (CSI % 'capacity_min = "10GiB"', MOUNT_DATA, True, "10Gi", False),           # the jobspec's size wins
    (CSI % "", MOUNT_DATA, False, "1Gi", None),                                  # profile default
    (HOST, MOUNT_CACHE, True, "50Gi", True),
    ('ephemeral_disk {\n sticky = true\n }', "", True, "50Gi", True),            # unsized disk: hint, not 300Mi
    ('ephemeral_disk {\n sticky = true\n size = 2048\n }', "", True, "2Gi", False),
    ('ephemeral_disk {\n sticky = true\n }', "", False, "300Mi", None),          # Nomad's default disk
], ids=["csi", "csi-capacity-min", "csi-no-hint", "host-pvc", "sticky-unsized", "sticky-sized", "sticky-no-hint"])
def test_volume_size_hint(group_extra: str, task_extra: str, hinted: bool, expected: str,
                          used: bool | None) -> None:
    meta = ['"nomad2k8s.volume-size" = "50Gi"'] if hinted else []
    if "sticky" in group_extra:
        meta.append('"nomad2k8s.workload" = "StatefulSet"')
    text = _job(group_meta="\n".join(meta), group_extra=group_extra, task_extra=task_extra)
    result = _convert(text, Profile.model_validate({"storage": {"host_volumes_as": "pvc"}}))
    (claim,) = _claims(result)
    assert claim["resources"]["requests"]["storage"] == expected
    notes = _notes(result, "N2K-HINT-VOLUME-SIZE")
    if used is None:
        assert not notes
    else:
        (note,) = notes
        assert not note.claims
        assert ("not used" in note.message) is (not used)


# ---- vpa -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("hint, profile_sets, mode", [
    (None, [], "Off"),
    ("Auto", [], "Auto"),
    ("initial", [], "Initial"),                       # hint values are case-insensitive
    ("Off", ["vpa.update_mode=Recreate"], "Off"),     # the hint wins over the profile
    ("Recreate", ["vpa.enabled=false"], "Recreate"),  # an explicit mode asks for a VPA even when the profile has none
    (None, ["vpa.enabled=false"], None),
    ("none", [], None),
])
def test_vpa_hint_sets_the_update_mode(hint: str | None, profile_sets: list[str],
                                       mode: str | None) -> None:
    text = _job(job_meta=f'"nomad2k8s.vpa" = "{hint}"' if hint else "")
    result = _convert(text, resolve_profile(None, None, profile_sets))
    vpas = _objects(result, "VerticalPodAutoscaler")
    if mode is None:
        assert not vpas
    else:
        (vpa,) = vpas
        assert vpa["spec"]["updatePolicy"] == {"updateMode": mode}
    notes = _notes(result, "N2K-HINT-VPA")
    assert len(notes) == (1 if hint else 0)
    if hint:
        assert not notes[0].claims and 'job[shop].meta["nomad2k8s.vpa"]' in notes[0].message


def test_group_vpa_hint_overrides_the_jobs() -> None:
    result = _convert(_job(job_meta='"nomad2k8s.vpa" = "Auto"', group_meta='"nomad2k8s.vpa" = "none"'))
    assert not _objects(result, "VerticalPodAutoscaler")


@pytest.mark.parametrize("task_hint, container_mode", [("none", "Off"), ("Off", "Off"), ("Auto", None)])
def test_task_vpa_hint_sets_the_container_policy(task_hint: str, container_mode: str | None) -> None:
    result = _convert(_job(group_meta='"nomad2k8s.vpa" = "Initial"',
                                     task_meta=f'"nomad2k8s.vpa" = "{task_hint}"'))
    (vpa,) = _objects(result, "VerticalPodAutoscaler")
    assert vpa["spec"]["updatePolicy"] == {"updateMode": "Initial"}  # the workload's mode is the group's
    (policy,) = vpa["spec"]["resourcePolicy"]["containerPolicies"]
    assert policy.get("mode") == container_mode
    (note,) = [n for n in _notes(result, "N2K-HINT-VPA") if "task[pg]" in n.message]
    assert not note.claims
    if container_mode is None:
        assert "per workload" in note.message


def test_vpa_hint_on_a_batch_job_is_noted_without_a_vpa() -> None:
    text = _job(job_meta='"nomad2k8s.vpa" = "Auto"').replace('job "shop" {', 'job "shop" {\n type = "batch"')
    result = _convert(text)
    assert not _objects(result, "VerticalPodAutoscaler")
    (note,) = _notes(result, "N2K-HINT-VPA")
    assert "no VPA for a Job" in note.message


# ---- HPA: replicas and the VPA conflict -------------------------------------------------------------

def _scaling(query: str = "avg_cpu-allocated", max_: int = 5, min_: int | None = 2) -> str:
    low = f"min = {min_}\n" if min_ is not None else ""
    return f'''scaling {{
  {low}max = {max_}
  policy {{
    check "load" {{
      source = "nomad-apm"
      query  = "{query}"
      strategy "target-value" {{
        target = 70
      }}
    }}
  }}
}}'''


@pytest.mark.parametrize("count, replicas_hint, kind, hpa_min", [
    ("count = 3", None, "Deployment", 2),
    ("", None, "Deployment", 2),
    ("count = 3", "4", "StatefulSet", 2),
])
def test_hpa_owns_the_replica_count(count: str, replicas_hint: str | None, kind: str,
                                    hpa_min: int) -> None:
    meta = [f'"nomad2k8s.workload" = "{kind}"']
    if replicas_hint:
        meta.append(f'"nomad2k8s.replicas" = "{replicas_hint}"')
    result = _convert(_job(group_meta="\n".join(meta), group_extra=f"{count}\n{_scaling()}"))
    (workload,) = _objects(result, kind)
    assert "replicas" not in workload["spec"]
    (hpa,) = _objects(result, "HorizontalPodAutoscaler")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (hpa_min, 5)
    (note,) = _notes(result, "N2K-COUNT-HPA")
    assert not note.claims and "owns the replica count" in note.message
    expected_path = "job[shop].group[db].count" if count else (
        'job[shop].group[db].meta["nomad2k8s.replicas"]' if replicas_hint else "job[shop].group[db]")
    assert note.nomad_path == expected_path
    counted = [e for e in result.ledger.entries if e.claims and e.nomad_path == "job[shop].group[db].count"]
    assert all("spec.replicas not set" in e.k8s for e in counted)


def test_no_hpa_keeps_the_replica_count() -> None:
    result = _convert(_job(group_extra=f"count = 3\n{_scaling(query='avg_cpu')}"))  # not -allocated
    assert not _objects(result, "HorizontalPodAutoscaler")
    (workload,) = _objects(result, "Deployment")
    assert workload["spec"]["replicas"] == 3
    assert not _notes(result, "N2K-COUNT-HPA")


def test_hpa_min_defaults_to_the_count() -> None:
    result = _convert(_job(group_extra=f"count = 3\n{_scaling(min_=None)}"))
    (hpa,) = _objects(result, "HorizontalPodAutoscaler")
    assert hpa["spec"]["minReplicas"] == 3


@pytest.mark.parametrize("profile_sets, group_hint, task_hint, conflict", [
    ([], None, None, False),                                    # VPA in Off: recommendations only
    (["vpa.update_mode=Auto"], None, None, True),
    (["vpa.update_mode=Recreate"], None, None, True),
    (["vpa.update_mode=Initial"], None, None, True),           # new pods the HPA adds get VPA requests
    (["vpa.update_mode=Auto", "vpa.enabled=false"], None, None, False),
    ([], "Auto", None, True),                                   # the hint turns the VPA on
    (["vpa.update_mode=Auto"], "Off", None, False),            # ... or off
    (["vpa.update_mode=Auto"], "none", None, False),
    (["vpa.update_mode=Auto"], None, "none", False),           # the only container is out of the VPA
])
def test_hpa_vpa_conflict(profile_sets: list[str], group_hint: str | None, task_hint: str | None,
                          conflict: bool) -> None:
    text = _job(group_meta=f'"nomad2k8s.vpa" = "{group_hint}"' if group_hint else "",
                task_meta=f'"nomad2k8s.vpa" = "{task_hint}"' if task_hint else "",
                group_extra=_scaling(query="max_memory-allocated"))
    result = _convert(text, resolve_profile(None, None, profile_sets))
    assert _objects(result, "HorizontalPodAutoscaler")
    notes = _notes(result, "N2K-HPA-VPA-CONFLICT")
    assert len(notes) == (1 if conflict else 0)
    if conflict:
        (note,) = notes
        assert note.status.value == "needs-decision" and not note.claims
        assert note.nomad_path == "job[shop].group[db].scaling"
        assert "memory utilization" in note.message and "VerticalPodAutoscaler/shop-vpa" in note.k8s


# ---- networking hints: host, service-type, expose at every level ------------------------------------

def _routed(*, job_meta: str = "", group_meta: str = "", task_meta: str = "", at_task: bool = False,
            rule: str = "Host(`shop.example.com`)") -> str:
    service = f'''service {{
  name = "shop"
  port = "http"
  tags = ["traefik.enable=true", "traefik.http.routers.shop.rule={rule}"]
}}'''
    return _job(job_meta=job_meta, group_meta=group_meta, task_meta=task_meta,
                group_extra='network {\n port "http" { to = 8080 }\n }\n' + ("" if at_task else service),
                task_config='ports = ["http"]', task_extra=service if at_task else "")


def _hosts(result: ServiceResult) -> list[str]:
    hosts = [r["host"] for o in _objects(result, "Ingress") for r in o["spec"]["rules"]]
    return hosts + [o["spec"]["routes"][0]["match"] for o in _objects(result, "IngressRoute")]


@pytest.mark.parametrize("level, at_task", [("job", False), ("group", False), ("task", True), ("job", True)])
def test_host_hint_at_every_level(level: str, at_task: bool) -> None:
    hint = '"nomad2k8s.host" = "shop.k8s.example.org"'
    text = _routed(at_task=at_task, **{f"{level}_meta": hint})
    result = _convert(text, resolve_profile(None, None, ["hosts.suffix=-new"]))
    assert _hosts(result) == ["shop.k8s.example.org"]
    (note,) = _notes(result, "N2K-HINT-HOST")
    assert not note.claims and note.k8s == "Ingress/shop" and f"{level}" in note.message


def test_task_host_hint_does_not_reach_group_services() -> None:
    result = _convert(_routed(task_meta='"nomad2k8s.host" = "shop.k8s.example.org"'))
    assert _hosts(result) == ["shop.example.com"]
    assert not _notes(result, "N2K-HINT-HOST")


def test_host_hint_rewrites_an_ingressroute_match() -> None:
    text = _routed(group_meta='"nomad2k8s.host" = "shop.k8s.example.org"',
                   rule="Host(`shop.example.com`) && Headers(`X-Env`, `prod`)")
    result = _convert(text)
    (match,) = _hosts(result)
    assert "Host(`shop.k8s.example.org`)" in match and "shop.example.com" not in match


@pytest.mark.parametrize("level", ["job", "group", "task"])
def test_expose_false_at_every_level(level: str) -> None:
    text = _routed(at_task=level == "task", **{f"{level}_meta": '"nomad2k8s.expose" = "false"'})
    result = _convert(text)
    assert not _objects(result, "Ingress") and _objects(result, "Service")
    (note,) = _notes(result, "N2K-HINT-EXPOSE")
    assert not note.claims


@pytest.mark.parametrize("level", ["job", "group", "task"])
def test_service_type_at_every_level(level: str) -> None:
    text = _routed(at_task=level == "task", **{f"{level}_meta": '"nomad2k8s.service-type" = "LoadBalancer"'})
    result = _convert(text)
    (svc,) = _objects(result, "Service")
    assert svc["spec"]["type"] == "LoadBalancer"
    (note,) = _notes(result, "N2K-HINT-SERVICE-TYPE")
    assert not note.claims and f"{level}" in note.message


# ---- profile vpa.min_allowed / max_allowed (fixed bounds win over the factors) ----------------------

@pytest.mark.parametrize("vpa, low, high", [
    ({}, {"cpu": "250m", "memory": "128Mi"}, {"cpu": "2", "memory": "1Gi"}),
    ({"min_allowed": {"cpu": "50m"}}, {"cpu": "50m", "memory": "128Mi"}, {"cpu": "2", "memory": "1Gi"}),
    ({"min_allowed": {"cpu": "50m", "memory": "64Mi"}, "max_allowed": {"memory": "2Gi"}},
     {"cpu": "50m", "memory": "64Mi"}, {"cpu": "2", "memory": "2Gi"}),
])
def test_vpa_fixed_bounds(vpa: dict, low: dict, high: dict) -> None:
    result = _convert(_job(), Profile.model_validate({"vpa": vpa}))
    (obj,) = _objects(result, "VerticalPodAutoscaler")
    (policy,) = obj["spec"]["resourcePolicy"]["containerPolicies"]
    assert (policy["minAllowed"], policy["maxAllowed"]) == (low, high)
    (note,) = _notes(result, "N2K-VPA")
    assert ("min_allowed/max_allowed win" in note.message) is bool(vpa)
