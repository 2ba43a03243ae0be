"""Container port names: the Nomad label, readable, unique within the pod.

A container port name is an IANA_SVC_NAME: at most 15 characters of lower-case letters, digits and
'-', at least one letter, no leading, trailing or double '-'. The name is the label cut to that
(`metrics_exporter_port` -> `metrics-exporte`); only labels that collide once cut get a short stable
suffix from the label itself (`metrics-e-1a2b`), so adding a port never renames another.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MAX_LEN = 15
_INVALID = re.compile(r"[^a-z0-9-]+")


def port_name(label: str) -> str:
    """The label as an IANA_SVC_NAME (no suffix: see unique_names for collisions)."""
    name = re.sub(r"-{2,}", "-", _INVALID.sub("-", label.lower())).strip("-")
    if not any(c.isalpha() for c in name):
        name = f"n-{name}" if name else "port"
    return name[:MAX_LEN].rstrip("-")


def udp_port_name(name: str) -> str:
    """The UDP twin of a port name, still IANA_SVC_NAME-sized."""
    return port_name(f"{name[:MAX_LEN - 4].rstrip('-')}-udp")


def suffixed(label: str) -> str:
    """The cut label with 4 hex digits of the label's hash: stable, and distinct for distinct labels."""
    digest = hashlib.sha256(label.encode()).hexdigest()[:4]
    return f"{port_name(label)[:MAX_LEN - 5].rstrip('-')}-{digest}"


def unique_names(labels: Iterable[str]) -> dict[str, str]:
    """label -> port name, unique over `labels`. A label whose name is the label itself keeps it; the
    others whose cut name collides get suffixed (so the result does not depend on the labels' order)."""
    labels = list(dict.fromkeys(labels))
    by_name: dict[str, list[str]] = {}
    for label in labels:
        by_name.setdefault(port_name(label), []).append(label)
    out: dict[str, str] = {}
    for name, group in by_name.items():
        exact = [label for label in group if label == name]
        for label in group:
            out[label] = name if len(group) == 1 or label in exact[:1] else suffixed(label)
    return out
