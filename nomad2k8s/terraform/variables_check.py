"""Nomad Variables declared in Terraform (`nomad_variable` path + item keys) are known keys: the
`nomadVar` references of the converted templates are checked against them, as the live Vault
check does for Vault paths (key names only: the item values are never read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ledger import Status
from .model import EstateFacts

if TYPE_CHECKING:
    from ..convert import ServiceResult


def check_nomad_variables(results: list[ServiceResult], facts: EstateFacts) -> int:
    """One ledger entry per `nomadVar` path read; returns the number of problems. Nothing is checked
    when the estate declares no Nomad Variables (they are then created outside Terraform)."""
    if not facts.variables:
        return 0
    problems = 0
    for result in results:
        for ref in result.extra.get("secret_refs", []):
            if ref.get("kind") != "nomad-var":
                continue
            where = ref["nomad_paths"][0]
            declared = facts.variables.get(ref["path"])
            if declared is None:
                result.ledger.record(
                    Status.NEEDS_DECISION, "N2K-NOMADVAR-NOT-DECLARED", where,
                    f"Nomad Variable {ref['path']} is not declared by a nomad_variable resource of the estate",
                    k8s="-", claims=False, value="", data={"path": ref["path"]},
                    suggestion="Declare it in Terraform, or migrate it from where it is created.")
                problems += 1
                continue
            missing = [k for k in ref["keys"] if k not in declared.keys]
            if missing:
                result.ledger.record(
                    Status.NEEDS_DECISION, "N2K-NOMADVAR-KEY-MISSING", where,
                    f"Nomad Variable {ref['path']} ({declared.where}) has no key {', '.join(missing)}",
                    k8s="-", claims=False, value="", data={"path": ref["path"], "missing": missing},
                    suggestion="Add the items to the nomad_variable resource, or fix the template.")
                problems += 1
            else:
                result.ledger.record(
                    Status.MAPPED, "N2K-NOMADVAR-KEYS-FOUND", where,
                    f"Nomad Variable {ref['path']} ({declared.where}) has every key the templates read",
                    k8s="-", claims=False, value="", data={"path": ref["path"], "keys": list(ref["keys"])})
    return problems
