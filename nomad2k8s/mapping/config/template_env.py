"""Env templates (`env = true`) -> container env vars: static lines as values, secret lines as
secretKeyRef (or envFrom), composite lines as `$(VAR)` expansions of helper vars.
"""

from __future__ import annotations

import re

from kubernetes import client as k8s

from nomad2k8s.k8s.names import env_name
from nomad2k8s.lang import envparse as envfile
from nomad2k8s.lang.consul_template import (
    VAULT_V2,
    Kept,
    Lit,
    RangeKey,
    RangeValue,
    RuntimeRef,
    SecretRange,
    SecretRef,
    Segment,
)
from nomad2k8s.ledger import Status
from nomad2k8s.mapping.config import nomad_env, plaintext
from nomad2k8s.mapping.config.template_files import kept_text, runtime_text
from nomad2k8s.mapping.config.template_objects import (
    GroupTemplates,
    TemplateAccount,
    container_target,
    remote_problem,
    secret_env,
)
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.podspec import add_env
from nomad2k8s.model import Task, Template

_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")


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


def env_template(gt: GroupTemplates, task: Task, container: k8s.V1Container, tpl: Template,
                  segments: list[Segment], outcome: TemplateAccount) -> None:
    gctx = gt.gctx
    settings = gctx.profile.secrets
    stripped = [s for s in segments if not (isinstance(s, Lit) and not s.text.strip())]
    if len(stripped) == 1 and isinstance(stripped[0], SecretRange) and _is_env_range(stripped[0]):
        rng = stripped[0]
        name, remote = gt.secrets.extract(rng.path, rng.source_kind)
        remote_problem(outcome, remote)
        env_from = list(container.env_from or [])
        env_from.append(k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=name)))
        container.env_from = env_from
        gt.note_ref(rng.source_kind, rng.path, tpl.path_of("data"), whole=True)
        outcome.uses_secrets = True
        outcome.target = container_target(gctx, container, f"envFrom Secret/{name}")
        outcome.note(Status.CHANGED, "every key of the secret becomes an env var (ExternalSecret dataFrom.extract)")
        return
    names: list[str] = []
    for line in _lines(segments):
        line = _strip_line(line)
        if not line or (isinstance(line[0], Lit) and line[0].text.startswith("#")):
            continue
        head = line[0]
        if not isinstance(head, Lit) or "=" not in head.text:
            outcome.decide(f"env line kept out: `{_source_text(line)}` is not KEY=value")
            continue
        key, _, rest = head.text.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        if not _ENV_KEY.match(key):
            outcome.decide(f"env line kept out: {key!r} is not a variable name")
            continue
        try:
            value = envfile.parse_value(([Lit(rest)] if rest else []) + line[1:])
        except envfile.EnvValueError as exc:
            outcome.decide(f"env line kept out: {key} ({exc}; Nomad rejects the template)")
            continue
        name = env_name(key)
        _env_value(gt, task, container, name, value, outcome, settings.env_from)
        names.append(name)
    outcome.target = container_target(gctx, container, "env " + (", ".join(names) or "-"))
    if not names:
        outcome.decide("no env var could be read from this template")


def _is_env_range(rng: SecretRange) -> bool:
    body = [s for s in rng.body if not (isinstance(s, Lit) and not s.text.strip())]
    return (len(body) == 3 and isinstance(body[0], RangeKey) and isinstance(body[2], RangeValue)
            and isinstance(body[1], Lit) and body[1].text.strip() == "=")


def _env_value(gt: GroupTemplates, task: Task, container: k8s.V1Container, name: str, value: list[Segment],
               outcome: TemplateAccount, env_from: bool) -> None:
    gctx = gt.gctx
    if all(isinstance(s, Lit) for s in value):
        text = "".join(s.text for s in value)  # type: ignore[union-attr]
        if plaintext.is_plaintext_secret(name, text):
            value = [SecretRef(plaintext.secret_path_for_plaintext(gctx), name, VAULT_V2, "<clear text>")]
            outcome.decide(f"{name} is a secret in clear text: moved to a Vault reference")
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
            add_env(container, secret_env(name, secret_name, key))
        remote_problem(outcome, remote)
        outcome.uses_secrets = True
        return
    # Composite: each secret and run-time part becomes its own var, expanded with $(VAR).
    parts: list[str] = []
    for seg in value:
        if isinstance(seg, Lit):
            parts.append(seg.text.replace("$(", "$$("))
        elif isinstance(seg, SecretRef):
            secret_name, key, remote = gt.secrets.secret_key(seg.path, seg.key, seg.source_kind)
            remote_problem(outcome, remote)
            helper = env_name(key) if env_name(key) != name else f"N2K_{env_name(key)}"
            add_env(container, secret_env(helper, secret_name, key))
            parts.append(f"$({helper})")
            outcome.uses_secrets = True
            outcome.note(Status.CHANGED, f"{name} is composed with $({helper}) (dependent env expansion)")
        elif isinstance(seg, RuntimeRef) and seg.kind == "env":
            result = nomad_env.env_reference(gctx, task, seg.name)
            outcome.apply(result, "env {expr} is only known in the running task")
            runtime.ensure_env_refs(container, result.env_refs)
            parts.append(result.text if result.resolved else seg.source)
        elif isinstance(seg, RuntimeRef):
            runtime_value = runtime_text(gctx, task, seg, outcome)
            parts.append(runtime_value if runtime_value is not None else seg.source)
        elif isinstance(seg, Kept):
            parts.append(kept_text(seg, outcome))
        else:
            outcome.decide(f"env {name}: a loop cannot be a single value")
            parts.append(getattr(seg, "source", ""))
    add_env(container, k8s.V1EnvVar(name=name, value="".join(parts)))
