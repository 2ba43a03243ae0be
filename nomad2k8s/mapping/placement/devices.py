"""Devices: `device "nvidia/gpu"` and docker `runtime = "nvidia"` -> nvidia.com/gpu resources,
the GPU runtime class and toleration from the profile; docker `devices` -> hostPath device
mounts in a privileged container. Other devices need a device plugin someone must choose."""

from __future__ import annotations

from typing import Any

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.ledger import Status, Target
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.podspec import add_mount, add_volume, claimed_as_a_whole
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.mapping.placement.constraints import add_preferred, add_required
from nomad2k8s.model import Device, Task, paths

GPU_RESOURCE = "nvidia.com/gpu"


def _is_nvidia_gpu(name: str) -> bool:
    parts = name.split("/")
    return parts == ["gpu"] or (parts[0] == "nvidia" and (len(parts) == 1 or parts[1] == "gpu"))


def _product(text: str) -> str:
    # GPU feature discovery writes the product name with spaces as dashes ("Tesla-T4").
    return text.strip().replace(" ", "-")


def _gpu_pod(gctx: GroupContext) -> None:
    gpu = gctx.profile.gpu
    if gpu.runtime_class:
        gctx.pod_spec.runtime_class_name = gpu.runtime_class
    if gpu.tolerate_taint:
        tolerations = list(gctx.pod_spec.tolerations or [])
        if not any(t.key == GPU_RESOURCE for t in tolerations):
            tolerations.append(k8s.V1Toleration(key=GPU_RESOURCE, operator="Exists", effect="NoSchedule"))
        gctx.pod_spec.tolerations = tolerations


def _request_gpus(container: k8s.V1Container, count: int) -> None:
    resources = container.resources or k8s.V1ResourceRequirements()
    limits, requests = dict(resources.limits or {}), dict(resources.requests or {})
    limits[GPU_RESOURCE] = requests[GPU_RESOURCE] = str(count)
    resources.limits, resources.requests = limits, requests
    container.resources = resources


def _gpu_target(gctx: GroupContext) -> str:
    extra = f", runtimeClassName {gctx.profile.gpu.runtime_class}" if gctx.profile.gpu.runtime_class else ""
    extra += ", toleration nvidia.com/gpu" if gctx.profile.gpu.tolerate_taint else ""
    return extra


def _device_rules(gctx: GroupContext, device: Device) -> None:
    """Device constraints/affinities: the model maps to the GPU product label; other attributes do not."""
    ledger, label = gctx.ledger, gctx.profile.gpu.product_label
    rules = [(r, False) for r in device.constraint] + [(r, True) for r in device.affinity]
    for rule, is_affinity in rules:
        attribute = str(rule.attribute or "").strip()
        operator = str(rule.operator or "=")
        if attribute in ("${device.model}", "device.model") and operator in ("=", "==") and rule.value:
            product = _product(str(rule.value))
            req = k8s.V1NodeSelectorRequirement(key=label, operator="In", values=[product])
            if is_affinity:
                weight = max(1, min(100, abs(as_int(getattr(rule, "weight", None)) or 50)))
                add_preferred(gctx, weight, req)
            else:
                add_required(gctx, req)
            ledger.changed("N2K-DEVICE-MODEL", rule.nomad_path,
                           f"GPU model -> node label {label} (set by GPU feature discovery)",
                           k8s=f"{'preferred' if is_affinity else 'required'} node affinity {label} In [{product}]",
                           suggestion="Check the label value your nodes carry.")
        else:
            ledger.decide("N2K-DEVICE-CONSTRAINT", rule.nomad_path,
                          f"device rule on {attribute or '?'} {operator} {rule.value}: device attributes are not "
                          "node labels", k8s="-",
                          suggestion="Label the nodes with that GPU property and add a node affinity.")


def _map_device(gctx: GroupContext, task: Task, device: Device) -> None:
    ledger = gctx.ledger
    name = device.label or ""
    container = gctx.containers[task.name]
    if not _is_nvidia_gpu(name):
        ledger.decide("N2K-DEVICE", device.nomad_path, f"device {name!r} needs its Kubernetes device plugin",
                      k8s="-", suggestion="Install the vendor's device plugin and request its extended resource "
                      "(e.g. gpu.intel.com/i915) in the container limits.")
        return
    stated = as_int(device.count) if device.is_set("count") else 1
    if device.is_set("count") and (stated is None or stated < 1):
        ledger.decide("N2K-DEVICE-COUNT", device.path_of("count"), f"device count {device.count!r} is not a number",
                      target=Target("container", container.name, field=f"limits.{GPU_RESOURCE}: 1"), suggestion="Set the GPU count.")
    count = stated if stated is not None and stated >= 1 else 1
    _request_gpus(container, count)
    _gpu_pod(gctx)
    target = Target("container", container.name, field=f"limits/requests {GPU_RESOURCE}: {count}{_gpu_target(gctx)}")
    generic = " (any vendor's GPU in Nomad; NVIDIA assumed)" if name == "gpu" else ""
    if device.is_set("count") and count == as_int(device.count):
        ledger.mapped("N2K-DEVICE-GPU", device.path_of("count"), f"{name} x{count}{generic}", target=target)
    ledger.note(Status.CHANGED if name == "gpu" else Status.MAPPED, "N2K-DEVICE-GPU", device.nomad_path,
                f"{name} -> {GPU_RESOURCE}{generic}", target=target)
    parts = name.split("/")
    if len(parts) > 2:
        label = gctx.profile.gpu.product_label
        add_required(gctx, k8s.V1NodeSelectorRequirement(key=label, operator="In", values=[_product(parts[2])]))
        ledger.note(Status.CHANGED, "N2K-DEVICE-MODEL", device.nomad_path, f"GPU model {parts[2]!r} -> node label {label}",
                    k8s=f"required node affinity {label} In [{_product(parts[2])}]")
    _device_rules(gctx, device)


def _runtime(gctx: GroupContext, task: Task, path: str, runtime: Any) -> None:
    ledger = gctx.ledger
    container = gctx.containers[task.name]
    if str(runtime) != "nvidia":
        ledger.decide("N2K-DOCKER-RUNTIME", path, f"docker runtime {runtime!r}", k8s="-",
                      suggestion="Create a RuntimeClass for it and set runtimeClassName.")
        return
    _gpu_pod(gctx)
    has_gpu = GPU_RESOURCE in ((container.resources.limits or {}) if container.resources else {})
    if not has_gpu:
        _request_gpus(container, 1)
        ledger.changed("N2K-DOCKER-RUNTIME", path,
                       "nvidia runtime exposes the node's GPUs; Kubernetes hands out GPUs by count: 1 requested",
                       target=Target("container", container.name, field=f"limits {GPU_RESOURCE}: 1{_gpu_target(gctx)}"),
                       suggestion="Raise the count if the task used several GPUs (NVIDIA_VISIBLE_DEVICES).")
    else:
        ledger.mapped("N2K-DOCKER-RUNTIME", path, "nvidia runtime", k8s=f"runtimeClassName{_gpu_target(gctx)}")


def _docker_devices(gctx: GroupContext, task: Task, config_path: str, value: Any) -> None:
    ledger = gctx.ledger
    container = gctx.containers[task.name]
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        path = paths.block_path(config_path, "devices", item, index, len(items)) if paths.is_block_list(items) \
            else paths.join(config_path, "devices")
        host = str(item.get("host_path") or "") if isinstance(item, dict) else ""
        if not host.startswith("/"):
            ledger.decide("N2K-DOCKER-DEVICE", path, f"cannot read device {item!r}", k8s="-",
                          suggestion="Mount the device by hand.")
            if not paths.is_block_list(items):
                return
            continue
        inside = str(item.get("container_path") or host)
        name = dns_label("dev-" + host.strip("/").replace("/", "-"))
        add_volume(gctx, k8s.V1Volume(name=name, host_path=k8s.V1HostPathVolumeSource(path=host)))
        add_mount(container, k8s.V1VolumeMount(name=name, mount_path=inside))
        container.security_context = container.security_context or k8s.V1SecurityContext()
        container.security_context.privileged = True
        # Privileged gives the container every device and capability of the node, far more than the one
        # device Nomad passed in: a security escalation someone must accept, never a silent mapping.
        ledger.decide("N2K-DOCKER-DEVICE", path,
                      "device passthrough: Kubernetes has no per-device cgroup rule, so the container runs "
                      "privileged with the device node mounted (security: privileged sees every host device "
                      "and holds every capability)" +
                      (" (cgroup_permissions are not enforced)" if item.get("cgroup_permissions") else ""),
                      target=Target("container", container.name, field=f"hostPath {host} -> {inside}, privileged: true"),
                      suggestion="Prefer a device plugin exposing the device as a resource; accept privileged "
                      "only if the site allows it.")


def map_devices(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    for task in gctx.group.task:
        if task.name not in gctx.containers:
            continue
        if task.resources is not None:
            for device in task.resources.device:
                _map_device(gctx, task, device)
        config, config_path = task.docker, task.path_of("config")
        if claimed_as_a_whole(ledger, config_path):
            continue
        if "runtime" in config:
            _runtime(gctx, task, paths.join(config_path, "runtime"), config["runtime"])
        if "devices" in config:
            _docker_devices(gctx, task, config_path, config["devices"])
