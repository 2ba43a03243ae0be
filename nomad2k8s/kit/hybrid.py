"""The cluster kit's hybrid-period pieces (issue 18, item 3): while some services still run on Nomad, pods
must resolve what they call there.

- an ExternalName Service per external dependency (a Consul name the converted services call but the run
  did not convert), in each namespace the callers address it in, pointing at `<name>.service.consul`
  (profile `cluster_kit.external_names`);
- the CoreDNS forward of the `consul` domain to `cluster_kit.consul_dns_servers`, in the form the
  distribution reads (`cluster_kit.dns_flavor`): k3s imports every `*.server` key of the `coredns-custom`
  ConfigMap in kube-system as a server block; vanilla CoreDNS gets the same server block as a snippet to add
  to its Corefile (the `coredns` ConfigMap);
- when each piece can go: an ExternalName when its Consul service has moved (it is not converted in this
  run, so after the waves unless a wave holds it), the forward once nothing the cluster runs needs Consul
  DNS any more (after the last wave, and after the last ExternalName that points into `consul`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..convert import ServiceResult
from ..k8s.names import dns_label
from ..ledger import Ledger, Status
from ..profile import Profile

MANAGED = {"app.kubernetes.io/managed-by": "nomad2k8s"}
K3S_CONFIGMAP = ("kube-system", "coredns-custom")
K3S_KEY = "consul.server"
SNIPPET = "coredns-consul.server"  # vanilla: the server block to add to the Corefile


@dataclass(frozen=True)
class External:
    """An external dependency of the estate graph (estate_graph.GraphNode with kind "external")."""

    consul_name: str  # vault.service.consul
    used_by: tuple[str, ...]  # the converted services (report keys) calling it


def externals(report: Mapping[str, Any], graph: Any = None) -> list[External]:
    """The estate's external dependencies: from the estate graph when the run has one
    (`EstateGraph.external()`), else from report.json's per-service `external` lists (review/waves.py)."""
    if graph is not None:
        return [External(n.consul_name, tuple(sorted(n.used_by))) for n in graph.external()]
    users: dict[str, set[str]] = {}
    for service in report.get("services", []):
        for name in service.get("external", []):
            users.setdefault(name, set()).add(service["name"])
    return [External(name, tuple(sorted(by))) for name, by in sorted(users.items())]


@dataclass
class Piece:
    """A kit object (or file) of the hybrid period and when it can be removed."""

    obj: dict[str, Any] | None
    file: str | None  # a file that is not an object (the vanilla Corefile snippet)
    wave: int | None  # removable once this wave has moved; None: after the waves (`when`)
    when: str


@dataclass
class Hybrid:
    objects: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    pieces: list[Piece] = field(default_factory=list)


def server_block(servers: list[str]) -> str:
    """The CoreDNS server block answering the `consul` zone from Consul's DNS interface."""
    return f"consul:53 {{\n    errors\n    cache 30\n    forward . {' '.join(servers)}\n}}\n"


def _addressed(result: ServiceResult, label: str, domain: str) -> set[str]:
    """The namespaces `result`'s objects address Service `label` in (<label>.<namespace>.svc.<domain>)."""
    pattern = re.compile(rf"(?<![\w.-]){re.escape(label)}\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc\."
                         rf"{re.escape(domain)}(?![\w-])")
    found: set[str] = set()
    for obj in result.objects:
        if obj.get("kind") != "Service":
            found.update(pattern.findall(repr(obj)))
    return found


def _workload_namespaces(result: ServiceResult) -> set[str]:
    return {o["metadata"]["namespace"] for o in result.objects
            if o.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
            and o.get("metadata", {}).get("namespace")}


def _wave_of(waves: list[Mapping[str, Any]]) -> dict[str, int]:
    return {s: w["wave"] for w in waves for s in w["services"]}


def hybrid_pieces(by_key: Mapping[str, ServiceResult], report: Mapping[str, Any], profile: Profile,
                  ledger: Ledger, graph: Any = None) -> Hybrid:
    kit, out = profile.cluster_kit, Hybrid()
    # This site's callers only (one kit per site profile).
    deps = [External(d.consul_name, tuple(k for k in d.used_by if k in by_key))
            for d in externals(report, graph) if any(k in by_key for k in d.used_by)]
    if not deps:
        return out
    wave_of = _wave_of(report.get("waves", []))
    last_wave = max(wave_of.values(), default=None)
    later = False
    for dep in deps:
        name = dep.consul_name.removesuffix(".service.consul")
        label = dns_label(name)
        users = ", ".join(dep.used_by)
        if kit.external_names == "none":
            ledger.note(Status.NEEDS_DECISION, "N2K-KIT-EXTERNAL-NAME-OFF", f"cluster_kit.external_names[{name}]",
                        f"{dep.consul_name} (called by {users}) still runs on Nomad: no ExternalName Service "
                        "(cluster_kit.external_names = none); make it resolve from the pods another way", k8s="-")
            continue
        namespaces: set[str] = set()
        for key in dep.used_by:
            result = by_key.get(key)
            if result is not None:
                namespaces |= _addressed(result, label, profile.cluster_domain) or _workload_namespaces(result)
        wave = wave_of.get(label)
        when = (f"once {name} has moved (wave {wave})" if wave is not None
                else f"once {name} runs in Kubernetes (it is not converted in this run)")
        later = later or wave is None
        for namespace in sorted(namespaces or {profile.namespace.name}):
            obj = {"apiVersion": "v1", "kind": "Service",
                   "metadata": {"name": label, "namespace": namespace, "labels": dict(MANAGED),
                                "annotations": {"nomad2k8s.io/hybrid-period": f"remove {when}"}},
                   "spec": {"type": "ExternalName", "externalName": dep.consul_name}}
            out.objects.append(obj)
            out.pieces.append(Piece(obj, None, wave, when))
            ledger.note(Status.MAPPED, "N2K-KIT-EXTERNAL-NAME", f"cluster_kit.external_names[{name}]",
                        f"{label}.{namespace} -> {dep.consul_name} (ExternalName) for {users} while {name} runs on "
                        f"Nomad; remove it {when}", k8s=f"Service/{label}")
    if not kit.consul_dns_servers:
        ledger.note(Status.NEEDS_DECISION, "N2K-KIT-PLACEHOLDER", "cluster_kit.consul_dns_servers",
                    f"no CoreDNS forward of the consul domain: cluster_kit.consul_dns_servers is empty, and "
                    f"{len(deps)} Consul name(s) the pods call still run on Nomad "
                    f"({', '.join(d.consul_name for d in deps[:5])}{', …' if len(deps) > 5 else ''})", k8s="-")
        return out
    block = server_block(kit.consul_dns_servers)
    when = ("once no ExternalName Service points into consul any more" if later or last_wave is None
            else f"once the last wave ({last_wave}) has moved")
    wave = None if later else last_wave
    if kit.dns_flavor == "k3s":
        namespace, cm_name = K3S_CONFIGMAP
        obj = {"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": cm_name, "namespace": namespace, "labels": dict(MANAGED)},
               "data": {K3S_KEY: block}}
        out.objects.append(obj)
        out.pieces.append(Piece(obj, None, wave, when))
        where = f"ConfigMap/{cm_name}"
    else:
        out.files[SNIPPET] = ("# Add this server block to the Corefile (ConfigMap kube-system/coredns) while\n"
                              "# services still run on Nomad; generated by nomad2k8s.\n" + block)
        out.pieces.append(Piece(None, SNIPPET, wave, when))
        where = SNIPPET
    ledger.note(Status.MAPPED, "N2K-KIT-CONSUL-DNS", "cluster_kit.consul_dns_servers",
                f"CoreDNS forwards the consul domain to {', '.join(kit.consul_dns_servers)} ({kit.dns_flavor}: "
                f"{where}); remove it {when}", k8s=where)
    return out
