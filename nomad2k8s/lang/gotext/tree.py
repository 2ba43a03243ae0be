"""Pipelines of a Go template action, parsed from lang/gotemplate.py's expression tokens.

A pipeline is `[$a[, $b] := | =] command | command ...`; a command is operands, the first of which
may name a function; an operand is a literal, `.field.chain`, `$var.chain`, a function name or a
parenthesized pipeline (optionally followed by a field chain). Every node keeps the offset of its
action in the source text so errors can say file:line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from ..gotemplate import Action, Block, TemplateError, Text, expr_tokens, parse

KEYWORDS = frozenset({"if", "else", "end", "range", "with", "define", "block", "template", "break", "continue"})


class ExprError(ValueError):
    """An action Go's parser would reject; `offset` locates it in the source text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


@dataclass
class Lit:
    value: Any


@dataclass
class Field:
    """`.a.b` (base None: the dot) or `(pipeline).a.b` (base a Pipe)."""

    names: list[str]
    base: Pipe | None = None


@dataclass
class Var:
    name: str  # "" is `$`
    names: list[str] = field(default_factory=list)


@dataclass
class Ident:
    """A function name: called with the command's other operands, or with none as an argument."""

    name: str


Operand = Union[Lit, Field, Var, Ident, "Pipe"]


@dataclass
class Pipe:
    commands: list[list[Operand]]
    decl: list[str] = field(default_factory=list)  # variable names declared/assigned
    assign: bool = False  # `=` rather than `:=`
    offset: int = 0


@dataclass
class Output:
    pipe: Pipe
    source: str  # the action as written, e.g. `[[ .a.b ]]`
    offset: int


@dataclass
class Control:
    """if/with/range: `body` when the pipeline is truthy (range: per element), else `alt`."""

    word: str
    pipe: Pipe
    body: list
    alt: list
    offset: int


@dataclass
class Invoke:
    """`template "name" [pipeline]`."""

    name: str
    pipe: Pipe | None
    offset: int


@dataclass
class Jump:
    word: str  # break / continue
    offset: int


Node = Union[str, Output, Control, Invoke, Jump]


@dataclass
class Compiled:
    nodes: list[Node]
    defines: dict[str, list[Node]]


def compile_text(text: str, left: str = "[[", right: str = "]]") -> Compiled:
    """The template's top-level nodes and its `define`/`block` definitions."""
    try:
        raw = parse(text, left, right)
    except TemplateError as exc:
        raise ExprError(str(exc), _offset_of(exc)) from None
    defines: dict[str, list[Node]] = {}
    nodes = _nodes(raw, text, defines, left, right)
    return Compiled(nodes, defines)


def _offset_of(exc: TemplateError) -> int:
    # gotemplate's messages carry "at offset N" for unterminated actions; otherwise the start.
    words = str(exc).split()
    if "offset" in words:
        try:
            return int(words[words.index("offset") + 1])
        except (IndexError, ValueError):
            pass
    return 0


def _nodes(raw: list, text: str, defines: dict[str, list[Node]], left: str, right: str) -> list[Node]:
    out: list[Node] = []
    for item in raw:
        if isinstance(item, Text):
            out.append(item.text)
        elif isinstance(item, Block):
            out.extend(_block(item, text, defines, left, right))
        elif isinstance(item, Action):
            out.append(_action(item, text))
    return out


def _block(block: Block, text: str, defines: dict[str, list[Node]], left: str, right: str) -> list[Node]:
    body = _nodes(block.body, text, defines, left, right)
    alt = _nodes(block.alt, text, defines, left, right)
    if block.word in ("define", "block"):
        tokens = _tokens(block.head, block.start)
        if not tokens or tokens[0][0] != "str":
            raise ExprError(f"{block.word} needs a quoted template name", block.start)
        name = tokens[0][1]
        defines[name] = body
        if block.word == "define":
            return []
        rest = _pipe(tokens[1:], block.start) if len(tokens) > 1 else None
        return [Invoke(name, rest, block.start)]
    return [Control(block.word, _pipe(_tokens(block.head, block.start), block.start), body, alt, block.start)]


def _action(action: Action, text: str) -> Node:
    word = action.word
    tokens = _tokens(action.body, action.start)
    if word in ("break", "continue") and len(tokens) == 1:
        return Jump(word, action.start)
    if word == "template" and tokens and tokens[0] == ("ident", "template"):
        if len(tokens) < 2 or tokens[1][0] != "str":
            raise ExprError("template needs a quoted template name", action.start)
        rest = _pipe(tokens[2:], action.start) if len(tokens) > 2 else None
        return Invoke(tokens[1][1], rest, action.start)
    return Output(_pipe(tokens, action.start), text[action.start:action.end], action.start)


def _tokens(body: str, offset: int) -> list[tuple[str, str]]:
    try:
        return expr_tokens(body)
    except TemplateError as exc:
        raise ExprError(str(exc), offset) from None


def _pipe(tokens: list[tuple[str, str]], offset: int) -> Pipe:
    if not tokens:
        raise ExprError("missing value in template action", offset)
    pipe = Pipe([], offset=offset)
    pos = _declaration(tokens, pipe, offset)
    pos, commands = _commands(tokens, pos, offset, inner=False)
    pipe.commands = commands
    return pipe


def _declaration(tokens: list[tuple[str, str]], pipe: Pipe, offset: int) -> int:
    """`$x :=`, `$i, $v :=` or `$x =` at the start of a pipeline: position after it."""
    names: list[str] = []
    pos = 0
    while pos < len(tokens) and tokens[pos][0] == "var" and "." not in tokens[pos][1]:
        names.append(tokens[pos][1][1:])
        if pos + 1 < len(tokens) and tokens[pos + 1] == ("punct", ","):
            pos += 2
            continue
        pos += 1
        break
    if names and pos < len(tokens) and tokens[pos][0] == "decl":
        if len(names) > 2:
            raise ExprError("too many variables in declaration", offset)
        pipe.decl, pipe.assign = names, tokens[pos][1] == "="
        return pos + 1
    return 0


def _commands(tokens: list[tuple[str, str]], pos: int, offset: int, inner: bool) -> tuple[int, list[list[Operand]]]:
    commands: list[list[Operand]] = []
    current: list[Operand] = []
    while pos < len(tokens):
        kind, value = tokens[pos]
        if kind == "punct" and value == "|":
            if not current:
                raise ExprError("missing command before '|'", offset)
            commands.append(current)
            current = []
            pos += 1
            continue
        if kind == "punct" and value == ")":
            if not inner:
                raise ExprError("unexpected ')' in template action", offset)
            break
        operand, pos = _operand(tokens, pos, offset)
        current.append(operand)
    if not current:
        raise ExprError("missing command in template action", offset)
    commands.append(current)
    return pos, commands


def _operand(tokens: list[tuple[str, str]], pos: int, offset: int) -> tuple[Operand, int]:
    kind, value = tokens[pos]
    if kind == "str":
        return Lit(value), pos + 1
    if kind == "num":
        return Lit(float(value) if "." in value else int(value)), pos + 1
    if kind == "char":
        body = value[1:-1]
        return Lit(ord(body[-1]) if body.startswith("\\") else ord(body[0])), pos + 1
    if kind == "var":
        head, *names = value[1:].split(".")
        return Var(head, names), pos + 1
    if kind == "field":
        return Field([n for n in value.split(".") if n]), pos + 1
    if kind == "ident":
        if value in ("true", "false"):
            return Lit(value == "true"), pos + 1
        if value == "nil":
            return Lit(None), pos + 1
        if "." in value or value in KEYWORDS:
            raise ExprError(f"unexpected {value!r} in template action", offset)
        return Ident(value), pos + 1
    if kind == "punct" and value == "(":
        pos, commands = _commands(tokens, pos + 1, offset, inner=True)
        if pos >= len(tokens) or tokens[pos] != ("punct", ")"):
            raise ExprError("unclosed '(' in template action", offset)
        sub = Pipe(commands, offset=offset)
        pos += 1
        if pos < len(tokens) and tokens[pos][0] == "field" and tokens[pos][1] != ".":
            return Field([n for n in tokens[pos][1].split(".") if n], sub), pos + 1
        return sub, pos
    raise ExprError(f"unexpected {value!r} in template action", offset)
