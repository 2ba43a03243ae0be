"""Heredoc handling: cosmetic text pre-normalisation and decoding of preserved heredocs."""

from __future__ import annotations

import re

# `=<< EOT` (space before the tag) is accepted by Nomad's HCL1-era parser only.
_SPACED_OPEN = re.compile(r"<<(-?)[ \t]+([A-Za-z][A-Za-z0-9._-]*)[ \t]*(?=\r?\n)")
# A heredoc opener ends its line; trailing blanks after the tag are dropped too.
_OPEN = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*(?=\r?$)")


def normalise_text(text: str) -> str:
    """Make cosmetic heredoc variants parseable without changing line numbers.

    - `<< EOT` -> `<<EOT`
    - a terminator line `EOT   ` (trailing blanks) -> `EOT`
    """
    text = _SPACED_OPEN.sub(r"<<\1\2", text)
    lines = text.split("\n")
    out: list[str] = []
    tag: str | None = None
    for line in lines:
        if tag is not None:
            if line.strip() == tag:
                line = line.rstrip()
                tag = None
            out.append(line)
            continue
        m = _OPEN.search(line)
        if m is not None:
            tag = m.group(1)
            line = line[: m.start()] + m.group(0).rstrip(" \t")
        out.append(line)
    return "\n".join(out)


_PRESERVED = re.compile(r"\A<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n(.*?)\r?\n?[ \t]*\2\Z", re.S)


def decode_heredoc(value: str) -> str | None:
    """Decode python-hcl2's preserved heredoc text (`<<EOT\\n...\\nEOT`) or return None.

    HCL keeps the final newline of the body; `<<-` removes the common indentation of
    the non-blank lines.
    """
    m = _PRESERVED.match(value)
    if not m:
        return None
    trim, body = m.group(1), m.group(3)
    if body == "" and value.count("\n") <= 1:
        return ""
    lines = body.split("\n")
    if trim:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents, default=0)
        lines = [ln[cut:] for ln in lines]
    return "\n".join(lines) + "\n"
