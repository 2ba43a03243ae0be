"""Nomad service checks -> container probes.

A check becomes the readiness probe (a failing check takes the instance out of Consul, as a
failing readiness probe takes the pod out of its Service). It also becomes the liveness probe
only when `check_restart` is set: without it a failing Nomad check never restarts the task.
The probe goes to the container of the check's/service's `task`, else the container that owns
the port, else the first main container. A container has one readiness probe: the first check wins.
"""

from __future__ import annotations

import math
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.ledger import Status, Target
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import as_int, duration_seconds
from nomad2k8s.mapping.networking.portinfo import port_for
from nomad2k8s.model import Check, Service, Task
from nomad2k8s.model.blocks import CheckRestart

HTTP_TYPES = frozenset({"http", "https"})


def _seconds(value) -> int | None:
    seconds = duration_seconds(value)
    if seconds is None:
        return None
    return max(1, math.ceil(seconds))


def _container_for(gctx: GroupContext, service: Service, check: Check, owner: Task | None,
                   port_label: str | None) -> Task | None:
    by_name = {t.name: t for t in gctx.group.task if t.name in gctx.containers}
    for name in (check.task, service.task, owner.name if owner else None):
        if isinstance(name, str) and name in by_name:
            return by_name[name]
    info = port_for(gctx, port_label) if port_label else None
    if info is not None:
        for task_name in info.tasks:
            if task_name in by_name:
                return by_name[task_name]
        for task in by_name.values():
            ports = gctx.containers[task.name].ports or []
            if any(p.container_port == info.container_port for p in ports):
                return task
    mains = [t for t in gctx.main_tasks() if t.name in by_name]
    return mains[0] if mains else None


def _port(gctx: GroupContext, service: Service, check: Check, container: k8s.V1Container, task: Task):
    """(port for the probe: name or number, label) from the check's port, else the service's; the
    probed container's own port of that label."""
    raw = _probe_port_label(gctx, service, check)
    if raw is None:
        return None, None
    label = str(raw)
    info = port_for(gctx, label, task)
    if info is not None:
        name = info.name
        named = any(p.name == name for p in container.ports or [])
        return (name if named else info.container_port), label
    number = as_int(raw)
    return number, None


def _probe_port_label(gctx: GroupContext, service: Service, check: Check):
    """The check's port, else the service's. A check routed through Envoy (`expose = true`, or a port with
    `to = -1`) was served by the app on the service's port: the kubelet reaches the pod directly, so probe that."""
    raw = check.port if check.is_set("port") and check.port is not None else service.port
    info = port_for(gctx, str(raw)) if raw is not None else None
    if (info is not None and info.envoy_expose) or (check.expose is True and service.port is not None):
        return service.port
    return raw


def _is_init(task: Task) -> bool:
    return task.lifecycle is not None and task.lifecycle.hook == "prestart" and not task.lifecycle.sidecar


def map_checks(gctx: GroupContext, service: Service, owner: Task | None) -> None:
    live = [_map_check(gctx, service, check, owner) for check in service.check]
    restart = service.check_restart
    if restart is None:
        return
    # Nomad merges a service-level check_restart into each of the service's checks, field by field
    # (a check's own fields win).
    inherited = [f"check[{i}]" for i, made in enumerate(live) if made]
    merged = [f"check[{i}]" for i, made in enumerate(live) if made and service.check[i].check_restart is not None]
    path = service.path_of("check_restart")
    if inherited:
        gctx.ledger.mapped("N2K-CHECK-RESTART", path,
                           f"service-level check_restart applies to {', '.join(inherited)} -> livenessProbe"
                           + (f" (merged field by field with the own check_restart of {', '.join(merged)}: "
                              "the check's fields win)" if merged else
                              f" failureThreshold {max(1, as_int(restart.limit) or 1)}")
                           + ("; ignore_warnings has no equivalent (probes have no warning state)"
                              if restart.is_set("ignore_warnings") else ""),
                           k8s=f"{gctx.kind}/{gctx.workload_name} livenessProbe")
    else:
        gctx.ledger.dropped("N2K-CHECK-RESTART-UNUSED", path,
                            "service-level check_restart: no check of this service became a probe that inherits it",
                            k8s="-")


def _map_check(gctx: GroupContext, service: Service, check: Check, owner: Task | None) -> bool:
    """Map one check; True when it became a livenessProbe through the service-level check_restart."""
    ledger = gctx.ledger
    kind = (check.type or "").lower() if isinstance(check.type, str) else ""
    raw_label = str(_probe_port_label(gctx, service, check) or "")
    task = _container_for(gctx, service, check, owner, raw_label or None)
    if task is None or _is_init(task):
        ledger.decide("N2K-CHECK-NO-CONTAINER", check.nomad_path, "no running container to attach the check to",
                      k8s="-", suggestion="Add the probe to the right container by hand.")
        return False
    container = gctx.containers[task.name]
    target = Target(gctx.kind, gctx.workload_name, container=container.name)
    handled: set[str] = {"type"}
    field_note: tuple[Status, str] | None = None  # how the script command was rewritten, if it was
    if container.readiness_probe is not None:
        ledger.decide("N2K-CHECK-EXTRA", check.nomad_path,
                      f"container {container.name} already has a readiness probe from another check; "
                      "Kubernetes allows one per container", k8s="-",
                      suggestion="Merge the checks into one health endpoint, or keep this one as monitoring only.")
        return False
    probe = k8s.V1Probe()
    port, label = _port(gctx, service, check, container, task)
    if kind in HTTP_TYPES:
        if port is None:
            _no_port(gctx, check)
            return False
        action = k8s.V1HTTPGetAction(path=str(check.path or "/"), port=port)
        protocol = (check.protocol or ("https" if kind == "https" else "http")).lower()
        if protocol == "https":
            action.scheme = "HTTPS"
        headers = check.header or {}
        if headers:
            action.http_headers = [k8s.V1HTTPHeader(name=str(k), value=str(v[0] if isinstance(v, list) and v else v))
                                   for k, v in headers.items()]
        probe.http_get = action
        handled |= {"path", "port", "protocol", "header", "tls_skip_verify"}
        detail = f"httpGet {action.path} on {port}"
    elif kind == "tcp":
        if port is None:
            _no_port(gctx, check)
            return False
        probe.tcp_socket = k8s.V1TCPSocketAction(port=port)
        handled.add("port")
        detail = f"tcpSocket {port}"
    elif kind == "grpc":
        found = port_for(gctx, label, task) if label is not None else None
        number = found.container_port if found is not None else as_int(port)
        if number is None:
            _no_port(gctx, check)
            return False
        probe.grpc = k8s.V1GRPCAction(port=number, service=check.grpc_service or None)
        handled |= {"port", "grpc_service"}
        detail = f"grpc {number}"
    elif kind == "script":
        command = [str(check.command)] if check.command else []
        argv, field_note = _exec_command(gctx, task, container, command + [str(a) for a in check.args or []],
                                        check.path_of("command"))
        probe._exec = k8s.V1ExecAction(command=argv)
        handled |= {"command", "args"}
        detail = "exec " + " ".join(argv)
    else:
        ledger.decide("N2K-CHECK-TYPE", check.nomad_path, f"check type {kind or '?'!r} has no probe equivalent",
                      k8s="-", suggestion="Write a probe by hand (exec, httpGet, tcpSocket or grpc).")
        return False
    probe.period_seconds = _seconds(check.interval)
    probe.timeout_seconds = _seconds(check.timeout)
    handled |= {"interval", "timeout"}
    readiness = k8s.V1Probe(**{a: getattr(probe, a) for a in probe.attribute_map})
    if as_int(check.success_before_passing):
        readiness.success_threshold = as_int(check.success_before_passing)
    if as_int(check.failures_before_critical):
        readiness.failure_threshold = as_int(check.failures_before_critical)
    container.readiness_probe = readiness
    restart = _merged_restart(service.check_restart, check.check_restart)
    liveness = ""
    if restart is not None:
        live = k8s.V1Probe(**{a: getattr(probe, a) for a in probe.attribute_map})
        live.failure_threshold = max(1, as_int(restart[0]) or 1)
        grace = _seconds(restart[1])
        live.initial_delay_seconds = grace
        container.liveness_probe = live
        liveness = " and livenessProbe"
    if check.check_restart is not None:
        ledger.mapped("N2K-CHECK-RESTART", check.path_of("check_restart"),
                      f"check_restart -> livenessProbe failureThreshold {live.failure_threshold}"
                      + (f", initialDelaySeconds {grace}" if grace else "")
                      + ("; ignore_warnings has no equivalent (probes have no warning state)"
                         if check.check_restart.is_set("ignore_warnings") else ""),
                      target=target.at("livenessProbe"))
    status = _status(kind, check)
    if field_note is not None:
        status = Status.worst(status, field_note[0])
    ledger.record(
        status, "N2K-CHECK", check.path_of("type"),
        f"{kind} check -> readinessProbe{liveness} ({detail})"
        + ("" if restart is not None else "; no livenessProbe: without check_restart Nomad never restarts on a "
           "failing check"),
        target=target.at(f"readinessProbe{liveness}"),
        suggestion="" if restart is not None else "Add a livenessProbe if the app can hang without exiting.",
    )
    for name in sorted(handled - {"type"}):
        if not check.is_set(name):
            continue
        status, note = Status.MAPPED, ""
        if field_note is not None and name in ("command", "args"):
            status, note = field_note
        ledger.record(status, "N2K-CHECK-FIELD", check.path_of(name),
                      f"check {name} -> {_FIELDS.get(name, name)}" + (f"; {note}" if note else ""),
                      target=target.at(f"readinessProbe{liveness}"),
                      suggestion="Run the command through `sh -c` so it can read $POD_IP, or resolve the "
                      "remaining values by hand." if status is Status.NEEDS_DECISION else "")
    _rest(gctx, check, handled, target)
    return restart is not None and service.check_restart is not None


def _merged_restart(outer: CheckRestart | None, own: CheckRestart | None) -> tuple[Any, Any] | None:
    """(limit, grace) as Nomad computes them (api CheckRestart.Merge): the service-level block with the
    check's own fields over it -- a limit above 0 and a grace that is set win; None when neither is set."""
    if outer is None and own is None:
        return None
    limit = outer.limit if outer is not None else None
    grace = outer.grace if outer is not None else None
    if own is not None:
        if (as_int(own.limit) or 0) > 0:
            limit = own.limit
        if own.grace is not None:
            grace = own.grace
    return limit, grace


_FIELDS = {
    "path": "httpGet.path", "port": "probe port (named container port)", "protocol": "httpGet.scheme",
    "header": "httpGet.httpHeaders (first value of each header)", "tls_skip_verify":
    "HTTPS probes never verify certificates", "grpc_service": "grpc.service", "command": "exec.command",
    "args": "exec.command arguments", "interval": "periodSeconds", "timeout": "timeoutSeconds",
}


SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


def _exec_command(gctx: GroupContext, task: Task, container: k8s.V1Container,
                  argv: list[str], where: str = "") -> tuple[list[str], tuple[Status, str] | None]:
    """Nomad runtime values in a script check's argv. Exec probes have no `$(VAR)` expansion: values
    that need the downward API (pod IP) work only when the command is a shell (`sh -c`), read from
    the container's env as `${VAR}`; otherwise the argument is left as it was and needs a decision."""
    results = [runtime.rewrite_text(a, gctx, task, where=where) for a in argv]
    if not any(r.changed_text or r.remaining for r in results):
        return argv, None
    shell = bool(argv) and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1:2] == ["-c"]
    out, notes, status = [], [], Status.MAPPED
    for original, result in zip(argv, results):
        text = result.text
        if result.env_refs and not shell:
            out.append(original)
            notes.append(f"{original!r} needs the pod IP, but an exec probe does not expand $(VAR) and the "
                         "command is not a shell: left as it was")
            status = Status.NEEDS_DECISION
            continue
        for ref in result.env_refs:
            text = text.replace(f"$({ref})", "${" + ref + "}")  # shell expansion of the container env
        runtime.ensure_env_refs(container, result.env_refs)
        out.append(text)
        if result.changed_text or result.remaining:
            acc = runtime.folded(result)
            notes.append(acc.message + (" (read by the shell from the container env)" if result.env_refs else ""))
            status = Status.worst(status, acc.final_status)
    return out, (status, "; ".join(notes))



def _status(kind: str, check: Check) -> Status:
    if kind == "grpc" and check.grpc_use_tls:
        return Status.CHANGED
    return Status.MAPPED


def _no_port(gctx: GroupContext, check: Check) -> None:
    gctx.ledger.decide("N2K-CHECK-PORT", check.nomad_path, "the check's port is not a declared port label or number",
                       k8s="-", suggestion="Declare the port and add the probe by hand.")


# Check settings besides those the probe consumed: (status, code, message).
_REST: dict[str, tuple[str | None, str, str]] = {
    "name": ("mapped", "N2K-CHECK-NAME", "check name (probes are unnamed; kept in this report)"),
    "method": (None, "N2K-CHECK-METHOD", ""),
    "body": ("dropped", "N2K-CHECK-BODY", "probes send no request body"),
    "expose": ("mapped", "N2K-CHECK-EXPOSE",
               "expose made Envoy forward the check path; the kubelet probes the pod directly"),
    "grpc_use_tls": ("changed", "N2K-CHECK-GRPC-TLS", "gRPC probes do not use TLS"),
    "initial_status": ("dropped", "N2K-CHECK-INITIAL-STATUS",
                       "pods start not-ready until the first readiness success"),
    "address_mode": ("mapped", "N2K-CHECK-ADDRESS-MODE", "probes target the pod IP"),
    "task": ("mapped", "N2K-CHECK-TASK", "the probe is set on this task's container"),
    "success_before_passing": ("mapped", "N2K-CHECK-SUCCESS", "readinessProbe successThreshold"),
    "failures_before_critical": ("mapped", "N2K-CHECK-FAILURES", "readinessProbe failureThreshold"),
    "on_update": ("dropped", "N2K-CHECK-ON-UPDATE", "deployment health uses readiness; no per-check override"),
}


def _rest(gctx: GroupContext, check: Check, handled: set[str], target: Target) -> None:
    ledger = gctx.ledger
    for name in sorted((check.model_fields_set & set(type(check).model_fields)) - handled - {"label", "line", "check_restart"}):
        status, code, message = _REST.get(name, (None, "N2K-CHECK-OPTION", ""))
        if name == "method":
            method = str(check.method or "GET").upper()
            if method == "GET":
                ledger.mapped(code, check.path_of(name), "GET is the probe's method", target=target)
            else:
                ledger.changed(code, check.path_of(name), f"method {method}: HTTP probes always use GET",
                               target=target, suggestion="Make sure the path answers GET.")
        elif status is not None:
            ledger.record(Status(status), code, check.path_of(name), message, target=target)
        else:
            ledger.dropped("N2K-CHECK-OPTION", check.path_of(name), f"check {name} not used by this check type",
                           k8s="-")

