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


# Only the opener is a regex: the body and terminator were `(.*?)\r?\n?[ \t]*TAG\Z`, which backtracks
# quadratically on a long run of blanks (a 128 KiB heredoc of spaces took minutes).
_PRESERVED_HEAD = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def decode_heredoc(value: str) -> str | None:
    """Decode python-hcl2's preserved heredoc text (`<<EOT\\n...\\nEOT`) or return None.

    HCL keeps the final newline of the body; `<<-` removes the common indentation of
    the non-blank lines.
    """
    m = _PRESERVED_HEAD.match(value)
    if not m or not value.endswith(m.group(2)) or len(value) - len(m.group(2)) < m.end():
        return None
    trim = m.group(1)
    # The shortest body before `\r?\n?[ \t]*TAG` at the end (what the lazy regex matched).
    body = value[m.end():len(value) - len(m.group(2))].rstrip(" \t")
    body = body[:-1] if body.endswith("\n") else body
    body = body[:-1] if body.endswith("\r") else body
    if body == "" and value.count("\n") <= 1:
        return ""
    lines = body.split("\n")
    if trim:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents, default=0)
        lines = [ln[cut:] for ln in lines]
    return "\n".join(lines) + "\n"
