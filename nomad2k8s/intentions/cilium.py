"""Plan -> CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2).

One policy per allowed (source, destination) pair, named allow-<source>-to-<destination> (the
seeds' shape); one deny-to-<destination> holding the ingressDeny rules that must override allows;
one default-deny per namespace when the default is deny."""

from __future__ import annotations

from typing import Any

from ..ledger import Status
from .common import (
    EmitContext,
    Emitted,
    home,
    metadata,
    note_assumed_labels,
    policy_name,
    source_slug,
)
from .http import header_problem, path_regex
from .model import WILDCARD, Pattern
from .semantics import DestPlan, Grant

API = "cilium.io/v2"
NS_LABEL = "k8s:io.kubernetes.pod.namespace"


def emit(ctx: EmitContext) -> list[Emitted]:
    out: list[Emitted] = []
    for ns in ctx.plan.default_deny_namespaces:
        out.append(Emitted({
            "apiVersion": API, "kind": "CiliumNetworkPolicy",
            "metadata": metadata("default-deny", ns, ctx.profile),
            # enableDefaultDeny states the intent; the harmless cilium-health allow keeps older
            # Cilium (without enableDefaultDeny) in default-deny too. An empty rule `{}` would not.
            "spec": {"endpointSelector": {}, "enableDefaultDeny": {"ingress": True, "egress": False},
                     "ingress": [{"fromEntities": ["health"]}]},
        }, None))
    for dp in ctx.plan.destinations:
        out += _destination(ctx, dp)
    return out


def _kind(dp: DestPlan) -> str:
    return "CiliumClusterwideNetworkPolicy" if dp.namespace == WILDCARD else "CiliumNetworkPolicy"


def _endpoint_selector(dp: DestPlan) -> dict[str, Any]:
    if dp.pattern.is_exact:
        return {"matchLabels": dict(dp.labels)}
    # Every other service: the destinations with their own rules are left out, so that their
    # higher-precedence intentions are not undone by this broader allow.
    exprs: dict[str, set[str]] = {}
    for labels in dp.exclude:
        if len(labels) == 1:
            (k, v), = labels.items()
            exprs.setdefault(k, set()).add(v)
    return {"matchExpressions": [{"key": k, "operator": "NotIn", "values": sorted(v)}
                                 for k, v in sorted(exprs.items())]} if exprs else {}


def selector(ctx: EmitContext, pattern: Pattern, policy_ns: str) -> dict[str, Any]:
    if pattern.namespace == WILDCARD:
        return {"matchExpressions": [{"key": NS_LABEL, "operator": "Exists"}]}
    ns = ctx.catalog.pattern_namespace(pattern)
    labels = ctx.catalog.labels(pattern.name)[0] if pattern.is_exact else {}
    if ns != policy_ns:
        labels[NS_LABEL] = ns
    return {"matchLabels": labels} if labels else {}


def _ports(ctx: EmitContext, dp: DestPlan, grant: Grant | None) -> tuple[list[dict[str, Any]] | None, bool]:
    """toPorts for a rule; (None, False) when the rule must not be emitted."""
    ports = dp.ports
    if ports is None:
        if ctx.any_port and (grant is None or not grant.permissions):
            if grant is not None:
                ctx.plan.add(grant.source, Status.CHANGED, "N2K-INTENTION-ANY-PORT",
                             f"to {dp.key}: destination ports unknown; allowed on any port (--any-port)")
            return [], True
        if grant is not None:
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-NO-PORTS",
                         f"to {dp.key}: the destination is not in this conversion, so its ports are unknown; "
                         "no allow rule emitted", "convert the destination job with --intentions, or pass --any-port")
        return None, False
    entry: dict[str, Any] = {"ports": [{"port": p, "protocol": proto} for p, proto in ports]}
    if grant is not None and grant.permissions:
        rules = _http_rules(ctx, dp, grant)
        if rules is None:
            return None, False
        if rules:
            entry["rules"] = {"http": rules}
    return [entry], True


def _http_rules(ctx: EmitContext, dp: DestPlan, grant: Grant) -> list[dict[str, Any]] | None:
    rules: list[dict[str, Any]] = []
    for perm in grant.permissions:
        match = perm.http
        if match is None:
            return []  # an allow permission without an HTTP match admits every request
        problem = header_problem(match)
        if problem:
            ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-L7-HEADER",
                         f"{perm.path}: {problem} cannot be expressed by Cilium (presence and exact value only); "
                         "permission left out", "rewrite it as an exact header value, or enforce it in the app")
            continue
        base: dict[str, Any] = {}
        path = path_regex(match)
        if path is not None:
            base["path"] = path
        present = [h.name for h in match.headers if h.exact is None]
        exact = [{"name": h.name, "value": h.exact} for h in match.headers if h.exact is not None]
        if present:
            base["headers"] = present
        if exact:
            base["headerMatches"] = exact
        for method in match.methods or [""]:  # "": no method match, one rule for any method
            rules.append({**base, "method": method} if method else dict(base))
    if not rules:
        ctx.plan.add(grant.source, Status.NEEDS_DECISION, "N2K-INTENTION-L7-EMPTY",
                     f"to {dp.key}: no permission could be expressed; nothing emitted for this source")
        return None
    ctx.plan.add(grant.source, Status.MAPPED, "N2K-INTENTION-L7",
                 f"to {dp.key}: {len(rules)} HTTP rule(s) (paths as anchored regular expressions)")
    return rules


def _destination(ctx: EmitContext, dp: DestPlan) -> list[Emitted]:
    out: list[Emitted] = []
    policy_ns = dp.namespace
    for grant in dp.grants:
        to_ports, ok = _ports(ctx, dp, grant)
        if not ok:
            continue
        note_assumed_labels(ctx, dp, grant.pattern, grant.source)
        rule: dict[str, Any] = {"fromEndpoints": [selector(ctx, grant.pattern, policy_ns)]}
        if to_ports:
            rule["toPorts"] = to_ports
        name = policy_name("allow", source_slug(grant.pattern, policy_ns, ctx.catalog), "to", dp.name)
        out.append(Emitted({"apiVersion": API, "kind": _kind(dp),
                            "metadata": metadata(name, policy_ns, ctx.profile),
                            "spec": {"endpointSelector": _endpoint_selector(dp), "ingress": [rule]}}, home(dp)))
        ctx.plan.add(grant.source, Status.MAPPED, "N2K-INTENTION-ALLOW", f"to {dp.key}: {_kind(dp)}/{name}")
    deny_rules = []
    for deny in dp.denies:
        selectors = _narrowed(ctx, deny.pattern, deny.exceptions, policy_ns)
        for source in deny.sources:
            if selectors is None:
                ctx.plan.add(source, Status.NEEDS_DECISION, "N2K-INTENTION-DENY-NARROW",
                             f"to {dp.key}: the deny would also block higher-precedence allows whose pods have "
                             "several labels; no deny emitted", "write the exclusion by hand")
                continue
            note_assumed_labels(ctx, dp, deny.pattern, source)
            how = " (narrowed: excludes " + ", ".join(e.render() for e in deny.exceptions) + ")" if deny.exceptions else ""
            ctx.plan.add(source, Status.MAPPED if not deny.exceptions else Status.CHANGED, "N2K-INTENTION-DENY",
                         f"to {dp.key}: ingressDeny in deny-to-{dp.name}{how}")
        if selectors:
            deny_rules.append({"fromEndpoints": selectors})
    if deny_rules:
        spec: dict[str, Any] = {"endpointSelector": _endpoint_selector(dp), "ingressDeny": deny_rules}
        if dp.default == "allow":
            spec["enableDefaultDeny"] = {"ingress": False, "egress": False}
        name = policy_name("deny-to", dp.name)
        out.append(Emitted({"apiVersion": API, "kind": _kind(dp), "metadata": metadata(name, policy_ns, ctx.profile),
                            "spec": spec}, home(dp)))
    return out


def _narrowed(ctx: EmitContext, pattern: Pattern, exceptions: list[Pattern], policy_ns: str) -> list[dict] | None:
    """Selectors for `pattern` minus `exceptions` (Kubernetes NotIn also matches pods without the key)."""
    if not exceptions:
        return [selector(ctx, pattern, policy_ns)]
    if pattern.namespace != WILDCARD:
        return _minus_in_namespace(ctx, pattern, exceptions, policy_ns)
    by_ns: dict[str, list[Pattern]] = {}
    for e in exceptions:
        by_ns.setdefault(ctx.catalog.pattern_namespace(e), []).append(e)
    out = [{"matchExpressions": [{"key": NS_LABEL, "operator": "NotIn", "values": sorted(by_ns)}]}]
    for ns, group in sorted(by_ns.items()):
        if any(not e.is_exact for e in group):
            continue  # the whole namespace is excepted
        part = _minus_in_namespace(ctx, Pattern(group[0].namespace, WILDCARD), group, policy_ns, force_ns=ns)
        if part is None:
            return None
        out += part
    return out


def _minus_in_namespace(ctx: EmitContext, pattern: Pattern, exceptions: list[Pattern], policy_ns: str,
                        force_ns: str | None = None) -> list[dict] | None:
    values: dict[str, set[str]] = {}
    for e in exceptions:
        labels = ctx.catalog.labels(e.name)[0]
        if len(labels) != 1:
            return None
        (k, v), = labels.items()
        values.setdefault(k, set()).add(v)
    sel = selector(ctx, pattern, policy_ns)
    if force_ns is not None and force_ns != policy_ns:
        sel = {"matchLabels": {NS_LABEL: force_ns}}
    sel["matchExpressions"] = [{"key": k, "operator": "NotIn", "values": sorted(v)} for k, v in sorted(values.items())]
    return [sel]
