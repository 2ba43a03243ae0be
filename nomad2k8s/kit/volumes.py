"""The cluster kit's static volumes (issue 18, item 2): a PersistentVolume bound to each claim whose Nomad
volume's data must survive (an open N2K-VOLUME-DATA / N2K-VOLUME-HOST-UNKNOWN / N2K-VOLUME-HOST-PVC row) and
whose location is known, and the claim's `volumeName` (in the service's or OUT/_shared/'s claim, where it is
written).

Where the data is, in this order:
- a CSI volume registered with an `external_id` (Terraform nomad_csi_volume_registration / nomad_external_volume,
  a volume spec file) whose plugin the profile maps to a Kubernetes CSI driver (`cluster_kit.csi_drivers`):
  `csi.driver` + `volumeHandle` = the external_id, `volumeAttributes` = the volume's `context`;
- a CSI volume whose `context` names an NFS export (`server` + `share` or `path`): an `nfs` volume source;
- a host volume whose path is in the profile's `storage.host_volumes` and whose node is in
  `cluster_kit.host_volume_nodes`: `hostPath` + nodeAffinity on that node (node-local data).
Anything less and the data action stays open with exactly what is missing.

With `cluster_kit.copy_jobs` the copy route replaces binding: the old data gets a PV and a read-only source
claim of its own, and a suspended Job copies it into the (new, dynamically provisioned) claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..convert import ServiceResult
from ..job_view import VolumeUse
from ..k8s.names import dns_label
from ..ledger import Ledger, LedgerEntry, Status
from ..profile import Profile
from ..terraform.model import VolumeFact

DATA_CODES = ("N2K-VOLUME-DATA", "N2K-VOLUME-HOST-UNKNOWN", "N2K-VOLUME-HOST-PVC")
MANAGED = {"app.kubernetes.io/managed-by": "nomad2k8s"}
CREATED_BY_PLUGIN = ("nomad_csi_volume", "nomad_dynamic_host_volume")  # the plugin chose where the data went
COPY = ("set -eu; command -v rsync >/dev/null || apk add --no-cache rsync; "
        "rsync -aHAX --numeric-ids --info=progress2 /from/ /to/")


@dataclass
class Need:
    """One claim whose Nomad volume's data must survive."""

    service: ServiceResult  # the service whose ledger says so
    entry: LedgerEntry
    claim: dict[str, Any] | None  # the PersistentVolumeClaim object (in the service or OUT/_shared/)
    volume_type: str  # csi | host
    source: str  # the Nomad volume id / host volume name
    fact: VolumeFact | None


@dataclass
class Location:
    source: dict[str, Any]  # the PV's volume source: {"csi": ...} / {"nfs": ...} / {"hostPath": ...}
    described: str
    node: str | None = None  # node-local data: the node holding it
    caveat: str = ""  # the location is the declaration's, not checked against the plugin


def _claim_name(entry: LedgerEntry) -> str | None:
    k8s = entry.k8s.split(" ")[0]
    return k8s.removeprefix("PersistentVolumeClaim/") if k8s.startswith("PersistentVolumeClaim/") else None


def _namespaces(result: ServiceResult) -> set[str]:
    return {o.get("metadata", {}).get("namespace", "") for o in result.objects}


def _volume(result: ServiceResult, path: str) -> VolumeUse | None:
    if result.view is None:
        return None
    for volume in result.view.volumes:
        if path == volume.nomad_path or path.startswith(volume.nomad_path + "."):
            return volume
    return None


def needs(results: list[ServiceResult]) -> list[Need]:
    """Every open data row naming one standalone claim, with the claim object and what the estate declares."""
    claims: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        for obj in result.objects:
            if obj.get("kind") == "PersistentVolumeClaim":
                meta = obj.get("metadata", {})
                claims.setdefault((meta.get("namespace", ""), meta.get("name", "")), obj)
    found: list[Need] = []
    seen: set[tuple[int, str]] = set()
    for result in results:
        for entry in result.ledger.entries:
            if entry.code not in DATA_CODES or (id(result), entry.nomad_path) in seen:
                continue
            seen.add((id(result), entry.nomad_path))
            volume = _volume(result, entry.nomad_path)
            name = _claim_name(entry)
            claim = next((claims[(ns, name)] for ns in sorted(_namespaces(result)) if (ns, name) in claims),
                         None) if name else None
            source = volume.named if volume is not None else ""
            volume_type = (volume.type or "host") if volume is not None else "ephemeral"
            fact = None
            if volume is not None and result.view is not None:
                fact = result.view.volume_fact(source)
                fact = fact if fact is not None and fact.volume_type == volume_type else None
            found.append(Need(result, entry, claim, volume_type, source, fact))
    return found


def _context_text(context: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted(context.items()) if isinstance(v, (str, int, float, bool))}


def locate(need: Need, profile: Profile) -> Location | str:
    """Where the Nomad volume's data is, or what is missing to know it (a sentence part)."""
    kit, storage = profile.cluster_kit, profile.storage
    if need.claim is None:
        return ("one claim per replica (volumeClaimTemplates): a static PersistentVolume binds one claim"
                if need.volume_type != "ephemeral" else
                "the data is in the Nomad allocation directory, which has no location outside Nomad")
    if need.volume_type == "host":
        path, node = storage.host_volumes.get(need.source), kit.host_volume_nodes.get(need.source)
        if path and node:
            return Location({"hostPath": {"path": path, "type": "Directory"}}, f"hostPath {path} on node {node}", node)
        missing = ([f"the host path of {need.source!r} (storage.host_volumes)"] if not path else [])
        missing += [f"the node holding it (cluster_kit.host_volume_nodes[{need.source}])"] if not node else []
        return " and ".join(missing)
    fact = need.fact
    if fact is None:
        return (f"the declaration of CSI volume {need.source!r} (no Terraform nomad_csi_volume(_registration) or "
                "volume spec file in the repository states its external_id or NFS location)")
    caveat = (f"{fact.kind} lets the plugin place the data: check that the location holds it"
              if fact.kind in CREATED_BY_PLUGIN else "")
    driver = kit.csi_drivers.get(fact.plugin_id or "")
    if fact.external_id and driver:
        csi: dict[str, Any] = {"driver": driver, "volumeHandle": fact.external_id}
        if fact.context:
            csi["volumeAttributes"] = _context_text(fact.context)
        return Location({"csi": csi}, f"CSI {driver} volume {fact.external_id} ({fact.described()})", caveat=caveat)
    server = fact.context.get("server")
    export = fact.context.get("share") or fact.context.get("path")
    if isinstance(server, str) and isinstance(export, str) and server and export.startswith("/"):
        return Location({"nfs": {"server": server, "path": export}}, f"NFS {server}:{export} ({fact.described()})",
                        caveat=caveat)
    missing = [] if fact.external_id else ["its external_id"]
    if not driver:
        missing.append(f"the Kubernetes CSI driver for plugin {fact.plugin_id!r} (cluster_kit.csi_drivers)")
    return f"{' and '.join(missing)} for {fact.described()}, or an NFS server and share in its context"


def _pv(name: str, claim: dict[str, Any], location: Location, source: str, claim_ref: tuple[str, str]) -> dict:
    spec_in = claim.get("spec", {})
    spec: dict[str, Any] = {
        "capacity": {"storage": spec_in.get("resources", {}).get("requests", {}).get("storage", "1Gi")},
        "accessModes": list(spec_in.get("accessModes") or ["ReadWriteOnce"]),
        "persistentVolumeReclaimPolicy": "Retain",  # the Nomad volume's data outlives the claim
        "storageClassName": spec_in.get("storageClassName") or "",
        "claimRef": {"namespace": claim_ref[0], "name": claim_ref[1]},
        **location.source,
    }
    if spec_in.get("volumeMode"):
        spec["volumeMode"] = spec_in["volumeMode"]
    if location.node:
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [location.node]}]}]}}
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "labels": dict(MANAGED),
                         "annotations": {"nomad2k8s.io/nomad-volume": source}},
            "spec": spec}


def _bind(claim: dict[str, Any], pv_name: str) -> None:
    spec = claim.setdefault("spec", {})
    spec["volumeName"] = pv_name
    # No class on the claim would let the default class be injected and never match the PV's "".
    spec.setdefault("storageClassName", "")


def _copy_objects(claim: dict[str, Any], location: Location, source: str,
                  profile: Profile) -> tuple[list[dict[str, Any]], str]:
    meta = claim["metadata"]
    namespace, name = meta.get("namespace", ""), meta["name"]
    from_claim = dns_label(f"{name}-nomad-data")
    pv_name = dns_label(f"nomad-{namespace}-{name}")
    pv = _pv(pv_name, claim, location, source, (namespace, from_claim))
    pv["spec"]["storageClassName"] = ""
    spec = {"accessModes": pv["spec"]["accessModes"], "storageClassName": "", "volumeName": pv_name,
            "resources": {"requests": {"storage": pv["spec"]["capacity"]["storage"]}}}
    source_claim: dict[str, Any] = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "spec": spec,
                                    "metadata": {"name": from_claim, "namespace": namespace, "labels": dict(MANAGED)}}
    if pv["spec"].get("volumeMode"):
        spec["volumeMode"] = pv["spec"]["volumeMode"]
    job_name = dns_label(f"copy-{name}")
    job = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": job_name, "namespace": namespace, "labels": dict(MANAGED),
                        "annotations": {"nomad2k8s.io/run": "review, then: kubectl patch job "
                                        f"{job_name} -n {namespace} -p '{{\"spec\":{{\"suspend\":false}}}}'"}},
           "spec": {"suspend": True, "backoffLimit": 0, "template": {"spec": {
               "restartPolicy": "Never",
               "containers": [{"name": "copy", "image": profile.cluster_kit.copy_image,
                               "command": ["sh", "-c", COPY],
                               "volumeMounts": [{"name": "from", "mountPath": "/from", "readOnly": True},
                                                {"name": "to", "mountPath": "/to"}]}],
               "volumes": [{"name": "from", "persistentVolumeClaim": {"claimName": from_claim, "readOnly": True}},
                           {"name": "to", "persistentVolumeClaim": {"claimName": name}}]}}}}
    return [pv, source_claim, job], job_name


def static_volumes(results: list[ServiceResult], profile: Profile, ledger: Ledger) -> tuple[list[dict], dict]:
    """(the kit's objects, {(id of the service, row nomad path): ("kit", the object settling it) | ("missing",
    what is missing)})."""
    objects: list[dict[str, Any]] = []
    settled: dict[tuple[int, str], tuple[str, Any]] = {}
    done: dict[int, tuple[str, Any]] = {}  # a shared claim is bound once, for every job that mounts it
    for need in needs(results):
        key = (id(need.service), need.entry.nomad_path)
        if need.claim is not None and id(need.claim) in done:
            settled[key] = done[id(need.claim)]
            continue
        where = locate(need, profile)
        what = need.source or ".".join(need.entry.nomad_path.split(".")[-2:])  # group[g].ephemeral_disk
        label = f"cluster_kit.static_volumes[{need.service.name}.{what}]"
        if isinstance(where, str):
            settled[key] = ("missing", where)
            ledger.note(Status.NEEDS_DECISION, "N2K-KIT-VOLUME-LOCATION", label,
                        f"{need.service.name}: no static PersistentVolume for {need.entry.k8s or need.entry.nomad_path}"
                        f": missing {where}", k8s="-")
            continue
        assert need.claim is not None
        meta = need.claim["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        if profile.cluster_kit.copy_jobs:
            made, job = _copy_objects(need.claim, where, need.source, profile)
            objects += made
            settled[key] = done[id(need.claim)] = ("kit", made[-1])
            ledger.note(Status.CHANGED, "N2K-KIT-COPY-JOB", label,
                        f"Job {job} (suspended) copies {where.described} into claim {namespace}/{name}"
                        + (f"; {where.caveat}" if where.caveat else ""), k8s=f"Job/{job}")
            continue
        pv_name = dns_label(f"{namespace}-{name}")
        pv = _pv(pv_name, need.claim, where, need.source, (namespace, name))
        objects.append(pv)
        _bind(need.claim, pv_name)
        settled[key] = done[id(need.claim)] = ("kit", pv)
        ledger.note(Status.CHANGED if where.caveat else Status.MAPPED, "N2K-KIT-STATIC-VOLUME", label,
                    f"PersistentVolume {pv_name} (Retain) bound to claim {namespace}/{name}: {where.described}"
                    + (f"; {where.caveat}" if where.caveat else ""), k8s=f"PersistentVolume/{pv_name}")
    return objects, settled
