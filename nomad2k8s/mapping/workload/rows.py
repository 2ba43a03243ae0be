"""The workload package's rows of the mapper table (assembled in order by core/registry.py)."""

from __future__ import annotations

from nomad2k8s.mapping.core.transform import ALL, Transform
from nomad2k8s.mapping.workload import (autoscaling, docker_options, kinds, lifecycle, namespace, parameterized,
                                        periodic, resources, rollout, shutdown, stateful, tasks)

TRANSFORMS: tuple[Transform, ...] = (
    Transform("task", "group", tasks.map_tasks,
              "task -> container: docker/podman image, command/entrypoint/args, env, user; "
              "exec/raw_exec/java -> placeholder image; other drivers -> needs decision"),
    Transform("meta", "group", tasks.map_meta,
              "group/task meta -> NOMAD_META_* env vars (nomad2k8s.* hints excepted)", after=("task",)),
    Transform("count", "group", kinds.map_count,
              "group count (or the replicas hint) -> replicas; batch -> completions/parallelism"),
    Transform("periodic", "group", periodic.map_periodic,
              "periodic -> CronJob schedule, timeZone, concurrencyPolicy, suspend"),
    Transform("resources", "group", resources.map_resources,
              "cpu MHz -> requests.cpu (profile factor), memory/memory_max -> requests/limits.memory, "
              "cores -> whole CPUs; limits per profile policies", after=("task",)),
    # Reads the replica count (a single replica may keep host-level options).
    Transform("docker-options", "group", docker_options.map_docker_options,
              "docker privileged/cap_add/cap_drop/readonly_rootfs/dns/extra_hosts/hostname/labels/sysctl/auth/... "
              "-> securityContext, dnsConfig, hostAliases, pod labels, imagePullSecrets", after=("task", "count")),
    # Reads the claims the volume mappers made and the replica count.
    Transform("single-writer-strategy", "group", stateful.map_single_writer_strategy,
              "Deployment with a single-writer volume -> strategy Recreate", after=("count", "volume")),
    # Places the containers the earlier mappers built (and the template files hook tasks carry).
    Transform("lifecycle", "group", lifecycle.place_containers,
              "lifecycle prestart -> initContainer; prestart sidecar -> native sidecar (>= 1.29); "
              "poststart sidecar -> container; poststart/poststop -> hooks or needs decision",
              after=("task", "template")),
    Transform("shutdown", "group", shutdown.map_shutdown,
              "kill_timeout -> terminationGracePeriodSeconds; shutdown_delay -> preStop sleep; kill_signal -> "
              "preStop signal", after=("task",)),
    Transform("restart", "group", rollout.map_restart,
              "restart -> Job restartPolicy/backoffLimit; services: kubelet restart backoff"),
    # Adds the dispatch meta to every placed container.
    Transform("parameterized", "group", parameterized.map_parameterized,
              "parameterized -> suspended Job template with NOMAD_META_* env", after=("lifecycle",)),
    Transform("job-type", "job", kinds.map_job_type,
              "job type -> Deployment/StatefulSet (service), Job/CronJob (batch), DaemonSet (system); "
              "the workload hint overrides"),
    # Names left free once the Services of what is not served are gone.
    Transform("statefulset-service", "job", stateful.map_governing_services,
              "StatefulSet -> headless governing Service when none has its name", after=("service", "served")),
    Transform("namespace", "job", namespace.map_namespace,
              "job namespace -> metadata.namespace (profile namespace.mode, namespace hint)"),
    Transform("job-meta", "job", tasks.map_job_meta, "job meta -> NOMAD_META_* env vars in every container",
              after=("task",)),
    # A strategy chosen for the workload's storage wins over max_parallel.
    Transform("update", "job", rollout.map_update,
              "update -> RollingUpdate maxSurge/maxUnavailable, minReadySeconds, progressDeadlineSeconds; "
              "canary/auto_revert -> needs decision", after=("count", "single-writer-strategy")),
    Transform("reschedule", "job", rollout.map_reschedule, "reschedule -> recorded (the controller reschedules)"),
    Transform("parameterized-entry", "job", parameterized.record_parameterized,
              "parameterized/dispatch -> one decision entry per job", after=("parameterized",)),
    # Takes over the replica count.
    Transform("hpa", "job", autoscaling.map_hpa,
              "group scaling with a CPU/memory target -> HorizontalPodAutoscaler autoscaling/v2", after=("count",)),
    # Last: reads the final container resources.
    Transform("vpa", "job", autoscaling.map_vpa,
              "every Deployment/StatefulSet/DaemonSet -> VerticalPodAutoscaler (profile mode and bounds)",
              after=(ALL, "resources", "hints")),
)
