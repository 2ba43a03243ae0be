"""Nomad runtime values and Consul addresses -> what the pod sees in Kubernetes.

Public API (also used by the templates mapper for rendered file text):

    rewrite_text(text, gctx, task, mode="env") -> RewriteResult

`text` is an env value, an argument, or template text. It rewrites:
- Consul DNS names `<svc>.service.consul`, `<tag>.<svc>.service.<dc>.consul`, `<svc>.virtual.consul`
  -> `<svc>.<namespace>.svc.<cluster_domain>` (`cluster_host`; profile cluster_domain);
- Connect upstreams `${NOMAD_UPSTREAM_ADDR_<name>}` / `_IP_` / `_PORT_`, and `localhost:<bind port>` /
  `127.0.0.1:<bind port>` of a declared upstream -> `<svc>.<namespace>.svc.<cluster_domain>:<port>`; the port
  is the destination Service's when it is converted in the same job (or the same batch: `link_batch` in
  convert.py), else the bind port, reported in `pending` for the batch pass;
- `${NOMAD_PORT_<label>}`/`${NOMAD_HOST_PORT_<label>}` -> the container port; `${NOMAD_ADDR_<label>}` ->
  `$(POD_IP):<port>`, `${NOMAD_IP_<label>}` -> `$(POD_IP)`; `${NOMAD_ALLOC_DIR}`/`TASK_DIR`/`SECRETS_DIR` ->
  /alloc, /local, /secrets; job/group/task names and `NOMAD_META_*` -> literals; `NOMAD_ALLOC_ID`/`NAME`/`INDEX`
  -> downward-API env vars referenced as `$(NAME)`.
In template text (mode="file": the literal text between the parsed actions; `{{ env "NOMAD_..." }}` actions
are resolved one by one through `resolve`, with the template's own delimiters) `${...}` is only touched when it
names a NOMAD_* variable (Nomad does not interpolate template text: other `${X}` belong to the file, e.g. a
shell script's own variables), and values that need `$(VAR)` expansion (only env and args have it) stay
unresolved. `resolve(name, gctx, task, mode)` translates one variable name the same way (templates use it
for `env "NAME"` calls).

RewriteResult: `text` (rewritten), `notes` (Note(status, code, message)), `remaining` (expressions left
unresolved), `env_refs` (downward-API env vars the text now references: call `ensure_env_refs(container,
refs)`), `pending` (upstreams waiting for their destination's port), `status` (worst note status,
needs-decision when anything remains), `linked_status` (the status once `link_batch` has found every
pending port).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kubernetes import client as k8s

from nomad2k8s.ledger import Status
from nomad2k8s.model import Task, paths
from nomad2k8s.mapping.storage import taskdirs
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.k8s.names import dns_label, env_name
from nomad2k8s.mapping.core import interpolate
from nomad2k8s.mapping.networking.upstreams import namespace_of
from nomad2k8s.mapping.passes.pending import track, waiting_note
from nomad2k8s.mapping.core.values import as_int

# Env vars filled from the downward API, referenced with Kubernetes `$(VAR)` dependent expansion.
DOWNWARD = {
    "POD_IP": "status.podIP",
    "NOMAD_ALLOC_ID": "metadata.uid",
    "NOMAD_ALLOC_NAME": "metadata.name",
    "NOMAD_ALLOC_INDEX": "metadata.labels['apps.kubernetes.io/pod-index']",
}
TASK_DIR_VARS = {"NOMAD_ALLOC_DIR": "alloc", "NOMAD_TASK_DIR": "local", "NOMAD_SECRETS_DIR": "secrets"}

_INTERP = re.compile(r"\$\{([^}]+)\}")
_CONSUL = re.compile(r"(?<![\w.-])(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9-]+)\.(service|virtual)(?:\.([A-Za-z0-9-]+))?"
                     r"\.consul(?![\w-])")
_LOOPBACK = re.compile(r"(?<![\w.])(localhost|127\.0\.0\.1):(\d+)(?!\d)")


@dataclass
class Note:
    status: Status
    code: str
    message: str
    pending: bool = False  # a bind port that link_batch replaces when the destination is in the batch


@dataclass
class RewriteResult:
    text: str
    notes: list[Note] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    env_refs: list[str] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)

    @property
    def changed_text(self) -> bool:
        return bool(self.notes)

    @property
    def status(self) -> Status:
        return self._worst(self.notes)

    @property
    def linked_status(self) -> Status:
        return self._worst([n for n in self.notes if not n.pending])

    @property
    def resolved(self) -> bool:
        return not self.remaining

    def _worst(self, notes: list[Note]) -> Status:
        if self.remaining:
            return Status.NEEDS_DECISION
        return Status.worst(note.status for note in notes)

    def message_parts(self) -> list[str]:
        parts = [n.message for n in self.notes]
        if self.remaining:
            parts.append("unresolved: " + ", ".join(self.remaining))
        return parts

    def message(self) -> str:
        return "; ".join(self.message_parts())


@dataclass(frozen=True)
class _Upstream:
    destination: str
    bind_port: int | None

    @property
    def key(self) -> str:
        return re.sub(r"[^A-Za-z0-9]", "_", self.destination).lower()


def group_upstreams(gctx: GroupContext) -> list[_Upstream]:
    out = []
    services = list(gctx.group.service) + [s for t in gctx.group.task for s in t.service]
    for service in services:
        sidecar = service.connect.sidecar_service if service.connect else None
        if sidecar is None or sidecar.proxy is None:
            continue
        out += [_Upstream(str(u.destination_name), as_int(u.local_bind_port))
                for u in sidecar.proxy.upstreams if u.destination_name]
    return out


def uses_connect(gctx: GroupContext) -> bool:
    services = list(gctx.group.service) + [s for t in gctx.group.task for s in t.service]
    return any(s.connect is not None and s.connect.sidecar_service is not None for s in services)


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


class _Rewriter:
    def __init__(self, gctx: GroupContext, task: Task | None, mode: str) -> None:
        self.gctx, self.task, self.mode = gctx, task, mode
        self.result = RewriteResult(text="")
        self.upstreams = group_upstreams(gctx)

    def note(self, status: Status, code: str, message: str, pending: bool = False) -> None:
        if not any(n.message == message for n in self.result.notes):
            self.result.notes.append(Note(status, code, message, pending))

    def ref(self, name: str) -> str:
        if self.mode != "env":
            raise _Unresolved
        if name not in self.result.env_refs:
            self.result.env_refs.append(name)
        return f"$({name})"

    def upstream_addr(self, up: _Upstream, part: str) -> str:
        host = cluster_host(self.gctx, up.destination)
        if part == "ip":
            self.note(Status.MAPPED, "N2K-UPSTREAM", f"upstream {up.destination} -> {host}")
            return host
        port = service_port(self.gctx, up.destination)
        if port is None:
            port = up.bind_port
            # Only a host:port text can be fixed by link_batch; a bare port stays a decision.
            fixable = part == "addr"
            pending = {"destination": up.destination, "host": host, "bind_port": up.bind_port}
            if fixable and pending not in self.result.pending:
                self.result.pending.append(pending)
            self.note(Status.NEEDS_DECISION, "N2K-UPSTREAM-PORT", waiting_note(pending), pending=fixable)
        else:
            self.note(Status.MAPPED, "N2K-UPSTREAM", f"upstream {up.destination} -> {host}:{port}")
        return f"{host}:{port}" if part == "addr" else str(port)

    def variable(self, name: str) -> str:
        gctx, task = self.gctx, self.task
        m = re.fullmatch(r"NOMAD_UPSTREAM_(ADDR|IP|PORT)_(.+)", name)
        if m:
            key = m.group(2).lower()
            for up in self.upstreams:
                if up.key == key:
                    return self.upstream_addr(up, m.group(1).lower())
            raise _Unresolved
        m = re.fullmatch(r"NOMAD_(HOST_)?(PORT|ADDR|IP)_(.+)", name)
        if m:
            info = gctx.ports.get(m.group(3))
            if info is None:
                raise _Unresolved
            port = str(info.container_port)
            if m.group(2) == "PORT":
                self.note(Status.MAPPED, "N2K-RUNTIME-PORT", f"{name} -> container port {port}")
                return port
            ip = self.ref("POD_IP")
            self.note(Status.MAPPED, "N2K-RUNTIME-ADDR", f"{name} -> pod IP (downward API status.podIP)")
            return f"{ip}:{port}" if m.group(2) == "ADDR" else ip
        if name in TASK_DIR_VARS:
            if task is not None:
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
        if name == "NOMAD_ALLOC_INDEX":
            why = (f"the pod-index label needs Kubernetes >= 1.28 (profile: {gctx.profile.kubernetes_version})"
                   if gctx.kind == "StatefulSet" else
                   f"a {gctx.kind} has no pod ordinal: run the group as a StatefulSet "
                   '(meta "nomad2k8s.workload" = "StatefulSet")')
            self.note(Status.NEEDS_DECISION, "N2K-RUNTIME-ALLOC-INDEX", f"NOMAD_ALLOC_INDEX: {why}")
            raise _Unresolved
        raise _Unresolved

    def literal(self, name: str) -> str | None:
        gctx, task, job = self.gctx, self.task, self.gctx.job
        values = interpolate.name_values(job, gctx.group, task, namespace_of(gctx))
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
        meta = interpolate.meta_values(job, gctx.group, task)
        if name in meta:
            self.note(Status.MAPPED, "N2K-RUNTIME-META", f"{name} -> its meta value")
            return meta[name]
        return None

    def consul(self, match: re.Match) -> str:
        tag, svc, kind, dc = match.groups()
        if svc.startswith("_") or (tag or "").startswith("_"):
            self.result.remaining.append(match.group(0))
            return match.group(0)
        host = cluster_host(self.gctx, svc)
        extra = []
        if tag:
            extra.append(f"tag filter {tag!r} dropped")
        if dc:
            extra.append(f"datacenter {dc!r} dropped")
        status = Status.CHANGED if extra else Status.MAPPED
        self.note(status, "N2K-CONSUL-DNS", f"{match.group(0)} -> {host}" + (f" ({', '.join(extra)})" if extra else ""))
        return host

    def loopback(self, match: re.Match) -> str:
        port = int(match.group(2))
        for up in self.upstreams:
            if up.bind_port == port:
                return self.upstream_addr(up, "addr")
        return match.group(0)

    def run(self, text: str) -> RewriteResult:
        def interp(match: re.Match) -> str:
            expr = match.group(1).strip()
            if self.mode == "file" and not re.fullmatch(r"NOMAD_\w+", expr):
                return match.group(0)
            try:
                return self.variable(expr)
            except _Unresolved:
                self.result.remaining.append(match.group(0))
                return match.group(0)

        # Template actions (`{{ env "NOMAD_X" }}`) are read from the parsed template, with its own
        # delimiters (lang/gotemplate.py); text given here is literal, so `{{ ... }}` in it stays as it is.
        out = _INTERP.sub(interp, text)
        out = _CONSUL.sub(self.consul, out)
        if self.upstreams:
            out = _LOOPBACK.sub(self.loopback, out)
        self.result.text = out
        return self.result


class _Unresolved(Exception):
    pass


POD_INDEX_LABEL_MIN = (1, 28)


def _pod_index_label(gctx: GroupContext) -> bool:
    """StatefulSet pods carry apps.kubernetes.io/pod-index from Kubernetes 1.28 on."""
    parts = [int(p) if p.isdigit() else 0 for p in gctx.profile.kubernetes_version.lstrip("v").split(".")[:2]]
    return tuple(parts) >= POD_INDEX_LABEL_MIN


def needs_rewrite(text: str) -> bool:
    """True when an env value holds something this module rewrites (or must report as unresolved)."""
    return "${" in text or bool(_CONSUL.search(text)) or bool(_LOOPBACK.search(text))


def rewrite_text(text: str, gctx: GroupContext, task: Task | None, mode: str = "env") -> RewriteResult:
    """See the module docstring. `mode` is "env" (env values, args: `$(VAR)` works) or "file" (template text)."""
    return _Rewriter(gctx, task, mode).run(text)


def resolve(name: str, gctx: GroupContext, task: Task | None, mode: str = "env") -> RewriteResult:
    """One variable `name` (as `env "name"` reads it): `text` is its value, or None when unresolved."""
    rewriter = _Rewriter(gctx, task, mode)
    try:
        rewriter.result.text = rewriter.variable(name)
    except _Unresolved:
        rewriter.result.remaining.append(name)
        rewriter.result.text = None  # type: ignore[assignment]
    return rewriter.result


def ensure_env_refs(container: k8s.V1Container, refs: list[str]) -> None:
    """Define the downward-API env vars `refs` first in the list: `$(VAR)` only sees earlier variables."""
    if not refs:
        return
    env = list(container.env or [])
    existing = {e.name for e in env}
    head = [k8s.V1EnvVar(name=name, value_from=k8s.V1EnvVarSource(
        field_ref=k8s.V1ObjectFieldSelector(field_path=DOWNWARD[name])))
        for name in DOWNWARD if name in refs and name not in existing]
    container.env = head + env


def pending_data(result: RewriteResult) -> dict | None:
    """Ledger entry data for the batch pass (mapping/passes/batch_upstreams.py): the upstreams waiting for a port, and the status then."""
    if not result.pending:
        return None
    return {"pending_upstreams": result.pending, "resolved_status": result.linked_status.value}


def map_runtime(gctx: GroupContext) -> None:
    """Rewrite env values, args and command of every container; record the env entries."""
    ledger = gctx.ledger
    mesh = uses_connect(gctx)
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is None:
            continue
        target = f"{gctx.kind}/{gctx.workload_name} container {container.name}"
        refs: list[str] = []
        by_name = {e.name: e for e in container.env or []}
        for key, value in (task.env or {}).items():
            var = by_name.get(env_name(str(key)))
            if var is None or var.value is None:
                continue
            if not needs_rewrite(var.value):
                continue  # recorded by the task mapper
            result = rewrite_text(var.value, gctx, task)
            path = paths.join(task.path_of("env"), str(key))
            var.value = result.text
            refs += result.env_refs
            code = "N2K-ENV-RUNTIME" if result.remaining else "N2K-ENV-REWRITE" if result.changed_text else "N2K-ENV"
            entry = ledger.record(result.status, code, path, result.message() or "environment variable",
                                  k8s=f"{target} env {var.name}",
                                  suggestion="Replace the remaining ${...} with a Kubernetes equivalent (Service "
                                  "DNS, $(VAR), downward API)." if result.remaining else "",
                                  data=pending_data(result))
            track(gctx.job_ctx.pending_messages, entry, result.message_parts())
            if mesh and _LOOPBACK.search(result.text):
                _loopback_hint(gctx, path, target)
        for attr, base in (("command", "command"), ("args", "args")):
            values = getattr(container, attr) or []
            rewritten = []
            for i, value in enumerate(values):
                result = rewrite_text(value, gctx, task)
                rewritten.append(result.text)
                refs += result.env_refs
                if result.changed_text or result.remaining:
                    path = task.path_of("config") + f".{base}"
                    entry = ledger.record(result.status, "N2K-ARGS-REWRITE", path, f"{attr}[{i}]: {result.message()}",
                                          k8s=f"{target} {attr}[{i}]", claims=False,
                                          data=pending_data(result))
                    track(gctx.job_ctx.pending_messages, entry, result.message_parts(), head=f"{attr}[{i}]: ")
            if values:
                setattr(container, attr, rewritten)
        ensure_env_refs(container, refs)


def _loopback_hint(gctx: GroupContext, path: str, target: str) -> None:
    gctx.ledger.decide("N2K-MESH-LOOPBACK-BIND", path,
                       "loopback address in a Connect group: the app may bind 127.0.0.1 because Envoy fronted it",
                       k8s=target, suggestion="Without the sidecar the Service reaches the pod IP: bind 0.0.0.0.",
                       claims=False)
