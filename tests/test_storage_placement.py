"""Table tests for storage, placement and devices: profile variants and the templates contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from nomad2k8s.convert import ServiceResult
from tests.cases.harness import convert_text
from nomad2k8s.convert import convert_file
from nomad2k8s.mapping.storage import docker_mounts
from nomad2k8s.profile import Profile
from tests.support import validate_object

CSI_JOB = '''
job "app" {
  group "app" {
    volume "data" {
      type        = "csi"
      source      = "app-data"
      access_mode = "%s"
    }
    task "app" {
      driver = "docker"
      config { image = "nginx:1.25" }
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
    }
  }
}
'''


def _convert(text: str, profile: Profile | None = None) -> ServiceResult:
    """One job converted in memory (tests/cases/harness.py), as `convert_file` would: no batch pass."""
    result = convert_text(text, profile, path="job.nomad.hcl", batch=False).service
    for obj in result.objects:
        validate_object(obj)
    return result




def _kind(result, kind: str) -> list[dict]:
    return [o for o in result.objects if o["kind"] == kind]


def _pod(result) -> dict:
    (workload,) = [o for o in result.objects if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet")]
    return workload["spec"]["template"]["spec"]


@pytest.mark.parametrize("mode, rwop, access, read_only", [
    ("single-node-writer", False, "ReadWriteOnce", None),
    ("single-node-writer", True, "ReadWriteOncePod", None),
    ("single-node-reader-only", False, "ReadWriteOnce", True),
    ("multi-node-reader-only", False, "ReadOnlyMany", True),
    ("multi-node-single-writer", False, "ReadWriteMany", None),
    ("multi-node-multi-writer", False, "ReadWriteMany", None),
])
def test_csi_access_modes(mode: str, rwop: bool, access: str, read_only: bool | None) -> None:
    profile = Profile.model_validate({"storage": {"read_write_once_pod": rwop, "default_class": "fast",
                                                  "default_size": "5Gi"}})
    result = _convert(CSI_JOB % mode, profile)
    (pvc,) = _kind(result, "PersistentVolumeClaim")
    assert pvc["metadata"]["name"] == "app-data"
    assert pvc["spec"] == {"accessModes": [access], "storageClassName": "fast",
                           "resources": {"requests": {"storage": "5Gi"}}}
    (mount,) = _pod(result)["containers"][0]["volumeMounts"]
    assert mount.get("readOnly") is read_only


def test_csi_as_host_path_is_the_gluster_pattern() -> None:
    profile = Profile.model_validate({"storage": {"csi_as": "hostPath", "host_path_root": "/storage/v"}})
    result = _convert(CSI_JOB % "multi-node-multi-writer", profile)
    assert not _kind(result, "PersistentVolumeClaim")
    (volume,) = _pod(result)["volumes"]
    assert volume == {"name": "data", "hostPath": {"path": "/storage/v/app-data", "type": "Directory"}}


def test_csi_as_nfs() -> None:
    profile = Profile.model_validate({"storage": {"csi_as": "nfs", "nfs_server": "nas", "nfs_path": "/exports"}})
    result = _convert(CSI_JOB % "multi-node-multi-writer", profile)
    (volume,) = _pod(result)["volumes"]
    assert volume["nfs"] == {"server": "nas", "path": "/exports/app-data"}


HOST_JOB = '''
job "app" {
  group "app" {
    volume "certs" {
      type   = "host"
      source = "certs"
    }
    task "app" {
      driver = "docker"
      config { image = "nginx:1.25" }
      volume_mount {
        volume      = "certs"
        destination = "/certs"
      }
    }
  }
}
'''


def test_host_volume_from_profile_is_a_host_path() -> None:
    profile = Profile.model_validate({"storage": {"host_volumes": {"certs": "/srv/certs"}}})
    result = _convert(HOST_JOB, profile)
    assert _pod(result)["volumes"] == [{"name": "certs", "hostPath": {"path": "/srv/certs", "type": "Directory"}}]
    (deployment,) = _kind(result, "Deployment")
    assert "strategy" not in deployment["spec"]


def test_unknown_host_volume_is_a_decision_and_a_recreated_pvc() -> None:
    result = _convert(HOST_JOB)
    assert any(e.code == "N2K-VOLUME-HOST-UNKNOWN" and e.status.value == "needs-decision"
               for e in result.ledger.entries)
    (deployment,) = _kind(result, "Deployment")
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_bind_of_a_rendered_template_mounts_its_config_map(tmp_path: Path) -> None:
    """The contract with the template mapper: rendered files are mounted by subPath, not the task dir."""
    from dataclasses import replace

    from nomad2k8s.mapping.core.registry import TRANSFORMS

    def with_rendered(gctx):
        gctx.rendered_files[("web", "/local/site.conf")] = ("web-config", "site.conf")
        docker_mounts.map_docker_mounts(gctx)

    transforms = [replace(t, fn=with_rendered) if t.concept == "docker-mounts" else t for t in TRANSFORMS]
    job = tmp_path / "job.nomad.hcl"
    job.write_text('job "x" {\n group "g" {\n  task "web" {\n   driver = "docker"\n   config {\n'
                   '    image = "nginx:1.25"\n    volumes = ["local/site.conf:/etc/nginx/conf.d/site.conf"]\n'
                   '   }\n  }\n }\n}\n')
    (result,) = convert_file(job, transforms=transforms)
    (workload,) = [o for o in result.objects if o["kind"] == "Deployment"]
    mounts = workload["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert mounts == [{"name": "web-config", "mountPath": "/etc/nginx/conf.d/site.conf", "subPath": "site.conf",
                       "readOnly": True}]


PLACEMENT_JOB = '''
job "p" {
  group "g" {
    %s
    task "t" {
      driver = "docker"
      config { image = "nginx:1.25" }
    }
  }
}
'''


@pytest.mark.parametrize("block, expected", [
    ('constraint {\n attribute = "${attr.cpu.arch}"\n value = "amd64"\n}', ("selector", "kubernetes.io/arch", "amd64")),
    ('constraint {\n attribute = "${attr.kernel.arch}"\n value = "aarch64"\n}', ("selector", "kubernetes.io/arch", "arm64")),
    ('constraint {\n attribute = "${node.unique.name}"\n value = "NodeA"\n}', ("selector", "kubernetes.io/hostname", "nodea")),
    ('constraint {\n attribute = "${meta.role}"\n operator = "!="\n value = "db"\n}', ("req", "nomad.meta/role", "NotIn", ["db"])),
    ('constraint {\n attribute = "${meta.cores}"\n operator = "<="\n value = "8"\n}', ("req", "nomad.meta/cores", "Lt", ["9"])),
    ('constraint {\n attribute = "${meta.cores}"\n operator = ">"\n value = "8"\n}', ("req", "nomad.meta/cores", "Gt", ["8"])),
    ('constraint {\n attribute = "${meta.gpu}"\n operator = "is_set"\n}', ("req", "nomad.meta/gpu", "Exists", None)),
    ('constraint {\n attribute = "${meta.x}"\n operator = "set_contains_any"\n value = "a, b"\n}', ("req", "nomad.meta/x", "In", ["a", "b"])),
    ('constraint {\n attribute = "${attr.cpu.numcores}"\n operator = ">"\n value = "4"\n}', ("decide",)),
    ('constraint {\n attribute = "${meta.v}"\n operator = "regexp"\n value = "^1"\n}', ("decide",)),
    ('constraint {\n attribute = "${meta.v}"\n operator = ">"\n value = "1.5"\n}', ("decide",)),
    ('constraint {\n distinct_hosts = true\n}', ("anti",)),
    ('affinity {\n attribute = "${meta.spot}"\n value = "yes"\n weight = -100\n}', ("pref", 100, "NotIn")),
    ('affinity {\n attribute = "${meta.spot}"\n value = "yes"\n}', ("pref", 50, "In")),
])
def test_placement_operators(block: str, expected: tuple) -> None:
    result = _convert(PLACEMENT_JOB % block)
    pod = _pod(result)
    entry = next(e for e in result.ledger.entries if e.code in ("N2K-CONSTRAINT", "N2K-AFFINITY"))
    if expected[0] == "selector":
        assert pod["nodeSelector"] == {expected[1]: expected[2]}
    elif expected[0] == "req":
        (expr,) = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
            "nodeSelectorTerms"][0]["matchExpressions"]
        assert (expr["key"], expr["operator"], expr.get("values")) == expected[1:]
    elif expected[0] == "decide":
        assert entry.status.value == "needs-decision"
        assert "affinity" not in pod and "nodeSelector" not in pod
    elif expected[0] == "anti":
        (term,) = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term == {"labelSelector": {"matchLabels": {"app": "p"}}, "topologyKey": "kubernetes.io/hostname"}
    else:
        (pref,) = pod["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
        assert (pref["weight"], pref["preference"]["matchExpressions"][0]["operator"]) == expected[1:]


def test_default_arch_only_without_an_arch_constraint() -> None:
    profile = Profile.model_validate({"placement": {"default_arch": ["amd64", "arm64"]}})
    pod = _pod(_convert(PLACEMENT_JOB % "", profile))
    (expr,) = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"][0]["matchExpressions"]
    assert expr == {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]}
    pinned = _pod(_convert(PLACEMENT_JOB % 'constraint {\n attribute = "${attr.cpu.arch}"\n value = "arm64"\n}',
                           profile))
    assert "affinity" not in pinned and pinned["nodeSelector"] == {"kubernetes.io/arch": "arm64"}


def test_gpu_toleration_and_runtime_class_from_profile() -> None:
    profile = Profile.model_validate({"gpu": {"runtime_class": "nvidia-cdi", "tolerate_taint": True}})
    job = PLACEMENT_JOB.replace('config { image = "nginx:1.25" }',
                                'config { image = "cuda:12" }\n resources {\n device "nvidia/gpu" {}\n }')
    pod = _pod(_convert(job % "", profile))
    assert pod["runtimeClassName"] == "nvidia-cdi"
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
