"""`json.dumps(value, indent=2, ensure_ascii=False)`, the same text, built element by element.

With `indent`, the json module encodes in Python and holds a list of every token of the document before
joining it: for an estate's report.json (millions of tokens) that list was the run's peak memory. Here
the outer levels are laid out by hand and each element below is encoded alone, then indented (a JSON
text holds no raw newline inside a string, so every newline is a line break)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

INDENT = "  "


def dumps(value: Any, depth: int = 0, levels: int = 3) -> str:
    """The text json.dumps(value, indent=2, ensure_ascii=False) gives; `levels` outer levels by hand."""
    return "".join(pieces(value, depth, levels))


def pieces(value: Any, depth: int = 0, levels: int = 3) -> Iterator[str]:
    """dumps' text in pieces (each element of the outer levels one), to be written without holding it whole."""
    pad = "\n" + INDENT * (depth + 1)
    if levels and isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        yield "{"
        for i, (k, v) in enumerate(value.items()):
            yield ("," if i else "") + pad + json.dumps(k, ensure_ascii=False) + ": "
            yield from pieces(v, depth + 1, levels - 1)
        yield "\n" + INDENT * depth + "}"
    elif levels and isinstance(value, (list, tuple)) and value:
        yield "["
        for i, v in enumerate(value):
            yield ("," if i else "") + pad
            yield from pieces(v, depth + 1, levels - 1)
        yield "\n" + INDENT * depth + "]"
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False)
        yield text.replace("\n", "\n" + INDENT * depth) if depth and "\n" in text else text


def json_native(value: Any) -> bool:
    """Only what json.loads gives back as itself (str keys, lists, no tuples): a round trip is the value."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_native(v) for k, v in value.items())
    if isinstance(value, list):
        return all(json_native(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))
