"""The Terraform name table (nomad2k8s/emit/tf_schema.py) checked against a source it was not built from:
the `kubernetes` client's models, whose `attribute_map` (python snake_case name -> API camelCase name) is
generated from the API server's OpenAPI. tests/tf_inverse.py maps names back through the same table,
so a wrong row would round-trip; these checks do not.

Not the provider's own schema: `terraform providers schema -json` needs the hashicorp/kubernetes binary
from releases.hashicorp.com / registry.terraform.io, which this machine cannot reach (only the PyPI,
Debian and npm registries), and the provider's schema is otherwise Go source (kubernetes/schema_*.go),
not data. The provider names default to the client's snake_case names; only the rows in RENAMES
depart from them (plural lists written as singular repeated blocks)."""

from __future__ import annotations

import re

import pytest
from kubernetes import client as k8s

from nomad2k8s.emit import tf_schema as schema
from nomad2k8s.text import snake_case

_MODEL_REF = re.compile(r"^(?:list\[)?(V\d\w+)\]?$")


def _reachable_models() -> list[str]:
    """Every client model under the objects the provider resources stand for."""
    seen: list[str] = []
    todo = [model for _, model in schema.RESOURCE_TYPES.values()]
    while todo:
        model = todo.pop()
        if model in seen or not hasattr(k8s, model):
            continue
        seen.append(model)
        for type_name in getattr(k8s, model).openapi_types.values():
            match = _MODEL_REF.match(type_name)
            if match:
                todo.append(match.group(1))
    return sorted(seen)


def table_problems(renames: dict[tuple[str, str], str], keyed: dict[str, set[tuple[str, str]]]) -> list[str]:
    """Rows naming a model or API field the client does not have (the row never applies), renames that
    say what the default already says, and default names that differ from the client's python name."""
    problems = []
    for (model, field), target in renames.items():
        api_fields = set(getattr(k8s, model).attribute_map.values()) if hasattr(k8s, model) else set()
        if field not in api_fields:
            problems.append(f"RENAMES {model}.{field}: no such API field")
        elif target == snake_case(field):
            problems.append(f"RENAMES {model}.{field}: {target} is the default name")
    for table, keys in keyed.items():
        problems += [f"{table} {m}.{f}: no such API field" for m, f in sorted(keys)
                     if not hasattr(k8s, m) or f not in getattr(k8s, m).attribute_map.values()]
    for model in _reachable_models():
        for python_name, field in getattr(k8s, model).attribute_map.items():
            if (model, field) not in renames and snake_case(field) != python_name:
                problems.append(f"{model}.{field}: default name {snake_case(field)}, client says {python_name}")
    return problems


def test_name_table_agrees_with_the_client_models() -> None:
    assert table_problems(schema.RENAMES, {"INT_AS_STRING": schema.INT_AS_STRING,
                                           "OCTAL_MODES": schema.OCTAL_MODES}) == []


def test_every_resource_model_is_a_client_model() -> None:
    for (api_version, kind), (resource, model) in schema.RESOURCE_TYPES.items():
        assert hasattr(k8s, model), model
        assert resource.startswith("kubernetes_") and re.fullmatch(r"[a-z0-9_]+", resource)


@pytest.mark.parametrize("bad, expected", [
    ({("V1PodSpec", "container"): "container"}, "RENAMES V1PodSpec.container: no such API field"),
    ({("V1Container", "ports"): "ports"}, "RENAMES V1Container.ports: ports is the default name"),
    ({("V9Nothing", "x"): "y"}, "RENAMES V9Nothing.x: no such API field"),
])
def test_the_check_catches_a_wrong_row(bad: dict, expected: str) -> None:
    assert expected in table_problems({**schema.RENAMES, **bad}, {})


def test_the_check_catches_a_missing_rename() -> None:
    """Guard: without its row, clusterIPs would be written cluster_i_ps (the provider says cluster_ips)."""
    renames = {k: v for k, v in schema.RENAMES.items() if k != ("V1ServiceSpec", "clusterIPs")}
    assert "V1ServiceSpec.clusterIPs: default name cluster_i_ps, client says cluster_ips" in table_problems(renames, {})
