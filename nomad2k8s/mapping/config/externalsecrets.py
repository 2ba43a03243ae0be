"""ExternalSecrets for one workload: Vault fields and migrated Nomad Variables, named once.

Every secret field a group reads becomes one `data` entry of the workload's ExternalSecret
(`<workload>-secrets`; `<workload>-nomad-vars` when the profile puts Nomad Variables in
another store), whatever template read it: several templates reading one path share it.
File templates that mix secrets into text add a `target.template` entry rendering the file.
Only references leave this module: never a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nomad2k8s.k8s import crds
from nomad2k8s.k8s.names import dns_label
from nomad2k8s.lang.consul_template import NOMAD_VAR, VAULT_V2
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.profile import Profile

_SECRET_KEY_INVALID = re.compile(r"[^-._a-zA-Z0-9]+")


def secret_key_name(text: str) -> str:
    """A valid Secret data key ([-._a-zA-Z0-9]+)."""
    return _SECRET_KEY_INVALID.sub("_", text).strip(".") or "key"


@dataclass(frozen=True)
class RemoteRef:
    key: str
    problem: str | None  # why the derived key may not be right (needs a decision)


def remote_key(profile: Profile, path: str, source_kind: str) -> RemoteRef:
    """remoteRef.key for a Vault path or a Nomad Variable path, by the profile's patterns."""
    settings = profile.secrets
    clean = path.strip("/")
    if source_kind == NOMAD_VAR:
        return RemoteRef(settings.nomad_vars_pattern.format(path=clean), None)
    mount = settings.kv_mount.strip("/")
    problem = None
    if clean.startswith(mount + "/"):
        rest = clean[len(mount) + 1:]
        if source_kind == VAULT_V2 and rest.startswith("data/"):
            rest = rest[len("data/"):]
    elif source_kind == VAULT_V2 and "/data/" in clean:
        # KV v2 API paths name their mount before `/data/`; it is not the store's mount.
        other, rest = clean.split("/data/", 1)
        problem = (f"Vault KV mount {other!r} is not the store's mount {mount!r} "
                   "(profile secrets.kv_mount)")
    else:
        rest = clean
        problem = f"Vault path {path!r} is outside the store's KV mount {mount!r} (profile secrets.kv_mount)"
    return RemoteRef(settings.key_pattern.format(path=rest), problem)


@dataclass
class _Store:
    es_name: str
    store_name: str
    data: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class ExternalSecrets:
    gctx: GroupContext
    stores: dict[str, _Store] = field(default_factory=dict)
    extracts: list[dict[str, Any]] = field(default_factory=list)
    _keys: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)

    def _store_for(self, source_kind: str, suffix: str = "secrets") -> _Store:
        settings = self.gctx.profile.secrets
        name = settings.store_name
        if source_kind == NOMAD_VAR and settings.nomad_vars_store and settings.nomad_vars_store != name:
            name = settings.nomad_vars_store
            suffix = "nomad-vars" if suffix == "secrets" else f"{suffix}-nomad-vars"
        es_name = dns_label(f"{self.gctx.workload_name}-{suffix}", max_len=253)
        if es_name not in self.stores:
            self.stores[es_name] = _Store(es_name=es_name, store_name=name)
        return self.stores[es_name]

    def secret_key(self, path: str, key: str, source_kind: str, *, as_name: str | None = None,
                   suffix: str = "secrets") -> tuple[str, str, RemoteRef]:
        """(Secret name, data key) for one field; the same field always gets the same key.

        `as_name` forces the data key (envFrom needs it to be the env var name)."""
        store = self._store_for(source_kind, suffix)
        remote = remote_key(self.gctx.profile, path, source_kind)
        ident = (store.es_name, remote.key, key if as_name is None else f"{key}>{as_name}")
        if ident in self._keys:
            return (*self._keys[ident], remote)
        taken = {d["secretKey"] for d in store.data} | set(store.files)
        wanted = secret_key_name(as_name or key)
        if wanted in taken:
            wanted = secret_key_name(f"{remote.key.rsplit('/', 1)[-1]}_{key}")
        base, n = wanted, 2
        while wanted in taken:
            wanted, n = f"{base}_{n}", n + 1
        store.data.append({"secretKey": wanted, "remoteRef": {"key": remote.key, "property": key}})
        self._keys[ident] = (store.es_name, wanted)
        return store.es_name, wanted, remote

    def file_key(self, source_kind: str, wanted: str, text: str) -> tuple[str, str]:
        """Add a rendered file (ESO template text) to the store's Secret; returns (Secret name, key)."""
        store = self._store_for(source_kind)
        taken = {d["secretKey"] for d in store.data}
        key, n = secret_key_name(wanted), 2
        while key in taken or (key in store.files and store.files[key] != text):
            key, n = f"{secret_key_name(wanted)}-{n}", n + 1
        store.files[key] = text
        return store.es_name, key

    def extract(self, path: str, source_kind: str) -> tuple[str, RemoteRef]:
        """An ExternalSecret holding every key of one secret (for `range` over it)."""
        remote = remote_key(self.gctx.profile, path, source_kind)
        store = self._store_for(source_kind)
        for existing in self.extracts:
            if existing["remote"] == remote.key and existing["store"] == store.store_name:
                return existing["name"], remote
        name = dns_label(f"{self.gctx.workload_name}-{remote.key.rsplit('/', 1)[-1]}-all", max_len=253)
        self.extracts.append({"name": name, "remote": remote.key, "store": store.store_name})
        return name, remote

    def objects(self) -> list[dict[str, Any]]:
        out = []
        for store in self.stores.values():
            out.append(self._object(store.store_name, store.es_name, data=list(store.data),
                                    template_data=dict(sorted(store.files.items())) or None))
        for extract in self.extracts:
            out.append(self._object(extract["store"], extract["name"], extract_key=extract["remote"]))
        return out

    def _object(self, store_name: str, name: str, **content: Any) -> dict[str, Any]:
        settings = self.gctx.profile.secrets
        return crds.external_secret(
            api_version=settings.api_version,
            metadata=crds.metadata(name, self.gctx.profile.namespace.name, dict(self.gctx.labels)),
            refresh_interval=settings.refresh_interval, store_kind=settings.store_kind, store_name=store_name,
            target=name, **content)
