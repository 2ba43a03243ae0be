"""Plan -> Kubernetes NetworkPolicy (networking.k8s.io/v1): L4 allows only.

NetworkPolicy has no deny rules and no L7: a destination whose plan needs a deny, or a source
with L7 permissions, gets no allow policy (it would be more open than Consul) and a
needs-decision entry instead."""

from __future__ import annotations

from typing import Any

from ..ledger import Status
from .common import EmitContext, Emitted, home, metadata, policy_name, source_slug
from .model import WILDCARD, Pattern
from .semantics import DestPlan

NS_NAME = "kubernetes.io/metadata.name"


def emit(ctx: EmitContext) -> list[Emitted]:
    out = [Emitted({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": metadata("default-deny", ns, ctx.profile),
                    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}, None)
           for ns in ctx.plan.default_deny_namespaces]
    for dp in ctx.plan.destinations:
        out += _destination(ctx, dp)
    return out


def peer(ctx: EmitContext, pattern: Pattern, policy_ns: str) -> dict[str, Any]:
    if pattern.namespace == WILDCARD:
        return {"namespaceSelector": {}}
    ns = ctx.catalog.pattern_namespace(pattern)
    out: dict[str, Any] = {"podSelector": {"matchLabels": ctx.catalog.labels(pattern.name)[0]} if pattern.is_exact else {}}
    if ns != policy_ns:
        out["namespaceSelector"] = {"matchLabels": {NS_NAME: ns}}
    return out


def _destination(ctx: EmitContext, dp: DestPlan) -> list[Emitted]:
    for deny in dp.denies:
        for source in deny.sources:
            ctx.plan.add(source, Status.NEEDS_DECISION, "N2K-INTENTION-K8S-DENY",
                         f"to {dp.key}: NetworkPolicy has no deny rules; the allows it would override are "
                         "not emitted either", "use --policy-target cilium, or narrow the allows by hand")
    if dp.denies or not dp.pattern.is_exact or dp.namespace == WILDCARD:
        for grant in dp.grants:
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-K8S-UNSUPPORTED",
                         f"to {dp.key}: not expressible as NetworkPolicy (needs a deny or a wildcard "
                         "destination); nothing emitted", "use --policy-target cilium")
        return []
    out = []
    for grant in dp.grants:
        if grant.permissions:
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-K8S-L7",
                         f"to {dp.key}: NetworkPolicy has no L7 rules; an L4 allow would admit every request, "
                         "so nothing is emitted", "use --policy-target cilium or istio")
            continue
        rule: dict[str, Any] = {"from": [peer(ctx, grant.pattern, dp.namespace)]}
        if dp.ports is None and not ctx.any_port:
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-NO-PORTS",
                         f"to {dp.key}: the destination is not in this conversion, so its ports are unknown; "
                         "no allow rule emitted", "convert the destination job with --intentions, or pass --any-port")
            continue
        if dp.ports is not None:
            rule["ports"] = [{"port": int(p) if p.isdigit() else p, "protocol": proto} for p, proto in dp.ports]
        name = policy_name("allow", source_slug(grant.pattern, dp.namespace, ctx.catalog), "to", dp.name)
        out.append(Emitted({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                            "metadata": metadata(name, dp.namespace, ctx.profile),
                            "spec": {"podSelector": {"matchLabels": dict(dp.labels)}, "policyTypes": ["Ingress"],
                                     "ingress": [rule]}}, home(dp)))
        ctx.plan.add(grant.source, Status.MAPPED, "N2K-INTENTION-ALLOW", f"to {dp.key}: NetworkPolicy/{name}")
    return out
