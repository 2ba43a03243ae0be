"""Settings with no Kubernetes mapping, as data.

Applied after every concept mapper: each parsed setting still unclaimed whose shape
matches a row gets that row's entry (one per concrete block/key the row names), saying what
the setting would take in Kubernetes. A concept that gains a mapper loses its rows here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nomad2k8s.ledger import Ledger, Status
from nomad2k8s.mapping.core.shapes import match_prefix


@dataclass(frozen=True)
class Row:
    shape: str
    status: Status
    code: str
    message: str
    suggestion: str = ""


D, N, C = Status.DROPPED, Status.NEEDS_DECISION, Status.CHANGED


def _rows(shapes: tuple[str, ...], status: Status, code: str, message: str, suggestion: str = "") -> tuple[Row, ...]:
    """The same row for several shapes (a block Nomad allows at more than one level)."""
    return tuple(Row(shape, status, code, message, suggestion) for shape in shapes)

ROWS: tuple[Row, ...] = (
    # Job level
    Row("job.datacenters", D, "N2K-DROP-DATACENTERS", "Kubernetes has no datacenters; the cluster you apply to is the placement",
        "Use node affinity on topology.kubernetes.io/zone if datacenters were zones."),
    Row("job.region", D, "N2K-DROP-REGION", "regions are separate clusters in Kubernetes", "Apply to the cluster of that region."),
    Row("job.priority", N, "N2K-PRIORITY", "job priority and preemption", "Create a PriorityClass and set priorityClassName."),
    Row("job.all_at_once", D, "N2K-DROP-ALL-AT-ONCE", "the scheduler places pods independently"),
    Row("job.node_pool", N, "N2K-NODE-POOL", "node pool", "Label the pool's nodes and add a nodeSelector."),
    Row("job.id", D, "N2K-DROP-JOB-ID", "the job id is the workload name"),
    Row("job.name", D, "N2K-DROP-JOB-NAME", "the workload is named after the job label"),
    Row("job.multiregion", N, "N2K-MULTIREGION", "multi-region deployment", "Deploy per cluster with your GitOps tool."),
    Row("job.consul", D, "N2K-DROP-CONSUL-NS", "Consul namespace/cluster selection has no meaning without Consul"),
    Row("job.ui", D, "N2K-DROP-UI", "Nomad UI description and links"),
    *_rows(("job.migrate", "job.group.migrate"), D, "N2K-DROP-MIGRATE",
           "node-drain migration: Kubernetes uses PodDisruptionBudgets",
           "Add a PodDisruptionBudget if drains must be gradual."),
    # Task level, permanent
    Row("job.group.task.artifact", D, "N2K-DROP-ARTIFACT", "artifacts are downloaded by the Nomad client at start",
        "Bake the file into the image, or fetch it in an init container into a shared emptyDir."),
    Row("job.group.task.logs", D, "N2K-DROP-LOGS", "log rotation is the kubelet's (containerLogMaxSize/MaxFiles)"),
    Row("job.group.task.kind", D, "N2K-DROP-TASK-KIND", "Consul Connect proxy/gateway task kind"),
    Row("job.group.task.leader", N, "N2K-LEADER", "leader task: others are stopped when it exits",
        "Kubernetes has no leader container; make the other containers exit with it."),
    Row("job.group.task.identity", D, "N2K-DROP-IDENTITY", "workload identity token for Nomad/Consul/Vault",
        "Use the pod's ServiceAccount token with the secret store's Kubernetes auth."),
    *_rows(("job.group.task.consul", "job.group.consul"), D, "N2K-DROP-CONSUL-NS",
           "Consul namespace/cluster selection has no meaning without Consul"),
    Row("job.group.task.csi_plugin", N, "N2K-CSI-PLUGIN", "this task is a CSI plugin",
        "Install the driver's Kubernetes CSI deployment (Helm chart) instead of converting it."),
    Row("job.group.task.dispatch_payload", N, "N2K-DISPATCH-PAYLOAD", "dispatch payload file",
        "Pass the payload as a ConfigMap/Secret mounted into the Job."),
    Row("job.group.stop_after_client_disconnect", D, "N2K-DROP-DISCONNECT", "client disconnect handling is the node controller's"),
    *_rows(("job.group.max_client_disconnect", "job.group.disconnect"), D, "N2K-DROP-DISCONNECT",
           "client disconnect handling is the node controller's",
           "Tune tolerations for node.kubernetes.io/unreachable (tolerationSeconds)."),
    Row("job.group.prevent_reschedule_on_lost", D, "N2K-DROP-DISCONNECT", "lost-allocation handling is the node controller's"),
    # Blocks Nomad allows once, repeated: the mappers convert the first one only.
    *(
        Row(shape, N, "N2K-BLOCK-REPEATED", "block given more than once; only the first is converted",
            "Merge the blocks into one (Nomad itself rejects or ignores the repeats).")
        for shape in ("job.update", "job.group.update", "job.group.restart", "job.group.task.restart",
                      "job.reschedule", "job.group.reschedule", "job.group.scaling", "job.parameterized")
    ),
    Row("job.periodic", N, "N2K-PERIODIC-NOT-BATCH", "periodic only applies to batch jobs in Nomad",
        "Make the job a batch job to get a CronJob."),
    # Docker driver options no mapper converts: each with what it would take in Kubernetes.
    *(
        Row(f"job.group.task.config.{key}", status, code, message, suggestion)
        for key, status, code, message, suggestion in (
            ("uts_mode", D, "N2K-DOCKER-UTS", "UTS namespace mode has no pod setting", ""),
            ("image_pull_timeout", D, "N2K-DOCKER-PULL-TIMEOUT", "image pull timeout is the kubelet's setting", ""),
            ("load", N, "N2K-DOCKER-LOAD", "image loaded from a tarball artifact",
             "Push the image to a registry and reference it."),
            ("storage_opt", D, "N2K-DOCKER-STORAGE-OPT", "container storage driver options",
             "Use an ephemeral-storage limit if the option capped the root filesystem size."),
            ("cpu_cfs_period", D, "N2K-DOCKER-CFS", "CFS period is the kubelet's cpuCFSQuotaPeriod", ""),
            ("cpu_cfs_quota", D, "N2K-DOCKER-CFS", "CFS quota: Kubernetes derives it from limits.cpu", ""),
            ("cpu_period", D, "N2K-DOCKER-CFS", "CFS period is the kubelet's cpuCFSQuotaPeriod", ""),
            ("cpu_quota", D, "N2K-DOCKER-CFS", "CFS quota: Kubernetes derives it from limits.cpu", ""),
            ("cpu_shares", D, "N2K-DOCKER-CFS", "CPU shares: Kubernetes derives them from requests.cpu", ""),
            ("oom_score_adj", D, "N2K-DOCKER-OOM-SCORE", "OOM score: Kubernetes derives it from the QoS class", ""),
            ("healthchecks", D, "N2K-DOCKER-HEALTHCHECKS", "image HEALTHCHECKs are ignored by Kubernetes anyway", ""),
            ("pids_limit", N, "N2K-DOCKER-PIDS", "per-container PID limit",
             "Kubernetes limits PIDs per pod through the kubelet's podPidsLimit."),
            ("isolation", D, "N2K-DOCKER-ISOLATION", "Windows isolation mode", ""),
            ("cpuset_cpus", N, "N2K-DOCKER-CPUSET", "pinned CPUs",
             "Use the kubelet's static CPU manager with integer CPU requests = limits."),
            ("mac_address", D, "N2K-DOCKER-MAC", "fixed MAC address; pod networking assigns it", ""),
            ("ipv4_address", N, "N2K-DOCKER-FIXED-IP", "fixed IPv4 address",
             "Use a Service (stable virtual IP) or your CNI's static-IP annotation."),
            ("ipv6_address", N, "N2K-DOCKER-FIXED-IP", "fixed IPv6 address",
             "Use a Service (stable virtual IP) or your CNI's static-IP annotation."),
            ("advertise_ipv6_address", D, "N2K-DOCKER-IPV6-ADVERTISE", "Consul address advertising", ""),
            ("network_aliases", C, "N2K-DOCKER-NETWORK-ALIASES", "network aliases: Service names play this role",
             "Add a Service per alias if clients use them."),
            ("network_alias", C, "N2K-DOCKER-NETWORK-ALIASES", "network alias: Service names play this role",
             "Add a Service if clients use it."),
            ("image_pull_secrets", N, "N2K-DOCKER-PULL-SECRETS", "registry credentials",
             "Create a docker-registry Secret and list it in the profile's image_pull_secrets."),
            ("memory_swap", D, "N2K-DOCKER-SWAP", "swap limit; Kubernetes swap is a node setting", ""),
            ("memory_swappiness", D, "N2K-DOCKER-SWAP", "swappiness; Kubernetes swap is a node setting", ""),
            ("container_exists_timeout", D, "N2K-DOCKER-EXISTS-TIMEOUT", "Nomad client timing", ""),
            ("readonly", D, "N2K-DROP-UNKNOWN", "not a docker driver option (readonly_rootfs is)", ""),
            ("ports_map", D, "N2K-DROP-UNKNOWN", "not a docker driver option (port_map is)", ""),
            ("port_map_legacy", D, "N2K-DROP-UNKNOWN", "not a docker driver option", ""),
            ("entrypoint_args", D, "N2K-DROP-UNKNOWN", "not a docker driver option (args is)", ""),
            ("command_args", D, "N2K-DROP-UNKNOWN", "not a docker driver option (args is)", ""),
        )
    ),
)


def apply_rows(ledger: Ledger, rows: tuple[Row, ...] = ROWS) -> None:
    """Give every unclaimed setting matching a row one entry per concrete block or key."""
    done: set[str] = set()
    for leaf in ledger.unclaimed():
        for row in rows:
            concrete = match_prefix(leaf, row.shape)
            if concrete is None:
                continue
            if concrete not in done and not ledger.is_claimed(concrete):
                ledger.record(row.status, row.code, concrete, row.message, suggestion=row.suggestion, k8s="-")
                done.add(concrete)
            break


def apply_catch_all(ledger: Ledger, unknown_prefixes: list[str]) -> None:
    """Last resort, so nothing is ever silent: unknown keys and settings no mapper claimed."""
    for leaf in ledger.unclaimed():
        unknown = next((p for p in unknown_prefixes if leaf == p or leaf.startswith(p + ".") or leaf.startswith(p + "[")), None)
        if unknown is not None:
            if not ledger.is_claimed(unknown):
                ledger.dropped("N2K-DROP-UNKNOWN", unknown, "setting not recognised by nomad2k8s", k8s="-",
                               suggestion="Check the spelling; Nomad may reject it too.")
            continue
        ledger.dropped("N2K-UNMAPPED", leaf, "known setting that no mapper handled (a nomad2k8s gap)", k8s="-",
                       suggestion="Please report it; carry it over by hand.")
