"""Jobs that mount the same volume get one claim, written once at the estate level (OUT/_shared/).

Each job's mapper names the claim of a CSI volume after the volume id (`dns_label(source)`), so two
jobs mounting one Nomad volume produce two copies of one PersistentVolumeClaim: one object, not a
clash. The copies leave the jobs and become one claim whose access modes are the union of theirs;
the union must allow the sharing (ReadWriteMany, or read-only by everyone), else each job gets a
decision naming the others. flag_name_clashes then only sees true clashes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubernetes.utils import parse_quantity

from .convert import ServiceResult
from .k8s.names import dns_label
from .ledger import Ledger, Status

SHARED = "_shared"  # OUT/_shared/: the estate's own objects (a kustomization of their own)
SYNTAX = "estate"  # ServiceResult.syntax of the estate-level result
RWX, ROX = "ReadWriteMany", "ReadOnlyMany"


def _csi_claims(result: ServiceResult) -> dict[str, str]:
    """claim name -> Nomad volume path, for the job's CSI volumes (from the converted model)."""
    if result.view is None:
        return {}
    found: dict[str, str] = {}
    for volume in result.view.volumes:
        if volume.type == "csi" and volume.source and volume.per_alloc is not True:
            found.setdefault(dns_label(str(volume.source)), volume.nomad_path)
    return found


def _size(claims: list[dict[str, Any]]) -> str:
    sizes = [c["spec"].get("resources", {}).get("requests", {}).get("storage") for c in claims]
    known = [s for s in sizes if s]
    return max(known, key=parse_quantity) if known else ""


def _labels(results: list[ServiceResult]) -> dict[int, str]:
    """How each job is named in messages: its service name, with its file when two share a name."""
    names = [r.name for r in {id(r): r for r in results}.values()]
    return {id(r): r.name if names.count(r.name) == 1 else f"{r.name} ({r.source.as_posix()})" for r in results}


def share_claims(results: list[ServiceResult]) -> ServiceResult | None:
    """Move every claim two or more jobs produce into one estate-level result (None: nothing shared)."""
    users: dict[tuple[str, str], list[tuple[ServiceResult, dict[str, Any], str]]] = {}
    for result in results:
        csi = _csi_claims(result)
        for obj in result.objects:
            meta = obj.get("metadata", {})
            if obj.get("kind") == "PersistentVolumeClaim" and meta.get("name") in csi:
                key = (meta.get("namespace", ""), meta["name"])
                users.setdefault(key, []).append((result, obj, csi[meta["name"]]))
    ledger = Ledger(service=SHARED)
    objects: list[dict[str, Any]] = []
    for (namespace, name), using in sorted(users.items()):
        if len({id(r) for r, _, _ in using}) < 2:
            continue
        objects.append(_merge(namespace, name, using, ledger))
    if not objects:
        return None
    return ServiceResult(name=SHARED, source=Path("."), syntax=SYNTAX, objects=objects, ledger=ledger)


def _merge(namespace: str, name: str, using: list[tuple[ServiceResult, dict[str, Any], str]],
           ledger: Ledger) -> dict[str, Any]:
    claims = [obj for _, obj, _ in using]
    label = _labels([r for r, _, _ in using])
    jobs = sorted(set(label.values()))
    modes = sorted({m for c in claims for m in c["spec"].get("accessModes", [])})
    classes = sorted({c["spec"].get("storageClassName") or "" for c in claims})
    spec = dict(claims[0]["spec"], accessModes=modes)
    if classes[0]:
        spec["storageClassName"] = classes[0]
    size = _size(claims)
    if size:
        spec["resources"] = {"requests": {"storage": size}}
    shared = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
              "metadata": {"name": name, "namespace": namespace,
                           "labels": {"app.kubernetes.io/managed-by": "nomad2k8s"},
                           "annotations": {"nomad2k8s.io/shared-by": ",".join(jobs)}},
              "spec": spec}
    allowed = RWX in modes or set(modes) <= {ROX}
    for result, obj, nomad_path in using:
        result.objects = [o for o in result.objects if o is not obj]
        result.extra.setdefault("shared_volumes", []).append({"claim": f"{namespace}/{name}", "path": nomad_path})
        others = ", ".join(j for j in jobs if j != label[id(result)])
        result.ledger.record(Status.MAPPED, "N2K-VOLUME-SHARED", nomad_path,
                             f"claim {name} is shared with {others}: written once under {SHARED}/ "
                             f"(access modes {', '.join(modes)})", k8s=f"PersistentVolumeClaim/{name}", claims=False)
        if not allowed:
            result.ledger.decide("N2K-VOLUME-SHARED-ACCESS", nomad_path,
                                 f"claim {name} is mounted by {', '.join(jobs)} but its access modes "
                                 f"({', '.join(modes)}) do not let several pods share it", k8s=f"PersistentVolumeClaim/{name}",
                                 claims=False, suggestion="Use a ReadWriteMany storage class, mount it read-only "
                                 "in all but one job, or give each job its own volume.")
        if len(classes) > 1:
            result.ledger.decide("N2K-VOLUME-SHARED-ACCESS", nomad_path,
                                 f"claim {name}: the jobs {', '.join(jobs)} ask for different storage classes "
                                 f"({', '.join(c or 'default' for c in classes)}); {classes[0] or 'default'} used",
                                 k8s=f"PersistentVolumeClaim/{name}", claims=False,
                                 suggestion="Pick one storage class for the shared volume.")
    ledger.record(Status.MAPPED, "N2K-VOLUME-SHARED", f"volume[{name}]",
                  f"one claim for the jobs {', '.join(jobs)} (access modes {', '.join(modes)})",
                  k8s=f"PersistentVolumeClaim/{name}", claims=False)
    return shared
