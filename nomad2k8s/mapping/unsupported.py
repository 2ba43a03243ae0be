"""Settings with no (or not yet a) Kubernetes mapping, as data.

Applied after every concept mapper: each parsed setting still unclaimed whose shape
matches a row gets that row's entry (one per concrete block/key the row names). Rows with
code N2K-PENDING-* are honest placeholders for concepts whose mapper is still to come;
replacing one means writing the mapper and deleting the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ledger import Ledger, Status
from .shapes import match_prefix


@dataclass(frozen=True)
class Row:
    shape: str
    status: Status
    code: str
    message: str
    suggestion: str = ""


D, N, C = Status.DROPPED, Status.NEEDS_DECISION, Status.CHANGED
PENDING = "not converted by nomad2k8s yet"

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
    Row("job.migrate", D, "N2K-DROP-MIGRATE", "node-drain migration: Kubernetes uses PodDisruptionBudgets",
        "Add a PodDisruptionBudget if drains must be gradual."),
    Row("job.group.migrate", D, "N2K-DROP-MIGRATE", "node-drain migration: Kubernetes uses PodDisruptionBudgets",
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
    Row("job.group.task.consul", D, "N2K-DROP-CONSUL-NS", "Consul namespace/cluster selection has no meaning without Consul"),
    Row("job.group.consul", D, "N2K-DROP-CONSUL-NS", "Consul namespace/cluster selection has no meaning without Consul"),
    Row("job.group.task.csi_plugin", N, "N2K-CSI-PLUGIN", "this task is a CSI plugin",
        "Install the driver's Kubernetes CSI deployment (Helm chart) instead of converting it."),
    Row("job.group.task.dispatch_payload", N, "N2K-DISPATCH-PAYLOAD", "dispatch payload file",
        "Pass the payload as a ConfigMap/Secret mounted into the Job."),
    Row("job.group.stop_after_client_disconnect", D, "N2K-DROP-DISCONNECT", "client disconnect handling is the node controller's"),
    Row("job.group.max_client_disconnect", D, "N2K-DROP-DISCONNECT", "client disconnect handling is the node controller's",
        "Tune tolerations for node.kubernetes.io/unreachable (tolerationSeconds)."),
    Row("job.group.disconnect", D, "N2K-DROP-DISCONNECT", "client disconnect handling is the node controller's",
        "Tune tolerations for node.kubernetes.io/unreachable (tolerationSeconds)."),
    Row("job.group.prevent_reschedule_on_lost", D, "N2K-DROP-DISCONNECT", "lost-allocation handling is the node controller's"),
    # Blocks Nomad allows once, repeated: the mappers convert the first one only.
    *(
        Row(shape, N, "N2K-BLOCK-REPEATED", "block given more than once; only the first is converted",
            "Merge the blocks into one (Nomad itself rejects or ignores the repeats).")
        for shape in ("job.update", "job.group.update", "job.group.restart", "job.group.task.restart",
                      "job.reschedule", "job.group.reschedule", "job.group.scaling", "job.parameterized")
    ),
    # Pending: concepts whose mappers are still to be written.
    Row("job.periodic", N, "N2K-PERIODIC-NOT-BATCH", "periodic only applies to batch jobs in Nomad",
        "Make the job a batch job to get a CronJob."),
    *(
        Row(f"job.group.task.config.{key}", N, "N2K-PENDING-DRIVER-OPTION", f"docker option {key} {PENDING}",
            "Carry it over by hand if the app depends on it.")
        for key in (
            "userns_mode", "uts_mode", "image_pull_timeout", "load", "storage_opt", "cpu_cfs_period", "oom_score_adj",
            "healthchecks", "pids_limit", "group_add", "isolation", "cpuset_cpus", "mac_address",
            "ipv4_address", "ipv6_address", "advertise_ipv6_address", "network_aliases",
            "image_pull_secrets", "ports_map", "memory_swap", "memory_swappiness", "cpu_cfs_quota",
            "cpu_shares", "cpu_period", "cpu_quota", "container_exists_timeout", "entrypoint_args", "network_alias",
            "port_map_legacy", "readonly", "command_args",
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
