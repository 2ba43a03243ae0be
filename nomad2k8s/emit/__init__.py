"""Emitters only serialize Kubernetes objects; they never look at Nomad."""
