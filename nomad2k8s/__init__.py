"""nomad2k8s: migrate HashiCorp Nomad jobspecs to Kubernetes manifests, with a ledger of every setting."""

__version__ = "0.1.0"
