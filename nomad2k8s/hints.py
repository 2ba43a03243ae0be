"""Per-job hints: the operator's deliberate choices written into the jobspec itself, as
Nomad `meta` keys with the prefix `nomad2k8s.` at job, group or task level:

    meta = {
      "nomad2k8s.workload" = "StatefulSet"
      "nomad2k8s.replicas" = "3"
    }

Nomad ignores them (meta is free-form), so a jobspec stays deployable while it migrates.
Write them in the map form above: HCL2 block attributes must be identifiers, so Nomad >= 1.0
rejects a dotted key inside `meta { ... }` (that form is HCL1 only; both are read here).
This module is the only place that knows hint names and values.

API (what mappers use):

- `hints_for(job, group=None, task=None) -> Hints`: the effective hints for that node; a
  task's hints override its group's, which override the job's. Attributes (None = not set):
    workload: "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob"   (job, group)
    replicas: int >= 0                                                        (job, group)
    namespace: DNS label                                                      (job, group)
    skip: bool (job or group not converted)                                   (job, group)
    host: DNS name, the Ingress host instead of the Traefik rule's             (any level)
    service_type: "ClusterIP" | "NodePort" | "LoadBalancer"                   (any level)
    expose: bool (false = no Ingress)                                         (any level)
    storage_class: storageClassName for the node's PVCs                       (any level)
    volume_size: Kubernetes quantity, e.g. "5Gi"                              (any level)
    vpa: "Off" | "Initial" | "Recreate" | "Auto" | "none" (none = no VPA)     (any level)
  `hints.source("host")` is the Nomad path of the meta key that set it (for ledger notes).
- `gctx.hints` is `hints_for(job, group)`, computed once per group.
- Wired (each effect noted with claims=False, code in brackets):
  workload, replicas (mapping/workload/kinds.py; N2K-WORKLOAD-HINT, N2K-COUNT-HINT), namespace
  (mapping/workload/namespace.py, then convert.py stamps every object), skip (convert.py; N2K-HINT-SKIP),
  host (ingress.rewrite_host: the service's task hint, else group/job; N2K-HINT-HOST),
  service-type and expose (mapping/networking/services.py; N2K-HINT-SERVICE-TYPE, N2K-HINT-EXPOSE),
  storage-class and volume-size (mapping/storage/claims.py `storage_class`/`claim_size`, used by
  volumes/ephemeral/docker_mounts; N2K-HINT-STORAGE-CLASS, N2K-HINT-VOLUME-SIZE),
  vpa (mapping/workload/autoscaling.py `vpa_plan`; N2K-HINT-VPA).
- Precedence: a hint wins over the profile (storage class, VPA mode and whether a VPA exists,
  hosts after the profile rewrite), but volume-size only fills in a size the jobspec does not
  state (CSI capacity_min/max and ephemeral_disk size win: they are the application's own
  requirement). Group volumes, the ephemeral disk and the VPA's updateMode belong to the
  group, so a task-level storage-class/volume-size hint reaches only the claims the task
  creates (docker named volumes), and a task-level vpa hint only turns that container's
  VPA policy off (none/Off).
- Every hint is validated once per job (`validate_job`, called by convert.py: an unknown
  hint or a bad value is a ConversionError naming the valid choices) and claimed in the
  ledger by `map_hints` (code N2K-HINT, status mapped, the meta key as the path). Mappers
  consuming a hint therefore record their effect with `claims=False`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import ConversionError
from .k8s import quantity
from .k8s.names import is_dns1123_label, is_dns1123_subdomain, is_host_name
from .model import Group, Job, Task, paths

PREFIX = "nomad2k8s."
JOB_GROUP = ("job", "group")
ANY_LEVEL = ("job", "group", "task")



class HintValueError(ValueError):
    """A hint value outside its allowed set; the message says what is allowed."""


def _choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip()
        for choice in choices:
            if text.lower() == choice.lower():
                return choice
        raise HintValueError(f"allowed: {', '.join(choices)}")

    parse.allowed = " | ".join(choices)  # type: ignore[attr-defined]
    return parse


def _checked(valid: Callable[[str], bool], what: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip()
        if not valid(text):
            raise HintValueError(f"expected {what}")
        return text

    parse.allowed = what  # type: ignore[attr-defined]
    return parse


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise HintValueError("allowed: true, false")


_bool.allowed = "true | false"  # type: ignore[attr-defined]


def _size(value: Any) -> str:
    try:
        return quantity.size(value)
    except quantity.QuantityError as exc:
        raise HintValueError(f"expected a quantity such as 5Gi ({exc})") from None


_size.allowed = "a quantity such as 5Gi"  # type: ignore[attr-defined]


def _count(value: Any) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit():
        raise HintValueError("expected a whole number >= 0")
    return int(text)


_count.allowed = "whole number >= 0"  # type: ignore[attr-defined]


@dataclass(frozen=True)
class HintSpec:
    name: str  # meta key after the prefix
    attr: str  # attribute of Hints
    levels: tuple[str, ...]
    parse: Callable[[Any], Any]
    description: str

    @property
    def allowed(self) -> str:
        return getattr(self.parse, "allowed", "")


SPECS: tuple[HintSpec, ...] = (
    HintSpec("workload", "workload", JOB_GROUP,
             _choice("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"),
             "Workload kind instead of the one derived from the job type and volumes."),
    HintSpec("replicas", "replicas", JOB_GROUP, _count, "Replica count instead of the group `count`."),
    HintSpec("namespace", "namespace", JOB_GROUP, _checked(is_dns1123_label, "a DNS label"),
             "Kubernetes namespace of the job's (or group's) objects, instead of the profile's."),
    HintSpec("skip", "skip", JOB_GROUP, _bool, "true: do not convert this job or group (the report says so)."),
    HintSpec("host", "host", ANY_LEVEL, _checked(is_host_name, "a DNS host name"),
             "Ingress host instead of the one in the Traefik rule."),
    HintSpec("service-type", "service_type", ANY_LEVEL, _choice("ClusterIP", "NodePort", "LoadBalancer"),
             "Kubernetes Service type."),
    HintSpec("expose", "expose", ANY_LEVEL, _bool, "false: no Ingress even when routing tags ask for one."),
    HintSpec("storage-class", "storage_class", ANY_LEVEL, _checked(is_dns1123_subdomain, "a storage class name"),
             "storageClassName for the PVCs, instead of the profile's."),
    HintSpec("volume-size", "volume_size", ANY_LEVEL, _size,
             "PVC size when the jobspec states none."),
    HintSpec("vpa", "vpa", ANY_LEVEL, _choice("Off", "Initial", "Recreate", "Auto", "none"),
             "VerticalPodAutoscaler update mode; none = no VPA."),
)
BY_NAME = {s.name: s for s in SPECS}


@dataclass(frozen=True)
class HintValue:
    value: Any
    nomad_path: str  # the meta key's path: job[x].meta["nomad2k8s.replicas"]
    level: str  # job | group | task


@dataclass
class Hints:
    workload: str | None = None
    replicas: int | None = None
    namespace: str | None = None
    skip: bool | None = None
    host: str | None = None
    service_type: str | None = None
    expose: bool | None = None
    storage_class: str | None = None
    volume_size: str | None = None
    vpa: str | None = None
    sources: dict[str, HintValue] = field(default_factory=dict)  # attr -> where it was set

    def source(self, attr: str) -> str | None:
        found = self.sources.get(attr)
        return found.nomad_path if found else None


def is_hint_key(key: Any) -> bool:
    return str(key).startswith(PREFIX)


def _level(node: Job | Group | Task) -> str:
    return "job" if isinstance(node, Job) else "group" if isinstance(node, Group) else "task"


def node_hints(node: Job | Group | Task, source: str | None = None) -> Iterator[tuple[HintSpec, HintValue]]:
    """The hints set directly on one node, parsed; bad ones raise ConversionError."""
    level = _level(node)
    for key, raw in (node.meta or {}).items():
        if not is_hint_key(key):
            continue
        name = str(key)[len(PREFIX):]
        path = paths.join(node.path_of("meta"), str(key))
        spec = BY_NAME.get(name)
        if spec is None:
            ranked = difflib.get_close_matches(name, list(BY_NAME), n=len(BY_NAME), cutoff=0)
            raise ConversionError(f"unknown hint {key!r} at {path}; valid hints: "
                                  + ", ".join(PREFIX + n for n in ranked), source, node.line)
        if level not in spec.levels:
            raise ConversionError(f"hint {key!r} at {path} applies only at {' or '.join(spec.levels)} level",
                                  source, node.line)
        try:
            value = spec.parse(raw)
        except HintValueError as exc:
            raise ConversionError(f"invalid value {raw!r} for hint {key!r} at {path}: {exc}", source,
                                  node.line) from None
        yield spec, HintValue(value=value, nomad_path=path, level=level)


def hints_for(job: Job, group: Group | None = None, task: Task | None = None) -> Hints:
    """Effective hints: task overrides group overrides job."""
    hints = Hints()
    for node in (job, group, task):
        if node is None:
            continue
        for spec, hv in node_hints(node):
            setattr(hints, spec.attr, hv.value)
            hints.sources[spec.attr] = hv
    return hints


def _nodes(job: Job) -> Iterator[Job | Group | Task]:
    yield job
    for group in job.group:
        yield group
        yield from group.task


def validate_job(job: Job, source: str | None = None) -> None:
    """Parse every hint of the job once, so bad ones fail with the file and line."""
    for node in _nodes(job):
        for _ in node_hints(node, source):
            pass


def map_hints(jctx: Any) -> None:
    """Claim every hint of the converted groups (skipped groups are claimed whole)."""
    ledger = jctx.ledger
    nodes: list[Job | Group | Task] = [jctx.job]
    for gctx in jctx.groups:
        nodes += [gctx.group, *gctx.group.task]
    for node in nodes:
        for spec, hv in node_hints(node):
            if ledger.is_claimed(hv.nomad_path):
                continue  # inside a block already accounted for whole (e.g. an unsupported-driver task)
            shown = str(hv.value).lower() if isinstance(hv.value, bool) else hv.value
            ledger.mapped("N2K-HINT", hv.nomad_path, f"nomad2k8s hint {spec.name} = {shown} ({hv.level} meta)",
                          k8s=f"{spec.name}: {shown}")
