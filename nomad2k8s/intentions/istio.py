"""Plan -> Istio AuthorizationPolicy (security.istio.io/v1).

Sources are principals (`<trust domain>/ns/<ns>/sa/<service account>`, service accounts named
per profile `policies.service_account_pattern`); DENY policies are evaluated before ALLOW ones,
as in Cilium, and narrowing uses notPrincipals. A namespace default deny is the empty
`allow-nothing` policy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..ledger import Status
from .common import (
    EmitContext,
    Emitted,
    home,
    metadata,
    policy_name,
    principal,
    source_slug,
)
from .model import WILDCARD, HeaderMatch, Pattern
from .semantics import DestPlan, Grant

API = "security.istio.io/v1"


def emit(ctx: EmitContext) -> list[Emitted]:
    out = [Emitted({"apiVersion": API, "kind": "AuthorizationPolicy",
                    "metadata": metadata("allow-nothing", ns, ctx.profile), "spec": {}}, None)
           for ns in ctx.plan.default_deny_namespaces]
    for dp in ctx.plan.destinations:
        out += _destination(ctx, dp)
    return out


def _source(ctx: EmitContext, pattern: Pattern, exceptions: Sequence[Pattern] = ()) -> dict[str, Any]:
    if pattern.namespace == WILDCARD:
        src: dict[str, Any] = {"principals": ["*"]}
    elif not pattern.is_exact:
        src = {"namespaces": [ctx.catalog.pattern_namespace(pattern)]}
    else:
        src = {"principals": [principal(ctx, pattern)]}
    exact = sorted(principal(ctx, e) for e in exceptions if e.is_exact)
    namespaces = sorted(ctx.catalog.pattern_namespace(e) for e in exceptions if not e.is_exact)
    if exact:
        src["notPrincipals"] = exact
    if namespaces:
        src["notNamespaces"] = namespaces
    return {"source": src}


def _selector(dp: DestPlan) -> dict[str, Any]:
    return {"selector": {"matchLabels": dict(dp.labels)}} if dp.pattern.is_exact else {}


def _rules(ctx: EmitContext, dp: DestPlan, grant: Grant) -> list[dict[str, Any]] | None:
    ports = [p for p, _ in dp.ports or []]
    base_op: dict[str, Any] = {"ports": ports} if ports else {}
    frm = [_source(ctx, grant.pattern)]
    if not grant.permissions:
        return [{"from": frm, **({"to": [{"operation": base_op}]} if base_op else {})}]
    rules = []
    for perm in grant.permissions:
        match = perm.http
        if match is None:
            return [{"from": frm, **({"to": [{"operation": base_op}]} if base_op else {})}]
        op = dict(base_op)
        if match.path_exact is not None:
            op["paths"] = [match.path_exact]
        elif match.path_prefix is not None:
            op["paths"] = [match.path_prefix + "*"]
        elif match.path_regex is not None:
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-ISTIO-REGEX",
                         f"{perm.path}: Istio paths have no regular expressions; permission left out")
            continue
        if match.methods:
            op["methods"] = list(match.methods)
        if any(h.regex is not None or h.invert for h in match.headers):
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-ISTIO-HEADER",
                         f"{perm.path}: header regex/invert matches cannot be expressed; permission left out")
            continue
        when = [{"key": f"request.headers[{h.name}]", "values": [_header_value(h)]} for h in match.headers]
        rule: dict[str, Any] = {"from": frm}
        if op:
            rule["to"] = [{"operation": op}]
        if when:
            rule["when"] = when
        rules.append(rule)
    return rules or None


def _header_value(h: HeaderMatch) -> str:
    """An Istio header value: exact, or a glob for prefix/suffix/presence."""
    if h.exact is not None:
        return h.exact
    if h.prefix is not None:
        return f"{h.prefix}*"
    return f"*{h.suffix}" if h.suffix is not None else "*"


def _destination(ctx: EmitContext, dp: DestPlan) -> list[Emitted]:
    out: list[Emitted] = []
    if dp.namespace == WILDCARD:
        for src in [g.source for g in dp.grants] + [s for d in dp.denies for s in d.sources]:
            ctx.plan.add(src, Status.NEEDS_DECISION, "N2K-INTENTION-ISTIO-MESHWIDE",
                         f"to {dp.key}: a mesh-wide policy lives in Istio's root namespace; not emitted",
                         "write it in the root namespace (istio-system) by hand")
        return out
    for grant in dp.grants:
        if dp.ports is None and not ctx.any_port:
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-NO-PORTS",
                         f"to {dp.key}: the destination is not in this conversion, so its ports are unknown; "
                         "no allow rule emitted", "convert the destination job with --intentions, or pass --any-port")
            continue
        rules = _rules(ctx, dp, grant)
        if rules is None:
            continue
        name = policy_name("allow", source_slug(grant.pattern, dp.namespace, ctx.catalog), "to", dp.name)
        out.append(Emitted({"apiVersion": API, "kind": "AuthorizationPolicy",
                            "metadata": metadata(name, dp.namespace, ctx.profile),
                            "spec": {**_selector(dp), "action": "ALLOW", "rules": rules}}, home(dp)))
        ctx.plan.add(grant.source, Status.MAPPED, "N2K-INTENTION-ALLOW", f"to {dp.key}: AuthorizationPolicy/{name}")
    deny_rules = []
    for deny in dp.denies:
        deny_rules.append({"from": [_source(ctx, deny.pattern, deny.exceptions)]})
        for source in deny.sources:
            ctx.plan.add(source, Status.MAPPED, "N2K-INTENTION-DENY",
                         f"to {dp.key}: DENY rule in AuthorizationPolicy/deny-to-{dp.name}")
    if deny_rules:
        name = policy_name("deny-to", dp.name)
        out.append(Emitted({"apiVersion": API, "kind": "AuthorizationPolicy",
                            "metadata": metadata(name, dp.namespace, ctx.profile),
                            "spec": {**_selector(dp), "action": "DENY", "rules": deny_rules}}, home(dp)))
    return out
