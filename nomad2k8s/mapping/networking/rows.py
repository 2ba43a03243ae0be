"""The networking package's rows of the mapper table (assembled in order by core/registry.py)."""

from __future__ import annotations

from nomad2k8s.mapping.core.transform import Transform
from nomad2k8s.mapping.networking import network, services

TRANSFORMS: tuple[Transform, ...] = (
    Transform("network", "group", network.map_network,
              "network ports -> containerPorts (to/static/dynamic), bridge/host mode, dns, hostname",
              after=("task",)),
    # Service ports name the container ports the network mapper declared.
    Transform("service", "group", services.map_services,
              "service -> ClusterIP Service per Nomad service name (NodePort for static ports per profile); "
              "Traefik tags -> Ingress/IngressRoute/Middleware; checks -> probes; Connect recorded",
              after=("task", "network")),
)
