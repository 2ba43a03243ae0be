"""Consul intentions -> Kubernetes network policies (Cilium by default; Kubernetes NetworkPolicy,
Istio and Linkerd as alternatives). parser -> model -> semantics (resolution) -> one emitter per
target; every intention source ends in exactly one ledger entry."""
