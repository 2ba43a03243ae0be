"""Ports, Services, probes, routes (Ingress/IngressRoute) and Consul Connect."""
