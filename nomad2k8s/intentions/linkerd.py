"""Plan -> Linkerd Server + AuthorizationPolicy + MeshTLSAuthentication (policy.linkerd.io).

A Server per destination port admits only the authorized identities (service accounts named per
the profile). Linkerd has no deny rules and L7 authorization needs HTTPRoutes: those cases are
needs-decision. The namespace default (`config.linkerd.io/default-inbound-policy`) is an
annotation on the namespace or the install, reported rather than emitted."""

from __future__ import annotations

from typing import Any

from nomad2k8s.k8s.names import dns_label

from ..ledger import Status
from .common import (
    EmitContext,
    Emitted,
    home,
    metadata,
    policy_name,
    service_account,
    source_slug,
)
from .model import WILDCARD, Pattern
from .semantics import DestPlan

GROUP = "policy.linkerd.io"


def emit(ctx: EmitContext) -> list[Emitted]:
    for ns in ctx.plan.default_deny_namespaces:
        ctx.notes.append(("N2K-INTENTION-LINKERD-DEFAULT", f"namespace[{ns}]",
                          f"default deny in namespace {ns}: Linkerd takes it from an annotation, not a resource",
                          f"annotate namespace {ns} with config.linkerd.io/default-inbound-policy: deny"))
    out: list[Emitted] = []
    for dp in ctx.plan.destinations:
        out += _destination(ctx, dp)
    return out


def _identity(ctx: EmitContext, pattern: Pattern) -> dict[str, Any]:
    if pattern.namespace == WILDCARD:
        return {"identities": ["*"]}
    ns = ctx.catalog.pattern_namespace(pattern)
    if not pattern.is_exact:
        return {"identityRefs": [{"kind": "Namespace", "name": ns}]}
    return {"identityRefs": [{"kind": "ServiceAccount", "name": service_account(ctx, pattern.name), "namespace": ns}]}


def _destination(ctx: EmitContext, dp: DestPlan) -> list[Emitted]:
    blocked = None
    if dp.denies:
        blocked = ("N2K-INTENTION-LINKERD-DENY", "Linkerd has no deny rules; the allows they narrow are not emitted")
    elif not dp.pattern.is_exact or dp.namespace == WILDCARD:
        blocked = ("N2K-INTENTION-LINKERD-WILDCARD", "a Server needs a concrete workload and port")
    elif dp.ports is None:
        blocked = ("N2K-INTENTION-NO-PORTS", "the destination is not in this conversion, so its ports are unknown")
    if blocked:
        for src in [g.source for g in dp.grants] + [s for d in dp.denies for s in d.sources]:
            ctx.plan.add(src, Status.NEEDS_DECISION, blocked[0], f"to {dp.key}: {blocked[1]}; nothing emitted",
                         "use --policy-target cilium, or write the Linkerd policy by hand")
        return []
    out: list[Emitted] = []
    servers = []
    for port, _proto in dp.ports or []:
        name = dp.name if len(dp.ports or []) == 1 else dns_label(f"{dp.name}-{port}")
        servers.append(name)
        out.append(Emitted({"apiVersion": f"{GROUP}/v1beta3", "kind": "Server",
                            "metadata": metadata(name, dp.namespace, ctx.profile),
                            "spec": {"podSelector": {"matchLabels": dict(dp.labels)},
                                     "port": int(port) if port.isdigit() else port}}, home(dp)))
    for grant in dp.grants:
        if grant.permissions:
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-LINKERD-L7",
                         f"to {dp.key}: L7 permissions need HTTPRoute-scoped authorization; nothing emitted",
                         "write an HTTPRoute + AuthorizationPolicy per permission, or use --policy-target cilium")
            continue
        slug = source_slug(grant.pattern, dp.namespace, ctx.catalog)
        auth = policy_name(slug, "to", dp.name)
        out.append(Emitted({"apiVersion": f"{GROUP}/v1alpha1", "kind": "MeshTLSAuthentication",
                            "metadata": metadata(auth, dp.namespace, ctx.profile),
                            "spec": _identity(ctx, grant.pattern)}, home(dp)))
        for server in servers:
            name = policy_name("allow", slug, "to", server)
            out.append(Emitted({"apiVersion": f"{GROUP}/v1alpha1", "kind": "AuthorizationPolicy",
                                "metadata": metadata(name, dp.namespace, ctx.profile),
                                "spec": {"targetRef": {"group": GROUP, "kind": "Server", "name": server},
                                         "requiredAuthenticationRefs": [
                                             {"group": GROUP, "kind": "MeshTLSAuthentication", "name": auth}]}},
                               home(dp)))
        ctx.plan.add(grant.source, Status.MAPPED, "N2K-INTENTION-ALLOW",
                     f"to {dp.key}: Server/{', '.join(servers)} + AuthorizationPolicy + MeshTLSAuthentication/{auth}")
    return out
