"""Template content and file templates: where the text comes from, its run-time references
and literals rewritten as the pod sees them, and the file it becomes (a ConfigMap key, or an
ExternalSecret template when it reads secrets).
"""

from __future__ import annotations

import posixpath
import re

from kubernetes import client as k8s

from nomad2k8s import fileaccess
from nomad2k8s.k8s.names import dns_label
from nomad2k8s.lang.consul_template import (
    NOMAD_VAR,
    VAULT_V2,
    Kept,
    Lit,
    RuntimeRef,
    SecretRange,
    SecretRef,
    Segment,
)
from nomad2k8s.ledger import Status, Target
from nomad2k8s.mapping.config.externalsecrets import secret_key_name
from nomad2k8s.mapping.config.template_objects import (
    GroupTemplates,
    TemplateAccount,
    container_target,
    remote_problem,
)
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.passes.pending import consul_item, consul_waiting_note, waiting_note
from nomad2k8s.mapping.storage.taskdirs import resolve
from nomad2k8s.model import Task, Template

_TASK_DIR_NOTES = tuple(f"{var} " for var in runtime.TASK_DIR_VARS)  # the notes of task-dir variables


def template_text(gctx: GroupContext, tpl: Template) -> tuple[str | None, str | None]:
    """(text, problem). `source` names a file on the Nomad client; the jobspec's directory is
    the only place it can be read from at conversion time."""
    if isinstance(tpl.data, str):
        return tpl.data, None
    if isinstance(tpl.source, str) and tpl.source:
        # Only inside the repository being converted (fileaccess); anything else is an error.
        text = None if tpl.source.startswith(("local/", "/local/")) else fileaccess.jobspec_file_text(
            tpl.source, gctx.job_ctx.source_file, gctx.job_ctx.source_root, "template source",
            tpl.nomad_path, tpl.line)
        if text is None:
            return None, (f"source {tpl.source!r} is read on the Nomad client (often an artifact); "
                          "its content is unknown here")
        return text, None
    return None, "template has neither data nor source"


def runtime_text(gctx: GroupContext, task: Task, seg: RuntimeRef, outcome: TemplateAccount) -> str | None:
    """A run-time reference in a file: a fixed text when Kubernetes makes it one, else None."""
    if seg.kind in ("service-addr", "service-port"):
        query = f"{seg.tag}.{seg.name}" if seg.tag else seg.name
        gctx.job_ctx.graph_ref("consul-service", service=seg.name, name=query, tag=seg.tag, path=outcome.path)
    if seg.kind == "service-addr":
        # The Nomad text stays until the batch pass (batch_consul.py) knows whether a converted job
        # provides the service: its Service's address, else the Consul DNS name (or the Nomad text).
        item = consul_item(query, seg.name, runtime.cluster_host(gctx, seg.name), seg.tag,
                           placeholder=seg.source, nomad=seg.nomad)
        outcome.decide(consul_waiting_note(item), pending=True)
        outcome.wait_for_consul(item)
        return None
    if seg.kind == "service-port":
        port = runtime.service_port(gctx, seg.name)
        if port is not None:
            outcome.worse(Status.CHANGED)
            return str(port)
        # The Nomad text stays (a complete expression, see tpltranslate); link_batch puts the port of
        # the Service in its place when the service is converted in the same batch.
        item = {"destination": seg.name, "host": runtime.cluster_host(gctx, seg.name), "placeholder": seg.source}
        outcome.decide(waiting_note(item), pending=True)
        outcome.wait_for(item)
        return None
    result = runtime.resolve(seg.name, gctx, task, mode="file")
    outcome.apply(result, "env {expr} is only known in the running task")
    return result.text


def rewrite_literals(gctx: GroupContext, task: Task, segments: list[Segment], outcome: TemplateAccount) -> list[Segment]:
    """Consul DNS names, upstream loopback addresses and `${NOMAD_*}` in the literal text -> what the pod
    sees (runtime.py, as for env values). Adjacent literals are joined first: a name can span several."""
    joined: list[Segment] = []
    for seg in segments:
        if isinstance(seg, Lit) and joined and isinstance(joined[-1], Lit):
            joined[-1] = Lit(joined[-1].text + seg.text)
        else:
            joined.append(seg)
    out: list[Segment] = []
    for seg in joined:
        if isinstance(seg, Lit) and runtime.needs_rewrite(seg.text):
            result = runtime.rewrite_text(seg.text, gctx, task, mode="file", where=outcome.path)
            outcome.apply(result, "`{expr}` is left as it is: only known in the running task, or no Kubernetes equivalent")
            seg = Lit(result.text)
        out.append(seg)
    return out


def kept_text(seg: Kept, outcome: TemplateAccount) -> str:
    what = seg.reason + (f" (default {seg.default!r})" if seg.default is not None else "")
    outcome.decide(f"kept verbatim `{seg.source}`: {what}")
    return seg.source


def _render_file(gctx: GroupContext, task: Task, segments: list[Segment], outcome: TemplateAccount, secret_key) -> str:
    """Text of the file; in ESO syntax when `secret_key` (ref -> data key) is given."""
    # In an ESO template every text that is not a secret reference is escaped: External Secrets would
    # otherwise evaluate a kept `{{ env "X" }}` with its own (Sprig) functions, in its controller.
    literal = eso_literal if secret_key is not None else (lambda text: text)
    out: list[str] = []
    for seg in segments:
        if isinstance(seg, Lit):
            out.append(literal(seg.text))
        elif isinstance(seg, SecretRef) and secret_key is not None:
            key = secret_key(seg)
            out.append(f"{{{{ .{key} }}}}" if re.fullmatch(r"[A-Za-z_]\w*", key) else f'{{{{ index . "{key}" }}}}')
        elif isinstance(seg, RuntimeRef):
            text = runtime_text(gctx, task, seg, outcome)
            out.append(literal(text if text is not None else seg.source))
        elif isinstance(seg, Kept):
            out.append(literal(kept_text(seg, outcome)))
        elif isinstance(seg, SecretRange):
            outcome.decide(f"kept verbatim `{seg.source}`: a loop over every key of a secret in a file")
            out.append(literal(seg.source))
        else:
            out.append("")
    return "".join(out)


def eso_literal(text: str) -> str:
    """`text` printed as is by ESO's Go template engine: each `{{` / `}}` becomes an action printing it."""
    if "{{" not in text and "}}" not in text:
        return text
    return text.replace("{{", "\x00").replace("}}", '{{ "}}" }}').replace("\x00", '{{ "{{" }}')


def destination(gctx: GroupContext, task: Task, tpl: Template) -> tuple[str, list[str]]:
    """The destination with its run-time variables (`${NOMAD_TASK_NAME}`, `${NOMAD_ALLOC_DIR}`...) filled
    in as the task sees them, and what was filled: a mountPath cannot hold `${...}`."""
    text = str(tpl.destination or "")
    if "${" not in text:
        return text, []
    result = runtime.rewrite_text(text, gctx, task, mode="file")
    # The task dirs keep their paths (/local, /secrets, /alloc): filling them in changes nothing.
    return result.text, [n.message for n in result.notes if n.status is not Status.NEEDS_DECISION
                         and not n.message.startswith(_TASK_DIR_NOTES)]


def file_key(tpl: Template, task: Task, taken: dict[str, str], text: str, dest: str) -> str:
    base = secret_key_name(posixpath.basename((dest or "template").rstrip("/")) or "template")
    key = base
    if key in taken and taken[key] != text:
        key = secret_key_name(f"{task.name}-{base}")
    n = 2
    while key in taken and taken[key] != text:
        key, n = f"{secret_key_name(task.name)}-{n}-{base}", n + 1
    return key


def file_mode(tpl: Template) -> int | None:
    if not tpl.is_set("perms") or tpl.perms is None:
        return None
    try:
        return int(str(tpl.perms), 8)
    except ValueError:
        return None


def file_template(gt: GroupTemplates, task: Task, container: k8s.V1Container, tpl: Template,
                   segments: list[Segment], outcome: TemplateAccount) -> None:
    gctx = gt.gctx
    dest = resolve(destination(gctx, task, tpl)[0])
    has_secret = any(isinstance(s, SecretRef) for s in segments)
    if has_secret:
        kinds = {s.source_kind for s in segments if isinstance(s, SecretRef)}
        kind = NOMAD_VAR if kinds == {NOMAD_VAR} else VAULT_V2
        keys: dict[SecretRef, str] = {}

        def secret_key(seg: SecretRef) -> str:
            if seg not in keys:
                _, keys[seg], remote = gt.secrets.secret_key(seg.path, seg.key, seg.source_kind)
                remote_problem(outcome, remote)
            return keys[seg]

        text = _render_file(gctx, task, segments, outcome, secret_key)
        secret_name, key = gt.secrets.file_key(kind, posixpath.basename(dest.container_path) or "template", text)
        volume = dns_label(f"tpl-{secret_name}")
        gt.secret_mounts.append((container, secret_name, key, dest.container_path))
        mode = file_mode(tpl)
        if mode is not None:
            gt.secret_modes[(secret_name, key)] = mode
        gctx.render_file(task.name, dest.container_path, volume, key, tpl.nomad_path)
        outcome.uses_secrets = True
        outcome.target = Target("ExternalSecret", secret_name, field=f"template {key}",
                                into=container_target(gctx, container, dest.container_path))
        outcome.note(Status.CHANGED, "rendered by External Secrets (template engine v2) into a Secret mounted at "
                     "the destination")
        return
    text = _render_file(gctx, task, segments, outcome, None)
    key = file_key(tpl, task, gt.config, text, dest.container_path)
    gt.config[key] = text
    mode = file_mode(tpl)
    if mode is not None:
        gt.config_modes[key] = mode
    gt.config_mounts.append((container, key, dest.container_path))
    gctx.render_file(task.name, dest.container_path, "nomad-templates", key, tpl.nomad_path)
    outcome.target = Target("ConfigMap", gt.configmap_name, field=f"key {key}",
                            into=container_target(gctx, container, dest.container_path))
    if tpl.change_mode in (None, "restart"):
        gt.restart_on_config = True
