"""The cluster kit of one site profile (OUT/_cluster/): the secret store (secret_store.py), the static
volumes (volumes.py) and the hybrid-period pieces (hybrid.py) as one result written like a service, and
how the review's actions link to the pieces that settle them (`link`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..convert import ServiceResult, sort_objects
from ..emit import tf_schema
from ..emit.bundle import object_filename
from ..emit.hcl import Attr, Block, Call, Raw, render_file
from ..emit.terraform import resource_label
from ..ledger import Ledger
from ..profile import Profile
from ..review.actions import action_plan
from ..review.report import review_rows
from .hybrid import Piece, hybrid_pieces
from .secret_store import KIT, SYNTAX, secret_store_kit
from .volumes import static_volumes


def build_kit(results: list[ServiceResult], profile: Profile, report: Mapping[str, Any],
              by_key: Mapping[str, ServiceResult], graph: Any = None) -> ServiceResult | None:
    """The kit for the services converted under `profile` (None: turned off, or nothing to prepare).
    Binding a static volume sets the claim's volumeName in the result that writes the claim."""
    kit = profile.cluster_kit
    if not kit.enabled:
        return None
    result = secret_store_kit(results, profile) or ServiceResult(
        name=KIT, source=Path("."), syntax=SYNTAX, objects=[], ledger=Ledger(service=KIT))
    files: dict[str, str] = result.extra.setdefault("files", {})
    if kit.static_volumes:
        objects, settled = static_volumes(results, profile, result.ledger)
        result.objects += objects
        result.extra["volume_links"] = settled
    hybrid = hybrid_pieces(by_key, report, profile, result.ledger, graph)
    result.objects += hybrid.objects
    files.update(hybrid.files)
    result.extra["hybrid"] = hybrid.pieces
    policies = sorted(n for n in files if n.startswith("vault-policy-") and n.endswith(".hcl"))
    if policies:
        result.extra["terraform_files"] = {"vault.tf": vault_terraform(policies, profile)}
        result.extra["terraform_providers"] = {
            "vault": {"source": "hashicorp/vault", "version": profile.terraform.vault_provider_version}}
    # kubernetes_job_v1 waits for completion and knows no `suspend`: the copy Jobs stay manifests.
    result.extra["terraform_raw_kinds"] = ["Job"]
    result.objects = sort_objects(result.objects)
    return result


def worth_writing(kit: ServiceResult) -> bool:
    """A kit with objects, files or an open action of its own is written; one that only notes what it could
    not locate is not (the data actions carry that text)."""
    from ..ledger.codes import Severity

    return bool(kit.objects or kit.extra.get("files")
                or any(r.open and r.severity is Severity.ACTION for r in review_rows(kit)))


def vault_terraform(policies: list[str], profile: Profile) -> str:
    """The Vault side of the secret store as Terraform: one vault_policy per policy file (read from the file
    beside it, so the HCL the OpenBao test checks is what Terraform writes) and the Kubernetes auth role."""
    kit = profile.cluster_kit
    blocks: list[Block] = []
    names = [p.removeprefix("vault-policy-").removesuffix(".hcl") for p in policies]
    for name, file in zip(names, policies):
        blocks.append(Block("resource", ["vault_policy", resource_label(name)], [
            Attr("name", name), Attr("policy", Call("file", Raw(f'"${{path.module}}/{file}"')))]))
    blocks.append(Block("resource", ["vault_kubernetes_auth_backend_role", resource_label(kit.auth_role)], [
        Attr("backend", kit.auth_mount), Attr("role_name", kit.auth_role),
        Attr("bound_service_account_names", [kit.service_account]),
        Attr("bound_service_account_namespaces", [kit.service_account_namespace]),
        Attr("token_policies", [Raw(f"vault_policy.{resource_label(n)}.name") for n in names]),
        Attr("token_ttl", 3600)]))
    return ("# The cluster's API address and CA for Vault's Kubernetes auth are not known to nomad2k8s: configure\n"
            f"# the {kit.auth_mount} auth backend (vault_kubernetes_auth_backend_config) where the cluster is known.\n"
            + render_file(blocks))


def kit_file(obj: dict[str, Any], fmt: str) -> str:
    """The file of the kit's directory an object is written to."""
    if fmt == "terraform":
        return tf_schema.FILE_BY_KIND.get(obj.get("kind", ""), "main.tf")
    name = object_filename(obj)
    return name[: -len(".yaml")] + ".json" if fmt == "json" else name


def _rows_by_id(report: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    return {(s["name"], r["id"]): r["nomad_path"] for s in report.get("services", []) for r in s["rows"]}


def link(report: dict[str, Any], kit: ServiceResult, kit_dir: str, fmt: str,
         by_key: Mapping[str, ServiceResult]) -> None:
    """Each action a kit piece settles names it ("prepared by the kit"), each data item whose location is
    unknown says what is missing; the kit's own placeholders join the action plan; each wave lists the
    hybrid-period pieces that can go once it has moved."""
    at = f"{kit_dir}/" if kit_dir not in ("", ".") else ""
    files = kit.extra.get("files", {})
    policies = sorted(f"{at}{n}" for n in files if n.endswith(".hcl"))
    rows = _rows_by_id(report)
    settled = kit.extra.get("volume_links", {})
    for action in report.get("actions", []):
        if action.get("kind") == "vault-read" and policies:
            action["kit"] = policies
        if action.get("kind") != "data":
            continue
        prepared: set[str] = set()
        for item in action["items"]:
            service = by_key.get(item["service"])
            path = rows.get((item["service"], item["row"]))
            found = settled.get((id(service), path)) if service is not None else None
            if found is None:
                continue
            if found[0] == "kit":
                item["kit"] = f"{at}{kit_file(found[1], fmt)}"
                prepared.add(item["kit"])
            else:
                item["missing"] = found[1]
        if prepared:
            action["kit"] = sorted(prepared)
    _link_consul(report, kit.extra.get("hybrid", []), at, fmt)
    own = [r for r in review_rows(kit) if r.open]
    actions = report.setdefault("actions", [])
    for group in action_plan([(kit.name, own, kit.ledger.values)]):
        group["kit"] = [f"{at}{n}" for n in _placeholder_files(kit, fmt)] or [at.rstrip("/") or "."]
        same = next((a for a in actions if a["kind"] == group["kind"]), None)
        if same is None:
            actions.append(group)
        else:  # one kit per site profile, one action per kind
            same["items"] += group["items"]
            same["kit"] = sorted(set(same.get("kit", [])) | set(group["kit"]))
    _waves(report, kit.extra.get("hybrid", []), at, fmt)


def _link_consul(report: dict[str, Any], pieces: list[Piece], at: str, fmt: str) -> None:
    """The consul-dns action (Consul names the pods keep): each name's ExternalName Service, and the forward."""
    names: dict[str, str] = {}
    forward: list[str] = []
    for piece in pieces:
        name = f"{at}{piece.file or kit_file(piece.obj or {}, fmt)}"
        if piece.obj is not None and piece.obj.get("kind") == "Service":
            names.setdefault(piece.obj["spec"]["externalName"], name)
        else:
            forward.append(name)
    for action in report.get("actions", []):
        if action.get("kind") != "consul-dns" or not pieces:
            continue
        for item in action["items"]:
            if item["detail"] in names and not item.get("kit"):
                item["kit"] = names[item["detail"]]
        action["kit"] = sorted(set(action.get("kit", [])) | set(forward) | set(names.values()))


def _placeholder_files(kit: ServiceResult, fmt: str) -> list[str]:
    names = [kit_file(o, fmt) for o in kit.objects if o.get("kind") in ("ClusterSecretStore", "SecretStore")]
    names += [n for n in kit.extra.get("files", {}) if n == "vault-install.sh"]
    return sorted(set(names))


def _waves(report: dict[str, Any], pieces: list[Piece], at: str, fmt: str) -> None:
    later: list[dict[str, str]] = []
    by_wave: dict[int, list[str]] = {}
    for piece in pieces:
        name = f"{at}{piece.file or kit_file(piece.obj or {}, fmt)}"
        what = name if fmt != "terraform" or piece.obj is None else \
            f"{name} ({piece.obj['kind']}/{piece.obj['metadata']['name']})"
        if piece.wave is None:
            later.append({"piece": what, "when": piece.when})
        else:
            by_wave.setdefault(piece.wave, []).append(what)
    for wave in report.get("waves", []):  # one kit per site profile: each adds its own pieces
        if by_wave.get(wave["wave"]):
            wave["kit_remove"] = sorted(set(wave.get("kit_remove", [])) | set(by_wave[wave["wave"]]))
    if later:
        report.setdefault("kit_remove_later", []).extend(later)
