"""`vault` blocks (job, group, task) -> a decision: who may read which paths.

In Kubernetes the pod no longer gets a Vault token: External Secrets reads with the secret
store's own Vault role. So the policies a task used must become read grants for that role,
on exactly the paths the templates read (listed in the entry).
"""

from __future__ import annotations

from nomad2k8s.mapping.core.context import JobContext
from nomad2k8s.model import paths
from nomad2k8s.model.blocks import Vault


def _paths_in_scope(jctx: JobContext, scope: str, dynamic: bool) -> list[str]:
    """Vault paths the templates in `scope` use: KV reads (dynamic False) or PKI issue / dynamic
    secrets (True, kind vault-dynamic: cert-manager's Vault issuer needs them, not the store)."""
    found: list[str] = []
    for ref in jctx.secret_refs:
        if ref["kind"] == "nomad-var" or (ref["kind"] == "vault-dynamic") != dynamic:
            continue
        if any(paths.covers(scope, p) for p in ref["nomad_paths"]) and ref["path"] not in found:
            found.append(ref["path"])
    return sorted(found)


def map_vault(jctx: JobContext) -> None:
    settings = jctx.profile.secrets
    store = f"{settings.store_kind}/{settings.store_name}"
    nodes = [jctx.job, *jctx.job.group, *(t for g in jctx.job.group for t in g.task)]
    for node in nodes:
        vault = getattr(node, "vault", None)
        if not isinstance(vault, Vault) or jctx.ledger.is_claimed(vault.nomad_path):
            continue  # an unconverted task's vault block is accounted for with the task
        read = _paths_in_scope(jctx, node.nomad_path, dynamic=False)
        issued = _paths_in_scope(jctx, node.nomad_path, dynamic=True)
        policies = ", ".join(vault.policies or []) or "-"
        details = [f"policies {policies}"]
        if vault.role:
            details.append(f"role {vault.role}")
        if vault.env is not False:
            details.append("the task no longer gets VAULT_TOKEN")
        if vault.change_mode:
            details.append(f"change_mode {vault.change_mode} has no equivalent (no token to renew)")
        grants = []
        if read:
            grants.append("Grant the store's Vault role read access to: " + ", ".join(read))
        if issued:
            grants.append("Give cert-manager's Vault issuer role update access to the certificate/dynamic paths "
                          "(not converted, see N2K-TEMPLATE-PKI): " + ", ".join(issued))
        if not grants:
            grants.append("No template here reads Vault: if the app calls Vault itself, give it a Kubernetes-auth "
                          "role.")
        data = {**({"read_paths": read} if read else {}), **({"issue_paths": issued} if issued else {})}
        jctx.ledger.decide(
            "N2K-VAULT-ACCESS", vault.nomad_path,
            "Vault access moves to the secret store (" + "; ".join(details) + ")",
            k8s=store, suggestion=". ".join(grants), data=data or None,
        )
