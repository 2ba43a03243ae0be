"""HCL2 string templates: `${...}` interpolations, `%{ if }` directives, `$${` escapes."""

from __future__ import annotations

import re
from typing import Any

from .expr import Evaluator, Runtime, Unresolved, parse_expression, skip_braces, to_str

Kept = list[tuple[str, str]]  # (source text left verbatim, reason)

# Not an HCL expression but a plain name (shell `${X:-2}` in a script): runtime text.
_SHELLISH = re.compile(r"\s*[A-Za-z_]\w*\s*[:#%/^,]")


def _split(text: str) -> list[tuple[str, str, str]]:
    """-> [(kind, source, payload)], kind lit|interp|dir; literal payloads unescaped."""
    parts: list[tuple[str, str, str]] = []
    lit: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("$${", i) or text.startswith("%%{", i):
            lit.append(text[i + 1 : i + 3])  # HCL escape: `$${` is a literal `${`
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            try:
                end = skip_braces(text, i + 1)
            except Unresolved:
                lit.append(text[i:])
                break
            if lit:
                parts.append(("lit", "".join(lit), "".join(lit)))
                lit = []
            src = text[i:end]
            inner = src[2:-1].strip().strip("~").strip()
            parts.append(("interp" if src[0] == "$" else "dir", src, inner))
            i = end
            continue
        lit.append(text[i])
        i += 1
    if lit:
        parts.append(("lit", "".join(lit), "".join(lit)))
    return _strip_markers(parts)


def _strip_markers(parts: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """`${~ x}` / `%{ if ~}`: the strip markers remove the whitespace of the literal beside them."""
    out = list(parts)
    for i, (kind, src, _) in enumerate(parts):
        if kind == "lit":
            continue
        if src[2:3] == "~" and i > 0 and out[i - 1][0] == "lit":
            k, s, payload = out[i - 1]
            out[i - 1] = (k, s, payload.rstrip())
        if src.endswith("~}") and i + 1 < len(out) and out[i + 1][0] == "lit":
            k, s, payload = out[i + 1]
            out[i + 1] = (k, s, payload.lstrip())
    return out


def _interp(src: str, inner: str, ev: Evaluator, kept: Kept) -> tuple[bool, Any]:
    """(resolved?, value); unresolved interpolations are recorded in kept unless runtime."""
    try:
        return True, ev.eval(parse_expression(inner))
    except Runtime:
        return False, src
    except Unresolved as exc:
        if _SHELLISH.match(inner) and not inner.startswith(("var.", "local.")):
            return False, src
        kept.append((src, str(exc)))
    except RecursionError:
        kept.append((src, "expression too deep"))
    return False, src


def render(text: str, ev: Evaluator) -> tuple[Any, Kept]:
    """Render a template. A template that is exactly one interpolation yields the native
    value (a list stays a list). Unresolvable parts are kept as their source text."""
    parts = _split(text)
    kept: Kept = []
    if any(kind == "dir" for kind, _, _ in parts):
        try:
            rendered, _ = _directives(parts, 0, ev, ())
            return rendered, kept
        except Unresolved as exc:
            # Directives decide structure: if one cannot be decided keep the whole text.
            kept.append((text if len(text) < 80 else text[:77] + "...", str(exc)))
            return "".join(p[1] if p[0] != "lit" else p[2] for p in parts), kept
    if len(parts) == 1 and parts[0][0] == "interp":
        return _interp(parts[0][1], parts[0][2], ev, kept)[1], kept
    out: list[str] = []
    for kind, src, payload in parts:
        if kind == "lit":
            out.append(payload)
            continue
        ok, value = _interp(src, payload, ev, kept)
        if not ok:
            out.append(src)
            continue
        try:
            out.append(to_str(value))
        except Unresolved as exc:
            kept.append((src, str(exc)))
            out.append(src)
    return "".join(out), kept


def _directives(parts: list, i: int, ev: Evaluator, stops: tuple[str, ...]) -> tuple[str, int]:
    """Evaluate `%{ if }`/`%{ else }`/`%{ endif }`; returns (text, index of stop directive).

    Any interpolation problem inside raises Unresolved so the caller keeps the text."""
    out: list[str] = []
    while i < len(parts):
        kind, src, payload = parts[i]
        if kind == "lit":
            out.append(payload)
        elif kind == "interp":
            kept: Kept = []
            ok, value = _interp(src, payload, ev, kept)
            if kept:
                raise Unresolved(kept[0][1])
            out.append(to_str(value) if ok else src)
        else:
            word = payload.split(None, 1)[0] if payload else ""
            if word in stops:
                return "".join(out), i
            if word == "for":
                text, i = _for(parts, i, ev, payload)
                out.append(text)
                i += 1
                continue
            if word != "if":
                raise Unresolved(f"template directive %{{ {word} }} is not evaluated")
            cond = ev.eval(parse_expression(payload[2:]))
            if not isinstance(cond, bool):
                raise Unresolved("if condition is not a bool")
            yes, j = _directives(parts, i + 1, ev, ("else", "endif"))
            no = ""
            if j < len(parts) and parts[j][2].split(None, 1)[0] == "else":
                no, j = _directives(parts, j + 1, ev, ("endif",))
            if j >= len(parts):
                raise Unresolved("%{ if } without %{ endif }")
            out.append(yes if cond else no)
            i = j
        i += 1
    if stops:
        raise Unresolved(f"missing %{{ {stops[-1]} }}")
    return "".join(out), i


_FOR = re.compile(r"for\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\s+(.+)$", re.S)
MAX_LOOP_STEPS = 20_000  # template loop iterations per evaluation: hostile input must not hang


def _endfor(parts: list, i: int) -> int:
    """Index of the `%{ endfor }` matching the `%{ for }` at `i`."""
    depth = 0
    for j in range(i, len(parts)):
        if parts[j][0] == "dir":
            word = parts[j][2].split(None, 1)[0] if parts[j][2] else ""
            depth += word == "for"
            depth -= word == "endfor"
            if depth == 0:
                return j
    raise Unresolved("%{ for } without %{ endfor }")


def _for(parts: list, i: int, ev: Evaluator, payload: str) -> tuple[str, int]:
    """`%{ for x in coll }` / `%{ for k, v in coll }` ... `%{ endfor }`: (text, index of endfor)."""
    m = _FOR.match(payload)
    if not m:
        raise Unresolved(f"malformed directive %{{ {payload} }}")
    first, second, source = m.groups()
    coll = ev.eval(parse_expression(source))
    if isinstance(coll, dict):
        items = sorted(coll.items())  # HCL iterates a map in lexical key order
    elif isinstance(coll, list):
        items = list(enumerate(coll))
    else:
        raise Unresolved("for over a value that is not a list or map")
    end = _endfor(parts, i)
    out: list[str] = []
    for key, value in items:
        ev.steps[0] += 1
        if ev.steps[0] > MAX_LOOP_STEPS:
            raise Unresolved(f"template loops run more than {MAX_LOOP_STEPS} iterations")
        names = {first: value} if second is None else {first: key, second: value}
        text, _ = _directives(parts, i + 1, ev.scoped(names), ("endfor",))
        out.append(text)
    return "".join(out), end
