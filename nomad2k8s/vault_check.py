"""Opt-in live check of the Vault paths templates read (hvac): key names only, never values.

For every referenced Vault path: does it exist, which referenced keys are missing, and for
`range` templates which keys it has. Findings become ledger entries (notes on settings the
template mapper already claimed). The secret data is read into memory by hvac, reduced to
its key names here, and dropped; nothing else leaves this module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .convert import ServiceResult
from .ledger import Status


class VaultUnavailable(Exception):
    """Vault cannot be used (unreachable, bad token); the message never contains the token."""


@dataclass(frozen=True)
class VaultSettings:
    addr: str
    token: str
    namespace: str | None = None
    verify: bool | str = True

    @classmethod
    def from_env(cls, addr: str | None, token_file: Path | None) -> VaultSettings | None:
        """Settings from the flags and the usual VAULT_* variables; None when no address is given."""
        addr = addr or os.environ.get("VAULT_ADDR")
        if not addr:
            return None
        if token_file is not None:
            token = token_file.read_text().strip()
        else:
            token = os.environ.get("VAULT_TOKEN", "")
        verify: bool | str = True
        if os.environ.get("VAULT_SKIP_VERIFY", "").lower() in ("1", "true", "yes"):
            verify = False
        elif os.environ.get("VAULT_CACERT"):
            verify = os.environ["VAULT_CACERT"]
        return cls(addr=addr, token=token, namespace=os.environ.get("VAULT_NAMESPACE") or None, verify=verify)

    def __repr__(self) -> str:  # never print the token
        return f"VaultSettings(addr={self.addr!r}, namespace={self.namespace!r})"


class VaultChecker:
    def __init__(self, settings: VaultSettings, timeout: float = 5.0) -> None:
        import hvac
        import requests

        self._errors = (hvac.exceptions.VaultError, requests.exceptions.RequestException, OSError)
        self.addr = settings.addr
        try:
            self.client = hvac.Client(url=settings.addr, token=settings.token, namespace=settings.namespace,
                                      verify=settings.verify, timeout=timeout)
            self.client.sys.is_initialized()  # unauthenticated: tells "unreachable" from "bad token"
        except self._errors as exc:
            raise VaultUnavailable(f"Vault at {settings.addr} is unreachable ({type(exc).__name__})") from None
        if not settings.token:
            raise VaultUnavailable("no Vault token (set VAULT_TOKEN or --vault-token-file)")
        try:
            authenticated = self.client.is_authenticated()
        except self._errors as exc:
            raise VaultUnavailable(f"Vault at {settings.addr} failed the token check ({type(exc).__name__})") from None
        if not authenticated:
            raise VaultUnavailable(f"Vault at {settings.addr} rejected the token")

    def key_names(self, path: str, source_kind: str) -> list[str] | None:
        """Key names at a template path (as consul-template reads it); None when it does not exist."""
        try:
            response = self.client.read(path)
        except self._errors as exc:
            if type(exc).__name__ in ("InvalidPath", "Forbidden"):
                return None
            raise VaultUnavailable(f"reading a path failed ({type(exc).__name__})") from None
        if not isinstance(response, dict):
            return None
        data = response.get("data")
        if source_kind == "vault-kv2":
            data = data.get("data") if isinstance(data, dict) else None
        names = sorted(data) if isinstance(data, dict) else None
        del response, data  # values never outlive this call
        return names


def check_results(results: list[ServiceResult], checker: VaultChecker) -> int:
    """Add live findings to each result's ledger; returns the number of problems found."""
    problems = 0
    for result in results:
        for ref in result.extra.get("secret_refs", []):
            if ref["kind"] in ("nomad-var", "vault-dynamic"):
                continue  # not Vault, or a write endpoint (PKI issue): reading it is wrong, issuing worse
            problems += _check_ref(result, checker, ref)
    return problems


def _check_ref(result: ServiceResult, checker: VaultChecker, ref: dict[str, Any]) -> int:
    ledger = result.ledger
    names = checker.key_names(ref["path"], ref["kind"])
    where = ref["nomad_paths"][0]
    if names is None:
        ledger.record(Status.NEEDS_DECISION, "N2K-VAULT-PATH-MISSING", where,
                      f"Vault path {ref['path']} does not exist at {checker.addr} (or the token cannot read it)",
                      k8s="-", claims=False, value="",
                      suggestion="Create the secret (or fix the path) before cutover.",
                      data={"path": ref["path"]})
        return 1
    missing = [k for k in ref["keys"] if k not in names]
    if missing:
        ledger.record(Status.NEEDS_DECISION, "N2K-VAULT-KEY-MISSING", where,
                      f"Vault path {ref['path']} has no key {', '.join(missing)}", k8s="-", claims=False, value="",
                      suggestion="Add the keys in Vault or fix the template.",
                      data={"path": ref["path"], "missing": missing})
    else:
        ledger.record(Status.MAPPED, "N2K-VAULT-KEYS-FOUND", where,
                      f"Vault path {ref['path']} has every key the templates read", k8s="-", claims=False,
                      value="", data={"path": ref["path"], "keys": list(ref["keys"])})
    if ref.get("range"):
        ledger.record(Status.MAPPED, "N2K-VAULT-RANGE-KEYS", where,
                      f"Vault path {ref['path']} holds keys: {', '.join(names) or '(none)'}", k8s="-",
                      claims=False, value="", data={"path": ref["path"], "keys": names})
    return 1 if missing else 0
