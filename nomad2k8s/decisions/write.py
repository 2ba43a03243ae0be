"""Append one entry to a decisions file as text, so the file's comments, order and layout stay as
the team wrote them (re-dumping the YAML would drop every comment). Only a flow-style list
(`decisions: [...]`) is rewritten, as a block list. The result is read back before it is kept."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .load import load
from .model import Decision, DecisionsError, DecisionsFile

HEADER = """\
# Decisions for nomad2k8s: rows of the migration reports that are done, accepted or answered.
# Recorded by `nomad2k8s decide`; review them like code. See the README, "Decisions that stick".
"""


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def entry_text(decision: Decision, indent: int) -> str:
    pad, key_pad = " " * indent, " " * (indent + 2)
    lines = [f"service: {_q(decision.service)}", f"code: {decision.code}"]
    if decision.path:
        lines.append(f"path: {_q(decision.path)}")
    lines.append(f"resolution: {decision.resolution}")
    if decision.answer:
        lines.append("answer: {" + ", ".join(f"{_q(k)}: {_q(v)}" for k, v in decision.answer.items()) + "}")
    lines.append(f"reason: {_q(decision.reason)}")
    if decision.fingerprint:
        lines.append(f"fingerprint: {_q(decision.fingerprint)}")
    return "".join(f"{pad if i == 0 else key_pad}{'- ' if i == 0 else ''}{line}\n" for i, line in enumerate(lines))


def _last_end(node: yaml.Node) -> tuple[int, bool]:
    """Where the last value inside `node` ends, and whether it is a block scalar (| or >), whose end
    is already the start of the next line."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark.index, isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")


def _line_end(text: str, index: int) -> int:
    """The start of the line after the one holding `index` (the end of the text when it is the last)."""
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _with_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def insert(text: str, current: DecisionsFile, decision: Decision) -> str:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None or isinstance(root, yaml.ScalarNode):
        return _with_newline(text) + "decisions:\n" + entry_text(decision, 2)
    assert isinstance(root, yaml.MappingNode)  # load() accepted the file: a map holding at most `decisions`
    if not root.value:  # `{}`
        return text[:root.start_mark.index] + "decisions:\n" + entry_text(decision, 2) + text[root.end_mark.index:]
    key, items = root.value[0]
    if isinstance(items, yaml.ScalarNode):  # `decisions:` with nothing (or ~) after it
        start = _line_end(text, key.end_mark.index)
        before = text[:items.start_mark.index]
        head = (before.rstrip(" ") if items.value else before) + text[items.end_mark.index:start]
        return _with_newline(head) + entry_text(decision, 2) + text[start:]
    assert isinstance(items, yaml.SequenceNode)
    if items.flow_style or not items.value:  # `decisions: [...]`: rewritten as a block list
        block = "".join(entry_text(d, 2) for d in (*current.decisions, decision))
        return text[:items.start_mark.index].rstrip(" ") + "\n" + block + text[items.end_mark.index:].lstrip("\n")
    first = items.value[0]
    line_start = text.rfind("\n", 0, first.start_mark.index) + 1
    dash = text.rfind("-", line_start, first.start_mark.index)
    indent = dash - line_start if dash >= 0 else max(first.start_mark.column - 2, 0)
    end, block_scalar = _last_end(items)
    at = end if block_scalar else _line_end(text, end)
    head = _with_newline(text[:at])
    return head + entry_text(decision, indent) + text[at:]


def append(path: Path, decision: Decision) -> DecisionsFile:
    """Add `decision` at the end of the file's list (the file is created when missing); returns the file
    as read back. The file is left unchanged when the result would not read back with the new entry."""
    if path.exists():
        before = load(path)
        original = path.read_text(encoding="utf-8")
        text = insert(original, before, decision)
    else:
        before, original = None, None
        text = HEADER + "decisions:\n" + entry_text(decision, 2)
    path.write_text(text, encoding="utf-8")
    try:
        after = load(path)
    except DecisionsError:
        after = None
    expected = (len(before.decisions) if before else 0) + 1
    if after is None or len(after.decisions) != expected or after.decisions[-1].code != decision.code:
        if original is None:
            path.unlink()
        else:
            path.write_text(original, encoding="utf-8")
        raise DecisionsError("could not append the decision to this file's layout; add it by hand", path)
    return after
