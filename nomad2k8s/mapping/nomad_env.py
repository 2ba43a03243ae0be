"""NOMAD_* runtime values as templates need them, in one place.

SEAM: the networking work adds mapping/runtime.py with the general rewrite of NOMAD_*
values; when it lands, `static_value` and `env_reference` should delegate to it. Until then
the simple, unambiguous ones are translated here: task dirs, names, meta, ports, pod IP.
"""

from __future__ import annotations

import re

from kubernetes import client as k8s

from ..model import Task
from .context import GroupContext
from .values import as_int, has_interpolation

_TASK_DIRS = {"NOMAD_TASK_DIR": "/local", "NOMAD_SECRETS_DIR": "/secrets", "NOMAD_ALLOC_DIR": "/alloc"}


def static_value(gctx: GroupContext, task: Task, name: str) -> str | None:
    """The value a task sees for env `name`, when it is fixed before run time; else None."""
    if name in _TASK_DIRS:
        return _TASK_DIRS[name]
    simple = {
        "NOMAD_JOB_NAME": gctx.job.name, "NOMAD_JOB_ID": gctx.job.name, "NOMAD_GROUP_NAME": gctx.group.name,
        "NOMAD_TASK_NAME": task.name, "NOMAD_NAMESPACE": gctx.profile.namespace.name,
    }
    if name in simple:
        return simple[name]
    if name.startswith("NOMAD_META_"):
        key = name[len("NOMAD_META_"):]
        for block in (task.meta or {}, gctx.group.meta or {}, gctx.job.meta or {}):
            if key in block and not has_interpolation(str(block[key])):
                return str(block[key])
        return None
    match = re.fullmatch(r"NOMAD_(?:HOST_)?PORT_(.+)", name)
    if match and match.group(1) in gctx.ports:
        # Inside the pod the app listens on the container port; there is no separate host port.
        return str(gctx.ports[match.group(1)].container_port)
    value = (task.env or {}).get(name)
    if value is not None and not isinstance(value, (dict, list)) and not has_interpolation(str(value)):
        return str(value)
    return None


def env_reference(gctx: GroupContext, task: Task, name: str) -> tuple[list[k8s.V1EnvVar], str] | None:
    """For env values only known in the running pod: (helper env vars to define, `$(VAR)` text)."""
    pod_ip = k8s.V1EnvVar(name="POD_IP", value_from=k8s.V1EnvVarSource(
        field_ref=k8s.V1ObjectFieldSelector(field_path="status.podIP")))
    if re.fullmatch(r"NOMAD_(?:HOST_)?IP_.+", name):
        return [pod_ip], "$(POD_IP)"
    match = re.fullmatch(r"NOMAD_(?:HOST_)?ADDR_(.+)", name)
    if match and match.group(1) in gctx.ports:
        return [pod_ip], f"$(POD_IP):{gctx.ports[match.group(1)].container_port}"
    fields = {"NOMAD_ALLOC_ID": "metadata.uid", "NOMAD_ALLOC_NAME": "metadata.name",
              "NOMAD_SHORT_ALLOC_ID": "metadata.uid"}
    if name in fields:
        helper = k8s.V1EnvVar(name=f"N2K_{name}", value_from=k8s.V1EnvVarSource(
            field_ref=k8s.V1ObjectFieldSelector(field_path=fields[name])))
        return [helper], f"$(N2K_{name})"
    if as_int(name) is None and name in (task.env or {}):
        return [], f"$({name})"
    return None
