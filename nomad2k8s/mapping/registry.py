"""The one table of mappers, in the order they run (like sqlglot's TRANSFORMS).

Group-scope mappers run once per task group with its GroupContext; job-scope mappers run
once per job with the JobContext, after every group is built. A new concept is one
module plus one row here; its description is the concept table in docs/MAPPINGS.md
(`nomad2k8s mappings`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .. import hints
from . import namespace, network, periodic, resources, runtime, services, tasks, workload


@dataclass(frozen=True)
class Transform:
    concept: str
    scope: Literal["group", "job"]
    fn: Callable
    description: str = ""  # the Nomad -> Kubernetes mapping it performs, one line


TRANSFORMS: tuple[Transform, ...] = (
    Transform("task", "group", tasks.map_tasks,
              "task -> container: docker/podman image, command/entrypoint/args, env, user; "
              "exec/raw_exec/java -> placeholder image; other drivers -> needs decision"),
    Transform("meta", "group", tasks.map_meta,
              "group/task meta -> NOMAD_META_* env vars (nomad2k8s.* hints excepted)"),
    Transform("count", "group", workload.map_count,
              "group count (or the replicas hint) -> replicas; batch -> completions/parallelism"),
    Transform("periodic", "group", periodic.map_periodic,
              "periodic -> CronJob schedule, timeZone, concurrencyPolicy, suspend"),
    Transform("resources", "group", resources.map_resources,
              "cpu MHz -> requests.cpu (profile factor), memory/memory_max -> requests/limits.memory, "
              "cores -> whole CPUs; limits per profile policies"),
    Transform("network", "group", network.map_network,
              "network ports -> containerPorts (to/static/dynamic), bridge/host mode"),
    Transform("service", "group", services.map_services,
              "service -> ClusterIP Service per Nomad service name (NodePort for static ports per profile); "
              "Traefik tags -> Ingress/IngressRoute/Middleware; checks -> probes; Connect recorded"),
    Transform("runtime", "group", runtime.map_runtime,
              "${NOMAD_*} runtime values, Consul DNS names and Connect upstream addresses in env/args -> "
              "Service DNS names, container ports, downward API"),
    Transform("lifecycle", "group", tasks.place_containers,
              "lifecycle prestart -> initContainer; sidecars and poststart -> regular containers"),
    Transform("job-type", "job", workload.map_job_type,
              "job type -> Deployment/StatefulSet (service), Job/CronJob (batch), DaemonSet (system); "
              "the workload hint overrides"),
    Transform("namespace", "job", namespace.map_namespace,
              "job namespace -> metadata.namespace (profile namespace.mode, namespace hint)"),
    Transform("job-meta", "job", tasks.map_job_meta, "job meta -> NOMAD_META_* env vars in every container"),
    Transform("hints", "job", hints.map_hints,
              "nomad2k8s.* meta keys -> conversion choices (workload, replicas, namespace, skip, host, "
              "service-type, expose; storage-class, volume-size, vpa for the storage/VPA mappers)"),
)


def concepts() -> list[str]:
    return [t.concept for t in TRANSFORMS]
