"""Nomad runtime values -> what the pod sees: the one variable table.

Every place that fills in a Nomad runtime variable asks an `Interpolator`: env values, args and
command (core/runtime.py), probe commands (networking/probes.py, through runtime), template text,
`env "X"` calls and destinations (config/template_*.py, through runtime), task-dir paths
(storage/taskdirs.py, TASK_DIR_VARS) and service names (networking/services.py). One table, so a
variable means the same thing in a service name as in the env value next to it.

The table (`Interpolator.value`):
- job/group/task names (`NOMAD_JOB_NAME`, `NOMAD_JOB_ID`, `NOMAD_GROUP_NAME`, `NOMAD_TASK_NAME`,
  `NOMAD_NAMESPACE`), and in service names Nomad's own `${JOB}`, `${TASKGROUP}`, `${TASK}`, `${BASE}`;
- `NOMAD_REGION`, `NOMAD_DC` when the job fixes them; `NOMAD_META_<key>` -> the job/group/task meta value;
- task dirs `NOMAD_TASK_DIR`/`NOMAD_LOCAL_DIR` -> /local, `NOMAD_SECRETS_DIR` -> /secrets,
  `NOMAD_ALLOC_DIR` -> /alloc (the emptyDir is created and mounted on use);
- ports `NOMAD_PORT_x`/`NOMAD_HOST_PORT_x` -> the container port, `NOMAD_ADDR_x`/`NOMAD_HOST_ADDR_x` ->
  `$(POD_IP):<port>`, `NOMAD_IP_x`/`NOMAD_HOST_IP_x` -> `$(POD_IP)`;
- upstreams `NOMAD_UPSTREAM_ADDR|IP|PORT_<name>` -> the destination Service's cluster address;
- `NOMAD_ALLOC_ID`/`NOMAD_SHORT_ALLOC_ID`/`NOMAD_ALLOC_NAME`/`NOMAD_ALLOC_INDEX` -> downward-API env vars.
Node attributes: `node.unique.name` / `attr.unique.hostname` -> `$(K8S_NODE_NAME)` (downward API spec.nodeName),
`attr.unique.network.ip-address` -> `$(K8S_HOST_IP)` (status.hostIP); other `${node.*}`, `${attr.*}`, `${meta.*}`
have no pod-side value: they stay unresolved. In args (`own_env`), `${VAR}` naming one of the task's own env
vars -> `$(VAR)`, as Nomad interpolates args with the task's environment.

Modes: "env" (env values, args: Kubernetes `$(VAR)` expansion exists), "file" (template text and
paths: no `$(VAR)`, and only NOMAD_* names are touched: other `${X}` belong to the file) and
"service" (service names: only values fixed at conversion time, anything else stays as written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nomad2k8s.k8s.names import dns_label, env_name
from nomad2k8s.ledger import Status
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import as_int, hcl_text
from nomad2k8s.mapping.networking.upstreams import namespace_of
from nomad2k8s.mapping.passes.pending import waiting_note
from nomad2k8s.model import Task

# Env vars filled from the downward API, referenced with Kubernetes `$(VAR)` dependent expansion.
DOWNWARD = {
    "POD_IP": "status.podIP",
    "NOMAD_ALLOC_ID": "metadata.uid",
    "NOMAD_ALLOC_NAME": "metadata.name",
    "NOMAD_ALLOC_INDEX": "metadata.labels['apps.kubernetes.io/pod-index']",
    "K8S_NODE_NAME": "spec.nodeName",  # K8S_: jobspecs often name their own var NODE_NAME
    "K8S_HOST_IP": "status.hostIP",
}
# Node attributes the pod can read: the node's name (the kubelet registers it as the hostname unless
# --hostname-override) and its IP.
NODE_ATTRIBUTES = {"node.unique.name": "K8S_NODE_NAME", "attr.unique.hostname": "K8S_NODE_NAME",
                   "attr.unique.network.ip-address": "K8S_HOST_IP"}
# Task-dir variables -> the task dir (storage/taskdirs.py) the container sees at /<dir>.
TASK_DIR_VARS = {"NOMAD_ALLOC_DIR": "alloc", "NOMAD_TASK_DIR": "local", "NOMAD_LOCAL_DIR": "local",
                 "NOMAD_SECRETS_DIR": "secrets"}
POD_INDEX_LABEL_MIN = (1, 28)

# The name holds no `$`/`{`: with `[^}]+`, every `${` of an unclosed run (`$${$${...`) rescanned to the end.
_INTERP = re.compile(r"\$\{([^}${]+)\}")
_UPSTREAM = re.compile(r"NOMAD_UPSTREAM_(ADDR|IP|PORT)_(.+)")
_PORT = re.compile(r"NOMAD_(HOST_)?(PORT|ADDR|IP)_(.+)")


@dataclass
class Note:
    status: Status
    code: str
    message: str
    pending: bool = False  # a bind port that link_batch replaces when the destination is in the batch


@dataclass(frozen=True)
class Upstream:
    destination: str
    bind_port: int | None

    @property
    def key(self) -> str:
        return re.sub(r"[^A-Za-z0-9]", "_", self.destination).lower()


class Unresolved(Exception):
    """The variable has no value the pod can see (in this mode)."""


def group_upstreams(gctx: GroupContext) -> list[Upstream]:
    out = []
    services = list(gctx.group.service) + [s for t in gctx.group.task for s in t.service]
    for service in services:
        sidecar = service.connect.sidecar_service if service.connect else None
        if sidecar is None or sidecar.proxy is None:
            continue
        out += [Upstream(str(u.destination_name), as_int(u.local_bind_port))
                for u in sidecar.proxy.upstreams if u.destination_name]
    return out


def cluster_host(gctx: GroupContext, service: str) -> str:
    """The cluster DNS name of a Service converted for `service` (profile cluster_domain)."""
    return f"{dns_label(service)}.{namespace_of(gctx)}.svc.{gctx.profile.cluster_domain}"


def service_port(gctx: GroupContext, service: str) -> int | None:
    """The first port of the Service converted for `service` in this job, if any."""
    name = dns_label(service)
    for group in gctx.job_ctx.groups:
        svc = group.services.get(name)
        if svc is not None and svc.spec.ports:
            return svc.spec.ports[0].port
    return None


def default_service_name(gctx: GroupContext, task: Task | None) -> str:
    # Nomad's own default: ${JOB}-${TASKGROUP}-${TASK} (group-level services omit the task).
    parts = [gctx.job.name, gctx.group.name] + ([task.name] if task is not None else [])
    return "-".join(parts)


def task_dir_prefix(path: str) -> tuple[str, str] | None:
    """(task dir, rest) when `path` starts with a task-dir variable (`${NOMAD_TASK_DIR}/x` -> ("local", "/x"))."""
    for var, task_dir in TASK_DIR_VARS.items():
        if path.startswith("${" + var + "}"):
            return task_dir, path[len(var) + 3:]
    return None


def _pod_index_label(gctx: GroupContext) -> bool:
    """StatefulSet pods carry apps.kubernetes.io/pod-index from Kubernetes 1.28 on."""
    parts = [int(p) if p.isdigit() else 0 for p in gctx.profile.kubernetes_version.lstrip("v").split(".")[:2]]
    return tuple(parts) >= POD_INDEX_LABEL_MIN


class Interpolator:
    """Fills in Nomad runtime variables for one task (or a group-level service: task None).

    What it did is collected for the caller's ledger entry: `notes`, `remaining` (expressions left
    as written), `env_refs` (downward-API env vars the text references) and `pending` (upstreams
    waiting for their destination's port, for convert.link_batch)."""

    def __init__(self, gctx: GroupContext, task: Task | None, mode: str = "env",
                 own_env: frozenset[str] = frozenset()) -> None:
        self.gctx, self.task, self.mode = gctx, task, mode
        self.own_env = own_env
        self.notes: list[Note] = []
        self.remaining: list[str] = []
        self.env_refs: list[str] = []
        self.pending: list[dict] = []
        self.upstreams = group_upstreams(gctx)

    def note(self, status: Status, code: str, message: str, pending: bool = False) -> None:
        if not any(n.message == message for n in self.notes):
            self.notes.append(Note(status, code, message, pending))

    def substitute(self, text: str) -> str:
        """`text` with every `${...}` the mode allows filled in; the rest stays and is listed in `remaining`."""
        def one(match: re.Match) -> str:
            expr = match.group(1).strip()
            if self.mode == "file" and not re.fullmatch(r"NOMAD_\w+", expr):
                return match.group(0)
            try:
                return self.value(expr)
            except Unresolved:
                self.remaining.append(match.group(0))
                return match.group(0)

        return _INTERP.sub(one, text)

    def value(self, name: str) -> str:
        """The value of variable `name` as the pod sees it; raises Unresolved when it has none."""
        gctx, task = self.gctx, self.task
        if self.mode == "service":
            names = {"JOB": gctx.job.name, "TASKGROUP": gctx.group.name, "BASE": default_service_name(gctx, task)}
            if task is not None:
                names["TASK"] = task.name
            if name in names:
                return names[name]
        m = _UPSTREAM.fullmatch(name)
        if m:
            key = m.group(2).lower()
            for up in self.upstreams:
                if up.key == key:
                    return self.upstream_addr(up, m.group(1).lower())
            raise Unresolved
        m = _PORT.fullmatch(name)
        if m:
            info = gctx.ports.get(m.group(3))
            if info is None:
                raise Unresolved
            if task is not None and task.name in info.copies:  # the task's own port of that label
                info = info.copies[task.name]
            port = str(info.container_port)
            if m.group(2) == "PORT":
                self.note(Status.MAPPED, "N2K-RUNTIME-PORT", f"{name} -> container port {port}")
                return port
            ip = self.ref("POD_IP")
            self.note(Status.MAPPED, "N2K-RUNTIME-ADDR", f"{name} -> pod IP (downward API status.podIP)")
            return f"{ip}:{port}" if m.group(2) == "ADDR" else ip
        if name in TASK_DIR_VARS:
            if self.mode == "service":
                raise Unresolved
            if task is not None:
                from nomad2k8s.mapping.storage import (
                    taskdirs,  # taskdirs reads TASK_DIR_VARS from here
                )

                taskdirs.ensure_task_dir(gctx, task, TASK_DIR_VARS[name])
            self.note(Status.MAPPED, "N2K-RUNTIME-DIR", f"{name} -> /{TASK_DIR_VARS[name]}")
            return f"/{TASK_DIR_VARS[name]}"
        literal = self.literal(name)
        if literal is not None:
            return literal
        if name in ("NOMAD_ALLOC_ID", "NOMAD_SHORT_ALLOC_ID", "NOMAD_ALLOC_NAME"):
            target = "NOMAD_ALLOC_NAME" if name == "NOMAD_ALLOC_NAME" else "NOMAD_ALLOC_ID"
            value = self.ref(target)
            self.note(Status.CHANGED, "N2K-RUNTIME-ALLOC",
                      f"{name} -> pod {'name' if target == 'NOMAD_ALLOC_NAME' else 'uid'} (downward API)")
            return value
        if name == "NOMAD_ALLOC_INDEX" and gctx.kind == "StatefulSet" and _pod_index_label(gctx):
            value = self.ref("NOMAD_ALLOC_INDEX")
            self.note(Status.MAPPED, "N2K-RUNTIME-ALLOC-INDEX", "NOMAD_ALLOC_INDEX -> StatefulSet pod ordinal "
                      "(label apps.kubernetes.io/pod-index)")
            return value
        if name in NODE_ATTRIBUTES and self.mode != "service":
            value = self.ref(NODE_ATTRIBUTES[name])
            self.note(Status.CHANGED, "N2K-RUNTIME-NODE", f"{name} -> the pod's node "
                      f"({DOWNWARD[NODE_ATTRIBUTES[name]]}, downward API)")
            return value
        if name in self.own_env and self.mode == "env":
            self.note(Status.MAPPED, "N2K-RUNTIME-ENV", f"{name} -> $({name}) (the task's own env var)")
            return self.ref(name)
        if name == "NOMAD_ALLOC_INDEX" and self.mode != "service":
            why = (f"the pod-index label needs Kubernetes >= 1.28 (profile: {gctx.profile.kubernetes_version})"
                   if gctx.kind == "StatefulSet" else
                   f"a {gctx.kind} has no pod ordinal: run the group as a StatefulSet "
                   '(meta "nomad2k8s.workload" = "StatefulSet")')
            self.note(Status.NEEDS_DECISION, "N2K-RUNTIME-ALLOC-INDEX", f"NOMAD_ALLOC_INDEX: {why}")
        raise Unresolved

    def literal(self, name: str) -> str | None:
        """Values fixed at conversion time: names, region/datacenter, meta."""
        gctx, task, job = self.gctx, self.task, self.gctx.job
        values = {"NOMAD_JOB_NAME": job.name, "NOMAD_JOB_ID": job.name, "NOMAD_GROUP_NAME": gctx.group.name,
                  "NOMAD_NAMESPACE": namespace_of(gctx)}
        if task is not None:
            values["NOMAD_TASK_NAME"] = task.name
        if name in values:
            self.note(Status.MAPPED, "N2K-RUNTIME-NAME", f"{name} -> {values[name]!r}")
            return values[name]
        if name == "NOMAD_REGION" and isinstance(job.region, str) and "${" not in job.region:
            self.note(Status.CHANGED, "N2K-RUNTIME-REGION", f"NOMAD_REGION -> the job's region {job.region!r}")
            return job.region
        dcs = job.datacenters if isinstance(job.datacenters, list) else [job.datacenters] if job.datacenters else []
        if name == "NOMAD_DC" and len(dcs) == 1 and "*" not in str(dcs[0]) and "${" not in str(dcs[0]):
            self.note(Status.CHANGED, "N2K-RUNTIME-DC", f"NOMAD_DC -> the job's only datacenter {dcs[0]!r}")
            return str(dcs[0])
        if name.startswith("NOMAD_META_"):
            key = name[len("NOMAD_META_"):]
            merged: dict = {}
            for block in (job.meta or {}, gctx.group.meta or {}, (task.meta if task else None) or {}):
                merged.update({env_name(str(k)): v for k, v in block.items()})
            if key in merged:
                self.note(Status.MAPPED, "N2K-RUNTIME-META", f"{name} -> its meta value")
                return hcl_text(merged[key])
        return None

    def ref(self, name: str) -> str:
        """`$(name)`, a downward-API env var: only env values and args expand it."""
        if self.mode != "env":
            raise Unresolved
        if name not in self.env_refs:
            self.env_refs.append(name)
        return f"$({name})"

    def upstream_addr(self, up: Upstream, part: str) -> str:
        host = cluster_host(self.gctx, up.destination)
        if part == "ip":
            self.note(Status.MAPPED, "N2K-UPSTREAM", f"upstream {up.destination} -> {host}")
            return host
        port = service_port(self.gctx, up.destination)
        if port is None:
            if self.mode == "service":
                raise Unresolved
            port = up.bind_port
            # Only a host:port text can be fixed by link_batch; a bare port stays a decision.
            fixable = part == "addr"
            pending = {"destination": up.destination, "host": host, "bind_port": up.bind_port}
            if fixable and pending not in self.pending:
                self.pending.append(pending)
            self.note(Status.NEEDS_DECISION, "N2K-UPSTREAM-PORT", waiting_note(pending), pending=fixable)
        else:
            self.note(Status.MAPPED, "N2K-UPSTREAM", f"upstream {up.destination} -> {host}:{port}")
        return f"{host}:{port}" if part == "addr" else str(port)
