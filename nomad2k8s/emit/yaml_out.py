"""Deterministic YAML: fixed key order, block style, literal blocks for multi-line text."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

# Conventional top-level order; below that, `name` first then alphabetical, so list items
# read `- name: x` and diffs between runs are stable.
TOP_KEYS = ["apiVersion", "kind", "metadata", "spec", "data", "stringData", "type"]


# libyaml's emitter (C) when PyYAML was built with it: several times faster than the pure-Python one and
# the same text, except where the two disagree: a multi-line string that cannot be a literal block (a line
# ending in a space, a tab, non-ASCII text) is folded differently in double quotes. Objects holding such a
# string keep the Python emitter, so the output is the same byte for byte whichever runs
# (tests/test_perf.py compares both over the fixtures and the corpus).
_BASE: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BASE):  # type: ignore[valid-type,misc]
    pass


class _PyDumper(yaml.SafeDumper):
    """The pure-Python emitter: objects the C one would write differently, and the reference in tests."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        # Trailing spaces on a line force PyYAML back to quoted style; that is still valid.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)
_PyDumper.add_representer(str, _str_representer)


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


# Where the emitters agree (tests/test_perf.py checks it on random objects): printable ASCII, mapping
# keys of 1-127 characters (else PyYAML writes a `? ` complex key), and multi-line strings that make a
# literal block: no line ending in a space, no trailing blank line (`|+` makes libyaml add `...`).
_ASCII_LINE = re.compile(r"[ -~]*")
_LITERAL_SAFE = re.compile(r"[!-~][ -~]*(?:\n(?:[ -~]*[!-~])?)*\n?")


def _c_emits_same(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_c_safe_key(k) and _c_emits_same(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_c_emits_same(v) for v in value)
    if isinstance(value, str):
        if "\n" in value:
            return not value.endswith("\n\n") and _LITERAL_SAFE.fullmatch(value) is not None
        return _ASCII_LINE.fullmatch(value) is not None
    return True


def _c_safe_key(key: Any) -> bool:
    return not isinstance(key, str) or (0 < len(key) < 128 and "\n" not in key and _c_emits_same(key))


def ordered(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` in the key order its file is written in (what parsing that file gives back)."""
    return _ordered(obj, top=True)


def dump_object(obj: dict[str, Any], dumper: type[yaml.SafeDumper] | None = None) -> str:
    if dumper is None:
        dumper = _Dumper if _c_emits_same(obj) else _PyDumper
    return yaml.dump(_ordered(obj, top=True), Dumper=dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=120)


def dump_documents(objects: list[dict[str, Any]]) -> str:
    return "---\n".join(dump_object(o) for o in objects)


def dump_json_object(obj: dict[str, Any]) -> str:
    return json.dumps(_ordered(obj, top=True), indent=2, ensure_ascii=False) + "\n"


def dump_json(objects: list[dict[str, Any]]) -> str:
    doc = {"apiVersion": "v1", "kind": "List", "items": [_ordered(o, top=True) for o in objects]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
