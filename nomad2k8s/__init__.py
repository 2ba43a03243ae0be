"""nomad2k8s: migrate HashiCorp Nomad jobspecs to Kubernetes manifests, with a ledger of every setting."""

import importlib.util
import sys

__version__ = "0.1.0"


def _kubernetes_models_only() -> None:
    """Register the `kubernetes` package without running its __init__, which imports kubernetes.config
    (kube-config and in-cluster loading, 150-200 ms; a converter never talks to a cluster), dynamic,
    watch, stream, ... The modules used here (kubernetes.client, kubernetes.utils.quantity) import
    as submodules of it, on first use. A no-op when kubernetes is imported already or absent."""
    if "kubernetes" in sys.modules:
        return
    spec = importlib.util.find_spec("kubernetes")
    if spec is None or spec.submodule_search_locations is None:
        return
    sys.modules["kubernetes"] = importlib.util.module_from_spec(spec)  # a package: __path__, no code run


_kubernetes_models_only()
