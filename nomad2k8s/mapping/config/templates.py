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

import posixpath

from kubernetes import client as k8s

from nomad2k8s.errors import ConversionError
from nomad2k8s.lang.consul_template import (
    Kept,
    SecretRange,
    SecretRef,
    Translation,
    translate,
)
from nomad2k8s.lang.gotemplate import TemplateError, TemplateTooDeep
from nomad2k8s.ledger import Status
from nomad2k8s.mapping.config import nomad_env
from nomad2k8s.mapping.config.externalsecrets import ExternalSecrets
from nomad2k8s.mapping.config.plaintext import plaintext_task_env, split_plaintext
from nomad2k8s.mapping.config.template_env import env_template
from nomad2k8s.mapping.config.template_files import (
    destination,
    file_template,
    rewrite_literals,
    template_text,
)
from nomad2k8s.mapping.config.template_objects import (
    GroupTemplates,
    TemplateAccount,
    emit,
    new_account,
)
from nomad2k8s.mapping.config.template_record import (
    record_content,
    record_fields,
    record_secret_kept,
    record_unreadable,
)
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import unresolved_reference, unresolved_suggestion
from nomad2k8s.mapping.storage.taskdirs import resolve
from nomad2k8s.model import Task, Template


def map_templates(gctx: GroupContext) -> None:
    gt = GroupTemplates(gctx, ExternalSecrets(gctx))
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is None:
            continue  # an unconverted task is accounted for as a whole
        for tpl in _last_per_destination(gctx, task):
            _one_template(gt, task, container, tpl)
    plaintext_task_env(gt)
    emit(gt)
    gctx.job_ctx.secret_refs.extend(
        {**ref, "service": gctx.job_ctx.service, "workload": gctx.workload_name} for ref in gt.refs.values())


def _last_per_destination(gctx: GroupContext, task: Task) -> list[Template]:
    """The task's templates, each destination once: Nomad renders every template to its file, so of
    two with one destination the last written wins. The earlier one is recorded (changed), not converted,
    so the report never names a ConfigMap key the pod does not get."""
    last: dict[str, Template] = {}
    for tpl in task.template:
        if isinstance(tpl.destination, str) and tpl.destination:
            _check_destination(gctx, tpl, destination(gctx, task, tpl)[0])
            last[resolve(destination(gctx, task, tpl)[0]).container_path] = tpl
    kept = []
    for tpl in task.template:
        path = resolve(destination(gctx, task, tpl)[0]).container_path \
            if isinstance(tpl.destination, str) and tpl.destination else None
        winner = last.get(path) if path is not None else None
        if winner is None or winner is tpl:
            kept.append(tpl)
            continue
        gctx.ledger.changed(
            "N2K-TEMPLATE-SAME-DESTINATION", tpl.nomad_path,
            f"{_name(tpl)} (line {tpl.line}) and {_name(winner)} (line {winner.line}) both render to {path}: Nomad "
            f"writes both to the file and the last writer wins; only {_name(winner)} is converted",
            k8s="-", line=tpl.line, suggestion="Keep one template per destination (merge them, or give each its own file).")
    return kept


def _check_destination(gctx: GroupContext, tpl: Template, dest: str) -> None:
    """What Nomad's own validation rejects (Template.Validate: the destination must not escape the
    allocation directory; the task dir is alloc/<task>/) and no file system holds (NUL, control
    characters) is one clear error, never a mountPath with `..` or a NUL in it."""
    where = (gctx.job_ctx.source_file or None, tpl.line)
    bad = next((c for c in dest if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise ConversionError(f"{tpl.path_of('destination')}: a control character ({ord(bad):#04x}) in the "
                              "destination path", *where)
    inside = posixpath.normpath(posixpath.join("alloc/task", dest.lstrip("/")))
    if inside != "alloc" and not inside.startswith("alloc/"):
        raise ConversionError(f"{tpl.path_of('destination')}: {dest!r} escapes the allocation directory "
                              "(Nomad rejects this job: template destinations stay in the task and alloc dirs)",
                              *where)


def _name(tpl: Template) -> str:
    return tpl.nomad_path.rsplit(".", 1)[-1]


def _one_template(gt: GroupTemplates, task: Task, container: k8s.V1Container, tpl: Template) -> None:
    gctx = gt.gctx
    content_path = tpl.path_of("data") if tpl.is_set("data") else tpl.path_of("source")
    text, problem = template_text(gctx, tpl)
    outcome = new_account(gctx, content_path)
    is_env = tpl.env is True
    translation: Translation | None = None
    if text is not None:
        try:
            translation = translate(text, _delim(tpl.left_delimiter), _delim(tpl.right_delimiter),
                                    lambda n: nomad_env.static_value(gctx, task, n))
        except TemplateTooDeep as exc:
            # The template block's line: where its text sits in a heredoc is not recorded.
            raise ConversionError(f"{content_path}: {exc}", gctx.job_ctx.source_file or None, tpl.line) from None
        except TemplateError as exc:
            problem = f"template does not parse ({exc}); kept verbatim"
    if text is None or translation is None:  # a translation always has its text
        record_unreadable(gt, task, container, tpl, text, problem or "template content unknown", is_env)
        record_fields(gt, task, tpl, container, TemplateAccount(None, content_path, ""))
        return
    secret_kept = [s for s in translation.segments if isinstance(s, Kept) and s.secret_path is not None]
    if secret_kept:
        record_secret_kept(gt, task, tpl, content_path, text, secret_kept, is_env)
        return
    segments, clear = split_plaintext(gctx, translation.segments)
    segments = rewrite_literals(gctx, task, segments, outcome)
    for name in clear:
        outcome.decide(f"{name} is a secret in clear text: moved to a Vault reference")
    for seg in segments:
        if isinstance(seg, SecretRef):
            gt.note_ref(seg.source_kind, seg.path, content_path, key=seg.key)
        elif isinstance(seg, SecretRange):
            gt.note_ref(seg.source_kind, seg.path, content_path, whole=True)
    for note in translation.notes:
        outcome.note(Status.CHANGED, note)
    if is_env:
        env_template(gt, task, container, tpl, segments, outcome)
    elif tpl.is_set("destination") and isinstance(tpl.destination, str) and tpl.destination:
        file_template(gt, task, container, tpl, segments, outcome)
    else:
        outcome.decide("template has no destination")
    _unresolved_hcl(text, outcome)
    record_content(gt, tpl, content_path, text, segments, outcome, bool(clear), is_env)
    record_fields(gt, task, tpl, container, outcome)


def _unresolved_hcl(text: str, outcome: TemplateAccount) -> None:
    """A `${var.x}`/`${local.x}` the parser could not resolve is written as text: the same rule as
    values.claim_value, so the template is a decision naming the variable, never mapped."""
    reference = unresolved_reference(text)
    if reference is not None:
        outcome.decide(f"${{{reference}}} is unresolved and is copied as text")
        outcome.hint = unresolved_suggestion(reference)


def _delim(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
