"""Find and read `nomad2k8s.decisions.yaml`; every mistake is one DecisionsError line with file:line.

The file is read as a YAML node tree (not as plain data) so each error and each decision knows its
line. Scalars are kept as the text written: hint values go through the hint's own parser (which
takes "3", "true" and "Off" alike), so YAML's boolean and number guessing never changes a value.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from functools import partial
from pathlib import Path

import yaml

from .. import hints, nesting
from ..errors import ConversionError
from ..ledger.codes import catalogue
from ..profile_load import discover_config
from .model import (
    ANSWERED,
    FILE_NAME,
    RESOLUTIONS,
    Decision,
    DecisionsError,
    DecisionsFile,
    shown_name,
)

ENTRY_KEYS = ("service", "code", "path", "resolution", "answer", "reason", "fingerprint")
REQUIRED = ("service", "code", "resolution", "reason")
_NULL = "tag:yaml.org,2002:null"


def discover(jobspec: Path) -> Path | None:
    """The decisions file nearest to the jobspec, up to the repository root (like nomad2k8s.yaml)."""
    return discover_config(jobspec, FILE_NAME)


def _closest(word: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {found[0]!r}?)" if found else ""


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, message: str, node: yaml.Node | None = None) -> DecisionsError:
        return DecisionsError(message, self.path, node.start_mark.line + 1 if node is not None else None)

    def text(self, node: yaml.Node, key: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(f"{key}: expected a single value, not a list or map", node)
        if node.tag == _NULL and node.style is None:
            return None
        return str(node.value).strip()

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key text -> (key node, value node); duplicate keys are an error (YAML would keep the last)."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(f"{what}: expected a map of key: value", node)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.text(key_node, what) or ""
            if key in out:
                raise self.error(f"{what}: {key!r} given twice", key_node)
            out[key] = (key_node, value_node)
        return out

    def entry(self, node: yaml.Node, index: int) -> Decision:
        what = f"decisions[{index}]"
        fields = self.mapping(node, what)
        for key, (key_node, _) in fields.items():
            if key not in ENTRY_KEYS:
                raise self.error(f"{what}: unknown key {key!r}{_closest(key, list(ENTRY_KEYS))}; "
                                 f"keys: {', '.join(ENTRY_KEYS)}", key_node)
        values: dict[str, str | None] = {k: self.text(v, k) for k, (_, v) in fields.items() if k != "answer"}
        for key in REQUIRED:
            if not values.get(key):
                raise self.error(f"{what}: {key} is required", node)
        code, resolution = str(values["code"]), str(values["resolution"])
        if code not in catalogue():
            raise self.error(f"{what}: unknown code {code!r}{_closest(code, list(catalogue()))}",
                             fields["code"][1])
        if resolution not in RESOLUTIONS:
            raise self.error(f"{what}: unknown resolution {resolution!r}; allowed: {', '.join(RESOLUTIONS)}",
                             fields["resolution"][1])
        answer = self.answer(fields["answer"][1]) if "answer" in fields else {}
        if resolution == ANSWERED and not answer:
            raise self.error(f"{what}: resolution answered needs an answer, e.g. answer: {{storage-class: nfs}}",
                             node)
        if resolution != ANSWERED and "answer" in fields:
            raise self.error(f"{what}: answer is only allowed with resolution: answered", fields["answer"][0])
        return Decision(service=str(values["service"]), code=code, path=values.get("path") or None,
                        resolution=resolution, reason=str(values["reason"]), answer=answer,
                        fingerprint=values.get("fingerprint") or None, line=node.start_mark.line + 1)

    def answer(self, node: yaml.Node) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, (key_node, value_node) in self.mapping(node, "answer").items():
            out[hint_name(key, partial(self.error, node=key_node))] = check_hint(
                key, self.text(value_node, key) or "", partial(self.error, node=value_node))
        return out


Fail = Callable[[str], DecisionsError]


def hint_name(key: str, fail: Fail) -> str:
    """`storage-class` or `nomad2k8s.storage-class` -> `storage-class`; `fail(message)` builds the error."""
    name = key.removeprefix(hints.PREFIX)
    if name not in hints.BY_NAME:
        raise fail(f"unknown hint {key!r}{_closest(name, list(hints.BY_NAME))}; hints: {', '.join(hints.BY_NAME)}")
    return name


def check_hint(key: str, value: str, fail: Fail) -> str:
    """The value as written, once the hint's own parser accepts it."""
    spec = hints.BY_NAME[hint_name(key, fail)]
    try:
        spec.parse(value)
    except hints.HintValueError as exc:
        raise fail(f"invalid value {value!r} for hint {spec.name}: {exc}") from None
    return value


def load(path: Path) -> DecisionsFile:
    reader = _Reader(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DecisionsError(f"cannot read the decisions file: {exc}", path) from None
    try:
        with nesting.yaml_guard(path):
            root = yaml.compose(text, Loader=yaml.SafeLoader)
    except ConversionError as exc:
        raise DecisionsError(exc.message, path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DecisionsError(f"not valid YAML: {problem}", path, mark.line + 1 if mark else None) from None
    entries: list[Decision] = []
    if root is not None and not (isinstance(root, yaml.ScalarNode) and root.tag == _NULL):
        top = reader.mapping(root, "the file")
        for key, (key_node, _) in top.items():
            if key != "decisions":
                raise reader.error(f"unknown top-level key {key!r}; the file holds one list, decisions:", key_node)
        if "decisions" in top:
            items = top["decisions"][1]
            if isinstance(items, yaml.SequenceNode):
                entries = [reader.entry(item, i) for i, item in enumerate(items.value)]
            elif not (isinstance(items, yaml.ScalarNode) and items.tag == _NULL):
                raise reader.error("decisions: expected a list of entries (- service: ...)", items)
    return DecisionsFile(path=path, decisions=tuple(entries), shown=shown_name(path))


class Finder:
    """The decisions file of each jobspec (`explicit`, else the nearest one), each read once."""

    def __init__(self, explicit: Path | None, warn: Callable[[str], None]) -> None:
        self.explicit, self.warn = explicit, warn
        self.cache: dict[Path, DecisionsFile] = {}

    def for_file(self, jobspec: Path) -> DecisionsFile | None:
        path = self.explicit or discover(jobspec)
        if path is None:
            return None
        if path not in self.cache:
            self.warn(f"decisions: {path}")
            self.cache[path] = load(path)
        return self.cache[path]
