"""Helpers every policy emitter shares: names, metadata, the Emitted record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nomad2k8s.k8s.names import dns_label

from .catalog import Catalog
from .model import WILDCARD, Pattern
from .semantics import DestPlan, Plan

MANAGED = {"app.kubernetes.io/managed-by": "nomad2k8s"}


@dataclass
class Emitted:
    obj: dict[str, Any]
    destination: str | None  # Kubernetes Service name the object belongs beside; None -> _policies


@dataclass
class EmitContext:
    plan: Plan
    catalog: Catalog
    profile: Any
    any_port: bool
    notes: list[tuple[str, str, str, str]] = field(default_factory=list)  # (code, path, message, suggestion)


def principal(ctx: EmitContext, pattern: Pattern) -> str:
    """SPIFFE-style identity of a service's pods: their ServiceAccount, named per the profile."""
    ns = ctx.catalog.pattern_namespace(pattern)
    return f"{ctx.profile.policies.trust_domain}/ns/{ns}/sa/{service_account(ctx, pattern.name)}"


def service_account(ctx: EmitContext, name: str) -> str:
    return dns_label(ctx.profile.policies.service_account_pattern.format(service=dns_label(name)))


def source_slug(pattern: Pattern, policy_ns: str, catalog: Catalog) -> str:
    if pattern.namespace == WILDCARD:
        return "all-namespaces"
    ns = catalog.pattern_namespace(pattern)
    prefix = "" if ns == policy_ns else f"{ns}-"
    return prefix + (dns_label(pattern.name) if pattern.is_exact else "all")


def policy_name(*parts: str) -> str:
    return dns_label("-".join(parts))


def metadata(name: str, namespace: str | None, profile: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {**MANAGED, **dict(profile.labels)}}
    if namespace not in (None, WILDCARD):
        meta["namespace"] = namespace
    if profile.annotations:
        meta["annotations"] = dict(profile.annotations)
    return meta


def home(dp: DestPlan) -> str | None:
    return dp.workload.name if dp.workload is not None else None


def note_assumed_labels(ctx: EmitContext, dp: DestPlan, pattern: Pattern, source) -> None:
    """Intentions converted alone: pod labels are a guess, say so (with jobs, apply.py reports
    every name outside the conversion)."""
    from ..ledger import Status

    if pattern.is_exact and not ctx.catalog.services:
        labels, _ = ctx.catalog.labels(pattern.name)
        ctx.plan.add(source, Status.CHANGED, "N2K-INTENTION-ASSUMED-LABELS",
                     f"pods of {pattern.render()} are assumed to carry "
                     f"{', '.join(f'{k}: {v}' for k, v in labels.items())}",
                     "convert the jobs together with --intentions to use their real labels")
