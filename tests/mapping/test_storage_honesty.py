"""Table tests: volume_mount paths through task dirs, honest CSI/sticky claims, unresolved
values never `mapped`, unmounted pod volumes dropped, NOMAD_ALLOC_INDEX per workload kind."""

from __future__ import annotations


import pytest

from nomad2k8s.convert import ServiceResult
from tests.cases.harness import convert_text
from nomad2k8s.convert import convert_file
from nomad2k8s.mapping.core.values import unresolved_reference
from nomad2k8s.profile import Profile
from tests.support import validate_object


def _convert(text: str, profile: Profile | None = None) -> ServiceResult:
    """One job converted in memory (tests/cases/harness.py), as `convert_file` would: no batch pass."""
    result = convert_text(text, profile, path="job.nomad.hcl", batch=False).service
    for obj in result.objects:
        validate_object(obj)
    return result




def _pod(result) -> dict:
    workload = next(o for o in result.objects if o["kind"] in ("Deployment", "StatefulSet", "Job"))
    return workload["spec"]["template"]["spec"]


def _entries(result, code: str) -> list:
    return [e for e in result.ledger.entries if e.code == code]


MOUNT_JOB = '''
job "app" {
  group "app" {
    volume "data" {
      type   = "host"
      source = "data"
    }
    task "app" {
      driver = "docker"
      config { image = "nginx:1.25" }
      volume_mount {
        volume      = "data"
        destination = "%s"
      }
    }
  }
}
'''


@pytest.mark.parametrize(("destination", "mount_path", "status", "task_dir_volume"), [
    ("${NOMAD_ALLOC_DIR}/downloads", "/alloc/downloads", "changed", "nomad-alloc"),
    ("${NOMAD_TASK_DIR}/test", "/local/test", "changed", "nomad-local-app"),
    ("alloc/host_vol", "/alloc/host_vol", "changed", "nomad-alloc"),
    ("/srv/data", "/srv/data", "mapped", None),
])
def test_volume_mount_destination_resolves_task_dirs(destination: str, mount_path: str, status: str,
                                                     task_dir_volume: str | None) -> None:
    result = _convert(MOUNT_JOB % destination)
    container = _pod(result)["containers"][0]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts[mount_path] == "data"
    (entry,) = _entries(result, "N2K-VOLUME-MOUNT-PATH")
    assert entry.status.value == status and mount_path in entry.k8s
    if task_dir_volume:  # the task dir the path lives in exists, as in Nomad
        assert mounts[f"/{mount_path.split('/')[1]}"] == task_dir_volume
    else:
        assert set(mounts) == {mount_path}


CSI_SIZED = '''
job "app" {
  group "app" {
    volume "data" {
      type            = "csi"
      source          = "app-data"
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
      %s
    }
    %s
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


@pytest.mark.parametrize(("extra", "meta", "size", "origin"), [
    ('capacity_min = "5GiB"', "", "5Gi", "capacity_min"),
    ("", 'meta { "nomad2k8s.volume-size" = "7Gi" }', "7Gi", "volume-size hint"),
    ("", "", "1Gi", "storage.default_size"),
])
def test_csi_claim_says_it_is_new_and_where_its_size_comes_from(extra: str, meta: str, size: str,
                                                                origin: str) -> None:
    result = _convert(CSI_SIZED % (extra, meta))
    pvc = next(o for o in result.objects if o["kind"] == "PersistentVolumeClaim")
    assert pvc["spec"]["resources"]["requests"]["storage"] == size
    (note,) = _entries(result, "N2K-VOLUME-DATA")
    assert note.status.value == "needs-decision" and not note.claims
    assert "new, empty claim" in note.message and size in note.message and origin in note.message
    assert "volumeName" in note.suggestion


STICKY_JOB = '''
job "app" {
  meta { "nomad2k8s.workload" = "StatefulSet" }
  group "app" {
    ephemeral_disk {
      sticky = true
      %s
    }
    task "app" {
      driver = "docker"
      config { image = "nginx:1.25" }
    }
  }
}
'''


@pytest.mark.parametrize(("size", "quantity", "origin"), [
    ("size = 2048", "2Gi", "ephemeral_disk size"),
    ("", "300Mi", "Nomad's default 300 MB"),
])
def test_sticky_disk_claim_has_one_data_note(size: str, quantity: str, origin: str) -> None:
    result = _convert(STICKY_JOB % size)
    (note,) = _entries(result, "N2K-VOLUME-DATA")
    assert note.status.value == "needs-decision" and not note.claims
    assert quantity in note.message and origin in note.message and "not carried over" in note.message


IMAGE_JOB = '''
variable "version" {
  type = string
}
variable "volume_name" {
  type = string
}
job "app" {
  group "app" {
    volume "data" {
      type   = "csi"
      source = var.volume_name
    }
    task "app" {
      driver = "docker"
      config {
        image = "%s"
        args  = ["--url", "https://x.${var.volume_name}"]
      }
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
    }
  }
}
'''


@pytest.mark.parametrize(("image", "reference", "suggestion", "emitted"), [
    # The known parts stay; a placeholder stands only for the unknown one (issue 13 family 20).
    ("grafana/loki:${var.version}", "var.version", "--var version=", "grafana/loki:REPLACE-version"),
    ("redis:${REDIS_VERSION}", "REDIS_VERSION", "run time", "redis:REPLACE-REDIS_VERSION"),
    ("${var.image}", "var.image", "--var image=", "registry.invalid/nomad2k8s/docker-app:replace-me"),
])
def test_unresolved_image_is_a_placeholder_and_a_decision(image: str, reference: str,
                                                          suggestion: str, emitted: str) -> None:
    result = _convert(IMAGE_JOB % image)
    container = _pod(result)["containers"][0]
    assert container["image"] == emitted
    (entry,) = _entries(result, "N2K-IMAGE-UNRESOLVED")
    assert entry.status.value == "needs-decision" and reference in entry.message and suggestion in entry.suggestion
    assert not _entries(result, "N2K-IMAGE") and not _entries(result, "N2K-IMAGE-UNTAGGED")
    # Other copied values still holding ${var.x}: never `mapped`.
    unresolved = {e.nomad_path.rsplit(".", 1)[-1] for e in _entries(result, "N2K-VALUE-UNRESOLVED")}
    assert unresolved == {"args", "source"}
    for entry in result.ledger.entries:
        if entry.claims and entry.status.value in ("mapped", "changed"):
            assert unresolved_reference(entry.value) is None, entry


@pytest.mark.parametrize(("value", "expected"), [
    ("v${var.version}", "var.version"),
    (["a", {"k": "${ local.cfg.image }"}], "local.cfg.image"),
    ("${NOMAD_ALLOC_DIR}/x", None),
    (3, None),
])
def test_unresolved_reference(value, expected) -> None:
    assert unresolved_reference(value) == expected


HOOK_JOB = '''
job "app" {
  group "app" {
    volume "unused" {
      type   = "host"
      source = "unused"
    }
    task "app" {
      driver = "docker"
      config { image = "nginx:1.25" }
    }
    task "notify" {
      lifecycle { hook = "poststop" }
      driver = "docker"
      config {
        image = "curlimages/curl:8.7.1"
        args  = ["-X", "POST", "http://example.internal/hook"]
      }
      template {
        data        = "hello"
        destination = "local/msg.txt"
      }
    }
  }
}
'''


def test_volumes_of_tasks_not_in_the_pod_are_dropped() -> None:
    result = _convert(HOOK_JOB)
    pod = _pod(result)
    assert [c["name"] for c in pod["containers"]] == ["app"]
    mounted = {m["name"] for c in pod["containers"] for m in c.get("volumeMounts", [])}
    assert {v["name"] for v in pod.get("volumes", [])} <= mounted
    rows = [e for e in result.ledger.entries if e.nomad_path.startswith("job[app].group[app].task[notify].")
            and not e.code.startswith("N2K-LIFECYCLE") and e.claims]
    assert rows and all(e.k8s in ("not emitted: its task is not in the pod", "-", "") or "container notify" not in e.k8s
                        for e in rows)
    # Either cleanup pass may say it: pod-cleanup rewrites the result, `served` drops the row.
    assert any(e.code == "N2K-TEMPLATE-DESTINATION" and (e.k8s == "not emitted: its task is not in the pod"
                                                         or e.status.value == "dropped") for e in rows)


ALLOC_INDEX_JOB = '''
job "app" {
  meta { "nomad2k8s.workload" = "%s" }
  group "app" {
    task "app" {
      driver = "docker"
      config { image = "nginx:1.25" }
      env { NODE_ID = "node-${NOMAD_ALLOC_INDEX}" }
    }
  }
}
'''


@pytest.mark.parametrize(("kind", "version", "status", "downward", "words"), [
    ("StatefulSet", "1.33", "mapped", True, "pod ordinal"),
    ("StatefulSet", "1.27", "needs-decision", False, ">= 1.28"),
    ("Deployment", "1.33", "needs-decision", False, "StatefulSet"),
])
def test_alloc_index(kind: str, version: str, status: str, downward: bool, words: str) -> None:
    profile = Profile(kubernetes_version=version)
    result = _convert(ALLOC_INDEX_JOB % kind, profile)
    env = {e["name"]: e for e in _pod(result)["containers"][0]["env"]}
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("env.NODE_ID")]
    assert entry.status.value == status and words in entry.message
    if downward:
        assert env["NODE_ID"]["value"] == "node-$(NOMAD_ALLOC_INDEX)"
        assert env["NOMAD_ALLOC_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"] == \
            "metadata.labels['apps.kubernetes.io/pod-index']"
    else:
        assert "NOMAD_ALLOC_INDEX" not in env
