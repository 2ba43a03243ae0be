"""Which ledger rows a decision speaks about, and the fingerprint of the settings behind them.

Matching: the service is the ledger's service name (the job name as a DNS label; the job name as
written also matches), the code is equal, and a decision's `path` matches a row whose `nomad_path`
is that path or lies inside it (`job[x].group[y]` matches `job[x].group[y].volume[data]`, never
`job[x].group[y2]`). Without a path the decision matches every row of the code in the service.

Fingerprint: a short hash of the Nomad values behind the matched rows, as (row path, value) pairs:
the setting's value when the row names one leaf, else every leaf of the block it names (so a row on
`volume[data]` changes when any setting of that volume does). A path-less decision therefore also
changes when a row of its code appears or goes. Secret-looking keys and credentials inside values
are masked before hashing (as in reports), so no fingerprint is derived from a secret, which also
means a changed password does not reopen a decision.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..credentials import SECRET_KEY_PATTERN, mask
from ..k8s.names import dns_label
from ..ledger import Ledger
from ..model import paths
from .model import Decision

FINGERPRINT_CHARS = 12


def same_service(decision: Decision, ledger: Ledger) -> bool:
    return decision.service == ledger.service or dns_label(decision.service) == ledger.service


def matches(decision: Decision, code: str, nomad_path: str) -> bool:
    return code == decision.code and (decision.path is None or paths.covers(decision.path, nomad_path))


def matching_rows(decision: Decision, ledger: Ledger) -> list[int]:
    """Indexes into `ledger.entries` of the rows the decision speaks about."""
    if not same_service(decision, ledger):
        return []
    return [i for i, entry in enumerate(ledger.entries) if matches(decision, entry.code, entry.nomad_path)]


def _last_key(path: str) -> str:
    parts = re.split(r"[.\[\]\"]+", path.strip('."]'))
    return parts[-1] if parts else ""


def _safe(path: str, value: Any) -> Any:
    """The value with secrets masked, the way reports show it."""
    if SECRET_KEY_PATTERN.search(_last_key(path)):
        return "<redacted>"
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_safe(path, v) for v in value]
    if isinstance(value, dict):
        return {str(k): _safe(paths.join(path, str(k)), v) for k, v in value.items() if k not in paths.INTERNAL_KEYS}
    return value


def setting(values: dict[str, Any], path: str) -> Any:
    """The value at `path`, or the leaves of the block at `path` keyed by their path below it."""
    if path in values:
        return _safe(path, values[path])
    return {leaf[len(path):]: _safe(leaf, value) for leaf, value in sorted(values.items())
            if leaf != path and paths.covers(path, leaf)}


def fingerprint(ledger: Ledger, rows: list[int]) -> str:
    return fingerprint_of(ledger.values, [ledger.entries[i].nomad_path for i in rows])


def fingerprint_of(values: dict[str, Any], row_paths: list[str]) -> str:
    """Of the parsed values (`Ledger.values`) behind rows at `row_paths`."""
    data = [[path, setting(values, path)] for path in sorted(set(row_paths))]
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:FINGERPRINT_CHARS]
