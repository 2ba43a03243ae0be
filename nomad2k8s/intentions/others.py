"""Config entries other than service-intentions: what each setting would mean in Kubernetes.

Data, not code: (kind, key) -> status, code, Kubernetes meaning, suggestion. `*` matches any key."""

from __future__ import annotations

from ..ledger import Status

N, D, C = Status.NEEDS_DECISION, Status.DROPPED, Status.CHANGED
SIDECAR = "Envoy sidecar setting: the Kubernetes output has no Consul sidecar"

TABLE: dict[tuple[str, str], tuple[Status, str, str, str]] = {
    ("service-defaults", "protocol"): (C, "N2K-CONSUL-PROTOCOL", "Service port appProtocol", ""),
    ("service-defaults", "mesh_gateway"): (D, "N2K-CONSUL-MESH-GATEWAY", "-", "mesh gateways route between Consul datacenters; not needed inside one cluster"),
    ("service-defaults", "*"): (D, "N2K-CONSUL-SIDECAR", "-", SIDECAR),
    ("proxy-defaults", "config"): (D, "N2K-CONSUL-PROXY-CONFIG", "-", "Envoy proxy configuration (tracing, metrics binds); configure the cluster's observability stack instead"),
    ("proxy-defaults", "*"): (D, "N2K-CONSUL-SIDECAR", "-", SIDECAR),
    ("service-resolver", "*"): (N, "N2K-CONSUL-RESOLVER", "-", "subsets, failover, redirects and load-balancer policy have no Service equivalent; use Gateway API routes or a service mesh"),
    ("service-splitter", "*"): (N, "N2K-CONSUL-SPLITTER", "-", "weighted traffic split: HTTPRoute backendRefs weights (Gateway API) or a progressive-delivery tool"),
    ("service-router", "*"): (N, "N2K-CONSUL-ROUTER", "-", "L7 routing: HTTPRoute rules (Gateway API)"),
    ("ingress-gateway", "*"): (N, "N2K-CONSUL-INGRESS-GATEWAY", "Ingress / HTTPRoute", "the listed services need an Ingress (Traefik tags of their jobs produce one) and an allow policy from the ingress controller"),
    ("terminating-gateway", "*"): (N, "N2K-CONSUL-TERMINATING-GATEWAY", "-", "egress to external services: an egress policy (toFQDNs) or ExternalName Service"),
    ("*", "meta"): (D, "N2K-CONSUL-META", "-", "config entry metadata"),
    ("*", "*"): (N, "N2K-CONSUL-ENTRY", "-", "config entry kind without a Kubernetes mapping"),
}

PROTOCOL_K8S = {"http": "http", "http2": "kubernetes.io/h2c", "grpc": "grpc", "tcp": "tcp"}


def row(kind: str, key: str) -> tuple[Status, str, str, str]:
    for k in ((kind, key), (kind, "*"), ("*", key), ("*", "*")):
        if k in TABLE:
            return TABLE[k]
    raise KeyError(key)  # unreachable: ("*", "*") is in the table
