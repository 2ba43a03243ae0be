"""THE limits layer: what the API server would refuse, checked once on every emitted object.

Mappers build objects from Nomad values; this pass runs after them (convert.convert_job) so no mapper
has to know the server's limits. What can be kept valid is changed with a ledger row (a name too long
for its kind is shortened with a stable hash suffix, `names.dns_label`); what cannot (a negative
count, a port outside 1..65535, a ConfigMap over 1 MiB, a key the API refuses) is one ConversionError
naming the object and field, so an invalid manifest never leaves with exit 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import ConversionError
from ..ledger import Ledger
from .names import dns_label

# CronJob: the controller appends an 11-character suffix to Job names (<= 63): 52. StatefulSet: the
# controller-revision-hash label value is "<name>-<10-char hash>" (<= 63), pod names "<name>-<ordinal>".
NAME_MAX = {"CronJob": 52, "StatefulSet": 52}
OBJECT_NAME_MAX = 253
CONFIGMAP_MAX_BYTES = 1024 * 1024  # etcd's request limit as the API server enforces it for one object
# etcd's default --max-request-bytes (1.5 MiB): any larger object is refused (a 5 MB meta value in an env var).
OBJECT_MAX_BYTES = 3 * 512 * 1024
ANNOTATIONS_MAX_BYTES = 256 * 1024  # apimachinery's TotalAnnotationSizeLimitB, per metadata
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
INT32_MAX = 2**31 - 1
_REPLICA_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


def _fail(obj: dict[str, Any], where: str, what: str, file: str | None) -> ConversionError:
    meta = obj.get("metadata") or {}
    return ConversionError(f"{obj.get('kind')}/{meta.get('name')}: {where}: {what}", file)


def _pod_specs(obj: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        yield "spec", spec
    template = (spec.get("template") or {}).get("spec")
    if isinstance(template, dict):
        yield "spec.template.spec", template
    job_template = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec")
    if isinstance(job_template, dict):
        yield "spec.jobTemplate.spec.template.spec", job_template


def _port_ok(value: Any) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or 1 <= value <= 65535


def _negative(quantity: Any) -> bool:
    return (isinstance(quantity, (int, float)) and quantity < 0) or (
        isinstance(quantity, str) and quantity.strip().startswith("-"))


def _check_pod(obj: dict[str, Any], at: str, pod: dict[str, Any], file: str | None) -> None:
    for group in ("initContainers", "containers"):
        for i, container in enumerate(pod.get(group) or []):
            for j, port in enumerate(container.get("ports") or []):
                for key in ("containerPort", "hostPort"):
                    if key in port and not _port_ok(port[key]):
                        raise _fail(obj, f"{at}.{group}[{i}].ports[{j}].{key}",
                                    f"{port[key]} is not a port (1..65535)", file)
            resources = container.get("resources") or {}
            for kind in ("requests", "limits"):
                for name, quantity in (resources.get(kind) or {}).items():
                    if _negative(quantity):
                        raise _fail(obj, f"{at}.{group}[{i}].resources.{kind}.{name}",
                                    f"{quantity} is negative", file)


def _check_config_map(obj: dict[str, Any], file: str | None) -> None:
    size = 0
    for field in ("data", "binaryData"):
        for key, value in (obj.get(field) or {}).items():
            if len(key) > OBJECT_NAME_MAX or not _CONFIG_KEY.match(key):
                raise _fail(obj, f"{field}[{key[:80]!r}]", "a ConfigMap key must be at most 253 characters of "
                            "[-._a-zA-Z0-9]", file)
            size += len(key) + len(str(value).encode())
    if size > CONFIGMAP_MAX_BYTES:
        raise _fail(obj, "data", f"{size} bytes; a ConfigMap holds at most 1 MiB (split the files or mount "
                    "them from a volume)", file)


def _check_size(obj: dict[str, Any], file: str | None) -> None:
    spec = obj.get("spec") or {}
    template = (spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template") or {}) \
        if isinstance(spec, dict) else {}
    for at, meta in (("metadata", obj.get("metadata")), ("pod template metadata", template.get("metadata"))):
        notes = (meta or {}).get("annotations") or {}
        size = sum(len(str(k).encode()) + len(str(v).encode()) for k, v in notes.items())
        if size > ANNOTATIONS_MAX_BYTES:
            raise _fail(obj, f"{at}.annotations", f"{size} bytes; annotations hold at most 256 KiB", file)
    size = len(json.dumps(obj, default=str).encode())
    if size > OBJECT_MAX_BYTES:
        raise _fail(obj, "size", f"{size} bytes; the API server stores at most 1.5 MiB per object (a value this "
                    "large belongs in a file or a volume)", file)


def enforce(objects: list[dict[str, Any]], ledger: Ledger, job_path: str, file: str | None) -> None:
    """Check (and where a valid form exists, change) `objects` in place."""
    for obj in objects:
        kind = obj.get("kind", "")
        meta = obj.get("metadata") or {}
        name = meta.get("name")
        limit = NAME_MAX.get(kind, OBJECT_NAME_MAX)
        if isinstance(name, str) and len(name) > limit:
            short = dns_label(name, limit)
            meta["name"] = short
            ledger.changed("N2K-LIMIT-NAME", job_path, f"{kind} name {name!r} is longer than {limit} characters "
                           f"(the Kubernetes limit for its kind); shortened to {short!r}", k8s=f"{kind}/{short}",
                           claims=False)
        spec = obj.get("spec") or {}
        replicas = spec.get("replicas") if kind in _REPLICA_KINDS else None
        if replicas is not None and (not isinstance(replicas, int) or not 0 <= replicas <= INT32_MAX):
            raise _fail(obj, "spec.replicas", f"{replicas} is not a count (0..{INT32_MAX})", file)
        for at, pod in _pod_specs(obj):
            _check_pod(obj, at, pod, file)
        if kind == "Service":
            for j, port in enumerate(spec.get("ports") or []):
                for key in ("port", "targetPort", "nodePort"):
                    if key in port and not _port_ok(port[key]):
                        raise _fail(obj, f"spec.ports[{j}].{key}", f"{port[key]} is not a port (1..65535)", file)
        if kind == "ConfigMap":
            _check_config_map(obj, file)
        _check_size(obj, file)
