"""Name the missing input when a jobspec fails to parse because it is a template some other tool
renders: a mustache `{{name}}` or a Terraform templatefile() `${name}` standing where HCL needs a
value (outside a string). Without this the user sees only "unexpected token"."""

from __future__ import annotations

import re

_MUSTACHE = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
_TF = re.compile(r"\$\{\s*([A-Za-z_][\w.]*)\s*\}")


def unrendered_placeholder(text: str, line: int | None) -> str | None:
    """A message naming the placeholder on `line` that is outside a quoted string, if any."""
    if not line:
        return None
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    bare = _outside_strings(lines[line - 1])
    match = _MUSTACHE.search(bare)
    if match:
        return (f"unrendered template placeholder {match.group(0)!r}: this file is a mustache-style template "
                f"and no value for '{match.group(1)}' is given here; render it with the tool that deploys it")
    match = _TF.search(bare)
    if match:
        return (f"unrendered template placeholder {match.group(0)!r} outside a string: this file is a Terraform "
                f"templatefile() template and '{match.group(1)}' has no value here; convert the Terraform "
                f"module that renders it")
    return None


def _outside_strings(line: str) -> str:
    """The line with quoted strings blanked out (a `${x}` inside "..." is ordinary interpolation)."""
    out, quoted, i = [], False, 0
    while i < len(line):
        ch = line[i]
        if quoted and ch == "\\":
            out.append("  ")
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        out.append(" " if quoted or ch == '"' else ch)
        i += 1
    return "".join(out)
