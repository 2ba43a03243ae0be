"""Consul Connect upstreams of a job, as data: who calls whom, on which local port.

The networking mappers rewrite addresses with it; the intentions cross-check and migration
waves read it from `ServiceResult.extra["upstreams"]`."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.model import Job


@dataclass(frozen=True)
class UpstreamRef:
    source: str  # the Nomad service name that calls
    destination: str  # the Consul service name called
    local_bind_port: int | None
    group: str
    nomad_path: str

    def as_dict(self) -> dict:
        return asdict(self)


def collect_upstreams(job: Job) -> list[UpstreamRef]:
    found: list[UpstreamRef] = []
    for group in job.group:
        services = list(group.service) + [s for t in group.task for s in t.service]
        for service in services:
            connect = service.connect
            if connect is None or connect.sidecar_service is None or connect.sidecar_service.proxy is None:
                continue
            source = dns_label(service.name or f"{job.name}-{group.name}")
            for upstream in connect.sidecar_service.proxy.upstreams:
                if not upstream.destination_name:
                    continue
                found.append(UpstreamRef(source=source, destination=upstream.destination_name,
                                         local_bind_port=as_int(upstream.local_bind_port),
                                         group=group.name, nomad_path=upstream.nomad_path))
    return found


def namespace_of(gctx) -> str:
    """The Kubernetes namespace a group's objects go to (profile policy and hints, resolved
    once in mapping/workload/namespace.py)."""
    return gctx.namespace
