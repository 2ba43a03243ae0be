"""Go's value formatting for templates: `%v` printing (`go_str`), `%q` quoting (`go_quote`), Go
truthiness, and `printf` verbs; plus the errors template functions raise."""

from __future__ import annotations

import re
from typing import Any

MAX_VALUE = 16 * 1024 * 1024  # no one helper result (repeat, indent, printf width) above this


class TemplateFuncError(ValueError):
    """A function refused its arguments; the evaluator adds the name and the location."""


class DataError(TemplateFuncError):
    """The data lacks what a lookup function asked for; the message says it all (no name prefix)."""


def type_name(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float64", str: "string", list: "[]interface {}",
            dict: "map[string]interface {}"}.get(type(value), type(value).__name__)


def truth(value: Any) -> bool:
    """Go's `if`: false, 0, nil and empty strings/lists/maps are false."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return bool(value)
    return True


def go_str(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_str(value[k])}" for k in sorted(value, key=str)) + "]"
    return str(value)


def _go_float(value: float) -> str:
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def go_quote(value: Any) -> str:
    """Go's strconv.Quote: `"`, `\\` and non-printable characters escaped."""
    out = ['"']
    for ch in value if isinstance(value, str) else go_str(value):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def strval(value: Any) -> str:
    return value if isinstance(value, str) else go_str(value)


def cap(text: str) -> str:
    if len(text) > MAX_VALUE:
        raise TemplateFuncError(f"result exceeds {MAX_VALUE} characters")
    return text


# ------------------------------------------------------------------ printf

_VERB = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def go_sprintf(fmt: str, *args: Any) -> str:
    queue = list(args)
    out: list[str] = []
    pos = 0
    for match in _VERB.finditer(fmt):
        out.append(fmt[pos:match.start()])
        pos = match.end()
        flags, width, prec, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if int(width or 0) > 4096 or int(prec or 0) > 4096:
            raise TemplateFuncError("format width too large")
        if not queue:
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(_pad(_format_one(verb, prec, queue.pop(0)), flags, width))
    out.append(fmt[pos:])
    if queue:
        out.append("%!(EXTRA " + ", ".join(f"{type_name(a)}={go_str(a)}" for a in queue) + ")")
    return cap("".join(out))


def _format_one(verb: str, prec: str | None, arg: Any) -> str:
    if verb in "vs":
        return strval(arg)
    if verb == "q":
        return go_quote(strval(arg))
    if verb == "d":
        return str(int(arg)) if isinstance(arg, (int, float)) and not isinstance(arg, bool) else \
            f"%!d({type_name(arg)}={go_str(arg)})"
    if verb == "t":
        return go_str(arg) if isinstance(arg, bool) else f"%!t({type_name(arg)}={go_str(arg)})"
    if verb in "fFeEgG" and isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return f"{float(arg):.{int(prec) if prec else 6}{verb.lower() if verb != 'F' else 'f'}}"
    if verb in "xX" and isinstance(arg, int):
        return format(arg, verb)
    raise TemplateFuncError(f"format verb %{verb} is not supported for {type_name(arg)}")


def _pad(text: str, flags: str, width: str) -> str:
    if not width:
        return text
    if "-" in flags:
        return text.ljust(int(width))
    return text.rjust(int(width), "0" if "0" in flags and text.lstrip("-").isdigit() else " ")
