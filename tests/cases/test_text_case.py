"""camelCase <-> snake_case (nomad2k8s/text.py), shared by the Nomad JSON reader, the Consul
intentions reader and the Terraform schema; the rows are the spellings those three meet."""

from __future__ import annotations

import pytest

from nomad2k8s.emit import tf_schema
from nomad2k8s.intentions.values import normalise
from nomad2k8s.parse.json_reader import convert_job
from nomad2k8s.text import camel_case, snake_case


@pytest.mark.parametrize("name, snake", [
    ("MaxClientDisconnect", "max_client_disconnect"),   # Nomad API (PascalCase)
    ("TaskGroups", "task_groups"), ("ID", "id"), ("CPU", "cpu"),
    ("HTTPHeader", "http_header"), ("SourceIntention", "source_intention"),   # Consul
    ("PathExact", "path_exact"), ("already_snake", "already_snake"),
    ("clusterIP", "cluster_ip"), ("hostIPC", "host_ipc"), ("podIPs", "pod_i_ps"),   # Kubernetes API
    ("http2Options", "http2_options"), ("IPv6", "i_pv6"), ("x", "x"), ("", ""),
    ("Foo_Bar", "foo_bar"),  # the JSON reader's old regex wrote foo__bar
])
def test_snake_case(name: str, snake: str) -> None:
    assert snake_case(name) == snake


@pytest.mark.parametrize("name, camel", [
    ("read_only", "readOnly"), ("cluster_ip", "clusterIp"), ("x", "x"), ("termination_grace_period_seconds",
                                                                          "terminationGracePeriodSeconds"),
])
def test_camel_case(name: str, camel: str) -> None:
    assert camel_case(name) == camel


def test_the_three_callers_use_it() -> None:
    body, _ = convert_job({"ID": "web", "TaskGroups": [{"Name": "g", "MaxClientDisconnect": 10**9,
                                                        "StopAfterClientDisconnect": 0, "CustomField": 1}]})
    assert {"max_client_disconnect", "custom_field"} <= set(body["group"][0])
    consul = normalise({"Sources": [{"Name": "web", "Permissions": [{"HTTP": {"PathExact": "/"}}]}],
                        "Meta": {"KeepMe": "1"}})
    assert consul == {"sources": [{"name": "web", "permissions": [{"http": {"path_exact": "/"}}]}],
                      "meta": {"KeepMe": "1"}}
    assert tf_schema.hcl_name("V1ServiceSpec", "clusterIP") == "cluster_ip"
    assert tf_schema.api_name("V1ServiceSpec", "cluster_ip") == "clusterIP"  # the model's own spelling
    assert tf_schema.api_name(None, "some_new_field") == "someNewField"       # fallback: camel_case
