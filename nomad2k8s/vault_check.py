"""Opt-in live check of the Vault paths templates read (hvac): key names only, never values.

For every referenced Vault path: does it exist, which referenced keys are missing, and for
`range` templates which keys it has. Findings become ledger entries (notes on settings the
template mapper already claimed).

Read-only in effect: a read of a dynamic-secret endpoint (`database/creds/x`, `aws/creds/x`,
`pki/issue/x`) issues credentials, so the checker learns from `sys/mounts` which mounts are KV
(and their version) and reads nothing outside them; paths with `.`/`..` segments or odd
characters are refused. KV has no endpoint that lists the key names *inside* a secret (KV v2
`metadata/` holds versions and custom metadata only), so when keys must be checked the data is
read, reduced to its key names here and dropped; when only existence matters KV v2 `metadata/`
is read instead. The token and any credentials in the address never reach an output.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fileaccess
from .convert import ServiceResult
from .errors import ConversionError
from .ledger import Status

TOKEN_MAX_BYTES = 64 * 1024
# A path segment consul-template would send as-is: no dot segments, queries, escapes or controls.
SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_\-@+=:,~][A-Za-z0-9_.\-@+=:,~]*")
KV_TYPES = ("kv", "generic")  # `generic` is the pre-0.8 name of KV v1


class VaultUnavailable(Exception):
    """Vault cannot be used (unreachable, bad token); the message never contains the token."""


class VaultSettingsError(ConversionError):
    """The token or address the operator gave cannot be used (a usage error); never shows the token."""


def redact_url(addr: str) -> str:
    """`http://user:pw@host:8200` -> `http://***@host:8200`: credentials never reach an output.
    Not parsed as a URL: a malformed address (no scheme, a raw `/` in the password) is redacted too,
    from after the scheme to the last `@`."""
    if "@" not in addr:
        return addr
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", addr)
    head = scheme.group(0) if scheme else ""
    return head + "***@" + addr.rpartition("@")[2]


def _checked_token(token: str, source: str) -> str:
    token = token.strip()
    # HTTP headers carry ASCII only; requests would fail deep inside with the token in the traceback.
    if not token.isascii() or not token.isprintable():
        raise VaultSettingsError(f"{source} holds a token that is not printable ASCII text")
    return token


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
            try:
                text = fileaccess.read_operator_text(token_file, "Vault token file", TOKEN_MAX_BYTES)
            except ConversionError as exc:
                raise VaultSettingsError(exc.message, exc.file) from None
            token = _checked_token(text, f"Vault token file {token_file}")
        else:
            token = _checked_token(os.environ.get("VAULT_TOKEN", ""), "VAULT_TOKEN")
        verify: bool | str = True
        if os.environ.get("VAULT_SKIP_VERIFY", "").lower() in ("1", "true", "yes"):
            verify = False
        elif os.environ.get("VAULT_CACERT"):
            verify = os.environ["VAULT_CACERT"]
        return cls(addr=addr, token=token, namespace=os.environ.get("VAULT_NAMESPACE") or None, verify=verify)

    def __repr__(self) -> str:  # never print the token, nor credentials in the address
        return f"VaultSettings(addr={redact_url(self.addr)!r}, namespace={self.namespace!r})"


@dataclass(frozen=True)
class Mount:
    path: str  # "secret/"
    type: str
    version: int  # 1 or 2 for KV, 0 otherwise


@dataclass(frozen=True)
class KvPath:
    mount: Mount
    key: str  # the secret's path inside the mount, without `data/`


class NotKv(Exception):
    """A template path the checker will not read; the message says why."""


class VaultChecker:
    def __init__(self, settings: VaultSettings, timeout: float = 5.0) -> None:
        import hvac
        import requests

        self._errors = (hvac.exceptions.VaultError, requests.exceptions.RequestException, OSError)
        self.addr = redact_url(settings.addr)  # shown in messages and ledger rows
        try:
            self.client = hvac.Client(url=settings.addr, token=settings.token, namespace=settings.namespace,
                                      verify=settings.verify, timeout=timeout)
            self.client.sys.is_initialized()  # unauthenticated: tells "unreachable" from "bad token"
        except self._errors as exc:
            raise VaultUnavailable(f"Vault at {self.addr} is unreachable ({type(exc).__name__})") from None
        if not settings.token:
            raise VaultUnavailable("no Vault token (set VAULT_TOKEN or --vault-token-file)")
        try:
            authenticated = self.client.is_authenticated()
        except self._errors as exc:
            raise VaultUnavailable(f"Vault at {self.addr} failed the token check ({type(exc).__name__})") from None
        if not authenticated:
            raise VaultUnavailable(f"Vault at {self.addr} rejected the token")
        self._mounts: list[Mount] | None = None

    # Mounts ---------------------------------------------------------------------------------
    def mounts(self) -> list[Mount]:
        """Every secrets engine the token can see, longest path first (for prefix matching)."""
        if self._mounts is None:
            raw = self._mount_table()
            found = []
            for path, info in raw.items():
                if not isinstance(info, dict) or not isinstance(path, str) or not path.endswith("/"):
                    continue
                kind = str(info.get("type", ""))
                options = info.get("options") or {}
                version = 0
                if kind in KV_TYPES:
                    version = 2 if str(options.get("version", "1")) == "2" else 1
                found.append(Mount(path, kind, version))
            self._mounts = sorted(found, key=lambda m: -len(m.path))
        return self._mounts

    def _mount_table(self) -> dict[str, Any]:
        try:
            response = self.client.sys.list_mounted_secrets_engines()
        except self._errors as exc:
            if type(exc).__name__ != "Forbidden":
                raise VaultUnavailable(f"listing secrets engines failed ({type(exc).__name__})") from None
            # A token without read on sys/mounts still sees the mounts it may use here.
            try:
                response = self.client.adapter.get("/v1/sys/internal/ui/mounts")
            except self._errors as exc2:
                raise VaultUnavailable("the token can read neither sys/mounts nor sys/internal/ui/mounts "
                                       f"({type(exc2).__name__}): cannot tell KV mounts from others") from None
            response = (response.get("data") or {}).get("secret", {}) if isinstance(response, dict) else {}
        data = response.get("data", response) if isinstance(response, dict) else {}
        return data if isinstance(data, dict) else {}

    def kv_path(self, path: str) -> KvPath:
        """The KV mount and key of a template path; NotKv when it is anything else."""
        segments = path.split("/")
        if not path or any(not SAFE_SEGMENT.fullmatch(seg) for seg in segments):
            raise NotKv(f"path {path!r} has an empty, `.`/`..` or unusual segment; not read")
        mount = next((m for m in self.mounts() if path.startswith(m.path)), None)
        if mount is None:
            raise NotKv(f"path {path!r} is under no secrets engine the token can see")
        if mount.type not in KV_TYPES:
            raise NotKv(f"path {path!r} is in a {mount.type!r} secrets engine ({mount.path}), not KV; "
                        "not read (a read can issue credentials)")
        rest = path[len(mount.path):]
        if mount.version == 2:
            head, _, tail = rest.partition("/")
            if head == "data" and tail:
                rest = tail
            elif head in ("metadata", "delete", "undelete", "destroy", "config", "subkeys"):
                raise NotKv(f"path {path!r} is a KV v2 {head!r} endpoint, not a secret; not read")
        if not rest:
            raise NotKv(f"path {path!r} names the mount {mount.path}, not a secret; not read")
        return KvPath(mount, rest)

    # Reads ----------------------------------------------------------------------------------
    def key_names(self, path: str, source_kind: str, need_keys: bool = True) -> list[str] | None:
        """Key names at a KV path (as consul-template reads it); None when it does not exist;
        [] when only existence was asked (`need_keys=False`, KV v2: metadata only). Raises NotKv."""
        kv = self.kv_path(path)
        mount = kv.mount.path.rstrip("/")
        try:
            if kv.mount.version == 2 and not need_keys:
                self.client.secrets.kv.v2.read_secret_metadata(path=kv.key, mount_point=mount)
                return []
            if kv.mount.version == 2:
                response = self.client.secrets.kv.v2.read_secret_version(
                    path=kv.key, mount_point=mount, raise_on_deleted_version=True)
                data = (response.get("data") or {}).get("data") if isinstance(response, dict) else None
            else:
                response = self.client.secrets.kv.v1.read_secret(path=kv.key, mount_point=mount)
                data = response.get("data") if isinstance(response, dict) else None
        except self._errors as exc:
            if type(exc).__name__ in ("InvalidPath", "Forbidden"):
                return None
            raise VaultUnavailable(f"reading a path failed ({type(exc).__name__})") from None
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
    where = ref["nomad_paths"][0]
    try:
        names = checker.key_names(ref["path"], ref["kind"], need_keys=bool(ref["keys"] or ref.get("range")))
    except NotKv as exc:
        ledger.record(Status.NEEDS_DECISION, "N2K-VAULT-NOT-CHECKED", where,
                      f"Vault {exc} at {checker.addr}", k8s="-", claims=False, value="",
                      suggestion="Check this path by hand.", data={"path": ref["path"]})
        return 1
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
