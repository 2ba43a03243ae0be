"""What the batch passes read of every job converted together, and which jobs they may change.

The batch passes (batch_upstreams, batch_consul, batch_node_ports) look up the Services every job emits and
edit only the jobs that wait on them: a job with pending messages (upstream ports, Consul names) or with a
nodePort to number over the run. Every other job's JobContext (the typed model, the object store: most of a
converted job's memory and of what a worker process sends back) can be let go once it is converted; its
Services stay known through `offered_services`, read when it is converted."""

from __future__ import annotations

from dataclasses import dataclass

from nomad2k8s.mapping.core.context import JobContext, resolved_namespace


@dataclass(frozen=True)
class OfferedService:
    """A Service a job emits, as the batch passes look it up."""

    name: str
    namespace: str  # resolved (hints, namespace.mode)
    port: int | None  # its first port (None: no port)


def offered_services(jctx: JobContext) -> tuple[OfferedService, ...]:
    """The job's Services in its object store's order."""
    return tuple(OfferedService(svc.metadata.name,
                                resolved_namespace(svc.metadata.namespace, jctx.namespace_for(svc), jctx.profile),
                                svc.spec.ports[0].port if svc.spec.ports else None)
                 for svc in jctx.objects.of_kind("Service"))


def has_batch_work(jctx: JobContext) -> bool:
    """A batch pass may change this job: it waits on other jobs' Services, or has a nodePort to number."""
    if jctx.pending_messages:
        return True
    return any(port.node_port is not None for svc in jctx.objects.of_kind("Service") for port in svc.spec.ports or [])
