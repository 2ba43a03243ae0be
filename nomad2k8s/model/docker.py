"""A task's driver `config` block, typed: `DockerConfig`, and THE list-of-blocks-to-dict merge.

HCL gives a nested map two shapes: `labels { a = "b" }` (a block: a list of bodies, each with the
parser's line/label keys) and `labels = { a = "b" }` (an attribute: a dict). `block_map` turns either
into one dict without the parser's keys; every reader of a nested map goes through it (the model's
MAP_FIELDS, docker options, docker mounts, the port map).

`DockerConfig` is the `config` map itself (it stays a mapping: the ledger lists its keys, other
drivers' configs have other keys), with typed accessors for what the docker mappers read.
"""

from __future__ import annotations

from typing import Any

from . import paths


def _strip(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in paths.INTERNAL_KEYS}


def block_map(value: Any) -> dict[str, Any] | None:
    """A nested map as one dict (repeated bodies merged, later keys win); None when `value` is not a
    map (a scalar, a list holding non-maps, an empty list)."""
    if isinstance(value, dict):
        return _strip(value)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        merged: dict[str, Any] = {}
        for item in value:
            merged.update(_strip(item))
        return merged
    return None


class DockerConfig(dict[str, Any]):
    """The `config` block of a task (docker keys; a mapping like the parsed block)."""

    def block(self, key: str) -> dict[str, Any]:
        """The nested map at `key` (`{}` when absent or not a map)."""
        return block_map(self.get(key)) or {}

    def map_at(self, key: str) -> dict[str, Any] | None:
        """The nested map at `key`, or None when the value is not a literal map."""
        return block_map(self.get(key))

    @property
    def image(self) -> str | None:
        value = self.get("image")
        return str(value) if value is not None else None

    @property
    def volume_driver(self) -> str | None:
        value = self.get("volume_driver")
        return str(value) if value else None

    @property
    def network_mode(self) -> str | None:
        value = self.get("network_mode")
        return str(value) if value is not None else None

    @property
    def port_map(self) -> dict[str, Any]:
        return self.block("port_map")

    @property
    def ports(self) -> list[str]:
        """Port labels the container exposes (`ports = ["http"]`); [] when not a list."""
        value = self.get("ports")
        return [str(p) for p in value] if isinstance(value, list) else []

    @property
    def volumes(self) -> list[Any]:
        """The `volumes` strings (one string is a list of one)."""
        value = self.get("volumes")
        if value is None:
            return []
        return value if isinstance(value, list) else [value]


def nested(body: Any, *keys: str) -> dict[str, Any]:
    """The map reached through nested blocks `keys` of a block body (`{}` where one is missing):
    `nested(mount, "volume_options", "driver_config")`."""
    here: dict[str, Any] = block_map(body) or {}
    for key in keys:
        here = block_map(here.get(key)) or {}
    return here
