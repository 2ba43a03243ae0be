"""Kubernetes-side helpers with no Nomad knowledge: names and their API limits."""
