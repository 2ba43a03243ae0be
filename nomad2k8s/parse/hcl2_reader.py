"""HCL2 text -> canonical (unresolved) tree, via python-hcl2.

python-hcl2 8.1.4 does not implement `with_meta`, so block/attribute lines are read
from the lark parse tree and matched to the serialized dict block by block, in document
order per block type. The lines come from the tokens (each block and attribute starts with
its name token), so the parser runs without lark's `propagate_positions`, which costs about
40 % of the parse: python-hcl2's own parser is reloaded once with that option off.
"""

from __future__ import annotations

import functools
import inspect
import io
from dataclasses import dataclass, field
from typing import Any

from hcl2.api import serialize
from hcl2.parser import parser as hcl2_parser
from hcl2.postlexer import PostLexer
from hcl2.transformer import RuleTransformer
from hcl2.utils import SerializationOptions
from lark import Lark, Token, Tree

from .heredoc import decode_heredoc

_OPTIONS = SerializationOptions(
    with_comments=False, strip_string_quotes=True, preserve_heredocs=True, explicit_blocks=True
)

# Internal side-channel key: attribute name -> source line; stripped after resolution.
ATTR_LINES = "__attr_lines__"


@dataclass
class _Header:
    type: str
    line: int
    children: list["_Header"] = field(default_factory=list)
    attrs: dict[str, int] = field(default_factory=dict)


def _name(node: Any) -> str:
    if isinstance(node, Token):
        return str(node)
    return "".join(str(t) for t in node.scan_values(lambda v: isinstance(v, Token)))


def _line(node: Any) -> int:
    """The line of the first token under `node` (a block's or attribute's name)."""
    while isinstance(node, Tree):
        node = node.children[0]
    return int(node.line) if isinstance(node, Token) and node.line is not None else 0


@functools.lru_cache(maxsize=1)
def parser() -> Lark:
    """python-hcl2's parser (its grammar, LALR tables and post-lexer) without position propagation.
    Lark.save/_load is lark's own cache path; it copies the tables instead of rebuilding them (~1.7 s)."""
    buffer = io.BytesIO()
    hcl2_parser().save(buffer)
    buffer.seek(0)
    return Lark.__new__(Lark)._load(buffer, propagate_positions=False, postlex=PostLexer())


@functools.lru_cache(maxsize=1)
def transformer() -> RuleTransformer:
    """python-hcl2's transformer (what `hcl2.api.transform` makes per call; it keeps no state of a
    document) with its `v_args` callbacks bound once: lark's wrapper makes a new wrapper object
    (functools.update_wrapper) at every lookup, once per tree node (~140,000 for the corpus)."""
    transformer = RuleTransformer(discard_new_line_or_comments=True)
    for name, attr in inspect.getmembers_static(RuleTransformer):
        if hasattr(attr, "visit_wrapper"):
            setattr(transformer, name, getattr(transformer, name))
    return transformer


def parses_to_tree(text: str) -> Tree:
    # The trailing newline is python-hcl2's own workaround (its grammar needs one at the end).
    return parser().parse(text + "\n")


def _headers(body: Tree) -> tuple[list[_Header], dict[str, int]]:
    blocks: list[_Header] = []
    attrs: dict[str, int] = {}
    for child in body.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "block":
            h = _Header(_name(child.children[0]), _line(child))
            inner = next(c for c in child.children if isinstance(c, Tree) and c.data == "body")
            h.children, h.attrs = _headers(inner)
            blocks.append(h)
        elif child.data == "attribute":
            attrs[_name(child.children[0]).strip('"')] = _line(child)
    return blocks, attrs


def parse_hcl2(text: str) -> dict:
    """Parse HCL2 text into the canonical tree (values still unresolved templates).

    Raises the python-hcl2 / lark exception on syntax errors (caller handles fallback).
    """
    lark_tree = parses_to_tree(text)
    rules = transformer().transform(lark_tree)
    data = serialize(rules, serialization_options=_OPTIONS)
    _cut_parent_links(rules)
    top = lark_tree.children[0] if lark_tree.children else None
    headers, attrs = _headers(top) if isinstance(top, Tree) else ([], {})
    return _body(data, headers, attrs)


def _cut_parent_links(root: Any) -> None:
    """python-hcl2's rule tree points both ways (each element at its parent): every node is in a cycle,
    so the tree outlives the parse until the cyclic collector's full passes find it (most of a batch's
    collector time, for ~1,600 nodes a jobspec). Cut once it is serialized, it is freed at once."""
    stack = [root]
    while stack:
        node = stack.pop()
        node._parent = None
        stack.extend(c for c in getattr(node, "_children", ()) if c is not None)


def _body(raw: dict, headers: list[_Header], attrs: dict[str, int]) -> dict:
    out: dict[str, Any] = {}
    by_type: dict[str, list[_Header]] = {}
    for h in headers:
        by_type.setdefault(h.type, []).append(h)
    for key, value in raw.items():
        if key == "__is_block__":
            continue
        if _is_block_list(value):
            hs = by_type.get(key, [])
            out[key] = [_block(item, hs[i] if i < len(hs) else None) for i, item in enumerate(value)]
        else:
            out[key] = _value(value)
    if attrs:
        out[ATTR_LINES] = attrs
    return out


def _is_block_list(value: Any) -> bool:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        return False
    first = value[0]
    if first.get("__is_block__"):
        return True
    return len(first) == 1 and isinstance(next(iter(first.values())), dict) and bool(
        _labeled_body(first)
    )


def _labeled_body(item: dict) -> dict | None:
    """`{label: body}` -> body when body is a block; nested dicts for multi-label blocks."""
    if len(item) != 1:
        return None
    inner = next(iter(item.values()))
    if isinstance(inner, dict) and (inner.get("__is_block__") or _labeled_body(inner)):
        return inner
    return None


def _block(item: dict, header: _Header | None) -> dict:
    labels: list[str] = []
    while not item.get("__is_block__") and _labeled_body(item) is not None:
        labels.append(str(next(iter(item))))
        item = next(iter(item.values()))
    body = _body(item, header.children if header else [], header.attrs if header else {})
    head: dict[str, Any] = {}
    if labels:
        head["__label__"] = labels[0]
        if len(labels) > 1:  # Nomad has no two-label blocks; keep extras rather than lose them
            head["__labels__"] = labels
    if header is not None:
        head["__line__"] = header.line
    return {**head, **body}


def _value(value: Any) -> Any:
    if isinstance(value, str):
        decoded = decode_heredoc(value) if value.startswith("<<") else None
        return value if decoded is None else decoded
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _value(v) for k, v in value.items() if k != "__is_block__"}
    return value


__all__ = ["parse_hcl2", "ATTR_LINES"]
