"""Table tests for lifecycle placement, stop settings, restart and the autoscalers."""

from __future__ import annotations


import pytest

from nomad2k8s.convert import ServiceResult
from tests.cases.harness import convert_text
from nomad2k8s.convert import convert_file
from nomad2k8s.profile import Profile
from tests.support import validate_object

SIDECAR_JOB = '''job "j" {{
  type = "{type}"
  group "g" {{
    task "side" {{
      driver = "docker"
      lifecycle {{
        hook    = "{hook}"
        sidecar = {sidecar}
      }}
      config {{ image = "busybox:1.36" }}
    }}
    task "app" {{
      driver = "docker"
      config {{ image = "nginx:1.25" }}
      {extra}
    }}
  }}
}}
'''


def _convert(text: str, profile: Profile | None = None) -> ServiceResult:
    """One job converted in memory (tests/cases/harness.py), as `convert_file` would: no batch pass."""
    result = convert_text(text, profile, path="j.nomad.hcl", batch=False).service
    return result




def _workload(result):
    return next(o for o in result.objects if o["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"))


def _codes(result):
    return {e.code for e in result.ledger.entries}


@pytest.mark.parametrize(
    ("hook", "sidecar", "version", "init_names", "main_names", "native"),
    [
        ("prestart", "false", "1.33", ["side"], ["app"], False),
        ("prestart", "true", "1.33", ["side"], ["app"], True),
        ("prestart", "true", "1.28", [], ["side", "app"], False),
        ("poststart", "true", "1.33", [], ["side", "app"], False),
    ],
)
def test_lifecycle_placement(hook, sidecar, version, init_names, main_names, native):
    result = _convert(SIDECAR_JOB.format(type="service", hook=hook, sidecar=sidecar, extra=""),
                      Profile(kubernetes_version=version))
    spec = _workload(result)["spec"]["template"]["spec"]
    assert [c["name"] for c in spec.get("initContainers", [])] == init_names
    assert sorted(c["name"] for c in spec["containers"]) == sorted(main_names)
    assert any(c.get("restartPolicy") == "Always" for c in spec.get("initContainers", [])) is native
    validate_object(_workload(result))


def test_poststop_with_other_image_is_not_emitted():
    result = _convert(SIDECAR_JOB.format(type="service", hook="poststop", sidecar="false", extra=""))
    spec = _workload(result)["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["app"]
    assert "N2K-LIFECYCLE-HOOK-NOT-EMITTED" in _codes(result)


@pytest.mark.parametrize(
    ("extra", "grace", "pre_stop"),
    [
        ('kill_timeout = "20s"', 20, None),
        ('shutdown_delay = "40s"', 45, {"sleep": {"seconds": 40}}),
        ('kill_signal = "SIGINT"', None, None),  # no shell visible: needs a decision, nothing emitted
        ('kill_signal = "SIGINT"\n      kill_timeout = "1m"\n      config { command = "sh" }', 60,
         {"exec": {"command": ["/bin/sh", "-c", "kill -INT 1"]}}),
    ],
)
def test_stop_settings(extra, grace, pre_stop):
    text = SIDECAR_JOB.format(type="service", hook="prestart", sidecar="false", extra=extra)
    if "config { command" in extra:
        text = text.replace('config { image = "nginx:1.25" }\n      ', "")
    result = _convert(text)
    spec = _workload(result)["spec"]["template"]["spec"]
    app = next(c for c in spec["containers"] if c["name"] == "app")
    assert spec.get("terminationGracePeriodSeconds") == grace
    assert app.get("lifecycle", {}).get("preStop") == pre_stop


def test_batch_restart_and_native_sidecar():
    text = SIDECAR_JOB.format(type="batch", hook="prestart", sidecar="true", extra="")
    text = text.replace('group "g" {', 'group "g" {\n    restart {\n      attempts = 4\n      mode = "fail"\n    }', 1)
    result = _convert(text)
    job = _workload(result)
    assert job["spec"]["backoffLimit"] == 4
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    validate_object(job)


def test_vpa_bounds_and_schema():
    text = SIDECAR_JOB.format(type="service", hook="prestart", sidecar="true",
                              extra="resources {\n        cpu = 1000\n        memory = 300\n        memory_max = 600\n      }")
    result = _convert(text)
    (vpa,) = [o for o in result.objects if o["kind"] == "VerticalPodAutoscaler"]
    validate_object(vpa)
    policies = {p["containerName"]: p for p in vpa["spec"]["resourcePolicy"]["containerPolicies"]}
    assert policies["app"]["minAllowed"] == {"cpu": "500m", "memory": "150Mi"}
    assert policies["app"]["maxAllowed"] == {"cpu": "4", "memory": "2400Mi"}
    assert vpa["spec"]["updatePolicy"]["updateMode"] == "Off"
    disabled = _convert(text, Profile(vpa={"enabled": False}))
    assert not [o for o in disabled.objects if o["kind"] == "VerticalPodAutoscaler"]


@pytest.mark.parametrize(
    ("query", "source", "hpa"),
    [("avg_memory-allocated", "nomad-apm", True), ("avg_cpu", "nomad-apm", False), ("up", "prometheus", False)],
)
def test_group_scaling_to_hpa(query, source, hpa):
    scaling = (f'scaling {{\n      min = 1\n      max = 4\n      policy {{\n        check "c" {{\n'
               f'          source = "{source}"\n          query = "{query}"\n'
               f'          strategy "target-value" {{\n            target = 60\n          }}\n        }}\n      }}\n    }}')
    text = SIDECAR_JOB.format(type="service", hook="prestart", sidecar="false", extra="")
    text = text.replace('group "g" {', 'group "g" {\n    ' + scaling, 1)
    result = _convert(text)
    hpas = [o for o in result.objects if o["kind"] == "HorizontalPodAutoscaler"]
    assert bool(hpas) is hpa
    for obj in hpas:
        validate_object(obj)
        assert obj["spec"]["metrics"][0]["resource"]["name"] == "memory"
    if not hpa:
        assert any(e.code == "N2K-SCALING" and e.status.value == "needs-decision" for e in result.ledger.entries)
