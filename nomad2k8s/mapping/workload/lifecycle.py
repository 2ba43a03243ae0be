"""Task lifecycle hooks -> where each container runs (init, native sidecar, regular, hook).

- prestart, sidecar = false -> initContainer (runs to completion before the app);
- prestart, sidecar = true  -> native sidecar (initContainer with restartPolicy: Always) on
  Kubernetes >= 1.29 (profile.kubernetes_version), else a regular container (changed);
- poststart, sidecar = true -> regular container (changed: it starts with the app, not after);
- poststart/poststop, not a sidecar -> needs-decision. What is emitted:
  * the task runs the SAME image as an app container and states its command: a postStart
    (poststart) or preStop (poststop) exec hook on that app container;
  * otherwise, in a Job/CronJob a poststart task becomes a regular container (it runs
    alongside the app); anything else is not emitted (a separate Job is the suggestion).
"""

from __future__ import annotations

import shlex

from kubernetes import client as k8s

from nomad2k8s.k8s.handlers import exec_handler
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.podspec import add_mount
from nomad2k8s.model import Task, paths

NATIVE_SIDECAR_MIN = (1, 29)
BATCH_KINDS = frozenset({"Job", "CronJob"})


def version_tuple(text: str) -> tuple[int, ...]:
    """'1.29' / 'v1.29.3' -> (1, 29, 3); unparsable parts count as 0."""
    parts = []
    for piece in text.lstrip("vV").split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def native_sidecars(gctx: GroupContext) -> bool:
    return version_tuple(gctx.profile.kubernetes_version)[:2] >= NATIVE_SIDECAR_MIN


def _where(gctx: GroupContext, what: str, name: str) -> str:
    return f"{gctx.kind}/{gctx.workload_name} {what} {name}"


def _hook_target(gctx: GroupContext, task: Task, container: k8s.V1Container,
                 mains: list[k8s.V1Container]) -> k8s.V1Container | None:
    """The app container that can run this hook task's command: same image, explicit command."""
    if not (container.command or container.args):
        return None
    return next((m for m in mains if m.image == container.image), None)


def _mount_hook_files(gctx: GroupContext, task: Task, container: k8s.V1Container,
                     target: k8s.V1Container) -> tuple[list[str], list[str]]:
    """The hook command runs in `target`: the files the hook task's templates render (mounted only in
    the hook task's container) are mounted there too, at the same paths. The template rows then name
    the container that reads them. Returns the paths mounted and the template blocks carried."""
    taken = {m.mount_path for m in target.volume_mounts or []}
    mounted = []
    for (task_name, mount_path), (volume, key) in sorted(gctx.rendered_files.items()):
        if task_name != task.name or mount_path in taken:
            continue  # the app's own file at that path wins (a mountPath is mounted once)
        add_mount(target, k8s.V1VolumeMount(name=volume, mount_path=mount_path, sub_path=key, read_only=True))
        mounted.append(mount_path)
    # The templates rendering those files (gctx.rendered_by): their rows now name `target`.
    carried = sorted({gctx.rendered_by[(task.name, p)] for p in mounted if (task.name, p) in gctx.rendered_by})
    for entry in gctx.ledger.entries:
        if (entry.target is not None and entry.target.names_container(container.name)
                and any(paths.covers(c, entry.nomad_path) for c in carried)):
            gctx.ledger.retarget(entry, entry.target.with_container(container.name, target.name))
    return mounted, carried


def _set_hook(target: k8s.V1Container, which: str, command: list[str]) -> bool:
    lifecycle = target.lifecycle or k8s.V1Lifecycle()
    if getattr(lifecycle, which) is not None:
        return False
    setattr(lifecycle, which, exec_handler(command))
    target.lifecycle = lifecycle
    return True


def place_containers(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    init: list[k8s.V1Container] = []
    main: list[k8s.V1Container] = []
    hooks: list[tuple[Task, k8s.V1Container, str]] = []
    native = native_sidecars(gctx)
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is None:
            continue
        lifecycle = task.lifecycle
        if lifecycle is None:
            main.append(container)
            continue
        hook = lifecycle.hook if isinstance(lifecycle.hook, str) else "prestart"
        sidecar = lifecycle.sidecar is True
        path = task.path_of("lifecycle")
        if hook == "prestart" and not sidecar:
            init.append(container)
            ledger.mapped("N2K-LIFECYCLE-INIT", path, "prestart task -> init container (runs to completion first)",
                          k8s=_where(gctx, "initContainer", container.name))
        elif hook == "prestart" and native:
            container.restart_policy = "Always"
            init.append(container)
            ledger.mapped("N2K-LIFECYCLE-NATIVE-SIDECAR", path,
                          "prestart sidecar -> native sidecar: starts before the app and runs alongside it",
                          k8s=_where(gctx, "initContainer", container.name) + " restartPolicy: Always")
        elif hook == "prestart":
            main.append(container)
            ledger.changed("N2K-LIFECYCLE-SIDECAR", path,
                           f"prestart sidecar -> regular container: Kubernetes {gctx.profile.kubernetes_version} "
                           "has no native sidecars, so it starts alongside the app, not before it",
                           k8s=_where(gctx, "container", container.name),
                           suggestion="Target Kubernetes >= 1.29 (profile kubernetes_version) for a native sidecar.")
        elif hook == "poststart" and sidecar:
            main.append(container)
            ledger.changed("N2K-LIFECYCLE-POSTSTART-SIDECAR", path,
                           "poststart sidecar -> regular container: it starts with the app, not after it",
                           k8s=_where(gctx, "container", container.name),
                           suggestion="Make it tolerate the app not being ready yet (retry), as Nomad did not need to.")
        elif hook in ("poststart", "poststop"):
            hooks.append((task, container, hook))
        else:
            main.append(container)
            ledger.decide("N2K-LIFECYCLE-UNKNOWN", path, f"unknown lifecycle hook {hook!r}; kept as a regular container",
                          k8s=_where(gctx, "container", container.name))
    for task, container, hook in hooks:
        _place_hook_task(gctx, task, container, hook, main)
    if not main and init:
        # A pod needs at least one regular container: promote the last run-to-completion one.
        promoted = next((c for c in reversed(init) if c.restart_policy is None), init[-1])
        init.remove(promoted)
        promoted.restart_policy = None
        main.append(promoted)
        ledger.changed("N2K-LIFECYCLE-PROMOTED", gctx.group.nomad_path,
                       f"the group has no main task: init container {promoted.name} is the pod's container",
                       k8s=_where(gctx, "container", promoted.name), claims=False)
    gctx.pod_spec.init_containers = init or None
    gctx.pod_spec.containers = main
    if not main:
        gctx.skip = True


def _place_hook_task(gctx: GroupContext, task: Task, container: k8s.V1Container, hook: str,
                     main: list[k8s.V1Container]) -> None:
    ledger = gctx.ledger
    path = task.path_of("lifecycle")
    when = "after the app started" if hook == "poststart" else "after the app stopped"
    target = _hook_target(gctx, task, container, main)
    command = (container.command or []) + (container.args or [])
    which = "post_start" if hook == "poststart" else "pre_stop"
    if target is not None and _set_hook(target, which, command):
        k8s_name = "postStart" if hook == "poststart" else "preStop"
        files, carried = _mount_hook_files(gctx, task, container, target)
        ledger.decide(
            "N2K-LIFECYCLE-HOOK", path,
            f"{hook} task runs {when}; it shares the app's image, so its command became a {k8s_name} exec hook "
            f"of container {target.name}: `{shlex.join(command)}`"
            + (f"; the files its templates render are mounted in {target.name}: {', '.join(files)}" if files else ""),
            k8s=_where(gctx, "container", target.name) + f" lifecycle.{k8s_name}",
            suggestion=("postStart runs concurrently with the app's start and blocks it from being Running; "
                        if hook == "poststart" else
                        "preStop runs BEFORE the app is signalled, not after it exited; ")
            + "keep it short, or move it to a separate Job. The task's own env/resources are not carried.",
            data={"carried_templates": carried} if carried else None,
        )
        return
    if hook == "poststart" and gctx.kind in BATCH_KINDS:
        main.append(container)
        ledger.decide("N2K-LIFECYCLE-POSTSTART", path,
                      f"poststart task runs {when}; here it is a regular container that starts with the app",
                      k8s=_where(gctx, "container", container.name),
                      suggestion="Make it wait for the app (retry loop), or run it as a separate Job.")
        return
    ledger.decide(
        "N2K-LIFECYCLE-HOOK-NOT-EMITTED", path,
        f"{hook} task runs {when}; Kubernetes has no such container phase and its image differs from the app's, "
        "so it is not emitted",
        k8s="no container",
        suggestion="Run it as a separate Job (triggered by your deploy tooling), or as a "
        + ("postStart" if hook == "poststart" else "preStop") + " exec hook if the app image has the command.",
    )
