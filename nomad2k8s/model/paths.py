"""Nomad paths: the one place that decides how a setting is named, e.g.
`job[web].group[app].task[server].config.image`.

The ledger, the model and the completeness check all name settings through these
functions, so a path printed in a report is exactly the path a mapper claimed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

LABEL_KEY = "__label__"
LINE_KEY = "__line__"
INTERNAL_KEYS = frozenset({LABEL_KEY, LINE_KEY})

# Unlabeled blocks that may legitimately repeat: always indexed so that paths stay
# stable when a second one is added to a jobspec.
REPEATABLE_BLOCKS = frozenset(
    {
        "service", "check", "template", "constraint", "affinity", "spread", "artifact",
        "volume_mount", "upstreams", "mount", "mounts", "target", "expose", "path",
        "header", "ulimit", "device", "network", "dns", "tagged_addresses", "policy",
        "identity", "consul", "vault", "listener", "config",
    }
)
# Of those, the ones that are in practice single but still indexed would make paths noisy.
SINGLE_EVEN_IF_REPEATABLE = frozenset({"network", "dns", "vault", "consul", "config", "identity", "policy"})

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def key_segment(key: str) -> str:
    """A map key or attribute as a path segment; odd keys are quoted like HCL index syntax."""
    return key if _IDENT.match(key) else f'["{key}"]'


def join(parent: str, key: str) -> str:
    seg = key_segment(key)
    if not parent:
        return seg
    return parent + seg if seg.startswith("[") else f"{parent}.{seg}"


def block_path(parent: str, block_type: str, body: dict[str, Any], index: int, count: int) -> str:
    label = body.get(LABEL_KEY)
    base = join(parent, block_type)
    if label is not None:
        return f"{base}[{label}]"
    if block_type in REPEATABLE_BLOCKS and not (block_type in SINGLE_EVEN_IF_REPEATABLE and count == 1):
        return f"{base}[{index}]"
    if count > 1:
        return f"{base}[{index}]"
    return base


def is_block_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def iter_leaves(body: dict[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """Every setting in a canonical block body: scalars, scalar lists, and map entries."""
    for key, value in body.items():
        if key in INTERNAL_KEYS:
            continue
        if is_block_list(value):
            for i, child in enumerate(value):
                yield from iter_leaves(child, block_path(path, key, child, i, len(value)))
        elif isinstance(value, dict):
            child_path = join(path, key)
            if not value:
                yield child_path, value
            yield from iter_leaves(value, child_path)
        else:
            yield join(path, key), value


def covers(entry_path: str, leaf_path: str) -> bool:
    """True when a ledger entry for `entry_path` accounts for `leaf_path` (itself or below)."""
    if leaf_path == entry_path:
        return True
    return leaf_path.startswith(entry_path) and leaf_path[len(entry_path)] in ".["


def shape(path: str) -> str:
    """The path without labels, indices or map keys in brackets: `job.group.task.config.image`."""
    return re.sub(r"\[[^\]]*\]", "", path)
