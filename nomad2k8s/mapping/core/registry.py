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

from nomad2k8s import hints
from nomad2k8s.mapping.workload import autoscaling
from nomad2k8s.mapping.placement import devices
from nomad2k8s.mapping.storage import docker_mounts
from nomad2k8s.mapping.workload import docker_options
from nomad2k8s.mapping.storage import ephemeral
from nomad2k8s.mapping.workload import lifecycle
from nomad2k8s.mapping.workload import namespace
from nomad2k8s.mapping.networking import network
from nomad2k8s.mapping.workload import parameterized
from nomad2k8s.mapping.workload import periodic
from nomad2k8s.mapping.placement import constraints as placement
from nomad2k8s.mapping.passes import podcleanup
from nomad2k8s.mapping.workload import resources
from nomad2k8s.mapping.workload import rollout
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.passes import served
from nomad2k8s.mapping.networking import services
from nomad2k8s.mapping.workload import shutdown
from nomad2k8s.mapping.workload import stateful
from nomad2k8s.mapping.workload import tasks
from nomad2k8s.mapping.config import templates
from nomad2k8s.mapping.config import vaultblock
from nomad2k8s.mapping.storage import volumes
from nomad2k8s.mapping.workload import kinds as workload


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
    Transform("docker-options", "group", docker_options.map_docker_options,
              "docker privileged/cap_add/cap_drop/readonly_rootfs/dns/extra_hosts/hostname/labels/sysctl/auth/... "
              "-> securityContext, dnsConfig, hostAliases, pod labels, imagePullSecrets"),
    Transform("network", "group", network.map_network,
              "network ports -> containerPorts (to/static/dynamic), bridge/host mode, dns, hostname"),
    Transform("service", "group", services.map_services,
              "service -> ClusterIP Service per Nomad service name (NodePort for static ports per profile); "
              "Traefik tags -> Ingress/IngressRoute/Middleware; checks -> probes; Connect recorded"),
    Transform("runtime", "group", runtime.map_runtime,
              "${NOMAD_*} runtime values, Consul DNS names and Connect upstream addresses in env/args -> "
              "Service DNS names, container ports, downward API"),
    # Templates run after services (they name Service DNS/ports) and before the storage
    # mappers, which mount gctx.rendered_files at docker bind-mount targets.
    Transform("template", "group", templates.map_templates,
              "template -> ConfigMap (files), env vars (env = true), ExternalSecret for Vault/nomadVar "
              "references (secretKeyRef or target.template); change_mode restart -> checksum annotation"),
    Transform("volume", "group", volumes.map_volumes,
              "group volume csi -> PVC (access modes; per_alloc -> volumeClaimTemplates) or hostPath/NFS per "
              "profile; host volume -> hostPath or PVC; volume_mount -> volumeMounts"),
    Transform("ephemeral-disk", "group", ephemeral.map_ephemeral_disk,
              "ephemeral_disk -> ephemeral-storage request + /alloc emptyDir sizeLimit; sticky/migrate -> "
              "per-replica PVC at /alloc/data"),
    Transform("docker-mounts", "group", docker_mounts.map_docker_mounts,
              "docker volumes/mount/mounts/shm_size -> hostPath, task-dir emptyDirs, rendered templates by "
              "subPath, tmpfs and /dev/shm in-memory emptyDirs"),
    Transform("device", "group", devices.map_devices,
              "device nvidia/gpu, docker runtime nvidia -> nvidia.com/gpu limits, runtimeClassName, toleration; "
              "docker devices -> hostPath + privileged"),
    Transform("single-writer-strategy", "group", stateful.map_single_writer_strategy,
              "Deployment with a single-writer volume -> strategy Recreate"),
    Transform("placement", "group", placement.map_placement,
              "constraint/affinity/spread -> nodeSelector, node affinity, pod anti-affinity, "
              "topologySpreadConstraints; default arch affinity from the profile"),
    Transform("lifecycle", "group", lifecycle.place_containers,
              "lifecycle prestart -> initContainer; prestart sidecar -> native sidecar (>= 1.29); "
              "poststart sidecar -> container; poststart/poststop -> hooks or needs decision"),
    Transform("served", "group", served.map_served,
              "after placement: Service ports no emitted container serves, Services of groups without a workload "
              "and their routes are removed; the rows of tasks that are not emitted say dropped"),
    Transform("shutdown", "group", shutdown.map_shutdown,
              "kill_timeout -> terminationGracePeriodSeconds; shutdown_delay -> preStop sleep; kill_signal -> "
              "preStop signal"),
    Transform("restart", "group", rollout.map_restart,
              "restart -> Job restartPolicy/backoffLimit; services: kubelet restart backoff"),
    Transform("parameterized", "group", parameterized.map_parameterized,
              "parameterized -> suspended Job template with NOMAD_META_* env"),
    # Last group step: lifecycle has placed the containers, so unmounted volumes are known.
    Transform("pod-cleanup", "group", podcleanup.prune_pod,
              "pod volumes no container/initContainer mounts are dropped (volumes of tasks not emitted, "
              "group volumes no task mounts), with the template ConfigMap keys/ExternalSecret entries no container "
              "reads; rows of tasks not in the pod say so"),
    Transform("job-type", "job", workload.map_job_type,
              "job type -> Deployment/StatefulSet (service), Job/CronJob (batch), DaemonSet (system); "
              "the workload hint overrides"),
    Transform("job-placement", "job", placement.map_job_placement,
              "job-level constraint/affinity/spread, recorded once"),
    Transform("statefulset-service", "job", stateful.map_governing_services,
              "StatefulSet -> headless governing Service when none has its name"),
    Transform("vault", "job", vaultblock.map_vault,
              "vault block -> needs decision: grant the secret store's role read access to the listed paths"),
    Transform("namespace", "job", namespace.map_namespace,
              "job namespace -> metadata.namespace (profile namespace.mode, namespace hint)"),
    Transform("job-meta", "job", tasks.map_job_meta, "job meta -> NOMAD_META_* env vars in every container"),
    Transform("hints", "job", hints.map_hints,
              "nomad2k8s.* meta keys -> conversion choices (workload, replicas, namespace, skip, host, "
              "service-type, expose, storage-class, volume-size, vpa)"),
    Transform("update", "job", rollout.map_update,
              "update -> RollingUpdate maxSurge/maxUnavailable, minReadySeconds, progressDeadlineSeconds; "
              "canary/auto_revert -> needs decision"),
    Transform("reschedule", "job", rollout.map_reschedule, "reschedule -> recorded (the controller reschedules)"),
    Transform("parameterized-entry", "job", parameterized.record_parameterized,
              "parameterized/dispatch -> one decision entry per job"),
    Transform("hpa", "job", autoscaling.map_hpa,
              "group scaling with a CPU/memory target -> HorizontalPodAutoscaler autoscaling/v2"),
    Transform("vpa", "job", autoscaling.map_vpa,  # last: reads the final container resources
              "every Deployment/StatefulSet/DaemonSet -> VerticalPodAutoscaler (profile mode and bounds)"),
)


def concepts() -> list[str]:
    return [t.concept for t in TRANSFORMS]
