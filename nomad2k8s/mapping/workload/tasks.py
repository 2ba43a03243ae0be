"""Task -> container: driver, image, command/entrypoint/args, env, user, meta (placement: lifecycle.py)."""

from __future__ import annotations

import shlex
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.k8s.image_ref import with_placeholders
from nomad2k8s.k8s.names import dns_label, env_name
from nomad2k8s.ledger import Status, Target
from nomad2k8s.mapping.config.plaintext import is_plaintext_secret, split_value
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.runtime import needs_rewrite
from nomad2k8s.mapping.core.values import (
    as_int,
    claim_value,
    hcl_text,
    unresolved_reference,
    unresolved_suggestion,
)
from nomad2k8s.model import Task, paths

IMAGE_DRIVERS = frozenset({"docker", "podman", "containerd-driver", "nerdctl"})
COMMAND_DRIVERS = frozenset({"exec", "raw_exec", "exec2", "rawexec"})


def _task_target(gctx: GroupContext, task: Task) -> Target:
    return Target(gctx.kind, gctx.workload_name, container=dns_label(task.name))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _image_container(gctx: GroupContext, task: Task, container: k8s.V1Container) -> None:
    ledger, config = gctx.ledger, task.docker
    target = _task_target(gctx, task)
    config_path = task.path_of("config")
    image = config.get("image")
    reference = unresolved_reference(image, any_variable=True) if isinstance(image, str) else None
    if isinstance(image, str) and image and reference is not None:
        # `${...}` in an image is never valid: Kubernetes does not interpolate it. What is known stays
        # (registry, repository, the rest of the tag); only the unknown part is a placeholder.
        container.image = with_placeholders(image, _placeholder(gctx, task))
        kept = container.image != _placeholder(gctx, task)
        ledger.decide("N2K-IMAGE-UNRESOLVED", f"{config_path}.image",
                      f"image {image!r}: ${{{reference}}} is unresolved; "
                      + ("the unknown part is a placeholder" if kept else "a placeholder image is emitted"),
                      target=target.at(f"image: {container.image} (placeholder)"),
                      suggestion=unresolved_suggestion(reference))
    elif isinstance(image, str) and image:
        container.image = image
        if ":" not in image.rsplit("/", 1)[-1] and "@" not in image:
            ledger.changed("N2K-IMAGE-UNTAGGED", f"{config_path}.image", "image has no tag; it resolves to :latest",
                           target=target.at(f"image: {image}"), suggestion="Pin a tag or digest before migrating.")
        else:
            ledger.mapped("N2K-IMAGE", f"{config_path}.image", "container image", target=target.at(f"image: {image}"))
    else:
        container.image = _placeholder(gctx, task)
        ledger.decide("N2K-IMAGE-MISSING", config_path, "no image in the task config",
                      target=target.at(f"image: {container.image}"), suggestion="Set the image by hand.", claims=False)
    entrypoint = _as_list(config.get("entrypoint"))
    command = _as_list(config.get("command"))
    args = _as_list(config.get("args"))
    # Docker semantics: `entrypoint` replaces ENTRYPOINT, `command` + `args` replace CMD.
    # Kubernetes `command` is ENTRYPOINT and `args` is CMD, so the image's ENTRYPOINT is kept
    # unless the jobspec replaced it.
    if entrypoint:
        container.command = entrypoint
        claim_value(ledger, Status.MAPPED, "N2K-ENTRYPOINT", f"{config_path}.entrypoint", entrypoint,
                    "entrypoint replaces the image ENTRYPOINT", target=target.at(f"command: {entrypoint}"))
    if command or args:
        container.args = command + args
    if command:
        claim_value(ledger, Status.MAPPED, "N2K-COMMAND", f"{config_path}.command", command,
                    "docker `command` replaces the image CMD, which Kubernetes calls args (ENTRYPOINT is kept)",
                    target=target.at(f"args[0]: {command[0]}"))
    if args:
        claim_value(ledger, Status.MAPPED, "N2K-ARGS", f"{config_path}.args", args, "arguments", target=target.at("args"))
    if "work_dir" in config:
        container.working_dir = str(config["work_dir"])
        claim_value(ledger, Status.MAPPED, "N2K-WORKDIR", f"{config_path}.work_dir", config["work_dir"],
                    "working directory", target=target.at(f"workingDir: {config['work_dir']}"))
    if "force_pull" in config:
        if config["force_pull"] is True:
            container.image_pull_policy = "Always"
        ledger.mapped("N2K-FORCE-PULL", f"{config_path}.force_pull", "pull policy",
                      target=target.at(f"imagePullPolicy: {'Always' if config['force_pull'] is True else 'default'}"))


def _placeholder(gctx: GroupContext, task: Task) -> str:
    return gctx.profile.placeholder_image.format(driver=dns_label(task.driver or "none"), task=dns_label(task.name))


def _command_container(gctx: GroupContext, task: Task, container: k8s.V1Container) -> None:
    """exec/raw_exec/java run a host binary: keep the command line in a placeholder container."""
    ledger, config = gctx.ledger, task.docker
    target = _task_target(gctx, task)
    container.image = _placeholder(gctx, task)
    config_path = task.path_of("config")
    if task.driver == "java":
        jar = config.get("jar_path")
        cmd = ["java", *_as_list(config.get("jvm_options"))]
        if jar:
            cmd += ["-jar", str(jar)]
        elif config.get("class"):
            cmd += ["-cp", ":".join(_as_list(config.get("class_path"))), str(config["class"])]
        container.command = cmd
        container.args = _as_list(config.get("args")) or None
    else:
        command = _as_list(config.get("command"))
        container.command = command or None
        container.args = _as_list(config.get("args")) or None
    shown = shlex.join((container.command or []) + (container.args or []))
    ledger.decide(
        "N2K-DRIVER-NO-IMAGE", config_path,
        f"{task.driver} driver runs a host command, not an image: `{shown}`",
        target=target.at(f"image: {container.image} (placeholder)"),
        suggestion="Build an image that contains the binary (and its artifacts) and set it here.",
    )


def _env(gctx: GroupContext, task: Task, container: k8s.V1Container) -> None:
    ledger = gctx.ledger
    target = _task_target(gctx, task)
    env = list(container.env or [])
    for key, value in (task.env or {}).items():
        if is_plaintext_secret(str(key), value):
            continue  # a clear-text secret: mapping/config/plaintext.py moves it to a Secret reference
        path = paths.join(task.path_of("env"), str(key))
        name = env_name(str(key))
        text = "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
        text, helpers = split_value(name, text)
        env.append(k8s.V1EnvVar(name=name, value=text))
        if helpers:
            # credentials inside the value became $(HELPER): plaintext.py defines the helpers from a
            # Secret and records the decision (runtime.py still rewrites the rest of the value)
            continue
        if needs_rewrite(text):
            continue  # runtime values and Consul addresses: rewritten and recorded by mapping/core/runtime.py
        if name != key:
            ledger.changed("N2K-ENV-RENAMED", path, f"renamed to {name}: Kubernetes env names are identifiers",
                           target=target.at(f"env {name}"))
        else:
            ledger.mapped("N2K-ENV", path, "environment variable", target=target.at(f"env {name}"))
    container.env = env or None


def _meta_env(gctx: GroupContext, task: Task, container: k8s.V1Container) -> None:
    """Nomad exposes job, group and task meta to tasks as NOMAD_META_<key>; keep that contract."""
    merged: dict[str, Any] = {}
    for block in (gctx.job.meta or {}, gctx.group.meta or {}, task.meta or {}):
        merged.update({k: v for k, v in block.items() if not str(k).startswith("nomad2k8s.")})
    if not merged:
        return
    env = list(container.env or [])
    existing = {e.name for e in env}
    for key, value in merged.items():
        name = env_name(f"NOMAD_META_{key}")
        if name not in existing:
            env.append(k8s.V1EnvVar(name=name, value=hcl_text(value)))
    container.env = env


def _record_meta(ledger, node) -> None:
    for key in (node.meta or {}):
        if str(key).startswith("nomad2k8s."):
            continue  # hints are claimed by the hints module
        ledger.mapped("N2K-META", paths.join(node.path_of("meta"), str(key)),
                      "meta is visible to tasks as NOMAD_META_*; kept as env",
                      k8s=f"env {env_name('NOMAD_META_' + str(key))}")


def map_meta(gctx: GroupContext) -> None:
    """Record group/task meta once (the env copies are made per container)."""
    for node in [gctx.group, *(t for t in gctx.group.task if t.name in gctx.containers)]:
        _record_meta(gctx.ledger, node)


def map_job_meta(jctx) -> None:
    _record_meta(jctx.ledger, jctx.job)


def _user(gctx: GroupContext, task: Task, container: k8s.V1Container) -> None:
    """`user = "uid"` / `"uid:gid"` (docker's forms) -> runAsUser / runAsGroup; a name needs the image's
    /etc/passwd, which the tool cannot read."""
    if not task.is_set("user") or task.user is None:
        return
    user, _, group = str(task.user).strip().partition(":")
    uid, gid = as_int(user), as_int(group) if group else None
    target = _task_target(gctx, task)
    if uid is not None and (not group or gid is not None):
        container.security_context = container.security_context or k8s.V1SecurityContext()
        container.security_context.run_as_user = uid
        field = f"runAsUser: {uid}"
        if gid is not None:
            container.security_context.run_as_group = gid
            field += f", runAsGroup: {gid}"
        gctx.ledger.mapped("N2K-USER", task.path_of("user"), "numeric user" + (" and group" if gid is not None else ""),
                           target=target.at(field))
    else:
        gctx.ledger.decide("N2K-USER-NAME", task.path_of("user"),
                           "Kubernetes needs a numeric uid (and gid), the jobspec names a user or group",
                           target=target, suggestion=f"Look up the ids of {task.user!r} in the image's /etc/passwd "
                           "and /etc/group and set runAsUser / runAsGroup.")


def _driver(gctx: GroupContext, task: Task) -> str:
    driver = task.driver if isinstance(task.driver, str) else ""
    if not task.is_set("driver"):
        gctx.ledger.decide("N2K-DRIVER-MISSING", task.nomad_path, "task has no driver", claims=False)
    return driver


def map_tasks(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    for task in gctx.group.task:
        driver = _driver(gctx, task)
        container = k8s.V1Container(name=dns_label(task.name))
        target = _task_target(gctx, task)
        if driver in IMAGE_DRIVERS:
            ledger.mapped("N2K-DRIVER", task.path_of("driver"), f"{driver} driver", target=target)
            _image_container(gctx, task, container)
        elif driver in COMMAND_DRIVERS or driver == "java":
            ledger.mapped("N2K-DRIVER", task.path_of("driver"), f"{driver} driver -> placeholder container",
                          target=target)
            _command_container(gctx, task, container)
        else:
            # The whole task is accounted for by this one entry: nothing of it is emitted.
            ledger.decide(
                "N2K-DRIVER-UNSUPPORTED", task.nomad_path,
                f"{driver or 'unknown'} driver has no container equivalent; the task is not converted",
                k8s="no container", suggestion="qemu -> KubeVirt VirtualMachine; others: containerise the workload.",
                value=driver,
            )
            continue
        _env(gctx, task, container)
        _meta_env(gctx, task, container)
        _user(gctx, task, container)
        gctx.containers[task.name] = container
    if not gctx.containers:
        gctx.skip = True
        ledger.decide("N2K-GROUP-NO-CONTAINER", gctx.group.nomad_path,
                      "no task could become a container; no workload is emitted", claims=False)
