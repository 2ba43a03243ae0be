"""How Consul intentions are evaluated, and how that becomes allow/deny sets a policy engine can hold.

Consul (service-intentions, Consul >= 1.9):
- Every (source, destination) connection is decided by ONE intention: the matching intention
  with the highest precedence wins ("first match"). Precedence, from the Consul docs:

      source ns | source name | dest ns | dest name | precedence
      exact     | exact       | exact   | exact     | 9
      exact     | *           | exact   | exact     | 8
      *         | *           | exact   | exact     | 7
      exact     | exact       | exact   | *         | 6
      exact     | *           | exact   | *         | 5
      *         | *           | exact   | *         | 4
      exact     | exact       | *       | *         | 3
      exact     | *           | *       | *         | 2
      *         | *           | *       | *         | 1

  Without Consul Enterprise every namespace is `default`, so 9, 8, 6, 5 are the usual values.
  A source without Namespace is in the destination's namespace.
- No matching intention: the ACL default policy decides (`--default-policy`, profile
  `policies.default_policy`; Consul's own default is allow when ACLs are off).
- L7 sources (Permissions): the first matching permission decides a request; a request no
  permission matches gets the default (again the ACL default policy).

Cilium (and the other targets) is not ordered: an endpoint selected by any policy with ingress
rules admits only what some allow rule admits, and any deny rule (ingressDeny) wins over every
allow. So per destination we walk its intentions by precedence and produce:
- grants: the allow intentions not shadowed by a broader, higher-precedence deny;
- denies: only the deny intentions that must override an allow (a broader lower-precedence allow,
  or the default allow). A deny that would also hit a higher-precedence allow inside it is
  *narrowed*: its selector excludes those sources (Cilium `NotIn` on the pod label), so the
  result is never more open nor more closed than Consul.
- Under a deny default, wildcard denies need no rule at all: not being allowed is enough. An
  explicit namespace default-deny policy is emitted so that only intended traffic flows. The same
  happens when the intentions themselves contain the usual `* -> *` deny (hashicups pattern):
  that intention becomes the namespace's default-deny.
- Under an allow default, allows need no rule (traffic is already open); denies are emitted with
  `enableDefaultDeny.ingress: false` so that the policy does not close the destination to
  everybody else (Cilium >= 1.15).

Mapping of names: a Consul service is the Kubernetes Service of the same name; its pods are the
Service's selector (else `app: <name>`, recorded). Consul namespace `default` is the conversion's
namespace; other Consul namespaces keep their name; `*` means all namespaces (cluster-wide).
Partitions, peers and sameness groups have no equivalent: needs-decision, nothing emitted.

Ports: policies carry the destination's container ports when the destination is converted in
the same run; otherwise an allow is only emitted on explicit request (`--any-port`), since an
any-port rule is more open than Consul (which only exposes the service's mesh port).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nomad2k8s.k8s.names import dns_label

from ..ledger import Status
from .catalog import Catalog, Workload
from .model import WILDCARD, Intention, IntentionSet, Pattern, Permission, Source


def precedence(source: Pattern, destination: Pattern) -> int:
    if destination.namespace == WILDCARD:
        base = 0
    elif destination.name == WILDCARD:
        base = 3
    else:
        base = 6
    if source.namespace == WILDCARD:
        return base + 1
    return base + (3 if source.is_exact else 2)


@dataclass
class Finding:
    status: Status
    code: str
    message: str
    suggestion: str = ""


@dataclass
class Grant:
    source: Source
    pattern: Pattern
    permissions: list[Permission] = field(default_factory=list)  # allow permissions; empty = L4


@dataclass
class Deny:
    pattern: Pattern
    exceptions: list[Pattern]
    sources: list[Source]


@dataclass
class DestPlan:
    pattern: Pattern  # the Consul destination (name may be * for "every other service")
    name: str
    namespace: str  # Kubernetes namespace, or * for cluster-wide
    workload: Workload | None
    labels: dict[str, str]
    labels_assumed: bool
    default: str
    grants: list[Grant] = field(default_factory=list)
    denies: list[Deny] = field(default_factory=list)
    exclude: list[dict[str, str]] = field(default_factory=list)  # wildcard plan: known destinations

    @property
    def ports(self) -> list[tuple[str, str]] | None:
        return self.workload.ports if self.workload is not None and self.workload.ports else None

    @property
    def key(self) -> str:
        return self.pattern.render()


@dataclass
class Plan:
    default_policy: str
    destinations: list[DestPlan] = field(default_factory=list)
    default_deny_namespaces: list[str] = field(default_factory=list)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    home: dict[str, str | None] = field(default_factory=dict)  # source path -> destination name
    rules_by_dest: dict[str, list[Source]] = field(default_factory=dict)
    defaults_by_ns: dict[str, str] = field(default_factory=dict)
    catalog: Catalog | None = None

    def add(self, source: Source, status: Status, code: str, message: str, suggestion: str = "") -> None:
        found = self.findings.setdefault(source.path, [])
        if not any(f.message == message for f in found):
            found.append(Finding(status, code, message, suggestion))

    def decision(self, source: Pattern, destination: Pattern) -> str:
        """allow / deny / l7 for one connection, as Consul decides it (cross-check of upstreams)."""
        for rule in self._rules(destination):
            if rule.pattern.covers(source):
                return "l7" if rule.is_l7 else str(rule.action)
        ns = self.catalog.namespace(destination.namespace) if self.catalog else destination.namespace
        return self.defaults_by_ns.get(ns, self.default_policy)

    def _rules(self, destination: Pattern) -> list[Source]:
        return self.rules_by_dest.get(destination.render(), []) or self.rules_by_dest.get(
            Pattern(destination.namespace, WILDCARD).render(), [])


def resolve(iset: IntentionSet, catalog: Catalog, default_policy: str) -> Plan:
    plan = Plan(default_policy, catalog=catalog)
    usable: list[tuple[Intention, Source]] = []
    for intention in iset.intentions:
        for source in intention.sources:
            plan.sources[source.path] = source
            plan.home[source.path] = intention.destination.name if not intention.blockers else None
            problems = intention.blockers + source.blockers
            if problems:
                plan.add(source, Status.NEEDS_DECISION, "N2K-INTENTION-UNRESOLVED",
                         "not converted: " + "; ".join(problems),
                         "resolve the names (terraform output / consul config read) and convert again")
                continue
            source.precedence = precedence(source.pattern, intention.destination)
            usable.append((intention, source))
    _namespace_defaults(plan, usable, catalog)
    for dest in _destinations(usable, catalog):
        rules = sorted((s for i, s in usable if _applies(i.destination, dest)), key=lambda s: -s.precedence)
        plan.rules_by_dest[dest.render()] = rules
        dp = _plan_destination(plan, dest, rules, catalog, usable)
        if dp is not None:
            plan.destinations.append(dp)
    return plan


def _applies(intention_dest: Pattern, dest: Pattern) -> bool:
    return intention_dest.covers(dest) or intention_dest == dest


def _namespace_defaults(plan: Plan, usable: list[tuple[Intention, Source]], catalog: Catalog) -> None:
    """A `* -> *` deny in a namespace (and no lower-precedence allow) is that namespace's default."""
    namespaces = {catalog.namespace(i.destination.namespace) for i, _ in usable if i.destination.namespace != WILDCARD}
    namespaces |= {w.namespace for w in catalog.services.values()}
    if plan.default_policy == "deny":
        namespaces |= {catalog.default_namespace}
    for ns in sorted(namespaces):
        plan.defaults_by_ns[ns] = plan.default_policy
    for intention, source in usable:
        dest = intention.destination
        if dest.name != WILDCARD or dest.namespace == WILDCARD or source.is_l7 or source.action != "deny":
            continue
        if source.pattern.name != WILDCARD:
            continue
        lower_allows = [s for i, s in usable if s.precedence < source.precedence and s.action != "deny"
                        and _applies(i.destination, Pattern(dest.namespace, "x"))]
        if lower_allows:
            continue
        ns = catalog.namespace(dest.namespace)
        plan.defaults_by_ns[ns] = "deny"
        plan.add(source, Status.MAPPED, "N2K-INTENTION-DEFAULT-DENY",
                 f"wildcard deny: namespace {ns} gets a default-deny policy; only allowed traffic flows")
    plan.default_deny_namespaces = sorted(ns for ns, d in plan.defaults_by_ns.items() if d == "deny")


def _destinations(usable: list[tuple[Intention, Source]], catalog: Catalog) -> list[Pattern]:
    found: dict[str, Pattern] = {}
    for intention, _ in usable:
        dest = intention.destination
        found.setdefault(dest.render(), dest)
    wildcard_dests = [p for p in found.values() if not p.is_exact]
    for workload in catalog.services.values():
        pattern = Pattern("default" if workload.namespace == catalog.default_namespace else workload.namespace,
                          workload.name)
        if any(w.covers(pattern) for w in wildcard_dests):
            found.setdefault(pattern.render(), pattern)
    exact = sorted((p for p in found.values() if p.is_exact), key=lambda p: (p.namespace, p.name))
    return exact + sorted(wildcard_dests, key=lambda p: (p.namespace, p.name))


def _plan_destination(plan: Plan, dest: Pattern, rules: list[Source], catalog: Catalog,
                      usable: list[tuple[Intention, Source]]) -> DestPlan | None:
    if dest.is_exact:
        workload = catalog.lookup(dest.name)
        namespace = workload.namespace if workload is not None else catalog.namespace(dest.namespace)
        labels, assumed = catalog.labels(dest.name)
        name = dns_label(dest.name)
        exclude: list[dict[str, str]] = []
    else:
        workload, labels, assumed = None, {}, False
        namespace = catalog.namespace(dest.namespace) if dest.namespace != WILDCARD else WILDCARD
        name = "all" if dest.namespace != WILDCARD else "all-namespaces"
        exclude = [catalog.labels(i.destination.name)[0] for i, _ in usable if i.destination.is_exact
                   and (dest.namespace == WILDCARD or i.destination.namespace == dest.namespace)]
        exclude += [w.labels for w in catalog.services.values() if w.labels and w.labels not in exclude]
    default = plan.defaults_by_ns.get(namespace, plan.default_policy)
    dp = DestPlan(dest, name, namespace, workload, labels, assumed, default, exclude=exclude)
    earlier: list[Source] = []
    for idx, rule in enumerate(rules):
        shadow = next((e for e in earlier if e.pattern.covers(rule.pattern)), None)
        if shadow is not None:
            plan.add(rule, Status.DROPPED, "N2K-INTENTION-SHADOWED",
                     f"to {dest.render()}: shadowed by the higher-precedence intention from {shadow.pattern.render()}")
            earlier.append(rule)
            continue
        if rule.is_l7 or rule.action == "allow":
            _grant(plan, dp, rule)
        else:
            _deny(plan, dp, rule, earlier, rules[idx + 1:])
        earlier.append(rule)
    if not dp.grants and not dp.denies:
        return dp if dest.is_exact else None
    return dp


def _grant(plan: Plan, dp: DestPlan, rule: Source) -> None:
    if dp.default == "allow" and not rule.is_l7:
        plan.add(rule, Status.MAPPED, "N2K-INTENTION-ALLOW-DEFAULT",
                 f"to {dp.key}: allowed, as everything else is under the allow default; no rule needed")
        return
    permissions: list[Permission] = []
    if rule.is_l7:
        found = _l7(plan, dp, rule)
        if found is None:
            return
        permissions = found
        if dp.default == "allow":
            plan.add(rule, Status.CHANGED, "N2K-INTENTION-L7-NOOP",
                     f"to {dp.key}: only allow permissions under the allow default: every request is allowed")
            return
    dp.grants.append(Grant(rule, rule.pattern, permissions))


def _l7(plan: Plan, dp: DestPlan, rule: Source) -> list[Permission] | None:
    """The allow permissions a request allow-list can hold, or None (recorded) when order matters."""
    allows: list[Permission] = []
    seen_deny = False
    for perm in rule.permissions:
        if perm.unsupported:
            plan.add(rule, Status.NEEDS_DECISION, "N2K-INTENTION-L7-UNSUPPORTED",
                     f"{perm.path}: {', '.join(perm.unsupported)} cannot be expressed; permission left out",
                     "enforce it in the application or a service mesh")
            continue
        if perm.action == "deny":
            seen_deny = True
            if dp.default == "allow":
                plan.add(rule, Status.NEEDS_DECISION, "N2K-INTENTION-L7-DENY",
                         f"to {dp.key}: L7 deny permissions under the allow default cannot be expressed "
                         "(an allow-list would close everything else); nothing emitted for this source",
                         "use --default-policy deny or enforce it in the application / a service mesh")
                return None
            continue
        if seen_deny:
            plan.add(rule, Status.NEEDS_DECISION, "N2K-INTENTION-L7-DENY",
                     f"to {dp.key}: a deny permission precedes an allow; request allow-lists are unordered, "
                     "so nothing is emitted for this source", "rewrite the permissions as allows only")
            return None
        allows.append(perm)
    if seen_deny:
        plan.add(rule, Status.CHANGED, "N2K-INTENTION-L7-TRAILING-DENY",
                 f"to {dp.key}: deny permissions after the allows only restate the deny default; left out")
    return allows


def _deny(plan: Plan, dp: DestPlan, rule: Source, earlier: list[Source], later: list[Source]) -> None:
    lower_allow = dp.default == "allow" or any(
        (r.is_l7 or r.action == "allow") and r.pattern.overlaps(rule.pattern) for r in later)
    if not lower_allow:
        plan.add(rule, Status.MAPPED, "N2K-INTENTION-DENY-DEFAULT",
                 f"to {dp.key}: denied because nothing allows it (default deny); no rule needed")
        return
    exceptions = [e.pattern for e in earlier if (e.is_l7 or e.action == "allow") and rule.pattern.covers(e.pattern)]
    for deny in dp.denies:
        if deny.pattern == rule.pattern:
            deny.sources.append(rule)
            return
    dp.denies.append(Deny(rule.pattern, exceptions, [rule]))
