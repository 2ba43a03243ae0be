"""Kubernetes names: derived one way everywhere (`dns_label`) and checked one way (`is_*`,
the rules of apimachinery's validation package: IsDNS1123Label, IsDNS1123Subdomain,
IsWildcardDNS1123Subdomain, IsQualifiedName, IsValidLabelValue)."""

from __future__ import annotations

import hashlib
import re

_INVALID = re.compile(r"[^a-z0-9-]+")

DNS1123_LABEL_MAX = 63  # namespaces, Service and port names, hostnames
DNS1123_SUBDOMAIN_MAX = 253  # most object names, storage classes, label-key prefixes, hosts
QUALIFIED_NAME_MAX = 63  # the name part of a label or annotation key
LABEL_VALUE_MAX = 63
# \Z, not $: `$` also matches before a trailing newline ("web\n" is no name).
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_QUALIFIED_NAME_PART = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\Z")


def is_dns1123_label(text: str) -> bool:
    return len(text) <= DNS1123_LABEL_MAX and bool(_DNS1123_LABEL.match(text))


def is_dns1123_subdomain(text: str) -> bool:
    return len(text) <= DNS1123_SUBDOMAIN_MAX and bool(_DNS1123_SUBDOMAIN.match(text))


def is_host_name(text: str, *, wildcard: bool = True) -> bool:
    """An Ingress host: a DNS-1123 subdomain, or with `wildcard` one prefixed by `*.`."""
    if len(text) > DNS1123_SUBDOMAIN_MAX:
        return False
    if wildcard and text.startswith("*."):
        text = text[2:]
    return bool(_DNS1123_SUBDOMAIN.match(text))


def is_qualified_name_part(name: str) -> bool:
    """The part after an optional `prefix/` of a label or annotation key."""
    return len(name) <= QUALIFIED_NAME_MAX and bool(_QUALIFIED_NAME_PART.match(name))


def is_qualified_name(key: str) -> bool:
    """A label or annotation key: `[dns-subdomain/]name`."""
    prefix, slash, name = key.rpartition("/")
    return (not slash or is_dns1123_subdomain(prefix)) and is_qualified_name_part(name)


def is_label_value(value: str) -> bool:
    """A label value: empty, or a qualified-name part."""
    return value == "" or is_qualified_name_part(value)


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
