"""Pure HCL functions evaluated at conversion time (only when every argument is known).

Each takes the Evaluator first (only the file functions need it, for the directories they read).
Errors raised here are turned into Unresolved by the evaluator, except ConversionError: a limit
below (a value too large to be real, a regular expression too large) is one clear error for the job.

Bounded work: regular expressions run on RE2 (google-re2, the engine of Go's regexp and so of
Nomad's own regex functions), which matches in linear time and cannot backtrack catastrophically;
results are capped at MAX_VALUE_CHARS before they are built (format widths, replace, join), and
expr.Evaluator caps the size of every value and the number of evaluation steps.
"""

from __future__ import annotations

import json
import re
from typing import Any

import re2

from ..errors import ConversionError
from .files import FILE_FUNCTIONS

# A ConfigMap holds at most 1 MiB: no value a function builds may be larger than that.
MAX_VALUE_CHARS = 1024 * 1024
MAX_PATTERN_CHARS = 10_000
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is our error line, not a line on stderr from the C++ library
_RE2_OPTIONS.max_mem = 8 << 20


def too_large(what: str, size: int) -> ConversionError:
    return ConversionError(f"{what} would be {size:,} characters long, over the limit of {MAX_VALUE_CHARS:,} "
                           "(1 MiB)")


def _regex(pattern: str) -> Any:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ConversionError(f"regular expression of {len(pattern):,} characters (limit {MAX_PATTERN_CHARS:,})")
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"invalid regular expression {pattern!r}: {detail}") from None


def _s(v: Any) -> str:
    from .expr import to_str  # local import: expr imports this module

    return to_str(v)


_VERB = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _format(_ev: Any, fmt: str, *args: Any) -> str:
    """Go-style fmt verbs as HCL's format() supports them (the common subset)."""
    out, ai, i = [], 0, 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = _VERB.match(fmt, i)
        if not m:
            raise ValueError("bad format verb")
        flags, width, prec, verb = m.groups()
        i = m.end()
        if verb == "%":
            out.append("%")
            continue
        arg = args[ai]
        ai += 1
        if verb in ("s", "v"):
            text = json.dumps(arg) if isinstance(arg, (list, dict)) else _s(arg)
        elif verb == "q":
            text = json.dumps(_s(arg))
        elif verb == "d":
            text = str(int(arg))
        elif verb == "f":
            text = f"{float(arg):.{int(prec) if prec else 6}f}"
        elif verb == "t":
            text = _s(bool(arg))
        elif verb in ("x", "X", "o", "b", "e"):
            text = format(int(arg) if verb != "e" else float(arg), verb)
        else:
            raise ValueError(f"unsupported verb %{verb}")
        if width and int(width) > MAX_VALUE_CHARS:
            raise too_large(f"format(): width {width}", int(width))
        if width:
            text = text.ljust(int(width)) if "-" in flags else text.rjust(
                int(width), "0" if "0" in flags else " ")
        out.append(text)
    return "".join(out)


def _replace(_ev: Any, s: str, old: str, new: str) -> str:
    # HCL: a search string wrapped in slashes is a regular expression.
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        pattern = _regex(old[1:-1])
        template = re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", new)
        out, pos, size = [], 0, 0
        for match in pattern.finditer(s):
            piece = s[pos:match.start()] + match.expand(template)
            size += len(piece)
            if size > MAX_VALUE_CHARS:
                raise too_large("replace()", size)
            out.append(piece)
            pos = match.end()
        return "".join(out) + s[pos:]
    if old and len(s) + s.count(old) * (len(new) - len(old)) > MAX_VALUE_CHARS:
        raise too_large("replace()", len(s) + s.count(old) * (len(new) - len(old)))
    return s.replace(old, new)


def _captures(match: Any, pattern: Any) -> Any:
    """Terraform's regex() result: the match, or its named groups as a map, or its groups as a list."""
    if pattern.groupindex:
        return {name: match.group(name) or "" for name in pattern.groupindex}
    if pattern.groups:
        return [g or "" for g in match.groups()]
    return match.group(0)


def _regex_fn(_ev: Any, pattern: str, s: str) -> Any:
    compiled = _regex(pattern)
    match = compiled.search(s)
    if match is None:
        raise ValueError("pattern did not match any part of the given string")
    return _captures(match, compiled)


def _regexall(_ev: Any, pattern: str, s: str) -> list[Any]:
    compiled = _regex(pattern)
    return [_captures(m, compiled) for m in compiled.finditer(s)]


def _join(sep: str, lists: tuple[Any, ...]) -> str:
    items = [_s(x) for lst in lists for x in lst]
    size = sum(map(len, items)) + len(sep) * max(len(items) - 1, 0)
    if size > MAX_VALUE_CHARS:
        raise too_large("join()", size)
    return sep.join(items)


def _lookup(_ev: Any, m: dict, key: str, *default: Any) -> Any:
    if key in m:
        return m[key]
    if default:
        return default[0]
    raise KeyError(key)


def _tonumber(_ev: Any, v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("bool is not a number")
    if isinstance(v, (int, float)):
        return v
    f = float(v)
    return int(f) if f.is_integer() and "." not in str(v) else f


def _coalesce(_ev: Any, *args: Any) -> Any:
    for a in args:
        if a is not None and a != "":
            return a
    raise ValueError("no non-null argument")


def _merge(_ev: Any, *maps: dict) -> dict:
    out: dict = {}
    for m in maps:
        if m is not None:
            out.update(m)
    return out


def _substr(_ev: Any, s: str, offset: int, length: int) -> str:
    start = offset if offset >= 0 else len(s) + offset
    return s[start:] if length < 0 else s[start : start + length]


FUNCTIONS: dict[str, Any] = {
    "format": _format,
    "lower": lambda _e, s: s.lower(),
    "upper": lambda _e, s: s.upper(),
    "title": lambda _e, s: s.title(),
    "join": lambda _e, sep, *lists: _join(sep, lists),
    "split": lambda _e, sep, s: s.split(sep),
    "replace": _replace,
    "regex": _regex_fn,
    "regexall": _regexall,
    "trimspace": lambda _e, s: s.strip(),
    "trimprefix": lambda _e, s, p: s[len(p):] if s.startswith(p) else s,
    "trimsuffix": lambda _e, s, p: s[: -len(p)] if p and s.endswith(p) else s,
    "substr": _substr,
    "concat": lambda _e, *lists: [x for lst in lists for x in lst],
    "lookup": _lookup,
    "jsonencode": lambda _e, v: json.dumps(v, separators=(",", ":")),
    "tostring": lambda _e, v: _s(v),
    "tonumber": _tonumber,
    "tobool": lambda _e, v: v if isinstance(v, bool) else {"true": True, "false": False}[v],
    "tolist": lambda _e, v: list(v),
    "toset": lambda _e, v: list(dict.fromkeys(v)),
    "tomap": lambda _e, v: dict(v),
    "coalesce": _coalesce,
    "merge": _merge,
    "length": lambda _e, v: len(v),
    "contains": lambda _e, lst, v: v in lst,
    "element": lambda _e, lst, i: lst[int(i) % len(lst)],
    "keys": lambda _e, m: sorted(m),
    "values": lambda _e, m: [m[k] for k in sorted(m)],
    "min": lambda _e, *a: min(a),
    "max": lambda _e, *a: max(a),
    "abs": lambda _e, v: abs(v),
    **FILE_FUNCTIONS,  # file, filebase64, fileexists, fileset (and templatefile's refusal): parse/files.py
}
