"""The case-table harness itself: fragments match only what they say, rows are found by path."""

from __future__ import annotations

import pytest

from .harness import Case, check_case, convert_text, fragment_matches

WEB = '''
job "web" {
  group "web" {
    network {
      port "http" { to = 8080 }
    }
    service {
      name = "web"
      port = "http"
    }
    task "web" {
      driver = "docker"
      config {
        image = "nginx:1.27"
        ports = ["http"]
      }
      env { MODE = "prod" }
    }
  }
}
'''


def test_fragment_matching_is_strict_about_what_it_names() -> None:
    assert fragment_matches({"a": 1, "b": [1, 2, 3]}, {"b": [1, 3]})
    assert not fragment_matches({"a": 1}, {"a": 2})
    assert not fragment_matches({"b": [1, 2]}, {"b": [2, 1]})
    assert not fragment_matches({"a": 1}, {"c": 1})


def test_convert_text_finds_objects_and_rows() -> None:
    result = convert_text(WEB)
    assert result.kinds()["Deployment"] == ["web"]
    assert result.object("Service", "web")["spec"]["ports"][0]["port"] == 8080
    assert result.row("job[web].group[web].task[web].env.MODE").status.value == "mapped"


def test_hints_become_job_meta() -> None:
    result = convert_text(WEB, workload="StatefulSet")
    assert result.has("StatefulSet", "web") and not result.has("Deployment")


def test_a_wrong_expectation_fails() -> None:
    with pytest.raises(AssertionError):
        check_case(Case("wrong", WEB, objects={("Service", "web"): {"spec": {"type": "NodePort"}}}))
    with pytest.raises(AssertionError):
        check_case(Case("wrong-row", WEB, rows={"job[web].group[web].task[web].env.MODE": ("dropped", "N2K-ENV")}))
