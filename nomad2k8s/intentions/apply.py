"""Intentions + converted services -> policies placed beside their destination, ledger entries
(one per intention source and per other config-entry setting), and the upstream cross-check."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ..convert import ServiceResult, sort_objects
from ..ledger import Ledger, Status
from . import others
from .catalog import Catalog
from .common import EmitContext
from .ingress_access import controller_access, default_deny_scope
from .model import IntentionSet, OtherEntry, Pattern
from .semantics import Plan, resolve
from .values import plain

POLICIES_DIR = "_policies"
TARGETS = ("cilium", "kubernetes", "istio", "linkerd")  # one emitter module per target, same name


def apply_intentions(iset: IntentionSet, results: list[ServiceResult], profile: Any, *, target: str | None = None,
                     default_policy: str | None = None, any_port: bool = False) -> ServiceResult | None:
    """Add policy objects and ledger entries to `results`; return the `_policies` result (or None)."""
    target = target or profile.policies.target
    default_policy = default_policy or profile.policies.default_policy
    catalog = Catalog.from_results(results, profile.namespace.name)
    plan = resolve(iset, catalog, default_policy)
    _report_unknown(plan, iset, catalog)
    emitter = importlib.import_module(f"{__package__}.{target}")
    ctx = EmitContext(plan, catalog, profile, any_port or profile.policies.any_port)
    emitted = emitter.emit(ctx)
    controller, opened = controller_access(ctx, results, target)
    emitted += controller
    source = Path(iset.files[0]) if iset.files else Path("intentions")
    policies = ServiceResult(POLICIES_DIR, source, "consul", [], Ledger(service=POLICIES_DIR))
    policies.extra["intentions"] = _graph_intentions(iset)
    touched: set[int] = set()
    for item in emitted:
        owner = catalog.services.get(item.destination or "")
        result = owner.result if owner is not None else policies
        result.objects.append(item.obj)
        touched.add(id(result))
    for result in results:
        if id(result) in touched:
            result.objects = sort_objects(result.objects)
    policies.objects = sort_objects(policies.objects)
    _source_entries(plan, catalog, policies)
    default_deny_scope(ctx, policies.ledger, opened)
    for entry in iset.others:
        _other_entries(entry, catalog, policies)
    for code, path, message, suggestion in ctx.notes:
        policies.ledger.decide(code, path, message, suggestion=suggestion, claims=False, k8s="-")
    for note in iset.notes:
        policies.ledger.record(Status(note.status), note.code, note.path, note.message, suggestion=note.suggestion,
                               line=note.line, claims=note.claims, data={"file": note.file}, k8s="-")
    if iset.stated_default and iset.stated_default != default_policy:
        policies.ledger.decide("N2K-INTENTION-DEFAULT-MISMATCH", "acl.default_policy",
                               f"the input states default_policy={iset.stated_default} but the conversion used "
                               f"{default_policy}", suggestion=f"convert with --default-policy {iset.stated_default}",
                               claims=False, k8s="-")
    _cross_check(plan, results)
    _no_ingress(plan, catalog, opened)
    return policies if policies.objects or policies.ledger.entries else None


def _graph_intentions(iset: IntentionSet) -> list[dict[str, Any]]:
    """Exact source -> destination pairs, for the estate graph (nomad2k8s/estate_graph.py)."""
    found = []
    for intention in iset.intentions:
        for source in intention.sources:
            if intention.destination.is_exact and source.pattern.is_exact:
                found.append({"source": source.pattern.name, "destination": intention.destination.name,
                              "action": source.action or "l7", "file": source.file, "line": source.line})
    return found


def _report_unknown(plan: Plan, iset: IntentionSet, catalog: Catalog) -> None:
    if not catalog.services:
        return
    for intention in iset.intentions:
        for source in intention.sources:
            if any(f.code == "N2K-INTENTION-UNRESOLVED" for f in plan.findings.get(source.path, [])):
                continue
            for pattern, role in ((intention.destination, "destination"), (source.pattern, "source")):
                if pattern.is_exact and catalog.lookup(pattern.name) is None:
                    labels = catalog.labels(pattern.name)[0]
                    plan.add(source, Status.CHANGED, "N2K-INTENTION-UNKNOWN-SERVICE",
                             f"{role} {pattern.render()} is not in this conversion (pods assumed to carry "
                             + ", ".join(f"{k}: {v}" for k, v in labels.items()) + ")",
                             "convert that job too, or check its pod labels")


def _source_entries(plan: Plan, catalog: Catalog, policies: ServiceResult) -> None:
    for path, source in plan.sources.items():
        findings = plan.findings.get(path) or []
        dest = plan.home.get(path)
        owner = catalog.lookup(dest) if dest else None
        ledger = owner.result.ledger if owner is not None else policies.ledger
        value = {k: v for k, v in plain(source.raw).items()}
        if not findings:
            ledger.dropped("N2K-INTENTION-NOOP", path, "evaluated; no destination it applies to needs a rule",
                           value=value, line=source.line, data={"file": source.file}, k8s="-")
            continue
        worst = max(findings, key=lambda f: f.status.rank)  # the first of the worst, like min() did
        message = "; ".join(f.message for f in findings)
        suggestion = next((f.suggestion for f in findings if f.status is worst.status and f.suggestion), "")
        k8s = ", ".join(f.message.split(": ", 1)[1] for f in findings if f.code == "N2K-INTENTION-ALLOW") or "-"
        ledger.record(worst.status, worst.code, path, message, suggestion=suggestion, value=value,
                      line=source.line, data={"file": source.file}, k8s=k8s)


def _other_entries(entry: OtherEntry, catalog: Catalog, policies: ServiceResult) -> None:
    owner = catalog.lookup(entry.name) if entry.kind != "proxy-defaults" else None
    ledger = owner.result.ledger if owner is not None else policies.ledger
    if not entry.body:
        ledger.dropped("N2K-CONSUL-ENTRY-EMPTY", entry.path, f"{entry.kind} entry without settings",
                       line=entry.line, data={"file": entry.file}, k8s="-")
    for key, value in sorted(entry.body.items()):
        status, code, k8s, note = others.row(entry.kind, key)
        path = f"{entry.path}.{key}"
        if code == "N2K-CONSUL-PROTOCOL":
            status, k8s, note = _protocol(owner, value)
        ledger.record(status, code, path, note or f"{entry.kind} {key}", k8s=k8s, value=value, line=entry.line,
                      data={"file": entry.file})


def _protocol(owner: Any, value: Any) -> tuple[Status, str, str]:
    proto = others.PROTOCOL_K8S.get(str(value).lower())
    if proto is None:
        return Status.NEEDS_DECISION, "-", f"unknown Consul protocol {value!r}"
    if owner is None:
        return (Status.NEEDS_DECISION, f"Service.spec.ports[].appProtocol: {proto}",
                "the service is not in this conversion: set appProtocol on its Service ports")
    for obj in owner.result.objects:
        if obj.get("kind") == "Service" and obj["metadata"]["name"] == owner.name:
            for port in obj.get("spec", {}).get("ports", []):
                port["appProtocol"] = proto
    return Status.MAPPED, f"Service/{owner.name} ports appProtocol: {proto}", "L7 protocol of the service"


def _cross_check(plan: Plan, results: list[ServiceResult]) -> None:
    for result in results:
        for up in result.extra.get("upstreams", []):
            src, dst = Pattern("default", up["source"]), Pattern("default", up["destination"])
            decision = plan.decision(src, dst)
            if decision == "deny":
                result.ledger.decide(
                    "N2K-INTENTION-BLOCKED", up["nomad_path"],
                    f"upstream {up['destination']}: no intention allows {up['source']} -> {up['destination']}; "
                    "the call will be blocked", suggestion="add an allow intention, or accept that the call fails",
                    claims=False, k8s="-")
            elif decision == "l7":
                result.ledger.changed(
                    "N2K-INTENTION-UPSTREAM-L7", up["nomad_path"],
                    f"upstream {up['destination']}: only the requests its L7 permissions allow get through",
                    claims=False, k8s="-")


def _no_ingress(plan: Plan, catalog: Catalog, opened: set[str]) -> None:
    allowed = {dp.workload.name for dp in plan.destinations if dp.workload is not None and dp.grants}
    for name, workload in sorted(catalog.services.items()):
        if plan.defaults_by_ns.get(workload.namespace) == "deny" and name not in allowed:
            who = ("only the ingress controller is let through (its own rule)" if name in opened
                   else "the namespace default-deny policy blocks all its ingress (ingress controller included)")
            workload.result.ledger.decide(
                "N2K-INTENTION-NO-INGRESS", f"intention[{name}]",
                f"no intention allows any source to reach {name}: {who}", suggestion="add allow intentions for "
                "its callers", claims=False, k8s="-")
