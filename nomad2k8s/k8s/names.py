"""Kubernetes-safe names, derived one way everywhere."""

from __future__ import annotations

import hashlib
import re

_INVALID = re.compile(r"[^a-z0-9-]+")


def dns_label(name: str, max_len: int = 63) -> str:
    """RFC 1123 label: lower case, digits and '-', at most 63 characters, stable."""
    cleaned = _INVALID.sub("-", name.lower()).strip("-") or "x"
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    if len(cleaned) > max_len:
        digest = hashlib.sha256(name.encode()).hexdigest()[:6]
        cleaned = cleaned[: max_len - 7].rstrip("-") + "-" + digest
    if not cleaned[0].isalpha():
        cleaned = ("n-" + cleaned)[:max_len].rstrip("-")
    return cleaned


def env_name(name: str) -> str:
    """A valid environment variable name (C identifier-ish, as Nomad would expose it)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if not cleaned[:1].isdigit() else "_" + cleaned
