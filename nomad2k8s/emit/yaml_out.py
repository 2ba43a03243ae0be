"""Deterministic YAML: fixed key order, block style, literal blocks for multi-line text."""

from __future__ import annotations

import json
from typing import Any

import yaml

# Conventional top-level order; below that, `name` first then alphabetical, so list items
# read `- name: x` and diffs between runs are stable.
TOP_KEYS = ["apiVersion", "kind", "metadata", "spec", "data", "stringData", "type"]


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        # Trailing spaces on a line force PyYAML back to quoted style; that is still valid.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def _ordered(value: Any, top: bool = False) -> Any:
    if isinstance(value, dict):
        if top:
            keys = [k for k in TOP_KEYS if k in value] + sorted(k for k in value if k not in TOP_KEYS)
        else:
            keys = sorted(value, key=lambda k: (k != "name", k))
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def dump_object(obj: dict[str, Any]) -> str:
    return yaml.dump(_ordered(obj, top=True), Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=120)


def dump_documents(objects: list[dict[str, Any]]) -> str:
    return "---\n".join(dump_object(o) for o in objects)


def dump_json_object(obj: dict[str, Any]) -> str:
    return json.dumps(_ordered(obj, top=True), indent=2, ensure_ascii=False) + "\n"


def dump_json(objects: list[dict[str, Any]]) -> str:
    doc = {"apiVersion": "v1", "kind": "List", "items": [_ordered(o, top=True) for o in objects]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
