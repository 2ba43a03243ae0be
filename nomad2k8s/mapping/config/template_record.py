"""Ledger entries of a template: its content (translated, unreadable, or reading secrets in a way
that cannot be expressed) and its other fields (destination, perms, change_mode, delimiters...).
"""

from __future__ import annotations

import re
from dataclasses import replace

from kubernetes import client as k8s

from nomad2k8s.lang.consul_template import NOMAD_VAR, Kept, SecretRef, Segment
from nomad2k8s.ledger import Status, Target
from nomad2k8s.mapping.config import plaintext
from nomad2k8s.mapping.config.template_files import destination, file_key, file_mode
from nomad2k8s.mapping.config.template_objects import (
    CHECKSUM_ANNOTATION,
    GroupTemplates,
    TemplateAccount,
    container_target,
)
from nomad2k8s.mapping.passes.pending import track
from nomad2k8s.mapping.storage.taskdirs import resolve
from nomad2k8s.model import Task, Template


def record_unreadable(gt: GroupTemplates, task: Task, container: k8s.V1Container, tpl: Template,
                       text: str | None, problem: str, is_env: bool) -> None:
    gctx = gt.gctx
    target: Target | None = container_target(gctx, container)
    if text is not None and plaintext.find_in_text(text):
        # Verbatim would copy the secret into the ConfigMap: write nothing, ask for a decision.
        gctx.ledger.decide("N2K-SECURITY-PLAINTEXT-SECRET", tpl.nomad_path,
                           "the untranslated template holds a secret in clear text; it is not written anywhere",
                           k8s="-", claims=False, value="<redacted>",
                           suggestion=f"Store it in Vault at {plaintext.secret_path_for_plaintext(gctx)}, rewrite the file as "
                           "an ExternalSecret template, and rotate it: it is in the jobspec's history.")
        problem += "; not written: it holds a secret in clear text"
        target = None
    elif text is not None and not is_env and isinstance(tpl.destination, str) and tpl.destination:
        # Keep the text as it is, so the file exists and the reviewer sees what to rewrite.
        dest = resolve(destination(gctx, task, tpl)[0])
        key = file_key(tpl, task, gt.config, text, dest.container_path)
        gt.config[key] = text
        gt.config_mounts.append((container, key, dest.container_path))
        gctx.render_file(task.name, dest.container_path, "nomad-templates", key, tpl.nomad_path)
        target = Target("ConfigMap", gt.configmap_name, field=f"key {key} (verbatim)")
    for field_name in ("data", "source"):
        if tpl.is_set(field_name):
            gctx.ledger.decide("N2K-TEMPLATE-UNTRANSLATED", tpl.path_of(field_name), problem,
                               **({"target": target} if target is not None else {"k8s": "-"}),
                               value=_safe_value(text) if field_name == "data" else None,
                               suggestion="Rewrite the file as a ConfigMap or an ExternalSecret template by hand.")
    if not tpl.is_set("data") and not tpl.is_set("source"):
        gctx.ledger.decide("N2K-TEMPLATE-UNTRANSLATED", tpl.nomad_path, problem, k8s="-", claims=False)


def record_secret_kept(gt: GroupTemplates, task: Task, tpl: Template, content_path: str, text: str,
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
    dest = resolve(destination(gt.gctx, task, tpl)[0]).container_path \
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


# A pair starts where a word starts: from inside a long word every start rescanned it (quadratic).
_PAIR = re.compile(r"(?<!\w)(\w+)=(\S+)")


def _safe_value(text: str | None) -> str:
    if text is None:
        return ""
    if plaintext.find_in_text(text) or any(plaintext.is_plaintext_secret(m.group(1), m.group(2))
                                           for m in _PAIR.finditer(text)):
        return "<redacted: contains a clear-text secret>"
    return text


def record_content(gt: GroupTemplates, tpl: Template, content_path: str, text: str | None,
                    segments: list[Segment], outcome: TemplateAccount, clear: bool, is_env: bool) -> None:
    """Record the content's entry from its account (the batch pass settles the pending bind ports
    when the destination Service is in the batch), then the notes about the same content."""
    ledger = gt.gctx.ledger
    kind = "env template" if is_env else "file template"
    if outcome.uses_secrets:
        outcome.code = "N2K-TEMPLATE-SECRET-ENV" if is_env else "N2K-TEMPLATE-SECRET-FILE"
        outcome.what = f"{kind} reading secrets -> ExternalSecret"
    else:
        outcome.code = "N2K-TEMPLATE-ENV" if is_env else "N2K-TEMPLATE-CONFIGMAP"
        outcome.what = f"{kind} -> {'env vars' if is_env else 'ConfigMap key'}"
    outcome.suggestion = ""
    if outcome.decisions:
        outcome.suggestion = " ".join(filter(None, [outcome.hint, "Resolve the listed parts by hand (ConfigMap "
                                                    "value, Service DNS name, or a Vault key)."]))
    outcome.value = "<redacted: contains a clear-text secret>" if clear else _safe_value(text)
    entry = outcome.record()
    assert entry is not None
    track(gt.gctx.job_ctx.pending_messages, entry, outcome.texts, head=outcome.head)
    where = outcome.target_kw()
    if tpl.is_set("data") and tpl.is_set("source"):
        ledger.dropped("N2K-TEMPLATE-SOURCE-IGNORED", tpl.path_of("source"), "data wins over source in Nomad",
                       k8s="-")
    if clear:
        ledger.decide("N2K-SECURITY-PLAINTEXT-SECRET", content_path,
                      "the template holds a secret in clear text; it is not copied into any output",
                      claims=False, value="<redacted>", **where,
                      suggestion=f"Store it in Vault at {plaintext.secret_path_for_plaintext(gt.gctx)} and rotate it: "
                      "it is in the jobspec's history.")
    suggestions = {
        "N2K-TEMPLATE-CONSUL-KV": "Put the value in a ConfigMap key (consul kv get <key>) and reference it.",
        "N2K-TEMPLATE-PKI": "Issue the certificate with cert-manager (Vault issuer) and mount its Secret.",
    }
    for seg in segments:
        if isinstance(seg, Kept):
            ledger.decide(seg.code, content_path, f"kept verbatim: `{seg.source}` ({seg.reason})", **where,
                          claims=False, value="", suggestion=suggestions.get(seg.code, "Rewrite this part by hand."))
    for seg in segments:
        if isinstance(seg, SecretRef) and seg.source_kind == NOMAD_VAR:
            ledger.decide("N2K-TEMPLATE-NOMAD-VAR", content_path,
                          f"copy Nomad Variable {seg.path} into the secret store "
                          f"(key {gt.gctx.profile.secrets.nomad_vars_pattern.format(path=seg.path)})",
                          claims=False, value="", **where,
                          suggestion="nomad var get -out json <path> | write each item into Vault.")
            break


# Drivers that show the task only its task dirs (/local, /secrets, /alloc): a template rendered elsewhere
# lands inside the task dir on the host, not at that path in the container (Nomad's template docs).
ISOLATING_DRIVERS = ("docker", "podman")


def record_fields(gt: GroupTemplates, task: Task, tpl: Template, container: k8s.V1Container, outcome: TemplateAccount) -> None:
    gctx, ledger = gt.gctx, gt.gctx.ledger
    target = container_target(gctx, container)
    is_env = tpl.env is True
    if tpl.is_set("destination"):
        if is_env:
            ledger.changed("N2K-TEMPLATE-ENV-DESTINATION", tpl.path_of("destination"),
                           "env template: its variables are set on the container; the file is not written",
                           target=target)
        else:
            text, filled = destination(gctx, task, tpl)
            where = resolve(text)
            dest = where.container_path
            outside = where.task_dir is None and task.driver in ISOLATING_DRIVERS
            code = "N2K-TEMPLATE-DESTINATION-OUTSIDE" if outside else "N2K-TEMPLATE-DESTINATION"
            if outside:
                # Nomad renders it under the task dir (<task dir>/etc/x): the container never saw it there.
                filled = [*filled, f"{dest} is outside the task dirs: Nomad's {task.driver} driver wrote it inside the "
                          f"task directory, where the container did not see it at {dest} unless a volume bound it; "
                          f"here it is mounted at {dest} (over the image's file, if it has one)"]
            ledger.record(Status.CHANGED if filled else Status.MAPPED, code,
                          tpl.path_of("destination"), "file destination" + (": " + "; ".join(filled) if filled else ""),
                          target=replace(target, field=f"volumeMount {dest} (subPath)"))
    if tpl.is_set("env"):
        ledger.mapped("N2K-TEMPLATE-ENV-FLAG", tpl.path_of("env"),
                      "env template" if is_env else "file template", target=target)
    _record_change_mode(gt, tpl, outcome, target)
    if tpl.is_set("perms"):
        mode = file_mode(tpl)
        if is_env:
            ledger.dropped("N2K-TEMPLATE-PERMS-ENV", tpl.path_of("perms"), "no file is written for env templates")
        elif mode is None:
            ledger.decide("N2K-TEMPLATE-PERMS", tpl.path_of("perms"), "perms is not an octal mode", target=target)
        else:
            ledger.mapped("N2K-TEMPLATE-PERMS", tpl.path_of("perms"), "file mode",
                          target=Target("volume", field=f"items[].mode {mode} (0{mode:o})"))
    for owner in ("uid", "gid"):
        if tpl.is_set(owner):
            ledger.changed("N2K-TEMPLATE-OWNER", tpl.path_of(owner),
                           "ConfigMap/Secret files are owned by root (group fsGroup when set)", target=target,
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


def _record_change_mode(gt: GroupTemplates, tpl: Template, outcome: TemplateAccount, target: Target) -> None:
    ledger = gt.gctx.ledger
    mode = tpl.change_mode if tpl.is_set("change_mode") else None
    path = tpl.path_of("change_mode")
    if mode in ("signal", "script"):
        extra = tpl.change_signal if mode == "signal" else "change_script"
        ledger.decide("N2K-TEMPLATE-CHANGE-" + mode.upper(), path,
                      f"change_mode {mode} ({extra}): Kubernetes does not signal or run a script on config change",
                      target=target, suggestion="Let the app watch the file (configMap volume without subPath) or "
                      "roll the pods on change (checksum annotation / Reloader).")
    elif mode == "noop":
        ledger.mapped("N2K-TEMPLATE-CHANGE-NOOP", path, "changes are not pushed to the running task", target=target)
    elif mode == "restart":
        if outcome.uses_secrets:
            ledger.changed("N2K-TEMPLATE-CHANGE-RESTART-SECRET", path,
                           "a changed secret is refreshed into the Secret, but running pods are not restarted",
                           target=target, suggestion="Use Reloader (or similar) to roll pods when the Secret changes.")
        else:
            ledger.mapped("N2K-TEMPLATE-CHANGE-RESTART", path,
                          f"a changed file rolls the pods ({CHECKSUM_ANNOTATION} annotation)", target=target)
    elif tpl.is_set("change_mode"):
        ledger.decide("N2K-TEMPLATE-CHANGE-UNKNOWN", path, f"unknown change_mode {tpl.change_mode!r}", target=target)
    for field_name, own_mode in (("change_signal", "signal"), ("change_script", "script")):
        if not tpl.is_set(field_name):
            continue
        if mode == own_mode:
            ledger.decide("N2K-TEMPLATE-CHANGE-" + own_mode.upper(), tpl.path_of(field_name),
                          f"{field_name} of change_mode {own_mode}", target=target)
        else:
            ledger.dropped("N2K-TEMPLATE-CHANGE-UNUSED", tpl.path_of(field_name),
                           f"{field_name} only applies with change_mode {own_mode}", k8s="-")
