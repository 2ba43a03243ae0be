"""Kubernetes name rules (nomad2k8s/k8s/names.py), the one place they are written; the hints,
the profile and the mappers all check names through it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nomad2k8s.errors import ConversionError
from nomad2k8s.k8s import names
from nomad2k8s.profile import Profile

from .harness import convert_text

LONG_LABEL = "a" * 63
LONG_SUBDOMAIN = ".".join(["a" * 63] * 3) + "." + "b" * 61  # 253 characters


@pytest.mark.parametrize("text, ok", [
    ("web", True), ("a", True), ("0web", True), ("web-1", True), (LONG_LABEL, True),
    (LONG_LABEL + "a", False), ("", False), ("-web", False), ("web-", False), ("Web", False),
    ("web_1", False), ("web.api", False),
])
def test_dns1123_label(text: str, ok: bool) -> None:
    assert names.is_dns1123_label(text) is ok


@pytest.mark.parametrize("text, ok", [
    ("web", True), ("api.example.com", True), ("local-path", True), (LONG_SUBDOMAIN, True),
    (LONG_SUBDOMAIN + "b", False), ("", False), ("a..b", False), (".a", False), ("a.", False),
    ("A.b", False), ("*.example.com", False), ("a_b.c", False),
])
def test_dns1123_subdomain(text: str, ok: bool) -> None:
    assert names.is_dns1123_subdomain(text) is ok


@pytest.mark.parametrize("text, wildcard, ok", [
    ("api.example.com", True, True), ("*.example.com", True, True), ("*.example.com", False, False),
    ("a.*.example.com", True, False), ("*", True, False), ("API.example.com", True, False),
    ("*." + LONG_SUBDOMAIN, True, False),  # the whole host counts toward 253
])
def test_host_name(text: str, wildcard: bool, ok: bool) -> None:
    assert names.is_host_name(text, wildcard=wildcard) is ok


@pytest.mark.parametrize("key, ok", [
    ("app", True), ("app.kubernetes.io/name", True), ("My_Key.v2", True), ("a" * 63, True),
    ("a" * 64, False), ("example.com/" + "a" * 63, True), ("/name", False), ("Example.com/name", False),
    ("a/b/c", False), ("-app", False), ("app-", False), ("", False), ("app name", False),
])
def test_qualified_name(key: str, ok: bool) -> None:
    assert names.is_qualified_name(key) is ok


@pytest.mark.parametrize("value, ok", [
    ("", True), ("v1.2_3-x", True), ("A", True), ("a" * 63, True), ("a" * 64, False), ("-a", False),
    ("a/b", False), ("a b", False),
])
def test_label_value(value: str, ok: bool) -> None:
    assert names.is_label_value(value) is ok


def test_limits() -> None:
    assert (names.DNS1123_LABEL_MAX, names.DNS1123_SUBDOMAIN_MAX, names.QUALIFIED_NAME_MAX,
            names.LABEL_VALUE_MAX) == (63, 253, 63, 63)


def test_dns_label_derives_valid_labels() -> None:
    for raw in ("Web API", "__x__", "9lives", "a" * 100, "ÄÖÜ", "-"):
        assert names.is_dns1123_label(names.dns_label(raw)), raw


JOB = '''
job "web" {
  group "web" {
    task "web" {
      driver = "docker"
      config { image = "nginx:1.27" }
    }
  }
}
'''


@pytest.mark.parametrize("hint, value, expected", [
    ("namespace", "Not_A_Label", "expected a DNS label"),
    ("namespace", "a" * 64, "expected a DNS label"),
    ("host", "API.example.com", "expected a DNS host name"),
    ("storage_class", "*.fast", "expected a storage class name"),  # a wildcard is for hosts only
])
def test_name_hints_rejected(hint: str, value: str, expected: str) -> None:
    with pytest.raises(ConversionError, match="invalid value") as info:
        convert_text(JOB, **{hint: value})
    assert expected in info.value.message


@pytest.mark.parametrize("hint, value", [("namespace", "shop"), ("host", "*.example.com"),
                                         ("storage_class", "fast.ssd")])
def test_name_hints_accepted(hint: str, value: str) -> None:
    convert_text(JOB, **{hint: value})


@pytest.mark.parametrize("domain, ok", [("cluster.local", True), ("corp.example", True),
                                        ("Not A Domain", False), ("a..b", False), ("x" * 254, False)])
def test_profile_cluster_domain(domain: str, ok: bool) -> None:
    if ok:
        assert Profile.model_validate({"cluster_domain": domain}).cluster_domain == domain
    else:
        with pytest.raises(ValidationError, match="is not a DNS name"):
            Profile.model_validate({"cluster_domain": domain})
