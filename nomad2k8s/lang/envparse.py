"""The value side of one `KEY=value` line of an env template, as Nomad reads it.

Nomad parses a rendered env template with hashicorp/go-envparse: whitespace around `=` is
trimmed, an unquoted `#` starts a comment, single quotes keep text as is, double quotes keep
text and decode \\n \\t \\\\ \\" ; quoted and unquoted parts may follow each other in one value.
Here the value is a list of segments: template references (secrets, env, services) stay whole
wherever they are, only the literal text is parsed.
"""

from __future__ import annotations

from nomad2k8s.lang.consul_template import Lit, Segment

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class EnvValueError(ValueError):
    pass


def parse_value(value: list[Segment]) -> list[Segment]:
    """The value Nomad sets, as segments; raises EnvValueError where Nomad rejects the line."""
    out: list[Segment] = []
    text: list[str] = []  # literal characters not yet flushed into `out`
    significant = 0  # len(text) up to the last character that unquoted-whitespace trimming keeps
    mode = "plain"
    if value and isinstance(value[0], Lit):  # the line is trimmed before it is parsed
        value = [Lit(value[0].text.lstrip(" \t")), *value[1:]]
    if value and isinstance(value[-1], Lit):
        value = [*value[:-1], Lit(value[-1].text.rstrip(" \t"))]

    def flush(keep: int) -> None:
        nonlocal text, significant
        if text[:keep]:
            out.append(Lit("".join(text[:keep])))
        text, significant = [], 0

    for seg in value:
        if not isinstance(seg, Lit):
            flush(len(text))
            out.append(seg)
            continue
        for ch in seg.text:
            if mode == "plain":
                if ch == '"':
                    mode = "double"
                elif ch == "'":
                    mode = "single"
                elif ch == "#":
                    flush(significant)
                    return out
                elif ch in " \t":
                    text.append(ch)
                else:
                    text.append(ch)
                    significant = len(text)
            elif mode == "escape":
                if ch not in _ESCAPES:
                    raise EnvValueError(f"invalid escape sequence \\{ch} in double quotes")
                text.append(_ESCAPES[ch])
                significant, mode = len(text), "double"
            elif ch == ("'" if mode == "single" else '"'):
                mode = "plain"
            elif ch == "\\" and mode == "double":
                mode = "escape"
            else:
                text.append(ch)
                significant = len(text)
    if mode != "plain":
        raise EnvValueError("unmatched quote" if mode != "escape" else "incomplete escape sequence")
    flush(len(text))
    return out
