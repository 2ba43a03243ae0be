"""Secrets written in clear text in a jobspec (env values, template lines).

Two shapes: a whole value whose NAME says it is a secret (`DB_PASSWORD = "x"`), and a credential
INSIDE a value whatever its name: URL userinfo (`postgres://user:pw@db`) or a `password=pw` pair
of a connection string (libpq DSN, ODBC, URL query).

Choice: such a value is NOT copied into the manifests. The variable (or the file line)
becomes a reference to a Vault key the operator must create (a needs-decision security
finding names it), so generated files, reports and logs never hold it. A service converted
this way fails to start until the key exists, which the NO-GO verdict already says.

The second half applies this to a group: task env values and template literals holding such a
secret become references to a key of the job's ExternalSecret (the template mapper calls it).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.credentials import (  # noqa: F401 (re-exported)
    NOT_SECRET_NAME,
    NOT_SECRET_VALUES,
    SECRET_KEY_PATTERN,
    credentials,
    mask,
)
from nomad2k8s.k8s.names import env_name
from nomad2k8s.lang.consul_template import (
    VAULT_V2,
    Kept,
    Lit,
    SecretRange,
    SecretRef,
    Segment,
)
from nomad2k8s.mapping.config.template_objects import (
    GroupTemplates,
    container_target,
    secret_env,
)
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.podspec import add_env
from nomad2k8s.model import Task, paths

# `name = value`, `name: value`, `export NAME=value` on one line of a config file.
_LINE = re.compile(
    r"""^(?P<pre>[ \t]*(?:export[ \t]+)?["']?(?P<name>[A-Za-z_][\w.-]*)["']?[ \t]*[:=][ \t]*)
        (?P<q>["']?)(?P<value>[^"'\s#{}\[\]][^"'\n#{}]*?)(?P=q)[ \t]*$""",
    re.M | re.X,
)


def is_plaintext_secret(name: str, value: Any) -> bool:
    if value is None or isinstance(value, (bool, dict, list)):
        return False
    leaf = re.split(r"[.\-]", name)[-1]
    if not SECRET_KEY_PATTERN.search(leaf) or NOT_SECRET_NAME.search(leaf):
        return False
    text = str(value).strip()
    if text.lower() in NOT_SECRET_VALUES or "${" in text or "{{" in text or "$(" in text:
        return False
    if len(text) < 4 or text in ("|", ">", "|-", ">-"):
        return False
    return not text.startswith(("/", "./", "../", "file:", "vault:", "env:", "http://", "https://"))


# The line's own name (`name = ...`, `name: ...`, `export NAME=...`), to name a credential found in it.
_LINE_NAME = re.compile(r"""^[ \t]*(?:export[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*[:=]""", re.M)


def split_value(name: str, text: str) -> tuple[str, list[tuple[str, str]]]:
    """An env value holding credentials -> (the value with each credential replaced by `$(HELPER)`,
    [(HELPER, credential)]). HELPER is `<NAME>_<KIND>`, numbered when one value holds several.
    The credential is returned for the caller to drop, never to print."""
    found = credentials(text)
    if not found:
        return text, []
    out: list[str] = []
    helpers: list[tuple[str, str]] = []
    pos = 0
    for start, end, kind in found:
        helper = re.sub(r"[^A-Za-z0-9_]", "_", f"{name}_{kind}").upper()
        if helper == name.upper() or any(h == helper for h, _ in helpers):
            helper = f"{helper}_{len(helpers) + 1}"
        helpers.append((helper, text[start:end]))
        out += [text[pos:start].replace("$(", "$$("), f"$({helper})"]
        pos = end
    out.append(text[pos:].replace("$(", "$$("))
    return "".join(out), helpers


def find_in_text(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each clear-text secret value in a config file's text: values of secret
    names, and credentials inside any value (named after the line's key, e.g. `url_password`)."""
    found = []
    for match in _LINE.finditer(text):
        name, value = match.group("name"), match.group("value")
        if is_plaintext_secret(name, value):
            found.append((match.start("value"), match.end("value"), name))
    for start, end, kind in credentials(text):
        if any(s < end and start < e for s, e, _ in found):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        owner = _LINE_NAME.match(text, line_start)
        owner_name = owner.group(1) if owner and owner.end() <= start else ""
        name = kind if not owner_name or owner_name == kind else f"{owner_name}_{kind}"
        name = name.upper() if owner_name.isupper() else name  # DATABASE_URL -> DATABASE_URL_PASSWORD
        found.append((start, end, name))
    return sorted(found)


# Clear-text secrets in a group's task env and templates -> references to a Vault key --------------
def secret_path_for_plaintext(gctx: GroupContext) -> str:
    """Where a clear-text secret should move: the job's own KV v2 path in the store's mount."""
    namespace = gctx.job.namespace if isinstance(gctx.job.namespace, str) and gctx.job.namespace else "default"
    return f"{gctx.profile.secrets.kv_mount.strip('/')}/data/{namespace}/{gctx.job.name}"


def split_plaintext(gctx: GroupContext, segments: list[Segment]) -> tuple[list[Segment], list[str]]:
    """Replace clear-text secret values in literal text by references to a Vault key."""
    out: list[Segment] = []
    names: list[str] = []
    path = secret_path_for_plaintext(gctx)
    for seg in segments:
        if isinstance(seg, (Kept, SecretRange)) and find_in_text(seg.source):
            # Kept text is copied for the reviewer: its clear-text secrets are not.
            source, found = seg.source, find_in_text(seg.source)
            for start, end, name in reversed(found):
                source = source[:start] + f"<secret moved to Vault key {name}>" + source[end:]
            names += [name for _, _, name in found]
            out.append(replace(seg, source=source))
            continue
        if not isinstance(seg, Lit):
            out.append(seg)
            continue
        pos = 0
        for start, end, name in find_in_text(seg.text):
            out.append(Lit(seg.text[pos:start]))
            out.append(SecretRef(path, name, VAULT_V2, "<clear text>"))
            names.append(name)
            pos = end
        out.append(Lit(seg.text[pos:]))
    return [s for s in out if not (isinstance(s, Lit) and s.text == "")], names


def plaintext_task_env(gt: GroupTemplates) -> None:
    """Task env values that are secrets in clear text -> references to a Vault key (see plaintext.py)."""
    gctx = gt.gctx
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is None:
            continue
        for key, value in (task.env or {}).items():
            if isinstance(value, str) and not is_plaintext_secret(str(key), value):
                _credentials_in_task_env(gt, task, container, str(key), value)
            if not is_plaintext_secret(str(key), value):
                continue
            name = env_name(str(key))
            path = secret_path_for_plaintext(gctx)
            secret_name, data_key, remote = gt.secrets.secret_key(path, name, VAULT_V2)
            add_env(container, secret_env(name, secret_name, data_key))
            gt.note_ref(VAULT_V2, path, task.path_of("env"), key=name)
            gctx.ledger.decide(
                "N2K-SECURITY-PLAINTEXT-SECRET", paths.join(task.path_of("env"), str(key)),
                "secret in clear text in the jobspec: not copied into any output; the env var reads it from "
                "the ExternalSecret instead", value="<redacted>",
                target=container_target(gctx, container, f"env {name} <- Secret/{secret_name} key {data_key}"),
                suggestion=f"Store it in Vault at {path} key {name} (remote key {remote.key}) and rotate it: "
                "it is in the jobspec's history.",
            )


def _credentials_in_task_env(gt: GroupTemplates, task: Task, container: k8s.V1Container, key: str,
                             value: str) -> None:
    """A task env value with a credential inside (tasks.py wrote `$(HELPER)` in its place): each
    HELPER is defined from the ExternalSecret, before the variable that expands it."""
    gctx = gt.gctx
    name = env_name(key)
    _, helpers = split_value(name, value)
    if not helpers:
        return
    path = secret_path_for_plaintext(gctx)
    defined = []
    for helper, _secret in helpers:
        secret_name, data_key, remote = gt.secrets.secret_key(path, helper, VAULT_V2)
        _insert_env_before(container, name, secret_env(helper, secret_name, data_key))
        gt.note_ref(VAULT_V2, path, task.path_of("env"), key=helper)
        defined.append(f"{helper} (remote key {remote.key} property {helper})")
    env_path = paths.join(task.path_of("env"), key)
    gctx.ledger.decide(
        "N2K-SECURITY-PLAINTEXT-SECRET", env_path,
        "credential in clear text inside the value (URL userinfo or password= pair): not copied into any "
        "output; the value expands $(" + "), $(".join(h for h, _ in helpers) + ") read from the ExternalSecret",
        value="<redacted>", claims=not gctx.ledger.is_claimed(env_path),
        target=container_target(gctx, container, f"env {name}"),
        suggestion=f"Store it in Vault at {path}: " + ", ".join(defined) + "; rotate it: it is in the jobspec's "
        "history.",
    )


def _insert_env_before(container: k8s.V1Container, before: str, var: k8s.V1EnvVar) -> None:
    """Add `var` ahead of `before`: a `$(VAR)` expansion only sees variables defined earlier."""
    env = [e for e in (container.env or []) if e.name != var.name]
    at = next((i for i, e in enumerate(env) if e.name == before), len(env))
    container.env = env[:at] + [var] + env[at:]
