"""Consul Connect blocks of a service: no Envoy sidecar is emitted.

Pods reach each other directly over the pod network; callers find upstreams by cluster DNS
(mapping/core/runtime.py rewrites the addresses), and the mTLS/authorization Connect gave is
rebuilt from Consul intentions as network policies (the intentions mapper). Each setting is
recorded with that explanation.
"""

from __future__ import annotations

from typing import Any

from nomad2k8s.ledger import Status
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.model import Service, paths
from nomad2k8s.model.base import NomadBlock

MESH = "no Envoy sidecar: traffic goes pod to pod; mTLS/authorization come from network policies built from " \
       "Consul intentions"

# (block kind, key) -> (status, code, message, suggestion)
_RULES: dict[tuple[str, str], tuple[Status, str, str, str]] = {
    ("connect", "native"): (Status.NEEDS_DECISION, "N2K-CONNECT-NATIVE",
                            "Connect-native app speaks the mesh protocol itself through the Consul API",
                            "Configure the app for plain HTTP/TLS to cluster DNS names, or keep a service mesh."),
    ("connect", "sidecar_task"): (Status.DROPPED, "N2K-CONNECT-SIDECAR-TASK",
                                  "custom Envoy sidecar task: no sidecar is emitted", ""),
    ("connect", "gateway"): (Status.NEEDS_DECISION, "N2K-CONNECT-GATEWAY", "Consul gateway (ingress/terminating/mesh)",
                             "Ingress gateway -> Ingress/Gateway API; terminating gateway -> ExternalName Services "
                             "with egress policies; mesh gateway -> multi-cluster networking."),
    ("sidecar_service", "port"): (Status.DROPPED, "N2K-CONNECT-SIDECAR-PORT", "Envoy's inbound port: no sidecar", ""),
    ("sidecar_service", "tags"): (Status.DROPPED, "N2K-CONNECT-SIDECAR-TAGS", "tags of the sidecar registration", ""),
    ("sidecar_service", "meta"): (Status.DROPPED, "N2K-CONNECT-SIDECAR-META", "meta of the sidecar registration", ""),
    ("sidecar_service", "disable_default_tcp_check"): (Status.DROPPED, "N2K-CONNECT-SIDECAR-CHECK",
                                                       "sidecar health check: no sidecar", ""),
    ("sidecar_service", "check"): (Status.DROPPED, "N2K-CONNECT-SIDECAR-CHECK", "sidecar health check: no sidecar", ""),
    ("proxy", "local_service_port"): (Status.MAPPED, "N2K-CONNECT-LOCAL-PORT",
                                      "Envoy's target port: the Service targets the container port directly", ""),
    ("proxy", "config"): (Status.DROPPED, "N2K-CONNECT-PROXY-CONFIG", "Envoy proxy configuration: no sidecar",
                          "Carry protocol/timeouts over to the ingress controller or mesh if they mattered."),
    ("proxy", "expose"): (Status.MAPPED, "N2K-CONNECT-EXPOSE",
                          "exposed check paths: the kubelet probes the pod directly, nothing to expose", ""),
    ("proxy", "transparent_proxy"): (Status.CHANGED, "N2K-CONNECT-TPROXY",
                                     "transparent proxy: `<svc>.virtual.consul` names become cluster DNS names",
                                     ""),
    ("proxy", "mesh_gateway"): (Status.DROPPED, "N2K-CONNECT-MESH-GATEWAY", "mesh gateway mode: no mesh", ""),
}


def _keys(node: NomadBlock | dict | None) -> list[str]:
    if node is None:
        return []
    if isinstance(node, dict):
        return [k for k in node if k not in paths.INTERNAL_KEYS]
    return sorted((node.model_fields_set | set(node.model_extra or {})) - {"label", "line"})


def map_connect(gctx: GroupContext, service: Service) -> None:
    connect = service.connect
    if connect is None:
        return
    ledger = gctx.ledger
    ledger.changed("N2K-CONNECT", connect.nomad_path, MESH, k8s="pod network + cluster DNS", claims=False)
    for key in _keys(connect):
        if key == "sidecar_service":
            _sidecar(gctx, connect.sidecar_service, connect.path_of(key))
        else:
            _rule(gctx, "connect", key, connect.path_of(key))


def _rule(gctx: GroupContext, kind: str, key: str, path: str) -> None:
    status, code, message, suggestion = _RULES.get(
        (kind, key), (Status.DROPPED, "N2K-CONNECT-OPTION", f"Connect {kind} setting {key}: no sidecar", ""))
    gctx.ledger.record(status, code, path, message, k8s="-", suggestion=suggestion)


def _sidecar(gctx: GroupContext, sidecar: Any, path: str) -> None:
    if sidecar is None:
        return
    keys = _keys(sidecar)
    if not keys:
        gctx.ledger.changed("N2K-CONNECT-SIDECAR", path, MESH, k8s="-", claims=False)
    for key in keys:
        if key == "proxy" and sidecar.proxy is not None:
            _proxy(gctx, sidecar.proxy)
        else:
            _rule(gctx, "sidecar_service", key, sidecar.path_of(key))


def _proxy(gctx: GroupContext, proxy: Any) -> None:
    ledger = gctx.ledger
    for key in _keys(proxy):
        if key == "upstreams":
            for upstream in proxy.upstreams:
                _upstream(gctx, upstream)
        elif key == "local_service_address":
            address = str(proxy.local_service_address)
            if address in ("127.0.0.1", "localhost", "::1"):
                ledger.decide("N2K-MESH-LOOPBACK-BIND", proxy.path_of(key),
                              f"the app listens on {address} because Envoy fronted it; without the sidecar the "
                              "Service cannot reach a loopback-only app", k8s="-",
                              suggestion="Make the app bind 0.0.0.0 (or the pod IP).")
            else:
                ledger.mapped("N2K-CONNECT-LOCAL-ADDRESS", proxy.path_of(key),
                              "Envoy's target address: the Service targets the pod directly", k8s="-")
        else:
            _rule(gctx, "proxy", key, proxy.path_of(key))


def _upstream(gctx: GroupContext, upstream: Any) -> None:
    ledger = gctx.ledger
    dest = str(upstream.destination_name or "")
    host = runtime.cluster_host(gctx, dest)
    extras = [k for k in _keys(upstream) if k not in ("destination_name", "local_bind_port")]
    status = Status.MAPPED
    notes = []
    if "datacenter" in extras or "destination_peer" in extras or "destination_partition" in extras:
        status = Status.NEEDS_DECISION
        notes.append("the upstream lives in another datacenter/peer: it must be reachable from this cluster")
    if "destination_namespace" in extras:
        notes.append("Consul namespace: the Kubernetes namespace comes from the profile")
    if "local_bind_address" in extras:
        notes.append("local_bind_address is not needed: clients dial the Service directly")
    ledger.record(status, "N2K-CONNECT-UPSTREAM", upstream.nomad_path,
                  f"upstream {dest!r} (localhost:{upstream.local_bind_port}) -> {host}; addresses in env/args/"
                  "templates are rewritten" + ("; " + "; ".join(notes) if notes else ""),
                  k8s=host, data={"destination": dest, "local_bind_port": upstream.local_bind_port, "host": host},
                  suggestion="Allow the call in the network policy (from the Consul intention)."
                  if status is Status.MAPPED else "Expose the remote service to this cluster, or keep it external.")
