"""What the job conversion knows about each service: pod labels, namespace, container ports.

Consul service names map to Kubernetes Services of the same name (the converter names Services
after Nomad service names); the Service's selector gives the pod labels. A name that is not in
the conversion is assumed to label its pods `app: <name>` (recorded by the caller)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nomad2k8s.k8s.names import dns_label

from .model import WILDCARD, Pattern

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


@dataclass
class Workload:
    name: str
    namespace: str
    labels: dict[str, str]
    ports: list[tuple[str, str]]  # (container port number or name, protocol)
    result: Any = None  # the ServiceResult that owns it


@dataclass
class Catalog:
    default_namespace: str = "default"
    services: dict[str, Workload] = field(default_factory=dict)

    @classmethod
    def from_results(cls, results: list[Any], default_namespace: str) -> "Catalog":
        cat = cls(default_namespace)
        for result in results:
            containers = _container_ports(result.objects)
            for obj in result.objects:
                if obj.get("kind") != "Service":
                    continue
                meta, spec = obj.get("metadata", {}), obj.get("spec", {})
                if spec.get("clusterIP") == "None":
                    continue  # a StatefulSet's governing Service: no Consul service of that name
                ports = []
                for port in spec.get("ports", []):
                    target = port.get("targetPort", port.get("port"))
                    if isinstance(target, str):
                        target = containers.get(target, target)
                    ports.append((str(target), port.get("protocol", "TCP")))
                cat.services.setdefault(meta["name"], Workload(
                    meta["name"], meta.get("namespace", default_namespace), dict(spec.get("selector") or {}),
                    sorted(set(ports)), result))
        return cat

    def lookup(self, name: str) -> Workload | None:
        return self.services.get(dns_label(name)) if name != WILDCARD else None

    def namespace(self, consul_namespace: str) -> str:
        """Consul's `default` namespace is the conversion's namespace; others keep their name."""
        if consul_namespace in ("", "default"):
            return self.default_namespace
        return dns_label(consul_namespace)

    def pattern_namespace(self, pattern: Pattern) -> str:
        known = self.lookup(pattern.name) if pattern.is_exact else None
        if known is not None and pattern.namespace in ("", "default"):
            return known.namespace
        return self.namespace(pattern.namespace) if pattern.namespace != WILDCARD else WILDCARD

    def labels(self, name: str) -> tuple[dict[str, str], bool]:
        """Pod labels of a service and whether they were assumed."""
        known = self.lookup(name)
        if known is not None and known.labels:
            return dict(known.labels), False
        return {"app": dns_label(name)}, True


def _container_ports(objects: list[dict[str, Any]]) -> dict[str, str]:
    named: dict[str, str] = {}
    for obj in objects:
        if obj.get("kind") not in WORKLOAD_KINDS:
            continue
        spec = obj.get("spec", {})
        if obj["kind"] == "CronJob":
            spec = spec.get("jobTemplate", {}).get("spec", {})
        pod = spec.get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            for port in container.get("ports", []):
                if port.get("name"):
                    named.setdefault(port["name"], str(port["containerPort"]))
    return named
