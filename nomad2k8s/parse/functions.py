"""Pure HCL functions evaluated at conversion time (only when every argument is known).

Each takes the Evaluator first (only `file` needs it, for the jobspec directory).
Errors raised here are turned into Unresolved by the evaluator.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .. import fileaccess


def _s(v: Any) -> str:
    from .expr import to_str  # local import: expr imports this module

    return to_str(v)


def _format(_ev: Any, fmt: str, *args: Any) -> str:
    """Go-style fmt verbs as HCL's format() supports them (the common subset)."""
    out, ai, i = [], 0, 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = re.match(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])", fmt[i:])
        if not m:
            raise ValueError("bad format verb")
        flags, width, prec, verb = m.groups()
        i += m.end()
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
        if width:
            text = text.ljust(int(width)) if "-" in flags else text.rjust(
                int(width), "0" if "0" in flags else " ")
        out.append(text)
    return "".join(out)


def _replace(_ev: Any, s: str, old: str, new: str) -> str:
    # HCL: a search string wrapped in slashes is a regular expression.
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return re.sub(old[1:-1], re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", new), s)
    return s.replace(old, new)


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


def _file(ev: Any, path: str) -> str:
    """file(): only inside the repository being converted (fileaccess); a missing file is left
    as text (it may be generated before `nomad run`), any other refusal is a ConversionError."""
    from .expr import Unresolved

    base = Path(ev.base_dir) if ev.base_dir is not None else Path.cwd()
    root = Path(ev.root) if getattr(ev, "root", None) is not None else base
    real = fileaccess.confined_path(path, base, root, "file()")
    if not real.exists():
        raise Unresolved(f"file({path!r}) cannot be read: no such file")
    return fileaccess.read_text_confined(path, base, root, "file()")


def _substr(_ev: Any, s: str, offset: int, length: int) -> str:
    start = offset if offset >= 0 else len(s) + offset
    return s[start:] if length < 0 else s[start : start + length]


FUNCTIONS: dict[str, Any] = {
    "format": _format,
    "lower": lambda _e, s: s.lower(),
    "upper": lambda _e, s: s.upper(),
    "title": lambda _e, s: s.title(),
    "join": lambda _e, sep, *lists: sep.join(_s(x) for lst in lists for x in lst),
    "split": lambda _e, sep, s: s.split(sep),
    "replace": _replace,
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
    "file": _file,
}
