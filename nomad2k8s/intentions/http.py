"""Consul L7 HTTP matches as regular expressions (Cilium paths and methods are regexes)."""

from __future__ import annotations

import re

from .model import HttpMatch

_META = re.compile(r"([.^$*+?()\[\]{}|\\])")


def escape(text: str) -> str:
    """Escape only regex metacharacters: `/` and `-` stay readable."""
    return _META.sub(r"\\\1", text)


def path_regex(match: HttpMatch) -> str | None:
    if match.path_exact is not None:
        return f"^{escape(match.path_exact)}$"
    if match.path_prefix is not None:
        return f"^{escape(match.path_prefix)}.*"
    if match.path_regex is not None:
        return match.path_regex
    return None


def header_problem(match: HttpMatch) -> str | None:
    """The first header test that only presence/exact-value matching cannot express."""
    for h in match.headers:
        if h.invert:
            return f"header {h.name}: Invert"
        for what in ("prefix", "suffix", "regex"):
            if getattr(h, what) is not None:
                return f"header {h.name}: {what.capitalize()} match"
    return None
