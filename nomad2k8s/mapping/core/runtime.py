"""Nomad runtime values and Consul addresses -> what the pod sees in Kubernetes.

Public API (also used by the templates mapper for rendered file text):

    rewrite_text(text, gctx, task, mode="env") -> RewriteResult

`text` is an env value, an argument, or template text. It rewrites:
- Consul DNS names `<svc>.service.consul`, `<tag>.<svc>.service.<dc>.consul`, `<svc>.virtual.consul`: kept
  as written and listed in `consul` (pending.consul_item); the batch pass (passes/batch_consul.py) rewrites
  them to `<svc>.<namespace>.svc.<cluster_domain>` when a job of the batch emits the Service, else keeps them;
- Connect upstreams `${NOMAD_UPSTREAM_ADDR_<name>}` / `_IP_` / `_PORT_`, and `localhost:<bind port>` /
  `127.0.0.1:<bind port>` of a declared upstream -> `<svc>.<namespace>.svc.<cluster_domain>:<port>`; the port
  is the destination Service's when it is converted in the same job (or the same batch: `link_batch` in
  convert.py), else the bind port, reported in `pending` for the batch pass;
- `${...}` Nomad runtime variables -> their value in the pod, from the one variable table of
  mapping/core/interpolate.py (`Interpolator`).
In template text (mode="file") `${...}` is only touched when it names a NOMAD_* variable (Nomad does not
interpolate template text: other `${X}` belong to the file, e.g. a shell script's own variables), and values
that need `$(VAR)` expansion (only env and args have it) stay unresolved. Template actions (`{{ env "X" }}`)
are never read here: the template translator reads them from the parsed tree and calls `resolve(name, gctx,
task, mode)`, which translates one variable name the same way.

RewriteResult: `text` (rewritten), `notes` (Note(status, code, message)), `remaining` (expressions left
unresolved), `env_refs` (downward-API env vars the text now references: call `ensure_env_refs(container,
refs)`), `pending` (upstreams waiting for their destination's port), `consul` (Consul names waiting for the
batch). It folds nothing itself: `fold(acc,
result)` puts it on the ledger account of the row it fills (ledger/account.py: the worst status, the
parts of the message, the status once the batch pass has found every pending port); `folded(result)`
is that account detached, for callers that only want its message and status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from kubernetes import client as k8s

from nomad2k8s.k8s.names import env_name
from nomad2k8s.ledger import Account, Status, Target
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.interpolate import (  # noqa: F401 (re-exported: runtime is the public face)
    DOWNWARD,
    TASK_DIR_VARS,
    Interpolator,
    Note,
    Unresolved,
    cluster_host,
    group_upstreams,
    service_port,
)
from nomad2k8s.mapping.passes.pending import consul_item, consul_waiting_note, track
from nomad2k8s.model import Task, paths

_CONSUL = re.compile(r"(?<![\w.-])(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9-]+)\.(service|virtual)(?:\.([A-Za-z0-9-]+))?"
                     r"\.consul(?![\w-])")
_LOOPBACK = re.compile(r"(?<![\w.])(localhost|127\.0\.0\.1):(\d+)(?!\d)")


@dataclass
class RewriteResult:
    text: str
    notes: list[Note] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    env_refs: list[str] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)
    consul: list[dict] = field(default_factory=list)  # Consul names kept for the batch (pending.consul_item)

    @property
    def changed_text(self) -> bool:
        return bool(self.notes)

    @property
    def resolved(self) -> bool:
        return not self.remaining


def fold(acc: Account, result: RewriteResult) -> None:
    """Put a rewrite on the account of the row it fills: each note a part (a pending upstream port one
    the batch pass may settle), what is left unresolved one needs-decision part."""
    for note in result.notes:
        acc.note(note.status, note.message, pending=note.pending)
    if result.remaining:
        acc.note(Status.NEEDS_DECISION, "unresolved: " + ", ".join(result.remaining))
    for item in result.pending:
        acc.wait_for(item)
    for item in result.consul:
        acc.wait_for_consul(item)


def folded(result: RewriteResult) -> Account:
    """`result` on a detached account (nothing recorded): its `message` and `final_status`."""
    acc = Account(None, "", "")
    fold(acc, result)
    return acc


def uses_connect(gctx: GroupContext) -> bool:
    services = list(gctx.group.service) + [s for t in gctx.group.task for s in t.service]
    return any(s.connect is not None and s.connect.sidecar_service is not None for s in services)


class _Rewriter:
    """Text scanning around the Interpolator: `${...}`, Consul DNS names, upstream loopback addresses."""

    def __init__(self, gctx: GroupContext, task: Task | None, mode: str,
                 own_env: frozenset[str] = frozenset(), where: str = "") -> None:
        self.gctx = gctx
        self.where = where  # the Nomad path of the text, for the estate graph's evidence
        self.interp = Interpolator(gctx, task, mode, own_env)
        # The result shares the interpolator's lists: one record of what was filled in.
        self.result = RewriteResult(text="", notes=self.interp.notes, remaining=self.interp.remaining,
                                    env_refs=self.interp.env_refs, pending=self.interp.pending)
        self.upstreams = self.interp.upstreams
        self.note = self.interp.note

    def consul(self, match: re.Match) -> str:
        """A Consul DNS name stays as written here: only the batch knows whether a converted job provides
        its service (then batch_consul.py rewrites it to that Service's cluster address) or not (kept)."""
        tag, svc, kind, dc = match.groups()
        if svc.startswith("_") or (tag or "").startswith("_"):
            self.result.remaining.append(match.group(0))
            return match.group(0)
        self.gctx.job_ctx.graph_ref("consul-dns", service=svc, name=match.group(0), tag=tag, dc=dc, path=self.where)
        item = consul_item(match.group(0), svc, cluster_host(self.gctx, svc), tag, dc)
        if item not in self.result.consul:
            self.result.consul.append(item)
        self.note(Status.NEEDS_DECISION, "N2K-CONSUL-DNS", consul_waiting_note(item), pending=True)
        return match.group(0)

    def loopback_addr(self, match: re.Match) -> str:
        port = int(match.group(2))
        for up in self.upstreams:
            if up.bind_port == port:
                return self.interp.upstream_addr(up, "addr")
        return match.group(0)

    def run(self, text: str) -> RewriteResult:
        out = self.interp.substitute(text)
        out = _CONSUL.sub(self.consul, out)
        if self.upstreams:
            out = _LOOPBACK.sub(self.loopback_addr, out)
        self.result.text = out
        return self.result


def needs_rewrite(text: str) -> bool:
    """True when an env value holds something this module rewrites (or must report as unresolved)."""
    return "${" in text or bool(_CONSUL.search(text)) or bool(_LOOPBACK.search(text))


def rewrite_text(text: str, gctx: GroupContext, task: Task | None, mode: str = "env",
                 own_env: frozenset[str] = frozenset(), where: str = "") -> RewriteResult:
    """See the module docstring. `mode` is "env" (env values, args: `$(VAR)` works) or "file" (template text);
    `own_env`: the container's env var names `${VAR}` may name (args see every one of them); `where`: the
    Nomad path of the text (recorded with the Consul names it holds, for the estate graph)."""
    return _Rewriter(gctx, task, mode, own_env, where).run(text)


def resolve(name: str, gctx: GroupContext, task: Task | None, mode: str = "env") -> RewriteResult:
    """One variable `name` (as `env "name"` reads it): `text` is its value, or None when unresolved."""
    rewriter = _Rewriter(gctx, task, mode)
    try:
        rewriter.result.text = rewriter.interp.value(name)
    except Unresolved:
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


def map_runtime(gctx: GroupContext) -> None:
    """Rewrite env values, args and command of every container; record the env entries."""
    ledger = gctx.ledger
    mesh = uses_connect(gctx)
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is None:
            continue
        target = Target(gctx.kind, gctx.workload_name, container=container.name)
        refs: list[str] = []
        by_name = {e.name: e for e in container.env or []}
        for key, value in (task.env or {}).items():
            var = by_name.get(env_name(str(key)))
            if var is None or var.value is None:
                continue
            if not needs_rewrite(var.value):
                continue  # recorded by the task mapper
            path = paths.join(task.path_of("env"), str(key))
            result = rewrite_text(var.value, gctx, task, where=path)
            var.value = result.text
            refs += result.env_refs
            code = "N2K-ENV-RUNTIME" if result.remaining else "N2K-ENV-REWRITE" if result.changed_text else "N2K-ENV"
            with ledger.account(path, code, replace(target, field=f"env {var.name}"),
                                empty="environment variable") as acc:
                fold(acc, result)
                if result.remaining:
                    acc.suggest("Replace the remaining ${...} with a Kubernetes equivalent (Service DNS, $(VAR), "
                                "downward API).")
            assert acc.entry is not None
            track(gctx.job_ctx.pending_messages, acc.entry, acc.texts)
            if mesh and _LOOPBACK.search(result.text):
                _loopback_hint(gctx, path, target)
        own_env = frozenset(e.name for e in container.env or [])
        for attr, base in (("command", "command"), ("args", "args")):
            values = getattr(container, attr) or []
            rewritten = []
            for i, value in enumerate(values):
                result = rewrite_text(value, gctx, task, own_env=own_env,
                                      where=task.path_of("config") + f".{base}")
                rewritten.append(result.text)
                refs += result.env_refs
                if result.changed_text or result.remaining:
                    path = task.path_of("config") + f".{base}"
                    with ledger.account(path, "N2K-ARGS-REWRITE", replace(target, field=f"{attr}[{i}]"),
                                        what=f"{attr}[{i}]", claims=False) as acc:
                        fold(acc, result)
                    assert acc.entry is not None
                    track(gctx.job_ctx.pending_messages, acc.entry, acc.texts, head=acc.head)
            if values:
                setattr(container, attr, rewritten)
        ensure_env_refs(container, refs)


def _loopback_hint(gctx: GroupContext, path: str, target: Target) -> None:
    gctx.ledger.decide("N2K-MESH-LOOPBACK-BIND", path,
                       "loopback address in a Connect group: the app may bind 127.0.0.1 because Envoy fronted it",
                       target=target, suggestion="Without the sidecar the Service reaches the pod IP: bind 0.0.0.0.",
                       claims=False)
