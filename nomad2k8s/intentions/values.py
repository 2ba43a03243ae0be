"""Reading values out of HCL/JSON/Terraform trees: key normalisation and unresolved references.

Consul accepts CamelCase (config entry files, JSON, `jsonencode`) and snake_case (agent
`config_entries { bootstrap { } }`); everything is normalised to snake_case here, which is
also the spelling of ledger paths (`intention[db].sources[0].permissions[1].http.path_exact`).
"""

from __future__ import annotations

from typing import Any

from ..parse.expr import Evaluator, Runtime, Unresolved, parse_expression
from ..text import snake_case

# Block-like keys that HCL2 hands back as one-element lists of bodies.
SINGLE_BLOCKS = {"http", "config", "acl", "config_entries", "mesh_gateway", "jwt", "expose",
                 "transparent_proxy", "load_balancer"}
# Maps whose keys are user data, not Consul field names.
USER_MAPS = {"meta", "config", "subsets", "failover", "redirect"}

class Ref(dict):
    """A Terraform reference (`var.x`, `data.consul_service.y.name`) that is only known at apply
    time. A dict subclass so the shared evaluator walks attributes and indexes through it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: Any) -> "Ref":
        if isinstance(key, str) and key.isidentifier():
            return Ref(f"{self.text}.{key}")
        return Ref(f"{self.text}[{key}]")

    def __repr__(self) -> str:
        return self.text


def _lookup(root: str) -> Any:
    return Ref(root)


def evaluate(text: str) -> Any:
    """Evaluate one HCL expression; references stay as Ref markers, anything else unknown raises."""
    return Evaluator(_lookup).eval(parse_expression(text))


def resolve_string(value: Any) -> Any:
    """A `${expr}` string from python-hcl2 -> its value (a Ref when it is a reference)."""
    if not isinstance(value, str) or "${" not in value:
        return value
    stripped = value.strip()
    if stripped.startswith("${") and stripped.endswith("}") and stripped.count("${") == 1:
        try:
            node = parse_expression(stripped[2:-1])
            if node[0] == "call":  # e.g. jsonencode(): the caller evaluates its argument itself
                return Ref(stripped[2:-1])
            return Evaluator(_lookup).eval(node)
        except (Unresolved, Runtime):
            return Ref(stripped[2:-1])
    return Ref(value)


def unresolved(value: Any) -> str | None:
    """The reference text when `value` is not a literal known at conversion time."""
    value = resolve_string(value)
    if isinstance(value, Ref):
        return value.text
    return None


def normalise(value: Any, parent: str = "") -> Any:
    """snake_case keys (not inside user maps), one-element block lists unwrapped, HCL2 line
    side-channels dropped except `__line__`."""
    if isinstance(value, Ref):
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "__line__":
                out[key] = item
                continue
            if key.startswith("__"):
                continue
            name = key if parent in USER_MAPS else snake_case(key)
            item = normalise(item, name if parent not in USER_MAPS else "")
            if name in SINGLE_BLOCKS and isinstance(item, list) and len(item) == 1 and isinstance(item[0], dict):
                item = item[0]
            out[name] = item
        return out
    if isinstance(value, list):
        return [normalise(v, parent) for v in value]
    return resolve_string(value)


def plain(value: Any) -> Any:
    """A JSON-safe copy for reports (references shown as their text)."""
    if isinstance(value, Ref):
        return "${" + value.text + "}"
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
