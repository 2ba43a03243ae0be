"""Task `template` blocks -> ConfigMap files, env vars, and ExternalSecrets.

- a file with no secret -> a key of the workload's ConfigMap `<workload>-config`, mounted with
  subPath at the destination (task-dir paths resolved by taskdirs.resolve);
- a file that mixes secrets into text -> a `target.template` entry of the workload's
  ExternalSecret (ESO syntax), mounted from the Secret it creates;
- an env template -> env vars: static lines as values, secret lines as secretKeyRef,
  composite lines as `$(VAR)` expansions of a helper var holding the secret.

Runs before the storage mappers: every rendered file is registered in gctx.rendered_files
so a docker bind mount of `local/x` can mount the same volume key elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from kubernetes import client as k8s

from nomad2k8s import fileaccess
from nomad2k8s.ledger import Status
from nomad2k8s.model import Task, Template, paths
from nomad2k8s.lang.gotemplate import TemplateError
from nomad2k8s.lang import envparse as envfile
from nomad2k8s.mapping.config import nomad_env
from nomad2k8s.mapping.config import plaintext
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.config.externalsecrets import ExternalSecrets, RemoteRef, secret_key_name
from nomad2k8s.k8s.names import dns_label, env_name
from nomad2k8s.mapping.core.podspec import add_env, add_mount, add_volume
from nomad2k8s.mapping.storage.taskdirs import resolve
from nomad2k8s.mapping.core.values import unresolved_reference, unresolved_suggestion
from nomad2k8s.mapping.passes.pending import track, waiting_note
from nomad2k8s.lang.consul_template import NOMAD_VAR, VAULT_V2, Kept, Lit, RangeKey, RangeValue, RuntimeRef, SecretRange, SecretRef, Segment, Translation, translate

CHECKSUM_ANNOTATION = "checksum/config"
_TASK_DIR_VARS = ("NOMAD_TASK_DIR ", "NOMAD_LOCAL_DIR ", "NOMAD_SECRETS_DIR ", "NOMAD_ALLOC_DIR ")
_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass
class Outcome:
    """What became of one template's content, for its ledger entry."""

    status: Status = Status.MAPPED
    k8s: str = ""
    notes: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    uses_secrets: bool = False
    pending: list[dict] = field(default_factory=list)  # upstreams whose port link_batch may find
    pending_decisions: list[str] = field(default_factory=list)  # the decisions those ports settle
    suggestion: str = ""  # a specific way to settle the decisions, ahead of the generic one

    def worse(self, status: Status) -> None:
        self.status = Status.worst(self.status, status)

    def apply(self, result: runtime.RewriteResult, unresolved: str) -> None:
        """Record a runtime rewrite: each rewrite listed (changed), what is left a decision."""
        for note in result.notes:
            if note.status is Status.NEEDS_DECISION:
                self.decisions.append(note.message)
                if note.pending:
                    self.pending_decisions.append(note.message)
            else:
                self.worse(Status.CHANGED)
                self.notes.append(note.message)
        self.decisions += [unresolved.format(expr=expr) for expr in result.remaining]
        self.pending += [p for p in result.pending if p not in self.pending]


@dataclass
class GroupTemplates:
    gctx: GroupContext
    secrets: ExternalSecrets
    config: dict[str, str] = field(default_factory=dict)  # ConfigMap key -> text
    config_modes: dict[str, int] = field(default_factory=dict)
    secret_modes: dict[tuple[str, str], int] = field(default_factory=dict)
    config_mounts: list[tuple[k8s.V1Container, str, str]] = field(default_factory=list)
    secret_mounts: list[tuple[k8s.V1Container, str, str, str]] = field(default_factory=list)
    restart_on_config: bool = False
    refs: dict[tuple[str, str], dict] = field(default_factory=dict)  # (kind, path) -> live-check reference

    @property
    def configmap_name(self) -> str:
        return template_configmap(self.gctx)

    def note_ref(self, kind: str, path: str, nomad_path: str, key: str | None = None, whole: bool = False) -> None:
        ref = self.refs.setdefault((kind, path), {"kind": kind, "path": path, "keys": [], "range": False,
                                                  "nomad_paths": []})
        if key is not None and key not in ref["keys"]:
            ref["keys"].append(key)
        ref["range"] = ref["range"] or whole
        if nomad_path not in ref["nomad_paths"]:
            ref["nomad_paths"].append(nomad_path)


def template_configmap(gctx: GroupContext) -> str:
    """Name of the workload's ConfigMap of rendered template files."""
    return dns_label(f"{gctx.workload_name}-config", max_len=253)


def _target(gctx: GroupContext, container: k8s.V1Container) -> str:
    return f"{gctx.kind}/{gctx.workload_name} container {container.name}"


# Content ------------------------------------------------------------------------------------
def _template_text(gctx: GroupContext, tpl: Template) -> tuple[str | None, str | None]:
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


def _secret_path_for_plaintext(gctx: GroupContext) -> str:
    """Where a clear-text secret should move: the job's own KV v2 path in the store's mount."""
    namespace = gctx.job.namespace if isinstance(gctx.job.namespace, str) and gctx.job.namespace else "default"
    return f"{gctx.profile.secrets.kv_mount.strip('/')}/data/{namespace}/{gctx.job.name}"


def _split_plaintext(gctx: GroupContext, segments: list[Segment]) -> tuple[list[Segment], list[str]]:
    """Replace clear-text secret values in literal text by references to a Vault key."""
    out: list[Segment] = []
    names: list[str] = []
    path = _secret_path_for_plaintext(gctx)
    for seg in segments:
        if isinstance(seg, (Kept, SecretRange)) and plaintext.find_in_text(seg.source):
            # Kept text is copied for the reviewer: its clear-text secrets are not.
            source, found = seg.source, plaintext.find_in_text(seg.source)
            for start, end, name in reversed(found):
                source = source[:start] + f"<secret moved to Vault key {name}>" + source[end:]
            names += [name for _, _, name in found]
            out.append(replace(seg, source=source))
            continue
        if not isinstance(seg, Lit):
            out.append(seg)
            continue
        pos = 0
        for start, end, name in plaintext.find_in_text(seg.text):
            out.append(Lit(seg.text[pos:start]))
            out.append(SecretRef(path, name, VAULT_V2, "<clear text>"))
            names.append(name)
            pos = end
        out.append(Lit(seg.text[pos:]))
    return [s for s in out if not (isinstance(s, Lit) and s.text == "")], names


# Files --------------------------------------------------------------------------------------
def _runtime_text(gctx: GroupContext, task: Task, seg: RuntimeRef, outcome: Outcome) -> str | None:
    """A run-time reference in a file: a fixed text when Kubernetes makes it one, else None."""
    if seg.kind == "service-addr":
        host = runtime.cluster_host(gctx, seg.name)
        outcome.worse(Status.CHANGED)
        outcome.notes.append(f"service {seg.name} -> {host}")
        return host
    if seg.kind == "service-port":
        port = runtime.service_port(gctx, seg.name)
        if port is not None:
            outcome.worse(Status.CHANGED)
            return str(port)
        # The Nomad text stays (a complete expression, see tpltranslate); link_batch puts the port of
        # the Service in its place when the service is converted in the same batch.
        item = {"destination": seg.name, "host": runtime.cluster_host(gctx, seg.name), "placeholder": seg.source}
        message = waiting_note(item)
        outcome.decisions.append(message)
        outcome.pending_decisions.append(message)
        if item not in outcome.pending:
            outcome.pending.append(item)
        return None
    result = runtime.resolve(seg.name, gctx, task, mode="file")
    outcome.apply(result, "env {expr} is only known in the running task")
    return result.text


def _rewrite_literals(gctx: GroupContext, task: Task, segments: list[Segment], outcome: Outcome) -> list[Segment]:
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
            result = runtime.rewrite_text(seg.text, gctx, task, mode="file")
            outcome.apply(result, "`{expr}` is left as it is: only known in the running task, or no Kubernetes equivalent")
            seg = Lit(result.text)
        out.append(seg)
    return out


def _kept(seg: Kept, outcome: Outcome) -> str:
    what = seg.reason + (f" (default {seg.default!r})" if seg.default is not None else "")
    outcome.decisions.append(f"kept verbatim `{seg.source}`: {what}")
    return seg.source


def _render_file(gctx: GroupContext, task: Task, segments: list[Segment], outcome: Outcome, secret_key) -> str:
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
            text = _runtime_text(gctx, task, seg, outcome)
            out.append(literal(text if text is not None else seg.source))
        elif isinstance(seg, Kept):
            out.append(literal(_kept(seg, outcome)))
        elif isinstance(seg, SecretRange):
            outcome.decisions.append(f"kept verbatim `{seg.source}`: a loop over every key of a secret in a file")
            out.append(literal(seg.source))
        else:
            out.append("")
    return "".join(out)


def eso_literal(text: str) -> str:
    """`text` printed as is by ESO's Go template engine: each `{{` / `}}` becomes an action printing it."""
    if "{{" not in text and "}}" not in text:
        return text
    return text.replace("{{", "\x00").replace("}}", '{{ "}}" }}').replace("\x00", '{{ "{{" }}')


def _destination(gctx: GroupContext, task: Task, tpl: Template) -> tuple[str, list[str]]:
    """The destination with its run-time variables (`${NOMAD_TASK_NAME}`, `${NOMAD_ALLOC_DIR}`...) filled
    in as the task sees them, and what was filled: a mountPath cannot hold `${...}`."""
    text = str(tpl.destination or "")
    if "${" not in text:
        return text, []
    result = runtime.rewrite_text(text, gctx, task, mode="file")
    # The task dirs keep their paths (/local, /secrets, /alloc): filling them in changes nothing.
    return result.text, [n.message for n in result.notes if n.status is not Status.NEEDS_DECISION
                         and not n.message.startswith(_TASK_DIR_VARS)]


def _file_key(tpl: Template, task: Task, taken: dict[str, str], text: str, dest: str) -> str:
    base = secret_key_name(posixpath.basename((dest or "template").rstrip("/")) or "template")
    key = base
    if key in taken and taken[key] != text:
        key = secret_key_name(f"{task.name}-{base}")
    n = 2
    while key in taken and taken[key] != text:
        key, n = f"{secret_key_name(task.name)}-{n}-{base}", n + 1
    return key


def _mode(tpl: Template) -> int | None:
    if not tpl.is_set("perms") or tpl.perms is None:
        return None
    try:
        return int(str(tpl.perms), 8)
    except ValueError:
        return None


def _file_template(gt: GroupTemplates, task: Task, container: k8s.V1Container, tpl: Template,
                   segments: list[Segment], outcome: Outcome) -> None:
    gctx = gt.gctx
    dest = resolve(_destination(gctx, task, tpl)[0])
    has_secret = any(isinstance(s, SecretRef) for s in segments)
    if has_secret:
        kinds = {s.source_kind for s in segments if isinstance(s, SecretRef)}
        kind = NOMAD_VAR if kinds == {NOMAD_VAR} else VAULT_V2
        keys: dict[SecretRef, str] = {}

        def secret_key(seg: SecretRef) -> str:
            if seg not in keys:
                _, keys[seg], remote = gt.secrets.secret_key(seg.path, seg.key, seg.source_kind)
                _remote_problem(outcome, remote)
            return keys[seg]

        text = _render_file(gctx, task, segments, outcome, secret_key)
        secret_name, key = gt.secrets.file_key(kind, posixpath.basename(dest.container_path) or "template", text)
        volume = dns_label(f"tpl-{secret_name}")
        gt.secret_mounts.append((container, secret_name, key, dest.container_path))
        mode = _mode(tpl)
        if mode is not None:
            gt.secret_modes[(secret_name, key)] = mode
        gctx.rendered_files[(task.name, dest.container_path)] = (volume, key)
        outcome.worse(Status.CHANGED)
        outcome.uses_secrets = True
        outcome.k8s = f"ExternalSecret/{secret_name} template {key} -> {_target(gctx, container)} {dest.container_path}"
        outcome.notes.append("rendered by External Secrets (template engine v2) into a Secret mounted at the "
                             "destination")
        return
    text = _render_file(gctx, task, segments, outcome, None)
    key = _file_key(tpl, task, gt.config, text, dest.container_path)
    gt.config[key] = text
    mode = _mode(tpl)
    if mode is not None:
        gt.config_modes[key] = mode
    gt.config_mounts.append((container, key, dest.container_path))
    gctx.rendered_files[(task.name, dest.container_path)] = ("nomad-templates", key)
    outcome.k8s = f"ConfigMap/{gt.configmap_name} key {key} -> {_target(gctx, container)} {dest.container_path}"
    if tpl.change_mode in (None, "restart"):
        gt.restart_on_config = True


def _remote_problem(outcome: Outcome, remote: RemoteRef) -> None:
    if remote.problem and remote.problem not in outcome.decisions:
        outcome.decisions.append(remote.problem)


# Env templates -------------------------------------------------------------------------------
def _lines(segments: list[Segment]) -> list[list[Segment]]:
    lines: list[list[Segment]] = [[]]
    for seg in segments:
        if isinstance(seg, Lit):
            parts = seg.text.split("\n")
            for i, part in enumerate(parts):
                if i:
                    lines.append([])
                if part:
                    lines[-1].append(Lit(part))
        else:
            lines[-1].append(seg)
    return lines


def _strip_line(line: list[Segment]) -> list[Segment]:
    line = list(line)
    if line and isinstance(line[0], Lit):
        line[0] = Lit(line[0].text.lstrip())
    if line and isinstance(line[-1], Lit):
        line[-1] = Lit(line[-1].text.rstrip())
    return [s for s in line if not (isinstance(s, Lit) and not s.text)]


def _source_text(line: list[Segment]) -> str:
    out = []
    for seg in line:
        out.append(seg.text if isinstance(seg, Lit) else getattr(seg, "source", ""))
    return "".join(out)


def _env_template(gt: GroupTemplates, task: Task, container: k8s.V1Container, tpl: Template,
                  segments: list[Segment], outcome: Outcome) -> None:
    gctx = gt.gctx
    settings = gctx.profile.secrets
    stripped = [s for s in segments if not (isinstance(s, Lit) and not s.text.strip())]
    if len(stripped) == 1 and isinstance(stripped[0], SecretRange) and _is_env_range(stripped[0]):
        rng = stripped[0]
        name, remote = gt.secrets.extract(rng.path, rng.source_kind)
        _remote_problem(outcome, remote)
        env_from = list(container.env_from or [])
        env_from.append(k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=name)))
        container.env_from = env_from
        gt.note_ref(rng.source_kind, rng.path, tpl.path_of("data"), whole=True)
        outcome.worse(Status.CHANGED)
        outcome.uses_secrets = True
        outcome.k8s = f"{_target(gctx, container)} envFrom Secret/{name}"
        outcome.notes.append("every key of the secret becomes an env var (ExternalSecret dataFrom.extract)")
        return
    names: list[str] = []
    for line in _lines(segments):
        line = _strip_line(line)
        if not line or (isinstance(line[0], Lit) and line[0].text.startswith("#")):
            continue
        head = line[0]
        if not isinstance(head, Lit) or "=" not in head.text:
            outcome.decisions.append(f"env line kept out: `{_source_text(line)}` is not KEY=value")
            continue
        key, _, rest = head.text.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        if not _ENV_KEY.match(key):
            outcome.decisions.append(f"env line kept out: {key!r} is not a variable name")
            continue
        try:
            value = envfile.parse_value(([Lit(rest)] if rest else []) + line[1:])
        except envfile.EnvValueError as exc:
            outcome.decisions.append(f"env line kept out: {key} ({exc}; Nomad rejects the template)")
            continue
        name = env_name(key)
        _env_value(gt, task, container, name, value, outcome, settings.env_from)
        names.append(name)
    outcome.k8s = f"{_target(gctx, container)} env " + (", ".join(names) or "-")
    if not names:
        outcome.decisions.append("no env var could be read from this template")


def _is_env_range(rng: SecretRange) -> bool:
    body = [s for s in rng.body if not (isinstance(s, Lit) and not s.text.strip())]
    return (len(body) == 3 and isinstance(body[0], RangeKey) and isinstance(body[2], RangeValue)
            and isinstance(body[1], Lit) and body[1].text.strip() == "=")


def _env_value(gt: GroupTemplates, task: Task, container: k8s.V1Container, name: str, value: list[Segment],
               outcome: Outcome, env_from: bool) -> None:
    gctx = gt.gctx
    if all(isinstance(s, Lit) for s in value):
        text = "".join(s.text for s in value)  # type: ignore[union-attr]
        if plaintext.is_plaintext_secret(name, text):
            value = [SecretRef(_secret_path_for_plaintext(gctx), name, VAULT_V2, "<clear text>")]
            outcome.decisions.append(f"{name} is a secret in clear text: moved to a Vault reference")
        else:
            add_env(container, k8s.V1EnvVar(name=name, value=text))
            return
    if len(value) == 1 and isinstance(value[0], SecretRef):
        ref = value[0]
        if env_from:
            secret_name, key, remote = gt.secrets.secret_key(ref.path, ref.key, ref.source_kind, as_name=name,
                                                             suffix=f"{container.name}-env")
            sources = list(container.env_from or [])
            if not any(s.secret_ref and s.secret_ref.name == secret_name for s in sources):
                sources.append(k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=secret_name)))
            container.env_from = sources
        else:
            secret_name, key, remote = gt.secrets.secret_key(ref.path, ref.key, ref.source_kind)
            add_env(container, _secret_env(name, secret_name, key))
        _remote_problem(outcome, remote)
        outcome.uses_secrets = True
        return
    # Composite: each secret and run-time part becomes its own var, expanded with $(VAR).
    parts: list[str] = []
    for seg in value:
        if isinstance(seg, Lit):
            parts.append(seg.text.replace("$(", "$$("))
        elif isinstance(seg, SecretRef):
            secret_name, key, remote = gt.secrets.secret_key(seg.path, seg.key, seg.source_kind)
            _remote_problem(outcome, remote)
            helper = env_name(key) if env_name(key) != name else f"N2K_{env_name(key)}"
            add_env(container, _secret_env(helper, secret_name, key))
            parts.append(f"$({helper})")
            outcome.uses_secrets = True
            outcome.worse(Status.CHANGED)
            outcome.notes.append(f"{name} is composed with $({helper}) (dependent env expansion)")
        elif isinstance(seg, RuntimeRef) and seg.kind == "env":
            result = nomad_env.env_reference(gctx, task, seg.name)
            outcome.apply(result, "env {expr} is only known in the running task")
            runtime.ensure_env_refs(container, result.env_refs)
            parts.append(result.text if result.resolved else seg.source)
        elif isinstance(seg, RuntimeRef):
            text = _runtime_text(gctx, task, seg, outcome)
            parts.append(text if text is not None else seg.source)
        elif isinstance(seg, Kept):
            parts.append(_kept(seg, outcome))
        else:
            outcome.decisions.append(f"env {name}: a loop cannot be a single value")
            parts.append(getattr(seg, "source", ""))
    add_env(container, k8s.V1EnvVar(name=name, value="".join(parts)))


def _secret_env(name: str, secret_name: str, key: str) -> k8s.V1EnvVar:
    return k8s.V1EnvVar(name=name, value_from=k8s.V1EnvVarSource(
        secret_key_ref=k8s.V1SecretKeySelector(name=secret_name, key=key)))


# One template --------------------------------------------------------------------------------
def _one_template(gt: GroupTemplates, task: Task, container: k8s.V1Container, tpl: Template) -> None:
    gctx = gt.gctx
    ledger = gctx.ledger
    content_path = tpl.path_of("data") if tpl.is_set("data") else tpl.path_of("source")
    text, problem = _template_text(gctx, tpl)
    outcome = Outcome()
    is_env = tpl.env is True
    translation: Translation | None = None
    if text is not None:
        try:
            translation = translate(text, _delim(tpl.left_delimiter), _delim(tpl.right_delimiter),
                                    lambda n: nomad_env.static_value(gctx, task, n))
        except TemplateError as exc:
            problem = f"template does not parse ({exc}); kept verbatim"
    if translation is None:
        _record_unreadable(gt, task, container, tpl, text, problem or "template content unknown", is_env)
        _record_fields(gt, task, tpl, container, Outcome(status=Status.NEEDS_DECISION))
        return
    secret_kept = [s for s in translation.segments if isinstance(s, Kept) and s.secret_path is not None]
    if secret_kept:
        _record_secret_kept(gt, task, tpl, content_path, text, secret_kept, is_env)
        return
    segments, clear = _split_plaintext(gctx, translation.segments)
    segments = _rewrite_literals(gctx, task, segments, outcome)
    for name in clear:
        outcome.decisions.append(f"{name} is a secret in clear text: moved to a Vault reference")
    for seg in segments:
        if isinstance(seg, SecretRef):
            gt.note_ref(seg.source_kind, seg.path, content_path, key=seg.key)
        elif isinstance(seg, SecretRange):
            gt.note_ref(seg.source_kind, seg.path, content_path, whole=True)
    outcome.notes += translation.notes
    if is_env:
        _env_template(gt, task, container, tpl, segments, outcome)
    elif tpl.is_set("destination") and isinstance(tpl.destination, str) and tpl.destination:
        _file_template(gt, task, container, tpl, segments, outcome)
    else:
        outcome.decisions.append("template has no destination")
    _unresolved_hcl(text, outcome)
    if outcome.notes and outcome.status is Status.MAPPED:
        outcome.worse(Status.CHANGED)
    _record_content(gt, tpl, content_path, text, segments, outcome, bool(clear), is_env)
    _record_fields(gt, task, tpl, container, outcome)


def _unresolved_hcl(text: str, outcome: Outcome) -> None:
    """A `${var.x}`/`${local.x}` the parser could not resolve is written as text: the same rule as
    values.claim_value, so the template is a decision naming the variable, never mapped."""
    reference = unresolved_reference(text)
    if reference is not None:
        outcome.decisions.append(f"${{{reference}}} is unresolved and is copied as text")
        outcome.suggestion = unresolved_suggestion(reference)


def _delim(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _record_unreadable(gt: GroupTemplates, task: Task, container: k8s.V1Container, tpl: Template,
                       text: str | None, problem: str, is_env: bool) -> None:
    gctx = gt.gctx
    target = _target(gctx, container)
    if text is not None and plaintext.find_in_text(text):
        # Verbatim would copy the secret into the ConfigMap: write nothing, ask for a decision.
        gctx.ledger.decide("N2K-SECURITY-PLAINTEXT-SECRET", tpl.nomad_path,
                           "the untranslated template holds a secret in clear text; it is not written anywhere",
                           k8s="-", claims=False, value="<redacted>",
                           suggestion=f"Store it in Vault at {_secret_path_for_plaintext(gctx)}, rewrite the file as "
                           "an ExternalSecret template, and rotate it: it is in the jobspec's history.")
        problem += "; not written: it holds a secret in clear text"
        target = "-"
    elif text is not None and not is_env and isinstance(tpl.destination, str) and tpl.destination:
        # Keep the text as it is, so the file exists and the reviewer sees what to rewrite.
        dest = resolve(_destination(gctx, task, tpl)[0])
        key = _file_key(tpl, task, gt.config, text, dest.container_path)
        gt.config[key] = text
        gt.config_mounts.append((container, key, dest.container_path))
        gctx.rendered_files[(task.name, dest.container_path)] = ("nomad-templates", key)
        target = f"ConfigMap/{gt.configmap_name} key {key} (verbatim)"
    for field_name in ("data", "source"):
        if tpl.is_set(field_name):
            gctx.ledger.decide("N2K-TEMPLATE-UNTRANSLATED", tpl.path_of(field_name), problem, k8s=target,
                               value=_safe_value(text) if field_name == "data" else None,
                               suggestion="Rewrite the file as a ConfigMap or an ExternalSecret template by hand.")
    if not tpl.is_set("data") and not tpl.is_set("source"):
        gctx.ledger.decide("N2K-TEMPLATE-UNTRANSLATED", tpl.nomad_path, problem, k8s="-", claims=False)


def _record_secret_kept(gt: GroupTemplates, task: Task, tpl: Template, content_path: str, text: str,
                        kept: list[Kept], is_env: bool) -> None:
    """A template that reads Vault in a way nomad2k8s cannot express (a PKI certificate, a dynamic
    secret, a read inside logic): nothing is written for it. A ConfigMap would hold the unrendered
    expressions (and ESO would evaluate them with other semantics), and no file beats a wrong one."""
    pki = any(s.code == "N2K-TEMPLATE-PKI" for s in kept)
    for seg in kept:
        gt.note_ref("vault-dynamic" if seg.code == "N2K-TEMPLATE-PKI" else "vault-kept", seg.secret_path or "?",
                    content_path)
    paths_read = ", ".join(dict.fromkeys(s.secret_path or "?" for s in kept))
    what = "issues a certificate or dynamic secret from Vault" if pki else "reads a secret inside logic"
    dest = resolve(_destination(gt.gctx, task, tpl)[0]).container_path \
        if isinstance(tpl.destination, str) and tpl.destination else "-"
    if pki:
        suggestion = (f"Issue it with a cert-manager Certificate (Issuer of type Vault on {paths_read}) and mount "
                      f"its Secret (tls.crt, tls.key, ca.crt) at {dest}.")
    else:
        suggestion = "Write the ExternalSecret (or a VaultDynamicSecret generator) for this file by hand."
    gt.gctx.ledger.decide(
        "N2K-TEMPLATE-PKI" if pki else "N2K-TEMPLATE-SECRET-KEPT", content_path,
        f"{'env' if is_env else 'file'} template {what} ({paths_read}) in a way nomad2k8s cannot express: "
        "nothing is written for it (no ConfigMap, no ExternalSecret); the pod misses "
        + ("these variables" if is_env else f"the file {dest}"),
        k8s="-", value=_safe_value(text), suggestion=suggestion)
    # The template's other settings (destination, perms, change_mode...) describe a file that is not written.
    ledger, prefix = gt.gctx.ledger, tpl.nomad_path + "."
    fields = dict.fromkeys(re.split(r"[.\[]", leaf[len(prefix):])[0] for leaf in ledger.values
                           if leaf.startswith(prefix))
    for name in fields:
        path = tpl.path_of(name)
        if path != content_path and not ledger.is_claimed(path):
            ledger.dropped("N2K-TEMPLATE-NOT-WRITTEN", path, "the template is not converted (see its content entry)",
                           k8s="-")


def _safe_value(text: str | None) -> str:
    if text is None:
        return ""
    if plaintext.find_in_text(text) or any(plaintext.is_plaintext_secret(m.group(1), m.group(2))
                                           for m in re.finditer(r"(\w+)=(\S+)", text)):
        return "<redacted: contains a clear-text secret>"
    return text


def _record_content(gt: GroupTemplates, tpl: Template, content_path: str, text: str | None,
                    segments: list[Segment], outcome: Outcome, clear: bool, is_env: bool) -> None:
    ledger = gt.gctx.ledger
    data = None
    if outcome.pending:
        # link_batch settles the bind-port decisions when the destination Service is in the batch.
        # The text was rewritten either way: at least changed.
        linked = Status.NEEDS_DECISION if set(outcome.decisions) - set(outcome.pending_decisions) else \
            Status.worst(outcome.status, Status.CHANGED)
        data = {"pending_upstreams": outcome.pending, "resolved_status": linked.value}
    if outcome.decisions:
        outcome.worse(Status.NEEDS_DECISION)
    kind = "env template" if is_env else "file template"
    if outcome.uses_secrets:
        code = "N2K-TEMPLATE-SECRET-ENV" if is_env else "N2K-TEMPLATE-SECRET-FILE"
        message = f"{kind} reading secrets -> ExternalSecret"
    else:
        code = "N2K-TEMPLATE-ENV" if is_env else "N2K-TEMPLATE-CONFIGMAP"
        message = f"{kind} -> {'env vars' if is_env else 'ConfigMap key'}"
    head = message + ": "
    details = list(dict.fromkeys(outcome.notes + outcome.decisions))
    if details:
        message += ": " + "; ".join(details)
    suggestion = ""
    if outcome.decisions:
        suggestion = "Resolve the listed parts by hand (ConfigMap value, Service DNS name, or a Vault key)."
        if outcome.suggestion:
            suggestion = f"{outcome.suggestion} {suggestion}"
    value = "<redacted: contains a clear-text secret>" if clear else _safe_value(text)
    entry = ledger.record(outcome.status, code, content_path, message, k8s=outcome.k8s, suggestion=suggestion,
                          value=value, data=data)
    track(gt.gctx.job_ctx.pending_messages, entry, details, head=head)
    if tpl.is_set("data") and tpl.is_set("source"):
        ledger.dropped("N2K-TEMPLATE-SOURCE-IGNORED", tpl.path_of("source"), "data wins over source in Nomad",
                       k8s="-")
    if clear:
        ledger.decide("N2K-SECURITY-PLAINTEXT-SECRET", content_path,
                      "the template holds a secret in clear text; it is not copied into any output",
                      k8s=outcome.k8s, claims=False, value="<redacted>",
                      suggestion=f"Store it in Vault at {_secret_path_for_plaintext(gt.gctx)} and rotate it: "
                      "it is in the jobspec's history.")
    suggestions = {
        "N2K-TEMPLATE-CONSUL-KV": "Put the value in a ConfigMap key (consul kv get <key>) and reference it.",
        "N2K-TEMPLATE-PKI": "Issue the certificate with cert-manager (Vault issuer) and mount its Secret.",
    }
    for seg in segments:
        if isinstance(seg, Kept):
            ledger.decide(seg.code, content_path, f"kept verbatim: `{seg.source}` ({seg.reason})", k8s=outcome.k8s,
                          claims=False, value="", suggestion=suggestions.get(seg.code, "Rewrite this part by hand."))
    for seg in segments:
        if isinstance(seg, SecretRef) and seg.source_kind == NOMAD_VAR:
            ledger.decide("N2K-TEMPLATE-NOMAD-VAR", content_path,
                          f"copy Nomad Variable {seg.path} into the secret store "
                          f"(key {gt.gctx.profile.secrets.nomad_vars_pattern.format(path=seg.path)})",
                          k8s=outcome.k8s, claims=False, value="",
                          suggestion="nomad var get -out json <path> | write each item into Vault.")
            break


def _record_fields(gt: GroupTemplates, task: Task, tpl: Template, container: k8s.V1Container, outcome: Outcome) -> None:
    gctx, ledger = gt.gctx, gt.gctx.ledger
    target = _target(gctx, container)
    is_env = tpl.env is True
    if tpl.is_set("destination"):
        if is_env:
            ledger.changed("N2K-TEMPLATE-ENV-DESTINATION", tpl.path_of("destination"),
                           "env template: its variables are set on the container; the file is not written",
                           k8s=target)
        else:
            text, filled = _destination(gctx, task, tpl)
            dest = resolve(text).container_path
            ledger.record(Status.CHANGED if filled else Status.MAPPED, "N2K-TEMPLATE-DESTINATION",
                          tpl.path_of("destination"), "file destination" + (": " + "; ".join(filled) if filled else ""),
                          k8s=f"{target} volumeMount {dest} (subPath)")
    if tpl.is_set("env"):
        ledger.mapped("N2K-TEMPLATE-ENV-FLAG", tpl.path_of("env"),
                      "env template" if is_env else "file template", k8s=target)
    _record_change_mode(gt, tpl, outcome, target)
    if tpl.is_set("perms"):
        mode = _mode(tpl)
        if is_env:
            ledger.dropped("N2K-TEMPLATE-PERMS-ENV", tpl.path_of("perms"), "no file is written for env templates")
        elif mode is None:
            ledger.decide("N2K-TEMPLATE-PERMS", tpl.path_of("perms"), "perms is not an octal mode", k8s=target)
        else:
            ledger.mapped("N2K-TEMPLATE-PERMS", tpl.path_of("perms"), "file mode",
                          k8s=f"volume items[].mode {mode} (0{mode:o})")
    for owner in ("uid", "gid"):
        if tpl.is_set(owner):
            ledger.changed("N2K-TEMPLATE-OWNER", tpl.path_of(owner),
                           "ConfigMap/Secret files are owned by root (group fsGroup when set)", k8s=target,
                           suggestion=f"Set the pod securityContext.fsGroup to {tpl.gid or tpl.uid} "
                           "if the app must own the file.")
    for delim in ("left_delimiter", "right_delimiter"):
        if tpl.is_set(delim):
            ledger.mapped("N2K-TEMPLATE-DELIMITER", tpl.path_of(delim), "honoured when the template is translated",
                          k8s="-")
    for timing in ("splay", "wait", "vault_grace"):
        if tpl.is_set(timing):
            ledger.dropped("N2K-TEMPLATE-TIMING", tpl.path_of(timing),
                           "render timing: the kubelet and External Secrets decide when content changes", k8s="-")
    if tpl.is_set("error_on_missing_key"):
        ledger.changed("N2K-TEMPLATE-MISSING-KEY", tpl.path_of("error_on_missing_key"),
                       "a missing secret key makes the ExternalSecret not Ready and the pod not start",
                       k8s="-")


def _record_change_mode(gt: GroupTemplates, tpl: Template, outcome: Outcome, target: str) -> None:
    ledger = gt.gctx.ledger
    mode = tpl.change_mode if tpl.is_set("change_mode") else None
    path = tpl.path_of("change_mode")
    if mode in ("signal", "script"):
        extra = tpl.change_signal if mode == "signal" else "change_script"
        ledger.decide("N2K-TEMPLATE-CHANGE-" + mode.upper(), path,
                      f"change_mode {mode} ({extra}): Kubernetes does not signal or run a script on config change",
                      k8s=target, suggestion="Let the app watch the file (configMap volume without subPath) or "
                      "roll the pods on change (checksum annotation / Reloader).")
    elif mode == "noop":
        ledger.mapped("N2K-TEMPLATE-CHANGE-NOOP", path, "changes are not pushed to the running task", k8s=target)
    elif mode == "restart":
        if outcome.uses_secrets:
            ledger.changed("N2K-TEMPLATE-CHANGE-RESTART-SECRET", path,
                           "a changed secret is refreshed into the Secret, but running pods are not restarted",
                           k8s=target, suggestion="Use Reloader (or similar) to roll pods when the Secret changes.")
        else:
            ledger.mapped("N2K-TEMPLATE-CHANGE-RESTART", path,
                          f"a changed file rolls the pods ({CHECKSUM_ANNOTATION} annotation)", k8s=target)
    elif tpl.is_set("change_mode"):
        ledger.decide("N2K-TEMPLATE-CHANGE-UNKNOWN", path, f"unknown change_mode {tpl.change_mode!r}", k8s=target)
    for field_name, own_mode in (("change_signal", "signal"), ("change_script", "script")):
        if not tpl.is_set(field_name):
            continue
        if mode == own_mode:
            ledger.decide("N2K-TEMPLATE-CHANGE-" + own_mode.upper(), tpl.path_of(field_name),
                          f"{field_name} of change_mode {own_mode}", k8s=target)
        else:
            ledger.dropped("N2K-TEMPLATE-CHANGE-UNUSED", tpl.path_of(field_name),
                           f"{field_name} only applies with change_mode {own_mode}", k8s="-")


# Group ---------------------------------------------------------------------------------------
def _plaintext_task_env(gt: GroupTemplates) -> None:
    """Task env values that are secrets in clear text -> references to a Vault key (see plaintext.py)."""
    gctx = gt.gctx
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is None:
            continue
        for key, value in (task.env or {}).items():
            if isinstance(value, str) and not plaintext.is_plaintext_secret(str(key), value):
                _credentials_in_task_env(gt, task, container, str(key), value)
            if not plaintext.is_plaintext_secret(str(key), value):
                continue
            name = env_name(str(key))
            path = _secret_path_for_plaintext(gctx)
            secret_name, data_key, remote = gt.secrets.secret_key(path, name, VAULT_V2)
            add_env(container, _secret_env(name, secret_name, data_key))
            gt.note_ref(VAULT_V2, path, task.path_of("env"), key=name)
            gctx.ledger.decide(
                "N2K-SECURITY-PLAINTEXT-SECRET", paths.join(task.path_of("env"), str(key)),
                "secret in clear text in the jobspec: not copied into any output; the env var reads it from "
                "the ExternalSecret instead", value="<redacted>",
                k8s=f"{_target(gctx, container)} env {name} <- Secret/{secret_name} key {data_key}",
                suggestion=f"Store it in Vault at {path} key {name} (remote key {remote.key}) and rotate it: "
                "it is in the jobspec's history.",
            )


def _credentials_in_task_env(gt: GroupTemplates, task: Task, container: k8s.V1Container, key: str,
                             value: str) -> None:
    """A task env value with a credential inside (tasks.py wrote `$(HELPER)` in its place): each
    HELPER is defined from the ExternalSecret, before the variable that expands it."""
    gctx = gt.gctx
    name = env_name(key)
    _, helpers = plaintext.split_value(name, value)
    if not helpers:
        return
    path = _secret_path_for_plaintext(gctx)
    defined = []
    for helper, _secret in helpers:
        secret_name, data_key, remote = gt.secrets.secret_key(path, helper, VAULT_V2)
        _insert_env_before(container, name, _secret_env(helper, secret_name, data_key))
        gt.note_ref(VAULT_V2, path, task.path_of("env"), key=helper)
        defined.append(f"{helper} (remote key {remote.key} property {helper})")
    env_path = paths.join(task.path_of("env"), key)
    gctx.ledger.decide(
        "N2K-SECURITY-PLAINTEXT-SECRET", env_path,
        "credential in clear text inside the value (URL userinfo or password= pair): not copied into any "
        "output; the value expands $(" + "), $(".join(h for h, _ in helpers) + ") read from the ExternalSecret",
        value="<redacted>", claims=not gctx.ledger.is_claimed(env_path),
        k8s=f"{_target(gctx, container)} env {name}",
        suggestion=f"Store it in Vault at {path}: " + ", ".join(defined) + "; rotate it: it is in the jobspec's "
        "history.",
    )


def _insert_env_before(container: k8s.V1Container, before: str, var: k8s.V1EnvVar) -> None:
    """Add `var` ahead of `before`: a `$(VAR)` expansion only sees variables defined earlier."""
    env = [e for e in (container.env or []) if e.name != var.name]
    at = next((i for i, e in enumerate(env) if e.name == before), len(env))
    container.env = env[:at] + [var] + env[at:]


def map_templates(gctx: GroupContext) -> None:
    gt = GroupTemplates(gctx, ExternalSecrets(gctx))
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is None:
            continue  # an unconverted task is accounted for as a whole
        for tpl in task.template:
            _one_template(gt, task, container, tpl)
    _plaintext_task_env(gt)
    _emit(gt)
    gctx.job_ctx.secret_refs.extend(
        {**ref, "service": gctx.job_ctx.service, "workload": gctx.workload_name} for ref in gt.refs.values())


def config_checksum(data: dict[str, str]) -> str:
    """The ConfigMap content digest that rolls the pods when a file changes."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _emit(gt: GroupTemplates) -> None:
    gctx = gt.gctx
    if gt.config:
        data = dict(sorted(gt.config.items()))
        gctx.add_object(k8s.V1ConfigMap(
            api_version="v1", kind="ConfigMap", data=data,
            metadata=k8s.V1ObjectMeta(name=gt.configmap_name, namespace=gctx.profile.namespace.name,
                                      labels=dict(gctx.labels))))
        items = [k8s.V1KeyToPath(key=k, path=k, mode=gt.config_modes.get(k)) for k in data]
        add_volume(gctx, k8s.V1Volume(name="nomad-templates", config_map=k8s.V1ConfigMapVolumeSource(
            name=gt.configmap_name, items=items)))
        for container, key, mount_path in gt.config_mounts:
            add_mount(container, k8s.V1VolumeMount(name="nomad-templates", mount_path=mount_path, sub_path=key,
                                                   read_only=True))
        if gt.restart_on_config:
            gctx.pod_annotations[CHECKSUM_ANNOTATION] = config_checksum(data)
    by_secret: dict[str, list[str]] = {}
    for _, secret_name, key, _ in gt.secret_mounts:
        by_secret.setdefault(secret_name, [])
        if key not in by_secret[secret_name]:
            by_secret[secret_name].append(key)
    for secret_name, keys in sorted(by_secret.items()):
        items = [k8s.V1KeyToPath(key=k, path=k, mode=gt.secret_modes.get((secret_name, k))) for k in sorted(keys)]
        add_volume(gctx, k8s.V1Volume(name=dns_label(f"tpl-{secret_name}"), secret=k8s.V1SecretVolumeSource(
            secret_name=secret_name, items=items)))
    for container, secret_name, key, mount_path in gt.secret_mounts:
        add_mount(container, k8s.V1VolumeMount(name=dns_label(f"tpl-{secret_name}"), mount_path=mount_path,
                                               sub_path=key, read_only=True))
    for obj in gt.secrets.objects():
        gctx.add_object(obj)
