"""Volumes declared outside the jobspec: Terraform resources and Nomad volume spec files
(`nomad volume create/register` input, `type = "csi"` HCL). Secrets are never read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import fileaccess
from ..errors import ConversionError
from ..parse.hcl2_reader import parse_hcl2
from .model import TfDiagnostic, VolumeFact, Where

if TYPE_CHECKING:
    from .evaluate import ModuleScope
    from .modules import Block

VOLUME_RESOURCES = frozenset({"nomad_csi_volume", "nomad_csi_volume_registration", "nomad_external_volume",
                              "nomad_dynamic_host_volume"})
_FIELDS = ("name", "plugin_id", "capacity_min", "capacity_max", "external_id")
# A volume spec file: a top-level `type = "csi"` / `"host"` and no job block (a cheap pre-filter).
_SPEC_TYPE = re.compile(r'^type\s*=\s*"(csi|host)"', re.MULTILINE)
SPEC_MAX_BYTES = 256 * 1024  # volume specs are a few lines; larger files are jobspecs
_JOB = re.compile(r'^\s*job\s+("|\{)', re.MULTILINE)


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value and "${" not in value else None


def _fill(fact: VolumeFact, body: dict[str, Any]) -> VolumeFact:
    """Copy the settings of an evaluated resource/spec body (never `secrets`)."""
    for key in _FIELDS:
        setattr(fact, key, _text(body.get(key)))
    for cap in body.get("capability") or []:
        if isinstance(cap, dict):
            if _text(cap.get("access_mode")):
                fact.access_modes.append(str(cap["access_mode"]))
            if _text(cap.get("attachment_mode")):
                fact.attachment_modes.append(str(cap["attachment_mode"]))
    for key in ("context", "parameters"):
        if isinstance(body.get(key), dict):
            setattr(fact, key, {k: v for k, v in body[key].items() if not k.startswith("__")})
    options = body.get("mount_options")
    options = options[0] if isinstance(options, list) and options else options
    if isinstance(options, dict):
        fact.mount_options = {k: v for k, v in options.items() if not k.startswith("__")}
    return fact


def from_resource(scope: ModuleScope, block: Block, diagnostics: list[TfDiagnostic]) -> VolumeFact | None:
    rtype = block.labels[0]
    body = {k: v for k, v in block.body.items() if k != "secrets"}
    value, _ = scope.value(body, block.where, diagnostics)
    if not isinstance(value, dict):
        return None
    host = rtype == "nomad_dynamic_host_volume"
    volume_id = _text(value.get("name" if host else "volume_id"))
    if volume_id is None:
        return None
    fact = _fill(VolumeFact(volume_id=volume_id, kind=rtype, where=block.where), value)
    fact.volume_type = "host" if host else "csi"
    return fact


def is_volume_spec(text: str) -> bool:
    return bool(_SPEC_TYPE.search(text)) and not _JOB.search(text)


def from_spec_file(file: Path, repo: Path) -> VolumeFact | None:
    """A Nomad volume specification file, or None when the file is not one."""
    try:
        if file.stat().st_size > SPEC_MAX_BYTES:  # a jobspec, not a volume spec: not read twice
            return None
        text = fileaccess.read_text_confined(file.name, file.parent, repo, "volume specification")
    except (ConversionError, OSError):
        return None
    if not is_volume_spec(text):
        return None
    try:
        tree = parse_hcl2(text)
    except Exception:  # noqa: BLE001  not HCL2 (python-hcl2 raises several types): not a spec we read
        return None
    volume_type = tree.get("type")
    volume_id = _text(tree.get("id")) or _text(tree.get("name"))
    if volume_type not in ("csi", "host") or volume_id is None:
        return None
    fact = _fill(VolumeFact(volume_id=volume_id, kind="volume-spec", where=Where(file, 1)), tree)
    fact.volume_type = str(volume_type)
    return fact
