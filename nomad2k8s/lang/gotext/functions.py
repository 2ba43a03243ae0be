"""Template functions: Go's built-ins and the Sprig helpers packs use, with Go's formatting.

Values are Python data decoded from HCL/YAML/JSON, printed the Go way by gofmt.py (`go_str` is `%v`, so a list is
`[a b]` and a map `map[k:v]`); `go_quote` is Go's `%q`. A function that is not in a dialect's table
is an error at the call site (evaluate.py), never skipped.
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
from collections.abc import Callable
from typing import Any

import yaml

from ...nesting import json_depth_error, message
from .gofmt import (
    MAX_VALUE,
    DataError,
    TemplateFuncError,
    go_quote,
    go_sprintf,
    go_str,
    truth,
    type_name,
)
from .gofmt import cap as _cap
from .gofmt import strval as _strval

__all__ = [
    "DataError",
    "TemplateFuncError",
    "empty",
    "go_quote",
    "go_str",
    "levant_table",
    "pack_table",
    "to_string_list",
    "truth",
    "type_name",
]


# ------------------------------------------------------------------ built-ins

def _eq(a: Any, *others: Any) -> bool:
    if not others:
        raise TemplateFuncError("missing argument for comparison")
    return any(_same(a, b) for b in others)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return bool(a == b)


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
        if not numbers and not (isinstance(a, str) and isinstance(b, str)):
            raise TemplateFuncError(f"incompatible types for comparison: {type_name(a)} and {type_name(b)}")
        return op(a, b)
    return compare


def _len(value: Any) -> int:
    if isinstance(value, (str, list, tuple, dict)):
        return len(value)
    raise TemplateFuncError(f"len of {type_name(value) if value is not None else 'nil'}")


def _index(value: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, (list, tuple, str)) and isinstance(key, int):
            if not 0 <= key < len(value):
                raise TemplateFuncError(f"index out of range: {key}")
            value = value[key]
        else:
            raise TemplateFuncError(f"can't index item of type {type_name(value)}")
    return value


def _slice(value: Any, *bounds: int) -> Any:
    if not isinstance(value, (str, list, tuple)):
        raise TemplateFuncError(f"can't slice item of type {type_name(value)}")
    if len(bounds) > 2:
        raise TemplateFuncError("3-index slices are not supported")
    return value[bounds[0]:bounds[1] if len(bounds) > 1 else None] if bounds else value


def _print(*args: Any) -> str:
    # Go's fmt.Sprint puts spaces between operands when neither is a string.
    out = ""
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out += " "
        out += _strval(arg)
    return _cap(out)


GO_BUILTINS: dict[str, Callable[..., Any]] = {
    "not": lambda v: not truth(v),
    "eq": _eq,
    "ne": lambda a, b: not _same(a, b),
    "lt": _ordered(lambda a, b: a < b),
    "le": _ordered(lambda a, b: a <= b),
    "gt": _ordered(lambda a, b: a > b),
    "ge": _ordered(lambda a, b: a >= b),
    "len": _len,
    "index": _index,
    "slice": _slice,
    "print": _print,
    "println": lambda *a: _cap(" ".join(_strval(x) for x in a) + "\n"),
    "printf": go_sprintf,
}


# ------------------------------------------------------------------ Sprig subset

def empty(value: Any) -> bool:
    return not truth(value)


def _default(fallback: Any, *given: Any) -> Any:
    return fallback if not given or empty(given[0]) else given[0]


def _json(value: Any, pretty: bool = False) -> str:
    try:
        if pretty:
            return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TemplateFuncError(str(exc)) from None


def _to_yaml(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True, allow_unicode=True).rstrip("\n")


def _indent(spaces: int, text: Any) -> str:
    if not isinstance(spaces, int) or spaces < 0 or spaces > 4096:
        raise TemplateFuncError("indent width must be between 0 and 4096")
    pad = " " * spaces
    return _cap(pad + _strval(text).replace("\n", "\n" + pad))


def _string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [_strval(v) for v in value]
    return [_strval(value)]


def _split(sep: str, text: str) -> dict[str, str]:
    return {f"_{i}": part for i, part in enumerate(_strval(text).split(sep))}


def _repeat(count: int, text: str) -> str:
    if count * len(text) > MAX_VALUE:
        raise TemplateFuncError(f"result exceeds {MAX_VALUE} characters")
    return text * count


def _dict(*pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        out[_strval(pairs[i])] = pairs[i + 1] if i + 1 < len(pairs) else ""
    return out


def _keys(*maps: Any) -> list[str]:
    out: list[str] = []
    for m in maps:
        if not isinstance(m, dict):
            raise TemplateFuncError(f"keys of {type_name(m)}")
        out += sorted(m, key=str)
    return out


def _to_int(value: Any) -> int:
    try:
        return int(float(value)) if isinstance(value, str) else int(value or 0)
    except (TypeError, ValueError):
        return 0


def _quote_all(*values: Any) -> str:
    return " ".join(go_quote(_strval(v)) for v in values if v is not None)


def _fail(message: Any) -> Any:
    raise TemplateFuncError(f"template called fail: {_strval(message)}")


def _required(message: Any, value: Any) -> Any:
    if empty(value) and not isinstance(value, (bool, int, float)):
        raise TemplateFuncError(f"required value missing: {_strval(message)}")
    return value


def _ternary(yes: Any, no: Any, cond: Any) -> Any:
    return yes if truth(cond) else no


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if not empty(v)), None)


def _regex_replace(pattern: str, text: str, repl: str) -> str:
    try:
        return _cap(re.sub(pattern, lambda _m: repl, _strval(text)))
    except re.error as exc:
        raise TemplateFuncError(f"bad regular expression: {exc}") from None


SPRIG: dict[str, Callable[..., Any]] = {
    "quote": _quote_all,
    "squote": lambda *v: " ".join(f"'{_strval(x)}'" for x in v if x is not None),
    "toJson": _json,
    "toRawJson": _json,
    "toPrettyJson": lambda v: _json(v, pretty=True),
    "toYaml": _to_yaml,
    "default": _default,
    "empty": empty,
    "coalesce": _coalesce,
    "ternary": _ternary,
    "required": _required,
    "fail": _fail,
    "trim": lambda s: _strval(s).strip(),
    "trimAll": lambda cut, s: _strval(s).strip(cut),
    "trimPrefix": lambda p, s: _strval(s).removeprefix(p),
    "trimSuffix": lambda p, s: _strval(s).removesuffix(p),
    "upper": lambda s: _strval(s).upper(),
    "lower": lambda s: _strval(s).lower(),
    "title": lambda s: _strval(s).title(),
    "replace": lambda old, new, s: _cap(_strval(s).replace(old, new)),
    "regexReplaceAll": _regex_replace,
    "contains": lambda sub, s: sub in _strval(s),
    "hasPrefix": lambda p, s: _strval(s).startswith(p),
    "hasSuffix": lambda p, s: _strval(s).endswith(p),
    "repeat": _repeat,
    "nospace": lambda s: re.sub(r"\s", "", _strval(s)),
    "trunc": lambda n, s: _strval(s)[:n] if n >= 0 else _strval(s)[n:],
    "join": lambda sep, items: _cap(_strval(sep).join(_string_list(items))),
    "split": _split,
    "splitList": lambda sep, s: _strval(s).split(sep),
    "indent": _indent,
    "nindent": lambda n, s: "\n" + _indent(n, s),
    "toString": _strval,
    "toStrings": _string_list,
    "int": _to_int,
    "int64": _to_int,
    "atoi": _to_int,
    "float64": lambda v: float(v or 0),
    "add": lambda *n: sum(_to_int(x) for x in n),
    "add1": lambda n: _to_int(n) + 1,
    "sub": lambda a, b: _to_int(a) - _to_int(b),
    "mul": lambda *n: _product(n),
    "div": lambda a, b: _divide(a, b),
    "mod": lambda a, b: _to_int(a) % _to_int(b) if _to_int(b) else _fail("modulo by zero"),
    "max": lambda *n: max(_to_int(x) for x in n),
    "min": lambda *n: min(_to_int(x) for x in n),
    "list": lambda *v: list(v),
    "dict": _dict,
    "keys": _keys,
    "values": lambda m: [m[k] for k in sorted(m, key=str)] if isinstance(m, dict) else _fail("values of non-map"),
    "hasKey": lambda m, k: isinstance(m, dict) and k in m,
    "get": lambda m, k: m.get(k, "") if isinstance(m, dict) else _fail("get of non-map"),
    "pluck": lambda k, *maps: [m[k] for m in maps if isinstance(m, dict) and k in m],
    "first": lambda v: v[0] if v else None,
    "last": lambda v: v[-1] if v else None,
    "rest": lambda v: list(v[1:]),
    "initial": lambda v: list(v[:-1]),
    "has": lambda item, v: item in (v or []),
    "uniq": lambda v: list(dict.fromkeys(v)),
    "sortAlpha": lambda v: sorted(_string_list(v)),
    "concat": lambda *lists: [x for lst in lists for x in (lst or [])],
    "append": lambda v, x: list(v or []) + [x],
    "b64enc": lambda s: base64.b64encode(_strval(s).encode()).decode(),
    "b64dec": lambda s: base64.b64decode(_strval(s)).decode("utf-8", "replace"),
    "base": lambda p: posixpath.basename(_strval(p).rstrip("/")) or ("/" if _strval(p).startswith("/") else "."),
    "dir": lambda p: posixpath.dirname(_strval(p)) or ".",
    "ext": lambda p: posixpath.splitext(_strval(p))[1],
    "kindIs": lambda kind, v: _kind(v) == kind,
    "kindOf": lambda v: _kind(v),
}


def _product(values: tuple[Any, ...]) -> int:
    out = 1
    for v in values:
        out *= _to_int(v)
        if abs(out) > 1 << 63:
            raise TemplateFuncError("integer overflow")
    return out


def _divide(a: Any, b: Any) -> int:
    if not _to_int(b):
        raise TemplateFuncError("division by zero")
    q = abs(_to_int(a)) // abs(_to_int(b))  # Go truncates toward zero
    return q if (_to_int(a) >= 0) == (_to_int(b) > 0) else -q


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return {float: "float64", str: "string", list: "slice", dict: "map"}.get(type(value), "invalid")


# ------------------------------------------------------------------ nomad-pack / Levant extras

def to_string_list(value: Any) -> str:
    """nomad-pack's toStringList: an HCL list of quoted strings."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return "[" + ", ".join(go_quote(_strval(v)) for v in items) + "]"


def _loop(*bounds: int) -> list[int]:
    if len(bounds) not in (1, 2):
        raise TemplateFuncError(f"loop: wrong number of arguments, expected 1 or 2, but got {len(bounds)}")
    start, stop = (0, bounds[0]) if len(bounds) == 1 else bounds
    if stop - start > 1_000_000:
        raise TemplateFuncError("loop: more than 1000000 iterations")
    return list(range(int(start), int(stop)))


def _parse_bool(text: str) -> bool:
    if text in ("", "0", "f", "F", "false", "FALSE", "False"):
        return False
    if text in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    raise TemplateFuncError(f"cannot parse {text!r} as a boolean")


def _parse_number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return kind(text) if text != "" else kind("0")
        except ValueError:
            raise TemplateFuncError(f"cannot parse {text!r} as a number") from None
    return parse


def _parse_json(text: str) -> Any:
    if json_depth_error(text) is not None:
        raise TemplateFuncError(f"invalid JSON: {message('JSON brackets')}")
    try:
        return json.loads(text) if text else {}
    except ValueError as exc:
        raise TemplateFuncError(f"invalid JSON: {exc}") from None


LEVANT_EXTRAS: dict[str, Callable[..., Any]] = {
    "loop": _loop,
    "parseBool": _parse_bool,
    "parseInt": _parse_number(int),
    "parseUint": _parse_number(int),
    "parseFloat": _parse_number(float),
    "parseJSON": _parse_json,
    "toLower": lambda s: _strval(s).lower(),
    "toUpper": lambda s: _strval(s).upper(),
    "replace": lambda s, old, new: _cap(_strval(s).replace(old, new)),  # Levant's order: s, old, new
    "varExists": lambda m, name: isinstance(m, dict) and name in m,
    "add": lambda a, b: _to_int(a) + _to_int(b),
    "subtract": lambda a, b: _to_int(b) - _to_int(a),
    "multiply": lambda a, b: _to_int(a) * _to_int(b),
    "divide": lambda a, b: _divide(b, a),
    "modulo": lambda a, b: _to_int(b) % _to_int(a) if _to_int(a) else _fail("modulo by zero"),
}


def pack_table(extra: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    return {**GO_BUILTINS, **SPRIG, "toStringList": to_string_list, **extra}


def levant_table(extra: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    # Levant adds Sprig under a `sprig` prefix (`sprigJoin`); its own helpers keep their names.
    sprig = {"sprig" + name[0].upper() + name[1:]: fn for name, fn in SPRIG.items()}
    return {**GO_BUILTINS, **sprig, **LEVANT_EXTRAS, **extra}
