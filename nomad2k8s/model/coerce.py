"""THE typed-coercion layer: every field of the raw job tree is checked against the typed model's
annotation by Nomad's own rules before the model (and so any mapper) sees it.

Nomad decodes HCL into Go structs through cty conversion: a string `"true"`/`"1"` is a bool, a numeric
string is a number, a number or bool is a string — and nothing converts a list into a map or a string, or
a bool into a list. So this layer coerces the first kind and rejects the second with one line naming the
setting (`job[x].group[y].task[z].env: expected a map of strings, got a list`), instead of letting a
wrong shape crash a mapper. Unresolved interpolation text (`${var.x}`) is left alone: it can stand
anywhere and the mappers say what they did with it.
"""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

from ..errors import ConversionError
from . import paths
from .base import NomadBlock, _block_class

# Go's strconv.ParseBool spellings (what Nomad accepts for a bool given as a string).
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Driver config keys the docker driver decodes as bools (its config spec); the mappers test `is True`.
DOCKER_BOOLS = frozenset({
    "force_pull", "privileged", "readonly_rootfs", "init", "interactive", "tty", "auth_soft_fail",
    "ipv4_address_enabled", "advertise_ipv6_address", "cap_drop_all", "oom_score_adj_enabled",
    "image_pull_timeout_enabled", "pids_limit_enabled",
})
_MAP_OF_STRINGS = frozenset({"env", "meta", "canary_meta"})  # check `header` values are lists


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a map"
    return f"a {type(value).__name__}"


def _unresolved(value: Any) -> bool:
    return isinstance(value, str) and ("${" in value or "%{" in value)


def as_bool(value: Any) -> bool | None:
    """Nomad's string->bool coercion; None when `value` is no bool by Nomad's rules."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in _TRUE:
        return True
    if isinstance(value, str) and value in _FALSE:
        return False
    return None


def _as_number(text: str) -> int | float | None:
    if not _NUMBER.match(text.strip()):
        return None
    number = float(text)
    return int(text) if re.fullmatch(r"[+-]?\d+", text.strip()) else number


def _as_string(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def _flatten(annotation: Any) -> set[Any]:
    """The member types of an annotation (`str | int | None` -> {str, int, NoneType})."""
    if get_origin(annotation) in (Union, types.UnionType):
        out: set[Any] = set()
        for arg in get_args(annotation):
            out |= _flatten(arg)
        return out
    return {annotation}


class _Where:
    def __init__(self, file: str | None, line: int | None, path: str) -> None:
        self.file, self.line, self.path = file, line, path

    def fail(self, key: str, expected: str, value: Any, sub: str | None = None) -> ConversionError:
        where = paths.join(self.path, key)
        where = paths.join(where, sub) if sub is not None else where
        return ConversionError(f"{where}: expected {expected}, got {_kind(value)}",
                               self.file, self.line)


def _coerce_value(where: _Where, key: str, annotation: Any, value: Any, is_map: bool) -> Any:
    if value is None or _unresolved(value):
        return value
    members = _flatten(annotation)
    origins = {get_origin(m) or m for m in members}
    if is_map or (dict in origins and list not in origins):
        if isinstance(value, dict) or paths.is_block_list(value):
            if key in _MAP_OF_STRINGS:
                for body in value if isinstance(value, list) else [value]:
                    for k, v in body.items():
                        if k not in paths.INTERNAL_KEYS and isinstance(v, (list, dict)):
                            raise where.fail(key, "a string", v, sub=k)
            return value
        if isinstance(value, list) and not value:
            return value
        raise where.fail(key, "a map of strings", value)
    if dict in origins or Any in members:
        return value  # a free-form value (mount_options, wait, policy): the mapper reads it as written
    if list in origins:
        if isinstance(value, list):
            out = []
            for item in value:
                text = item if _unresolved(item) else _as_string(item)
                if text is None:
                    raise where.fail(key, "a list of strings", item)
                out.append(text)
            return out
        if isinstance(value, str) and str in members:
            return value
        if isinstance(value, str):
            return [value]  # one string where Nomad takes a list: a list of one, as the model always did
        raise where.fail(key, "a list of strings", value)
    if bool in members and not ({int, float} & members):
        coerced = as_bool(value)
        if coerced is None:
            raise where.fail(key, "a bool", value)
        return coerced
    if isinstance(value, (list, dict)):
        expected = "a number" if int in members and bool not in members else "a string"
        raise where.fail(key, expected, value)
    if int in members and bool not in members:  # Num: a numeric string is a number
        if isinstance(value, bool):
            raise where.fail(key, "a number", value)
        if isinstance(value, str):
            number = _as_number(value)
            return value if number is None else number
        return value
    if str in members and bool not in members and not isinstance(value, str):
        return _as_string(value)
    return value  # Scalar: any scalar stands


def coerce_block(cls: type[NomadBlock], body: dict[str, Any], path: str, file: str | None) -> dict[str, Any]:
    """A copy of the block body `body` (a node of type `cls` at `path`) with every field coerced."""
    where = _Where(file, body.get(paths.LINE_KEY), path)
    out = dict(body)
    for key, value in body.items():
        field = cls.model_fields.get(key)
        if field is None or key in ("label", "line"):
            continue
        block_cls, _many = _block_class(field.annotation)
        if block_cls is not None and key not in cls.MAP_FIELDS:
            items = [value] if isinstance(value, dict) else value
            if _unresolved(items):
                continue
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                bad = items if not isinstance(items, list) else next(i for i in items if not isinstance(i, dict))
                raise where.fail(key, f"a {key} block", bad)
            out[key] = [coerce_block(block_cls, item, paths.block_path(path, key, item, i, len(items)), file)
                        for i, item in enumerate(items)]
            if isinstance(value, dict):
                out[key] = out[key][0]
            continue
        if key == "config" and cls.__name__ == "Task":
            out[key] = _coerce_driver_config(where, value)
            continue
        out[key] = _coerce_value(where, key, field.annotation, value, key in cls.MAP_FIELDS)
    return out


def _coerce_driver_config(where: _Where, value: Any) -> Any:
    if value is None or _unresolved(value):
        return value
    if not (isinstance(value, dict) or paths.is_block_list(value)):
        raise where.fail("config", "a map", value)
    bodies = value if isinstance(value, list) else [value]
    fixed = []
    for body in bodies:
        body = dict(body)
        for key in DOCKER_BOOLS & body.keys():
            coerced = as_bool(body[key])
            if coerced is not None:
                body[key] = coerced
            elif not _unresolved(body[key]):
                raise where.fail("config", "a bool", body[key], sub=key)
        fixed.append(body)
    return fixed if isinstance(value, list) else fixed[0]


