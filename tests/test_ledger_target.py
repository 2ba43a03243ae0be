"""Ledger targets: where a setting went, as data (nomad2k8s/ledger/target.py).

Passes that re-point rows after the fact (podcleanup, lifecycle, autoscaling, served) must read
`entry.target` and change entries through `ledger.retarget` / `ledger.supersede`, never parse or
rewrite the rendered `k8s` text. The guard at the bottom greps nomad2k8s/mapping for parse-back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nomad2k8s.ledger import Ledger, Status, Target
from nomad2k8s.profile import Profile

from .cases.harness import convert_text

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "nomad2k8s" / "mapping"


@pytest.mark.parametrize("target, text", [
    (Target("volume", "certs", field="hostPath /srv/certs"), "volume certs hostPath /srv/certs"),
    (Target("HorizontalPodAutoscaler", "web", field="(spec.replicas not set)"),
     "HorizontalPodAutoscaler/web (spec.replicas not set)"),
    (Target("Deployment", "web", container="app", field="env PORT"), "Deployment/web container app env PORT"),
    (Target("PersistentVolumeClaim", "data"), "PersistentVolumeClaim/data"),
    (Target("PersistentVolumeClaim"), "PersistentVolumeClaim"),
])
def test_target_renders_the_words_reports_always_printed(target: Target, text: str) -> None:
    assert target.render() == text


def test_an_entry_renders_its_target_and_keeps_it() -> None:
    ledger = Ledger("svc")
    target = Target("volume", "certs", field="hostPath /srv/certs")
    entry = ledger.mapped("N2K-VOLUME-HOST-TYPE", "job.x.type", "host volume", target=target)
    assert (entry.k8s, entry.target) == ("volume certs hostPath /srv/certs", target)
    plain = ledger.mapped("N2K-VOLUME-HOST-TYPE", "job.y.type", "host volume", k8s="as given")
    assert (plain.k8s, plain.target) == ("as given", None)
    with pytest.raises(ValueError, match="not both"):
        ledger.mapped("N2K-VOLUME-HOST-TYPE", "job.z.type", "host volume", k8s="x", target=target)


def test_retarget_and_supersede_change_the_entry_itself() -> None:
    ledger = Ledger("svc")
    first = ledger.mapped("N2K-COUNT", "job.g.count", "group count", target=Target("Deployment", "web",
                                                                                    field="spec.replicas: 2"))
    twin = ledger.mapped("N2K-COUNT", "job.g.count", "group count", k8s=first.k8s)  # same text, other entry
    hpa = Target("HorizontalPodAutoscaler", "web", field="(spec.replicas not set)")
    ledger.retarget(first, hpa)
    assert (first.target, first.k8s) == (hpa, "HorizontalPodAutoscaler/web (spec.replicas not set)")
    assert (twin.target, twin.k8s) == (None, "Deployment/web spec.replicas: 2")
    ledger.supersede(twin, Status.DROPPED, "no workload")
    assert (twin.status, twin.message, twin.k8s, twin.target) == (
        Status.DROPPED, "no workload (would have been: group count)", "-", None)
    assert first.status is Status.MAPPED
    with pytest.raises(ValueError, match="not an entry of this ledger"):
        Ledger("other").retarget(first, None, "-")


HOOK_ONLY_VOLUME = '''
job "app" {
  group "g" {
    volume "certs" {
      type   = "host"
      source = "certs"
    }
    task "web" {
      driver = "docker"
      config { image = "nginx:1.25" }
    }
    task "cleanup" {
      driver = "docker"
      lifecycle { hook = "poststop" }
      config { image = "busybox:1.36" }
      volume_mount {
        volume      = "certs"
        destination = "/certs"
      }
    }
  }
}
'''


def test_a_volume_only_a_left_out_task_mounts_is_not_emitted_and_its_rows_say_so() -> None:
    # podcleanup finds the volume's rows by their Target (kind "volume", name "certs").
    profile = Profile.model_validate({"storage": {"host_volumes": {"certs": "/srv/certs"}}})
    result = convert_text(HOOK_ONLY_VOLUME, profile)
    pod = result.object("Deployment")["spec"]["template"]["spec"]
    assert "certs" not in [v["name"] for v in pod.get("volumes", [])]
    rows = [e for e in result.entries if e.nomad_path.startswith("job[app].group[g].volume[certs].")]
    assert rows and all(e.k8s == "not emitted: no container in the pod mounts it" for e in rows), \
        [(e.nomad_path, e.k8s) for e in rows]


# --- guard: no parse-back of the k8s text in nomad2k8s/mapping -----------------------------------

# Reading an entry's rendered text to decide or to rewrite it: a regex over it, a string method on it,
# a substring test against it, or any use of `entry.k8s` / `e.k8s` (writing a row goes through
# ledger.record / retarget / supersede).
PARSE_BACK = re.compile(
    r"\bre\.\w+\(.*\.k8s\b"
    r"|\.k8s\.(startswith|endswith|split|replace|find|partition|rpartition)\("
    r"|\bin\s+[\w.]+\.k8s\b"
    r"|\b(entry|e)\.k8s\b"
)



def parse_backs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if PARSE_BACK.search(line) and not line.lstrip().startswith("#")]


def test_the_detector_catches_parse_back() -> None:
    assert parse_backs('    if any(entry.k8s.startswith(f"volume {name} ") for name in dropped):') != []
    assert parse_backs('    entry.k8s = re.sub(old, new, entry.k8s)') != []
    assert parse_backs('    if any(path in row.k8s for path in mounted):') != []
    assert parse_backs('    m = re.match(r"volume (\\S+)", x.k8s)') != []
    assert parse_backs('    ledger.retarget(entry, Target("volume", name))') == []
    assert parse_backs('    outcome.k8s = f"ConfigMap/{name}"') == []  # producing text, not reading it back


def test_no_mapping_code_parses_the_k8s_text_back() -> None:
    found = {p.relative_to(MAPPING).as_posix(): parse_backs(p.read_text()) for p in sorted(MAPPING.rglob("*.py"))}
    assert {name: lines for name, lines in found.items() if lines} == {}


HOOK_WITH_TEMPLATE = '''
job "app" {
  group "g" {
    task "web" {
      driver = "docker"
      config { image = "nginx:1.25" }
    }
    task "notify" {
      driver = "docker"
      lifecycle { hook = "poststart" }
      config {
        image   = "nginx:1.25"
        command = "/bin/sh"
        args    = ["/local/notify.sh"]
      }
      template {
        data        = "curl http://x/started"
        destination = "local/notify.sh"
      }
    }
  }
}
'''


def test_a_hook_tasks_rows_follow_its_container_by_target() -> None:
    # The poststart task becomes a postStart exec in `web`: its template's rows are re-pointed at `web`
    # (lifecycle reads gctx.rendered_by and the rows' Targets), its other rows say they are not emitted.
    result = convert_text(HOOK_WITH_TEMPLATE)
    task = "job[app].group[g].task[notify]"
    data = result.row(f"{task}.template[0].data")
    assert data.target is not None and data.target.names_container("web") and not data.target.names_container("notify")
    assert data.k8s == "ConfigMap/app-config key notify.sh -> Deployment/app container web /local/notify.sh"
    assert result.row(f"{task}.template[0].destination").k8s == \
        "Deployment/app container web volumeMount /local/notify.sh (subPath)"
    assert result.row(f"{task}.config.args").k8s == "not emitted: its task is not in the pod"
    assert result.row(f"{task}.config.args").target is None
