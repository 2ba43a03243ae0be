"""Matching concrete Nomad paths against label-free shapes (`job.group.task.artifact`)."""

from __future__ import annotations

import re

# A name with its unquoted [label]/[index] suffixes, or a quoted map key `["a.b"]` on its own.
_SEGMENT = re.compile(r'\.?([^.\["]+)((?:\[[^\]"]*\])*)|(\["[^"]*"\])')


def segments(path: str) -> list[str]:
    """Concrete segments: `job[a].group[b].env["X.Y"]` -> ['job[a]', 'group[b]', 'env', '["X.Y"]']."""
    out: list[str] = []
    for m in _SEGMENT.finditer(path):
        if m.group(3):
            out.append(m.group(3))
        else:
            out.append(m.group(1) + (m.group(2) or ""))
    return out


def segment_name(segment: str) -> str:
    if segment.startswith('["'):
        return segment[2:-2]
    return re.sub(r"\[.*$", "", segment)


def join_segments(segs: list[str]) -> str:
    out = ""
    for seg in segs:
        out = out + seg if (seg.startswith("[") or not out) else f"{out}.{seg}"
    return out


def match_prefix(path: str, shape_prefix: str) -> str | None:
    """The concrete prefix of `path` whose shape is `shape_prefix`, or None.

    A shape segment `*` matches any name."""
    want = shape_prefix.split(".")
    segs = segments(path)
    if len(segs) < len(want):
        return None
    for seg, name in zip(segs, want):
        if name != "*" and segment_name(seg) != name:
            return None
    return join_segments(segs[: len(want)])
