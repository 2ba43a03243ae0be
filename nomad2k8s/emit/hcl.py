"""A small HCL writer whose output is already in `terraform fmt` style.

The document is a tree of Block / Attr items; values are Python scalars, lists, dicts
(object literals) or Raw expressions. `terraform fmt` aligns the `=` of consecutive
one-line attributes (a heredoc counts as one line; a multi-line `{`/`[` value or a block
ends the run), which `_render_items` reproduces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

INDENT = "  "
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_KEYWORDS = {"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"}
HEREDOC_MARKERS = ("EOT", "EOF", "EOT_", "END_OF_TEXT")


@dataclass(frozen=True)
class Raw:
    """An HCL expression written verbatim: a reference (`var.namespace`) or a template."""

    text: str


@dataclass(frozen=True)
class Call:
    """A function call on one argument, e.g. `yamlencode({ ... })`."""

    function: str
    argument: Any


@dataclass
class Attr:
    name: str
    value: Any


@dataclass
class Block:
    type: str
    labels: list[str] = field(default_factory=list)
    body: list[Union["Attr", "Block"]] = field(default_factory=list)


def is_identifier(name: str) -> bool:
    return bool(_IDENT.match(name)) and name not in _KEYWORDS


def object_key(key: str) -> str:
    return key if is_identifier(key) else quote(key)


def _escape_template(text: str) -> str:
    # `${` and `%{` start interpolations/directives; Kubernetes `$(VAR)` needs no escape.
    return text.replace("${", "$${").replace("%{", "%%{")


def quote(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + _escape_template("".join(out)) + '"'


def heredoc_marker(text: str) -> str | None:
    """The marker for an indented heredoc holding `text` exactly, or None when `<<-` cannot.

    `<<-` strips the smallest indentation of the non-blank lines and keeps whitespace-only
    lines as they are, and the value always ends with a newline: so the text must end with
    one, have a line starting at column 0, and no whitespace-only or tab-indented line.
    """
    if "\n" not in text or not text.endswith("\n") or any(ord(c) < 0x20 and c not in "\n\t" for c in text):
        return None
    lines = text[:-1].split("\n")
    if any(line and not line.strip() for line in lines) or any(line.startswith("\t") for line in lines):
        return None
    if not any(line and not line.startswith(" ") for line in lines):
        return None
    stripped = {line.strip() for line in lines}
    return next((m for m in HEREDOC_MARKERS if m not in stripped), None)


def _heredoc(text: str, depth: int, marker: str) -> list[str]:
    body_indent = INDENT * (depth + 1)
    lines = [f"<<-{marker}"]
    lines += [body_indent + _escape_template(line) if line else "" for line in text[:-1].split("\n")]
    lines.append(INDENT * depth + marker)
    return lines


def _value(value: Any, depth: int, heredoc: bool = True) -> tuple[list[str], bool]:
    """Lines of an expression at nesting `depth` (first line follows `key = `), and whether
    `terraform fmt` sees it as one line (so it joins the `=` alignment run)."""
    if isinstance(value, Raw):
        return [value.text], True
    if isinstance(value, Call):
        lines, one_line = _value(value.argument, depth, heredoc)
        lines = [f"{value.function}({lines[0]}"] + lines[1:]
        lines[-1] += ")"
        return lines, one_line
    if isinstance(value, bool):
        return ["true" if value else "false"], True
    if value is None:
        return ["null"], True
    if isinstance(value, (int, float)):
        return [repr(value)], True
    if isinstance(value, str):
        marker = heredoc_marker(value) if heredoc else None
        if marker:
            return _heredoc(value, depth, marker), True
        return [quote(value)], True
    if isinstance(value, dict):
        if not value:
            return ["{}"], True
        items = [Attr(object_key(str(k)), v) for k, v in value.items()]
        return ["{"] + _render_items(items, depth + 1) + [INDENT * depth + "}"], False
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            parts = [_value(v, depth, heredoc=False)[0][0] for v in value]
            return ["[" + ", ".join(parts) + "]"], True
        lines = ["["]
        for item in value:
            sub, _ = _value(item, depth + 1, heredoc=False)
            sub[-1] += ","
            lines.append(INDENT * (depth + 1) + sub[0])
            lines += sub[1:]
        lines.append(INDENT * depth + "]")
        return lines, False
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def _render_items(items: Sequence[Attr | Block], depth: int) -> list[str]:
    pad = INDENT * depth
    rendered: list[tuple[str | None, list[str], bool]] = []  # (key, value lines, aligned)
    for item in items:
        if isinstance(item, Block):
            rendered.append((None, render_block(item, depth), False))
        else:
            lines, one_line = _value(item.value, depth)
            rendered.append((item.name, lines, one_line))
    out: list[str] = []
    i = 0
    while i < len(rendered):
        key, lines, aligned = rendered[i]
        if key is None:
            out += lines
            i += 1
            continue
        if not aligned:
            out.append(f"{pad}{key} = {lines[0]}")
            out += lines[1:]
            i += 1
            continue
        # a run of one-line attributes is written with aligned `=`
        run: list[tuple[str, list[str]]] = []
        for run_key, run_lines, run_aligned in rendered[i:]:
            if run_key is None or not run_aligned:
                break
            run.append((run_key, run_lines))
        width = max(len(k) for k, _ in run)
        for k, ls in run:
            out.append(f"{pad}{k.ljust(width)} = {ls[0]}")
            out += ls[1:]
        i += len(run)
    return out


def render_block(block: Block, depth: int = 0) -> list[str]:
    pad = INDENT * depth
    head = " ".join([block.type] + [quote(label) for label in block.labels])
    if not block.body:
        return [f"{pad}{head} {{}}"]
    return [f"{pad}{head} {{"] + _render_items(block.body, depth + 1) + [f"{pad}}}"]


def render_file(blocks: list[Block]) -> str:
    """Top-level blocks separated by one blank line."""
    return "\n\n".join("\n".join(render_block(b)) for b in blocks) + "\n"
