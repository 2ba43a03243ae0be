"""How tasks stop: kill_timeout, kill_signal, shutdown_delay (task and group).

Nomad stops a task as: deregister services, wait shutdown_delay (group, then task), send
kill_signal, wait kill_timeout (default 5s), SIGKILL. Kubernetes: run preStop, send SIGTERM
(or the image's STOPSIGNAL), SIGKILL when terminationGracePeriodSeconds (pod-wide, counted
from the start of preStop) runs out. So:
- shutdown_delay -> preStop sleep (the `sleep` handler from Kubernetes 1.30, else `sleep` in a shell);
- terminationGracePeriodSeconds = max over containers of (shutdown delays + kill_timeout), so the
  grace period covers the preStop sleep; set only when the jobspec states a timeout or a delay;
- kill_signal SIGTERM -> mapped; another signal -> preStop `kill -<SIG> 1` where the container
  visibly runs a shell (its command is sh/bash), else needs-decision (image STOPSIGNAL).
"""

from __future__ import annotations

import math

from kubernetes import client as k8s

from nomad2k8s.k8s.handlers import exec_handler
from nomad2k8s.ledger import Target
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import duration_seconds
from nomad2k8s.mapping.workload.lifecycle import version_tuple
from nomad2k8s.model import Task

NOMAD_DEFAULT_KILL_TIMEOUT = 5
KUBERNETES_DEFAULT_GRACE = 30
SLEEP_HANDLER_MIN = (1, 30)
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})


def _pod_containers(gctx: GroupContext) -> dict[str, k8s.V1Container]:
    """Task name -> container, for the containers actually in the pod."""
    # Run-to-completion init containers are over before the pod stops (and may not have hooks).
    sidecars = [c for c in gctx.pod_spec.init_containers or [] if c.restart_policy == "Always"]
    in_pod = {id(c) for c in (gctx.pod_spec.containers or []) + sidecars}
    return {name: c for name, c in gctx.containers.items() if id(c) in in_pod}


def _runs_shell(container: k8s.V1Container) -> bool:
    line = (container.command or []) + (container.args or [])
    return bool(line) and line[0].rsplit("/", 1)[-1] in SHELLS


def _signal_name(value: object) -> str:
    text = str(value).strip().upper()
    return text[3:] if text.startswith("SIG") else text


def _seconds(gctx: GroupContext, node, field: str, code: str) -> float | None:
    if not node.is_set(field) or getattr(node, field) is None:
        return None
    seconds = duration_seconds(getattr(node, field))
    if seconds is None:
        gctx.ledger.decide(code + "-UNRESOLVED", node.path_of(field), f"{field} is not a duration",
                           k8s=f"{gctx.kind}/{gctx.workload_name}", suggestion="Set it by hand.")
    return seconds


def _pre_stop(container: k8s.V1Container, handler: k8s.V1LifecycleHandler) -> bool:
    lifecycle = container.lifecycle or k8s.V1Lifecycle()
    if lifecycle.pre_stop is not None:
        return False  # a poststop hook already owns preStop
    lifecycle.pre_stop = handler
    container.lifecycle = lifecycle
    return True


def _claim_unemitted(gctx: GroupContext, pod: dict[str, k8s.V1Container]) -> None:
    init_ids = {id(c) for c in gctx.pod_spec.init_containers or []}
    inits = {name for name, c in gctx.containers.items() if id(c) in init_ids}
    for task in gctx.group.task:
        if task.name in pod:
            continue
        for field in ("kill_timeout", "kill_signal", "shutdown_delay"):
            path = task.path_of(field)
            if task.is_set(field) and not gctx.ledger.is_claimed(path):
                gctx.ledger.dropped("N2K-KILL-NOT-EMITTED", path, "init container: it has finished before the pod "
                                    "stops" if task.name in inits else "the task is not a container of the pod",
                                    k8s="-")


def map_shutdown(gctx: GroupContext) -> None:
    ledger, group = gctx.ledger, gctx.group
    pod = {} if gctx.skip else _pod_containers(gctx)
    _claim_unemitted(gctx, pod)
    if gctx.skip:
        if group.is_set("shutdown_delay") and not ledger.is_claimed(group.path_of("shutdown_delay")):
            ledger.dropped("N2K-KILL-NOT-EMITTED", group.path_of("shutdown_delay"), "no workload is emitted", k8s="-")
        return
    tasks = [t for t in group.task if t.name in pod]
    target = Target(gctx.kind, gctx.workload_name)
    group_seconds = _seconds(gctx, group, "shutdown_delay", "N2K-SHUTDOWN-DELAY")
    group_delay = group_seconds or 0.0
    sleep_handler = version_tuple(gctx.profile.kubernetes_version)[:2] >= SLEEP_HANDLER_MIN
    timeouts = {t.name: _seconds(gctx, t, "kill_timeout", "N2K-KILL-TIMEOUT") for t in tasks}
    totals: dict[str, float] = {}
    for task in tasks:
        container = pod[task.name]
        task_delay = _seconds(gctx, task, "shutdown_delay", "N2K-SHUTDOWN-DELAY")
        delay = group_delay + (task_delay or 0.0)
        signal = _signal_name(task.kill_signal) if task.is_set("kill_signal") and task.kill_signal else "TERM"
        _map_stop(gctx, task, container, delay, signal, sleep_handler, claim_delay=task_delay is not None)
        timeout = timeouts[task.name]
        totals[task.name] = delay + (timeout if timeout is not None else NOMAD_DEFAULT_KILL_TIMEOUT)
    grace = math.ceil(max(totals.values())) if totals else None
    stated = any(v is not None for v in timeouts.values())
    delayed = group_delay > 0 or any(t.is_set("shutdown_delay") for t in tasks)
    if grace is not None and (stated or (delayed and grace > KUBERNETES_DEFAULT_GRACE)):
        gctx.pod_spec.termination_grace_period_seconds = grace
    distinct = sorted({v for v in timeouts.values() if v is not None})
    for task in tasks:
        if timeouts[task.name] is None:
            continue
        shown = target.at(f"terminationGracePeriodSeconds: {gctx.pod_spec.termination_grace_period_seconds}")
        if len(distinct) > 1:
            ledger.changed("N2K-KILL-TIMEOUT", task.path_of("kill_timeout"),
                           "tasks have different kill timeouts; the pod has one grace period, the longest is used",
                           target=shown)
        else:
            note = " (+ shutdown_delay, which the grace period must cover)" if delayed else ""
            ledger.mapped("N2K-KILL-TIMEOUT", task.path_of("kill_timeout"), f"time to stop before SIGKILL{note}",
                          target=shown)
    if group.is_set("shutdown_delay") and group_delay:
        ledger.mapped("N2K-SHUTDOWN-DELAY", group.path_of("shutdown_delay"),
                      "delay before stopping every task -> preStop sleep in each container; the grace period covers it",
                      target=target.at(f"preStop sleep {math.ceil(group_delay)}s, terminationGracePeriodSeconds: "
                                       f"{gctx.pod_spec.termination_grace_period_seconds or KUBERNETES_DEFAULT_GRACE}"))
    elif group_seconds == 0:
        ledger.mapped("N2K-SHUTDOWN-DELAY", group.path_of("shutdown_delay"), "no delay", target=target)


def _map_stop(gctx: GroupContext, task: Task, container: k8s.V1Container, delay: float, signal: str,
              sleep_handler: bool, claim_delay: bool) -> None:
    ledger = gctx.ledger
    where = Target(gctx.kind, gctx.workload_name, container=container.name)
    seconds = math.ceil(delay)
    task_delay = claim_delay  # False when unset or already claimed as unresolved
    if signal != "TERM" and _runs_shell(container):
        script = (f"sleep {seconds}; " if seconds else "") + f"kill -{signal} 1"
        ok = _pre_stop(container, exec_handler(["/bin/sh", "-c", script]))
        ledger.changed("N2K-KILL-SIGNAL", task.path_of("kill_signal"),
                       f"SIG{signal} is sent by a preStop hook (`{script}`); Kubernetes then sends SIGTERM"
                       if ok else f"SIG{signal}: preStop is already used by a poststop hook; not carried",
                       target=where.at("lifecycle.preStop") if ok else where,
                       suggestion="" if ok else f"Set STOPSIGNAL SIG{signal} in the image.")
    elif signal != "TERM":
        ledger.decide("N2K-KILL-SIGNAL", task.path_of("kill_signal"),
                      f"Kubernetes stops containers with SIGTERM (or the image's STOPSIGNAL), not SIG{signal}; "
                      "the container has no visible shell for a preStop `kill`",
                      target=where, suggestion=f"Set STOPSIGNAL SIG{signal} in the image, or add a preStop exec "
                      f"hook running `kill -{signal} 1` if the image has a shell.")
        signal = "TERM"  # nothing emitted for it; the delay below still applies
    elif task.is_set("kill_signal"):
        ledger.mapped("N2K-KILL-SIGNAL", task.path_of("kill_signal"), "SIGTERM is what Kubernetes sends",
                      target=where)
    if seconds and signal == "TERM":
        if sleep_handler:
            handler = k8s.V1LifecycleHandler(sleep=k8s.V1SleepAction(seconds=seconds))
            shown = f"preStop sleep.seconds: {seconds}"
        else:
            handler = exec_handler(["sleep", str(seconds)])
            shown = f"preStop exec sleep {seconds}"
        ok = _pre_stop(container, handler)
        if task_delay:
            if ok and sleep_handler:
                ledger.mapped("N2K-SHUTDOWN-DELAY", task.path_of("shutdown_delay"),
                              "delay before the kill signal -> preStop sleep; the grace period covers it",
                              target=where.at(shown))
            elif ok:
                ledger.changed("N2K-SHUTDOWN-DELAY", task.path_of("shutdown_delay"),
                               "preStop runs `sleep` in the container (the sleep handler needs Kubernetes >= 1.30)",
                               target=where.at(shown), suggestion="The image must contain a `sleep` binary.")
            else:
                ledger.decide("N2K-SHUTDOWN-DELAY", task.path_of("shutdown_delay"),
                              "preStop is already used by a poststop hook; the delay is not carried", target=where)
    elif task_delay and signal == "TERM":
        ledger.mapped("N2K-SHUTDOWN-DELAY", task.path_of("shutdown_delay"), "no delay", target=where)
    elif task_delay:
        ledger.mapped("N2K-SHUTDOWN-DELAY", task.path_of("shutdown_delay"),
                      "delay before the kill signal -> `sleep` in the preStop hook that sends it", target=where)
