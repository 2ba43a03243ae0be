"""Container image references with unknown parts: keep what is known, a placeholder only for the rest.

An image such as `docker.elastic.co/kibana/kibana:${var.tag}` cannot be emitted as written (Kubernetes does
not interpolate it, and `${` is not a valid reference). `with_placeholders` keeps the registry, the
repository and the known part of the tag, and puts a placeholder where the value is unknown:
`docker.elastic.co/kibana/kibana:REPLACE-tag`. A placeholder never names another registry: an unknown
registry (the first of several path components) becomes `registry.invalid` (a reserved domain that never
resolves), and an image whose whole repository name is unknown gets the caller's fallback.

The grammar is the Docker distribution reference (github.com/distribution/reference, regexp.go).
"""

from __future__ import annotations

import re

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}"
REFERENCE = re.compile(rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::{_TAG})?(?:@{_DIGEST})?")
UNKNOWN_REGISTRY = "registry.invalid"
_TOKEN = "\x00"  # stands for one unknown `${...}` while the reference is split


def _interpolations(text: str) -> tuple[str, list[str]]:
    """`text` with each top-level `${...}` (braces balanced: nested `${}` inside a function call) replaced
    by _TOKEN, and the expressions found, in order."""
    out, found, i = [], [], 0
    while i < len(text):
        if text.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            found.append(text[i + 2 : j - 1].strip())
            out.append(_TOKEN)
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out), found


def placeholder_name(expression: str) -> str:
    """A short readable name for an unknown value: `var.tag` -> tag, `NOMAD_META_v` -> NOMAD_META_v."""
    ref = re.search(r"\b(?:var|local|meta|node\.meta|attr)\.([A-Za-z0-9_.-]+)", expression)
    if ref is not None:
        return ref.group(1)
    word = re.search(r"[A-Za-z_][A-Za-z0-9_]*", expression)
    return word.group(0) if word else "value"


def _fill(text: str, names: list[str], lower: bool) -> str:
    def one(_m: re.Match) -> str:
        name = names.pop(0)
        if lower:
            return "replace-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "value")
        return "REPLACE-" + (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "value")
    return re.sub(_TOKEN, one, text)


def with_placeholders(image: str, fallback: str) -> str:
    """`image` with each unknown `${...}` replaced where it stands (see the module docstring); `fallback`
    when the repository name itself is unknown or the result would not be a valid reference."""
    text, expressions = _interpolations(image)
    if not expressions:
        return image
    names = [placeholder_name(e) for e in expressions]
    rest, at, digest = text.partition("@")
    names = names[: rest.count(_TOKEN)]  # the digest's own unknowns, if any, are not kept
    head, slash, last = rest.rpartition("/")
    repo, colon, tag = last.partition(":")
    if at and _TOKEN in digest:
        # An unknown digest cannot be stood in for: the tag pins the image, or a placeholder tag does.
        digest = ""
        if not colon:
            colon, tag, names = ":", _TOKEN, names + ["digest"]
    components = (head.split("/") if slash else []) + [repo]
    parts: list[str] = []
    for index, component in enumerate(components):
        count = component.count(_TOKEN)
        mine, names = names[:count], names[count:]
        if count == 0:
            parts.append(component)
        elif index == 0 and len(components) > 1:
            parts.append(UNKNOWN_REGISTRY)  # an unknown registry or namespace: never a real one
        elif len(components) == 1 and component == _TOKEN:
            return fallback  # the repository itself is unknown
        else:
            parts.append(_fill(component, mine, lower=True))
    out = "/".join(parts) + (":" + _fill(tag, names, lower=False) if colon else "") + (f"@{digest}" if digest else "")
    if REFERENCE.fullmatch(out) is None or len(out) > 255:
        return fallback
    return out
