"""`periodic` -> CronJob schedule, time zone, overlap policy and suspension."""

from __future__ import annotations

from nomad2k8s.ledger import Status
from nomad2k8s.mapping.core.context import GroupContext

# Kubernetes accepts standard 5-field crons and these macros; Nomad also accepts a
# leading seconds field and a trailing year field, which Kubernetes cannot express.
_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


def _kubernetes_cron(expr: str) -> tuple[str | None, str]:
    text = " ".join(expr.split())
    if text in _MACROS:
        return text, ""
    fields = text.split(" ")
    if len(fields) == 5:
        return text, ""
    if len(fields) == 6 and fields[0] in ("0", "*"):
        return " ".join(fields[1:]), "leading seconds field dropped"
    if len(fields) in (6, 7):
        return None, f"{len(fields)}-field cron (seconds/years) has no Kubernetes equivalent"
    return None, "not a cron expression Kubernetes understands"


def map_periodic(gctx: GroupContext) -> None:
    job, ledger = gctx.job, gctx.ledger
    periodic = job.periodic
    if periodic is None or gctx.kind != "CronJob":
        return
    target = f"CronJob/{gctx.workload_name}"
    crons: list[tuple[str, str]] = []
    if periodic.is_set("cron") and periodic.cron:
        crons.append((periodic.cron, periodic.path_of("cron")))
    for i, expr in enumerate(periodic.crons or []):
        crons.append((expr, periodic.path_of("crons")))
    # Claims are made once per Nomad setting even when several groups share the periodic block.
    first_group = gctx is gctx.job_ctx.groups[0]
    schedule = None
    if crons:
        expr, path = crons[0]
        schedule, note = _kubernetes_cron(expr)
        if first_group:
            if schedule is None:
                ledger.decide("N2K-CRON-UNSUPPORTED", path, note, k8s=target,
                              suggestion="Rewrite the schedule as a 5-field cron expression.")
            elif len(crons) > 1:
                ledger.decide("N2K-CRON-MULTIPLE", path,
                              f"{len(crons)} schedules; a CronJob has one, the first is used",
                              k8s=f"{target} schedule: {schedule!r}",
                              suggestion="Copy the CronJob once per extra schedule: "
                              + "; ".join(c for c, _ in crons[1:]))
            elif note:
                ledger.changed("N2K-CRON-SECONDS", path, note, k8s=f"{target} schedule: {schedule!r}")
            else:
                ledger.mapped("N2K-CRON", path, "periodic schedule", k8s=f"{target} schedule: {schedule!r}")
    gctx.workload_spec.schedule = schedule or "0 0 31 2 *"
    if schedule is None:
        gctx.workload_spec.suspend = True  # never runs until a human writes the schedule
    if periodic.time_zone:
        gctx.workload_spec.time_zone = periodic.time_zone
        if first_group:
            ledger.mapped("N2K-CRON-TZ", periodic.path_of("time_zone"), "time zone",
                          k8s=f"{target} timeZone: {periodic.time_zone}")
    else:
        # Nomad evaluates a schedule without time_zone in UTC; a CronJob without timeZone uses the
        # controller manager's local zone, so the default is written out.
        gctx.workload_spec.time_zone = "Etc/UTC"
        if first_group:
            ledger.note(Status.MAPPED, "N2K-CRON-TZ-UTC", periodic.nomad_path,
                        "no time_zone: Nomad's default UTC written out", k8s=f"{target} timeZone: Etc/UTC")
    if periodic.is_set("prohibit_overlap"):
        policy = "Forbid" if periodic.prohibit_overlap else "Allow"
        gctx.workload_spec.concurrency_policy = policy
        if first_group:
            ledger.mapped("N2K-CRON-OVERLAP", periodic.path_of("prohibit_overlap"), "overlap policy",
                          k8s=f"{target} concurrencyPolicy: {policy}")
    if periodic.is_set("enabled"):
        if periodic.enabled is False:
            gctx.workload_spec.suspend = True
        if first_group:
            ledger.mapped("N2K-CRON-ENABLED", periodic.path_of("enabled"), "enabled flag",
                          k8s=f"{target} suspend: {periodic.enabled is False}")
