"""`constraint`, `affinity` and `spread` -> nodeSelector, node/pod affinity, topology spread.

Nomad node attributes become node labels: the well-known ones (arch, os, hostname) exist on
every Kubernetes node; node class, datacenter and client meta become labels the profile names,
which someone must put on the nodes. Constraints of the job, the group and its tasks all
apply to the pod (a group's tasks share one node). Job-level entries are recorded once, by
the job-scope pass; the group pass applies them to every group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s
from kubernetes.client import V1NodeSelectorRequirement

from nomad2k8s.k8s.names import is_label_value
from nomad2k8s.ledger import Account, Status
from nomad2k8s.mapping.core.context import GroupContext, JobContext
from nomad2k8s.model import Affinity, Constraint, Spread

ARCH = "kubernetes.io/arch"
OS = "kubernetes.io/os"
HOSTNAME = "kubernetes.io/hostname"
ARCH_VALUES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "arm": "arm",
               "armv7l": "arm", "armv6l": "arm", "386": "386", "i386": "386", "i686": "386"}
EQ, NE = frozenset({"=", "==", "is"}), frozenset({"!=", "not"})
NUMERIC = frozenset({"<", ">", "<=", ">="})
SET_OPERATORS = frozenset({"set_contains", "set_contains_all", "set_contains_any"})
NEEDS_HUMAN = {"regexp": "regular expressions", "version": "version comparisons", "semver": "version comparisons"}


@dataclass
class Label:
    key: str
    status: Status = Status.MAPPED
    note: str = ""
    arch: bool = False

    def value(self, text: str) -> str:
        if self.arch:
            return ARCH_VALUES.get(text.strip().lower(), text.strip().lower())
        if self.key in (OS, HOSTNAME):
            return text.strip().lower()
        return text.strip()


@dataclass
class Effect:
    """What one placement block becomes, before it is put on a pod; `acc` is its ledger entry, not
    yet recorded (job-level blocks are applied by every group but recorded once)."""

    acc: Account
    selector: tuple[str, str] | None = None
    required: V1NodeSelectorRequirement | None = None
    preferred: tuple[int, V1NodeSelectorRequirement] | None = None
    anti_affinity: bool = False
    touches_arch: bool = False

    @property
    def status(self) -> Status:
        return self.acc.final_status


def _effect(status: Status, what: str, k8s: str = "-", suggestion: str = "", notes: tuple[str, ...] = (),
            **placement: Any) -> Effect:
    acc = Account(None, "", "", what=what, style="paren", status=status, k8s=k8s)
    for note in notes:
        acc.note(status, note)
    acc.suggest(suggestion)
    return Effect(acc, **placement)


def _attribute_name(attribute: str) -> str:
    text = attribute.strip()
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def _label_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", text).strip("-._")[:63] or "x"


def node_label(gctx: GroupContext | JobContext, attribute: str | None) -> Label | None:
    """The node label standing for a Nomad attribute, or None when there is none."""
    placement = gctx.profile.placement
    name = _attribute_name(str(attribute or ""))
    if name in ("attr.cpu.arch", "attr.kernel.arch"):
        return Label(ARCH, arch=True)
    if name == "attr.kernel.name":
        return Label(OS)
    if name == "node.unique.name":
        return Label(HOSTNAME)
    if name == "attr.unique.hostname":
        return Label(HOSTNAME, Status.CHANGED, "the node's hostname is assumed to be its Kubernetes node name")
    if name == "node.unique.id":
        return Label(HOSTNAME, Status.CHANGED, "node IDs -> node names: one value per node, as before "
                     "(a value naming a Nomad node ID must become the node's name)")
    if name == "node.class":
        return Label(placement.node_class_label, Status.NEEDS_DECISION,
                     f"label the nodes of that class with {placement.node_class_label}")
    if name == "node.datacenter":
        return Label(placement.datacenter_label, Status.CHANGED,
                     f"datacenter -> node label {placement.datacenter_label}")
    for prefix in ("meta.", "node.meta."):
        if name.startswith(prefix) and len(name) > len(prefix):
            key = placement.meta_label_prefix + _label_name(name[len(prefix):])
            return Label(key, Status.NEEDS_DECISION, f"client meta -> node label {key}: label the nodes")
    return None


def _values(label: Label, value: object, split: bool) -> list[str] | None:
    text = "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
    items = [v.strip() for v in text.split(",")] if split else [text.strip()]
    out = [label.value(v) for v in items if v]
    if not out or any("${" in v or not is_label_value(v) for v in out):
        return None
    return list(dict.fromkeys(out))


# A fully anchored regexp that only lists literal alternatives: `^(a|b)$`, `^a$` (dots escaped).
_ALTERNATION = re.compile(r"\^\(?((?:[\w-]|\\\.)+(?:\|(?:[\w-]|\\\.)+)*)\)?\$")


def _alternatives(value: object) -> str | None:
    """`a,b` (the In values) when the regexp is a plain anchored alternation of literals, else None."""
    text = str(value or "").strip()
    m = _ALTERNATION.fullmatch(text)
    if m is None or (text.startswith("^(") != text.endswith(")$")):
        return None
    return ",".join(v.replace("\\.", ".") for v in m.group(1).split("|"))


def _expression(gctx, attribute, operator: str, value: object, what: str) -> Effect:
    """The node-selector requirement for `attribute operator value` (shared by constraints and affinities)."""
    label = node_label(gctx, attribute)
    shown = f"{_attribute_name(str(attribute or ''))} {operator} {value if value is not None else ''}".strip()
    if operator == "regexp" and _alternatives(value) is not None:
        # Exactly the listed values match: the same set as `In`.
        operator, value = "set_contains_any", _alternatives(value)
    if operator in NEEDS_HUMAN:
        return _effect(Status.NEEDS_DECISION, f"{what} `{shown}`: {NEEDS_HUMAN[operator]} have no node-affinity operator",
                      suggestion="Label the matching nodes and select that label.")
    if label is None:
        return _effect(Status.NEEDS_DECISION, f"{what} `{shown}`: Nomad attribute has no Kubernetes node label",
                      suggestion="Label the matching nodes and add a nodeSelector on that label.")
    req: k8s.V1NodeSelectorRequirement | None = None
    status = label.status
    notes = [label.note] if label.note else []
    if operator in ("is_set", "is_not_set"):
        req = k8s.V1NodeSelectorRequirement(key=label.key, operator="Exists" if operator == "is_set" else "DoesNotExist")
    elif operator in NUMERIC:
        number = _int(value)
        if number is None:
            return _effect(Status.NEEDS_DECISION, f"{what} `{shown}`: only integer comparisons exist in node affinity",
                          suggestion="Label the matching nodes instead.")
        op, bound = {">": ("Gt", number), ">=": ("Gt", number - 1), "<": ("Lt", number), "<=": ("Lt", number + 1)}[operator]
        req = k8s.V1NodeSelectorRequirement(key=label.key, operator=op, values=[str(bound)])
    elif operator in EQ or operator in NE or operator in SET_OPERATORS:
        values = _values(label, value, split=operator in SET_OPERATORS)
        if values is None:
            return _effect(Status.NEEDS_DECISION, f"{what} `{shown}`: the value is not a usable label value",
                          suggestion="Resolve the value and set the node affinity by hand.")
        req = k8s.V1NodeSelectorRequirement(key=label.key, operator="NotIn" if operator in NE else "In", values=values)
        if operator in ("set_contains", "set_contains_all") and len(values) > 1:
            # Nomad requires every value in the node's set; a label holds one value, so `In` (any of
            # them) places the pod on nodes Nomad would refuse: a decision, not a change.
            status = Status.worst(status, Status.NEEDS_DECISION)
            notes.append("Nomad requires all of the values in the node's set, a node label holds one: `In` "
                         "matches nodes with any of them; label the nodes that have all and select that label")
    else:
        return _effect(Status.NEEDS_DECISION, f"{what} `{shown}`: unknown operator {operator!r}",
                      suggestion="Set the node affinity by hand.")
    return _effect(status, f"{what} `{shown}`", _describe(req), label.note if status == Status.NEEDS_DECISION else "",
                   tuple(notes), touches_arch=label.key == ARCH, required=req)


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _describe(req: k8s.V1NodeSelectorRequirement) -> str:
    return f"{req.key} {req.operator}" + (f" [{', '.join(req.values)}]" if req.values else "")


def constraint_effect(gctx, constraint: Constraint) -> Effect:
    operator = str(constraint.operator or "=").strip()
    if constraint.distinct_hosts is True or operator == "distinct_hosts":
        if operator == "distinct_hosts" and str(constraint.value).lower() == "false":
            return _effect(Status.MAPPED, "distinct_hosts = false: no restriction", k8s="-")
        return _effect(Status.MAPPED, "distinct_hosts: at most one copy per node", anti_affinity=True,
                      k8s=f"required podAntiAffinity topologyKey {HOSTNAME}")
    if constraint.distinct_hosts is False and constraint.attribute is None:
        return _effect(Status.MAPPED, "distinct_hosts = false: no restriction", k8s="-")
    if operator == "distinct_property" or constraint.distinct_property is not None:
        return _effect(Status.NEEDS_DECISION, "distinct_property limits copies per node property",
                      suggestion="Use topologySpreadConstraints (maxSkew 1, DoNotSchedule) on the matching node label.")
    effect = _expression(gctx, constraint.attribute, operator, constraint.value, "constraint")
    req = effect.required
    if req is not None and req.operator == "In" and req.values and len(req.values) == 1 and operator in EQ:
        effect.selector, effect.required = (req.key, req.values[0]), None
        effect.acc.k8s = f"nodeSelector {req.key}: {req.values[0]}"
    elif req is not None:
        effect.acc.k8s = f"required node affinity {effect.acc.k8s}"
    return effect


def affinity_effect(gctx, affinity: Affinity) -> Effect:
    operator = str(affinity.operator or "=").strip()
    effect = _expression(gctx, affinity.attribute, operator, affinity.value, "affinity")
    req, effect.required = effect.required, None
    if req is None:
        return effect
    weight = _int(affinity.weight) if affinity.weight is not None else 50
    weight = 50 if weight is None else weight
    if weight < 0:
        flipped = {"In": "NotIn", "NotIn": "In", "Exists": "DoesNotExist", "DoesNotExist": "Exists"}.get(req.operator)
        if flipped is None:
            return _effect(Status.NEEDS_DECISION, f"anti-affinity (weight {weight}) on a numeric comparison",
                          suggestion="Write the inverse comparison as a preferred node affinity by hand.")
        req.operator = flipped
        effect.acc.tail += f"; negative weight -> avoid ({flipped})"
    scaled = max(1, min(100, abs(weight)))
    effect.preferred = (scaled, req)
    effect.touches_arch = False  # a preference does not pin the architecture
    effect.acc.k8s = f"preferred node affinity weight {scaled}: {_describe(req)}"
    return effect


# Putting effects on the pod -------------------------------------------------------------

def _affinity(gctx: GroupContext) -> k8s.V1Affinity:
    if gctx.pod_spec.affinity is None:
        gctx.pod_spec.affinity = k8s.V1Affinity()
    return gctx.pod_spec.affinity


def add_required(gctx: GroupContext, req: k8s.V1NodeSelectorRequirement) -> None:
    aff = _affinity(gctx)
    aff.node_affinity = aff.node_affinity or k8s.V1NodeAffinity()
    node = aff.node_affinity
    if node.required_during_scheduling_ignored_during_execution is None:
        node.required_during_scheduling_ignored_during_execution = k8s.V1NodeSelector(
            node_selector_terms=[k8s.V1NodeSelectorTerm(match_expressions=[])])
    term = node.required_during_scheduling_ignored_during_execution.node_selector_terms[0]
    if term.match_expressions is None:
        term.match_expressions = [req]
    elif not any(_describe(e) == _describe(req) for e in term.match_expressions):
        term.match_expressions.append(req)


def add_preferred(gctx: GroupContext, weight: int, req: k8s.V1NodeSelectorRequirement) -> None:
    aff = _affinity(gctx)
    aff.node_affinity = aff.node_affinity or k8s.V1NodeAffinity()
    terms = aff.node_affinity.preferred_during_scheduling_ignored_during_execution or []
    terms.append(k8s.V1PreferredSchedulingTerm(weight=weight, preference=k8s.V1NodeSelectorTerm(match_expressions=[req])))
    aff.node_affinity.preferred_during_scheduling_ignored_during_execution = terms


def add_node_selector(gctx: GroupContext, key: str, value: str) -> None:
    selector = dict(gctx.pod_spec.node_selector or {})
    if key in selector and selector[key] != value:
        add_required(gctx, k8s.V1NodeSelectorRequirement(key=key, operator="In", values=[value]))
        return
    selector[key] = value
    gctx.pod_spec.node_selector = selector


def add_anti_affinity(gctx: GroupContext, match_labels: dict[str, str]) -> None:
    aff = _affinity(gctx)
    aff.pod_anti_affinity = aff.pod_anti_affinity or k8s.V1PodAntiAffinity()
    terms = aff.pod_anti_affinity.required_during_scheduling_ignored_during_execution or []
    if not any(t.label_selector is not None and t.label_selector.match_labels == match_labels for t in terms):
        terms.append(k8s.V1PodAffinityTerm(topology_key=HOSTNAME,
                                           label_selector=k8s.V1LabelSelector(match_labels=dict(match_labels))))
    aff.pod_anti_affinity.required_during_scheduling_ignored_during_execution = terms


def _apply(gctx: GroupContext, effect: Effect, job_level: bool) -> None:
    if effect.selector is not None:
        add_node_selector(gctx, *effect.selector)
    if effect.required is not None:
        add_required(gctx, effect.required)
    if effect.preferred is not None:
        add_preferred(gctx, *effect.preferred)
    if effect.anti_affinity:
        # Job-level distinct_hosts keeps every allocation of the job apart, across groups.
        labels = {"app.kubernetes.io/part-of": gctx.job_ctx.service} if job_level else dict(gctx.selector)
        add_anti_affinity(gctx, labels)


def _spread(gctx: GroupContext, spread: Spread, record: bool) -> bool:
    """Apply one spread block; returns whether it pinned anything (never the arch)."""
    ledger = gctx.ledger
    label = node_label(gctx, spread.attribute)
    if label is None:
        if record:
            ledger.decide("N2K-SPREAD", spread.nomad_path,
                          f"spread over {spread.attribute!r}: no Kubernetes node label stands for it", k8s="-",
                          suggestion="Label the nodes and add a topologySpreadConstraint on that label.")
        return False
    constraints = list(gctx.pod_spec.topology_spread_constraints or [])
    if not any(c.topology_key == label.key for c in constraints):
        constraints.append(k8s.V1TopologySpreadConstraint(
            max_skew=1, topology_key=label.key, when_unsatisfiable="ScheduleAnyway",
            label_selector=k8s.V1LabelSelector(match_labels=dict(gctx.selector))))
    gctx.pod_spec.topology_spread_constraints = constraints
    if not record:
        return False
    target = f"topologySpreadConstraints {label.key} maxSkew 1 ScheduleAnyway"
    path = spread.path_of("attribute") if spread.is_set("attribute") else spread.nomad_path
    ledger.record(label.status, "N2K-SPREAD", path, "spread allocations over nodes" +
                  (f" ({label.note})" if label.note else ""), k8s=target, suggestion=label.note)
    ledger.claim(spread, "weight", Status.CHANGED, "N2K-SPREAD-WEIGHT",
                 "Kubernetes spreads evenly (maxSkew 1) as a soft preference; there is no weight", k8s=target)
    for target_block in spread.target:
        ledger.decide("N2K-SPREAD-TARGET", target_block.nomad_path,
                      f"spread target {target_block.label!r}: percentage targets have no equivalent", k8s=target,
                      suggestion="Run one workload per target with its own replica count and node selector.")
    return False


def _record(ledger, path: str, code: str, effect: Effect, scope: str) -> None:
    effect.acc.tail += scope
    effect.acc.record(ledger, path, code)


def map_job_placement(jctx: JobContext) -> None:
    """Record job-level constraints/affinities/spreads once (every group applies them)."""
    scope = " (job level: applies to every group)"
    for constraint in jctx.job.constraint:
        _record(jctx.ledger, constraint.nomad_path, "N2K-CONSTRAINT", constraint_effect(jctx, constraint), scope)
    for affinity in jctx.job.affinity:
        _record(jctx.ledger, affinity.nomad_path, "N2K-AFFINITY", affinity_effect(jctx, affinity), scope)
    for spread in jctx.job.spread:
        label = node_label(jctx, spread.attribute)
        if label is None:
            jctx.ledger.decide("N2K-SPREAD", spread.nomad_path,
                               f"spread over {spread.attribute!r}: no Kubernetes node label stands for it", k8s="-",
                               suggestion="Label the nodes and add a topologySpreadConstraint on that label.")
        else:
            jctx.ledger.record(label.status, "N2K-SPREAD", spread.nomad_path,
                               "spread allocations over nodes" + scope + (f" ({label.note})" if label.note else ""),
                               k8s=f"topologySpreadConstraints {label.key} maxSkew 1 ScheduleAnyway",
                               suggestion=label.note)


def map_placement(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    arch_pinned = False
    sources = [(c, True) for c in gctx.job.constraint] + [(c, False) for c in gctx.group.constraint]
    sources += [(c, False) for t in gctx.group.task if t.name in gctx.containers for c in t.constraint]
    for constraint, job_level in sources:
        effect = constraint_effect(gctx, constraint)
        arch_pinned |= effect.touches_arch
        _apply(gctx, effect, job_level)
        if not job_level:
            _record(ledger, constraint.nomad_path, "N2K-CONSTRAINT", effect, "")
    affinities = [(a, True) for a in gctx.job.affinity] + [(a, False) for a in gctx.group.affinity]
    affinities += [(a, False) for t in gctx.group.task if t.name in gctx.containers for a in t.affinity]
    for affinity, job_level in affinities:
        effect = affinity_effect(gctx, affinity)
        label = node_label(gctx, affinity.attribute)
        arch_pinned |= label is not None and label.key == ARCH
        _apply(gctx, effect, job_level)
        if not job_level:
            _record(ledger, affinity.nomad_path, "N2K-AFFINITY", effect, "")
    for spread in gctx.job.spread:
        _spread(gctx, spread, record=False)
    for spread in gctx.group.spread:
        _spread(gctx, spread, record=True)
    default_arch = [ARCH_VALUES.get(a, a) for a in gctx.profile.placement.default_arch]
    if default_arch and not arch_pinned and not gctx.skip:
        add_required(gctx, k8s.V1NodeSelectorRequirement(key=ARCH, operator="In", values=default_arch))
        ledger.note(Status.MAPPED, "N2K-ARCH-DEFAULT", gctx.group.nomad_path,
                    "no architecture constraint: the profile's default architectures are required",
                    k8s=f"required node affinity {ARCH} In [{', '.join(default_arch)}]")
