"""HCL1-era syntax fallback via pyhcl, normalised into the canonical tree.

pyhcl loses the block/attribute distinction: `group "g" {}` becomes `{"group": {"g": {}}}`
and repeated blocks may be lists. We rebuild blocks from Nomad's known block types;
map-like blocks (env, meta, config, ...) stay dicts as pyhcl gives them.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from hcl.api import isHcl
from hcl.parser import HclParser

# Block type -> labeled? Context-dependent types are handled in _is_labeled.
_LABELED = {"job", "group", "task", "port", "device", "action", "secret", "variable", "dynamic"}
_UNLABELED = {
    "affinity", "artifact", "check", "check_restart", "connect", "constraint", "consul",
    "csi_plugin", "dispatch_payload", "ephemeral_disk", "gateway", "identity", "lifecycle",
    "logs", "migrate", "multiregion", "network", "parameterized", "periodic", "proxy",
    "reschedule", "resources", "restart", "service", "sidecar_service", "sidecar_task",
    "spread", "target", "template", "update", "upstreams", "vault", "volume_mount", "expose",
    "path", "strategy", "scaling", "policy", "header", "numa", "disconnect", "schedule",
    "change_script", "wait", "ingress", "terminating", "mesh", "listener", "transparent_proxy",
}


def parse_hcl1(text: str) -> dict:
    """Parse with pyhcl; raises pyhcl's ValueError subclasses on syntax errors."""
    data = parser().parse(text) if isHcl(text) else json.loads(text)  # what hcl.loads does
    lines = _LineFinder(text)
    return _body(data, parent="", lines=lines, start=0)


@functools.lru_cache(maxsize=1)
def parser() -> HclParser:
    """One parser per process: hcl.loads builds a new one, and its LALR tables, on every call (~20 ms)."""
    return HclParser()


def _is_labeled(key: str, parent: str) -> bool:
    if key == "volume":
        return parent == "group"
    if key == "scaling":
        return parent == "task"
    if key == "region":
        return parent == "multiregion"
    if key == "check":  # a service check is unlabeled; an autoscaling policy's `check "name"` is not
        return parent == "policy"
    if key == "strategy":  # only inside a policy check: `strategy "target-value"`
        return parent == "check"
    return key in _LABELED


def _body(data: dict, parent: str, lines: "_LineFinder", start: int) -> dict:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if _is_labeled(key, parent) and isinstance(value, (dict, list)):
            out[key] = []
            items = value if isinstance(value, list) else [value]
            for item in items:
                if not isinstance(item, dict):
                    continue
                for label, body in item.items():
                    if not isinstance(body, dict):
                        continue
                    line = lines.find(key, str(label), start)
                    labeled: dict[str, Any] = {"__label__": str(label)}
                    if line:
                        labeled["__line__"] = line
                    labeled.update(_body(body, key, lines, line or start))
                    out[key].append(labeled)
        elif key in _UNLABELED and isinstance(value, (dict, list)):
            items = value if isinstance(value, list) else [value]
            out[key] = []
            cursor = start
            for item in items:
                if not isinstance(item, dict):
                    continue
                line = lines.find(key, None, cursor)
                block: dict[str, Any] = {"__line__": line} if line else {}
                block.update(_body(item, key, lines, line or start))
                out[key].append(block)
                cursor = line or cursor
        else:
            out[key] = value
    return out


class _LineFinder:
    """Best-effort header lines: the first `type "label" {` / `type {` after a line."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, btype: str, label: str | None, after: int) -> int | None:
        if label is None:
            pat = re.compile(rf"^\s*{re.escape(btype)}\s*\{{")
        else:
            pat = re.compile(rf'^\s*{re.escape(btype)}\s+"?{re.escape(label)}"?\s*\{{')
        for i in range(after, len(self.lines)):  # `after` is 1-based: search strictly below
            if pat.search(self.lines[i]):
                return i + 1
        return None
