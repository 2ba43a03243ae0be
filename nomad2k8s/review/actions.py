"""The estate's action plan: every open `action` row, grouped by kind of action across services, so a
meeting sees each step once with every service and item it concerns ("Vault: grant the store read on these
14 paths", with one ready policy snippet).

A kind lists the codes it groups and how an item is described; an action code with no kind here (e.g. one a
site raised to `action` in its profile) is grouped under its own code with the catalogue title.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..ledger import LedgerEntry
from ..ledger.codes import Severity, lookup
from .rows import Row

Detail = Callable[[LedgerEntry, Mapping[str, Any]], list[str]]


def _target(entry: LedgerEntry, _values: Mapping[str, Any]) -> list[str]:
    return [entry.k8s if entry.k8s not in ("", "-") else entry.nomad_path]


def _vault_paths(entry: LedgerEntry, _values: Mapping[str, Any]) -> list[str]:
    # One item per path the templates read: the grant is per path, whatever task read it.
    return list(entry.data.get("read_paths") or []) or [f"{entry.nomad_path}: {entry.message}"]


def _plugin(entry: LedgerEntry, values: Mapping[str, Any]) -> list[str]:
    plugin = values.get(f"{entry.nomad_path}.id") or values.get(f"{entry.nomad_path}.plugin_id")
    return [f"plugin {plugin}" if plugin else entry.nomad_path]


def _setting(entry: LedgerEntry, _values: Mapping[str, Any]) -> list[str]:
    # The setting's label (`sysctl["net.ipv4.ip_forward"]`, `device[intel/gpu]`), else its last field.
    label = re.search(r'\[("?)([^\]"]+)\1\]$', entry.nomad_path)
    name = label.group(2) if label else entry.nomad_path.rsplit(".", 1)[-1]
    return [name + (f" = {entry.value}" if entry.value else "")]


def _said(entry: LedgerEntry, _values: Mapping[str, Any]) -> list[str]:
    return [f"{entry.nomad_path}: {entry.message}"]


def _consul_name(entry: LedgerEntry, _values: Mapping[str, Any]) -> list[str]:
    # One item per Consul service: the forward or the ExternalName Service is per name, whatever reads it.
    service = entry.data.get("service")
    return [f"{service}.service.consul"] if service else [entry.nomad_path]


@dataclass(frozen=True)
class Kind:
    kind: str
    title: str
    codes: tuple[str, ...]
    detail: Detail


KINDS: tuple[Kind, ...] = (
    Kind("vault-read", "Vault: grant the secret store read on these paths", ("N2K-VAULT-ACCESS",), _vault_paths),
    Kind("data", "Data: fill these claims with the Nomad volumes' data",
         ("N2K-VOLUME-DATA", "N2K-VOLUME-HOST-PVC", "N2K-VOLUME-HOST-UNKNOWN"), _target),
    Kind("csi-driver", "CSI: install the Kubernetes CSI drivers for these plugins",
         ("N2K-CSI-PLUGIN", "N2K-CSI-PROFILE-INCOMPLETE"), _plugin),
    Kind("secret-store", "Secrets: store these values in the secret store",
         ("N2K-SECURITY-PLAINTEXT-SECRET", "N2K-TEMPLATE-NOMAD-VAR"), _target),
    Kind("pull-secret", "Registry: create image pull secrets for these containers",
         ("N2K-REGISTRY-AUTH", "N2K-DOCKER-PULL-SECRETS"), _target),
    Kind("device-plugin", "Devices: install the device plugins", ("N2K-DEVICE",), _setting),
    Kind("sysctl", "Nodes: allow these unsafe sysctls on the kubelet", ("N2K-SYSCTL-UNSAFE",), _setting),
    Kind("node-labels", "Nodes: label the nodes these placements select", ("N2K-CONSTRAINT",), _target),
    Kind("consul-dns", "Consul: these services stay on Nomad/Consul; make their names resolve from the cluster "
         "(the kit's CoreDNS forward of `consul`, or ExternalName Services)", ("N2K-CONSUL-NAME-EXTERNAL",),
         _consul_name),
    # The cluster kit's own open rows (OUT/_cluster/): what the profile did not state.
    Kind("kit-placeholder", "Cluster kit: fill in the values the profile does not state", ("N2K-KIT-PLACEHOLDER",),
         _said),
    Kind("hybrid-dns", "Hybrid period: make these Consul names resolve from the pods", ("N2K-KIT-EXTERNAL-NAME-OFF",),
         _said),
)
_BY_CODE = {code: kind for kind in KINDS for code in kind.codes}


def _kind_of(code: str) -> Kind:
    return _BY_CODE.get(code) or Kind(code.lower().removeprefix("n2k-"), lookup(code).title, (code,), _target)


def vault_snippet(paths: list[str]) -> str:
    """A Vault policy for the secret store's role: read on exactly these paths."""
    return "\n".join(f'path "{p}" {{\n  capabilities = ["read"]\n}}' for p in paths)


def _snippet(kind: str, items: list[dict[str, str]]) -> str:
    if kind == "vault-read":
        return vault_snippet(sorted({i["detail"] for i in items if " " not in i["detail"]}))
    return ""


def action_plan(services: list[tuple[str, list[Row], Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """services: (name, review rows, the ledger's parsed values). One dict per kind, in KINDS order."""
    groups: dict[str, dict[str, Any]] = {}
    for name, rows, values in services:
        for row in rows:
            if not row.open or row.severity is not Severity.ACTION:
                continue
            kind = _kind_of(row.entry.code)
            group = groups.setdefault(kind.kind, {"kind": kind.kind, "code": row.entry.code, "title": kind.title,
                                                  "items": [], "snippet": ""})
            for detail in kind.detail(row.entry, values):
                item = {"service": name, "detail": detail, "row": row.id}
                if not any(i["service"] == name and i["detail"] == detail for i in group["items"]):
                    group["items"].append(item)
    order = [k.kind for k in KINDS]
    plan = sorted(groups.values(), key=lambda g: (order.index(g["kind"]) if g["kind"] in order else len(order),
                                                  g["kind"]))
    for group in plan:
        group["snippet"] = _snippet(group["kind"], group["items"])
    return plan
