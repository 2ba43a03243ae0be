"""THE nesting limit: JSON and HCL text (jobspecs, var files, intention files, JSON values) is
pre-scanned for bracket depth before any parser sees it, because every parser here recurses per
level and a 10,000-deep input would end in a RecursionError. The scan is linear and cheap (a regex
jumps from bracket to bracket; strings, comments and heredocs are skipped, their `${ }` counted), and
the limit is far above any real file. The Go-template parser (lang/gotemplate.py) uses the same limit.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import ConversionError

MAX_DEPTH = 100  # real jobspecs nest under 15 levels; the parsers and mappers stay far from Python's limit

_JSON = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[{]|[\]}]')
_CODE = re.compile(r'[\[{(]|[\]})]|"|#[^\n]*|//[^\n]*|/\*.*?(?:\*/|\Z)|<<-?[ \t]*([A-Za-z_][\w-]*)[ \t]*\r?\n', re.S)
_STRING = re.compile(r'\\.|\$\$\{|%%\{|[$%]\{|"|\n', re.S)
_HEREDOC = re.compile(r"\$\$\{|%%\{|[$%]\{")


class TooDeep(ValueError):
    """Text nested deeper than MAX_DEPTH; `offset` is where the limit was crossed."""

    def __init__(self, offset: int, what: str) -> None:
        super().__init__(message(what))
        self.offset, self.what = offset, what


def message(what: str) -> str:
    return f"nesting deeper than {MAX_DEPTH} levels ({what}): a limit of nomad2k8s, far above any real file"


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def json_depth_error(text: str) -> int | None:
    """Offset where JSON text nests deeper than MAX_DEPTH (strings skipped), or None."""
    depth = 0
    for match in _JSON.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif char in "]}":
            depth = max(0, depth - 1)
    return None


def hcl_depth_error(text: str) -> int | None:
    """Offset where HCL (1 or 2) text nests deeper than MAX_DEPTH, or None. Brackets, parentheses
    and `${ }` / `%{ }` interpolations count; string, heredoc and comment text does not."""
    # A frame: "b" a bracket, or ("i", mode, heredoc end) an interpolation inside a string/heredoc.
    stack: list[object] = []
    pos, mode, stop = 0, "code", 0
    size = len(text)
    while pos < size:
        if mode == "code":
            match = _CODE.search(text, pos)
            if match is None:
                return None
            tok, pos = match.group(), match.end()
            first = tok[0]
            if first in "[{(":
                stack.append("b")
            elif first in "]})":
                top = stack.pop() if stack else "b"
                if isinstance(top, tuple):  # the end of an interpolation: back to its string/heredoc
                    mode, stop = top[1], top[2]
            elif first == '"':
                mode = "string"
            elif first == "<":  # the heredoc's end is found once: its interpolations do not search again
                end = re.compile(rf"^[ \t]*{re.escape(match.group(1))}[ \t]*\r?$", re.M).search(text, pos)
                mode, stop = "heredoc", end.start() if end else size
        elif mode == "string":
            match = _STRING.search(text, pos)
            if match is None:
                return None
            tok, pos = match.group(), match.end()
            if tok in ('"', "\n"):  # a newline ends an unterminated string: the parser reports it
                mode = "code"
            elif tok in ("${", "%{"):
                stack.append(("i", "string", 0))
                mode = "code"
        else:
            match = _HEREDOC.search(text, pos, stop)
            if match is None:
                pos, mode = max(pos, stop), "code"  # the marker line itself is plain code text
                continue
            pos = match.end()
            if match.group() in ("${", "%{"):
                stack.append(("i", "heredoc", stop))
                mode = "code"
        if len(stack) > MAX_DEPTH:
            return pos - 1
    return None


def check_json(text: str, path: str | Path | None, what: str = "JSON brackets") -> None:
    offset = json_depth_error(text)
    if offset is not None:
        raise ConversionError(message(what), path, line_at(text, offset))


def check_hcl(text: str, path: str | Path | None, what: str = "HCL brackets") -> None:
    offset = hcl_depth_error(text)
    if offset is not None:
        raise ConversionError(message(what), path, line_at(text, offset))


@contextmanager
def yaml_guard(path: str | Path | None) -> Iterator[None]:
    """YAML nests by indentation as well as brackets, so no bracket scan bounds it: PyYAML's
    composer recursing past Python's limit is turned into the same one-line limit error."""
    try:
        yield
    except RecursionError:
        raise ConversionError(message("YAML"), path) from None
