"""consul-template / Go text/template: a tokenizer and a tree, not regex soup.

`tokenize` splits text into literal text and `{{ }}` actions (custom delimiters, `{{-`/`-}}`
trim markers, quoted strings and comments that may contain the delimiters). `parse` nests
the actions into blocks (`with`, `range`, `if`, `define`...). Every node keeps its source
span so untranslatable parts can be reported verbatim. Expressions inside an action are
tokenized by `expr_tokens` and parsed by the translator, which knows what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..nesting import MAX_DEPTH, message

BLOCK_WORDS = frozenset({"if", "with", "range", "define", "block"})


class TemplateError(ValueError):
    """Text that Go's template parser would reject (unterminated action, stray end...)."""


class TemplateTooDeep(TemplateError):
    """Blocks or parentheses nested deeper than nomad2k8s's limit (nesting.py): Go would parse it,
    but the translator and evaluator recurse per level."""

    def __init__(self, what: str, offset: int) -> None:
        super().__init__(message(what))
        self.offset = offset


@dataclass
class Text:
    text: str
    start: int
    end: int


@dataclass
class Action:
    """`{{ pipeline }}` (or a control word: else/end/template/break)."""

    body: str  # inside the delimiters, without trim markers, stripped
    start: int
    end: int

    @property
    def word(self) -> str:
        match = re.match(r"[A-Za-z_]+", self.body)
        return match.group(0) if match else ""


@dataclass
class Block:
    """`{{ with|range|if|define X }} body {{ else }} alt {{ end }}`."""

    word: str
    head: str  # the action text after the keyword
    body: list = field(default_factory=list)
    alt: list = field(default_factory=list)  # else branch (an `else if` chain stays nested as a Block)
    start: int = 0
    end: int = 0


def _skip_quoted(text: str, i: int) -> int:
    """Index after the string/char/raw literal starting at text[i]."""
    quote = text[i]
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and quote != "`":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        j += 1
    raise TemplateError("unterminated quoted string in template action")


def tokenize(text: str, left: str = "{{", right: str = "}}") -> list[Text | Action]:
    left, right = left or "{{", right or "}}"
    out: list[Text | Action] = []
    i = 0
    while i < len(text):
        start = text.find(left, i)
        if start < 0:
            out.append(Text(text[i:], i, len(text)))
            break
        if start > i:
            out.append(Text(text[i:start], i, start))
        j = start + len(left)
        trim_left = text.startswith("-", j) and j + 1 < len(text) and text[j + 1] in " \t\r\n"
        if trim_left:
            j += 1
            if out and isinstance(out[-1], Text):
                last = out[-1]
                last.text = last.text.rstrip(" \t\r\n")
        inner_start = j
        while True:
            if j >= len(text):
                raise TemplateError(f"unterminated action starting at offset {start}")
            if text.startswith("/*", j):
                close = text.find("*/", j + 2)
                if close < 0:
                    raise TemplateError("unterminated comment")
                j = close + 2
                continue
            if text[j] in "\"'`":
                j = _skip_quoted(text, j)
                continue
            if text.startswith(right, j):
                break
            j += 1
        inner = text[inner_start:j]
        trim_right = inner.endswith("-") and len(inner) >= 2 and inner[-2] in " \t\r\n"
        if trim_right:
            inner = inner[:-1]
        end = j + len(right)
        out.append(Action(inner.strip(), start, end))
        i = end
        if trim_right:
            while i < len(text) and text[i] in " \t\r\n":
                i += 1
    return [t for t in out if not (isinstance(t, Text) and t.text == "")]


def parse(text: str, left: str | None = None, right: str | None = None) -> list[Text | Action | Block]:
    """Nest the tokens into blocks; comments vanish like in Go."""
    tokens = [t for t in tokenize(text, left or "{{", right or "}}")
              if not (isinstance(t, Action) and t.body.startswith("/*"))]
    nodes, pos, stop = _parse_list(tokens, 0, top=True, depth=0)
    if stop is not None:
        raise TemplateError(f"unexpected {{{{ {stop.body} }}}}")
    return nodes


def _parse_list(tokens: list, pos: int, top: bool = False, depth: int = 0) -> tuple[list, int, Action | None]:
    """Nodes until an `else`/`end` (returned as the stop action) or the end of the tokens."""
    if depth > MAX_DEPTH:
        raise TemplateTooDeep("template blocks: if, with, range, define, else if", tokens[pos - 1].start)
    nodes: list = []
    while pos < len(tokens):
        tok = tokens[pos]
        if isinstance(tok, Text):
            nodes.append(tok)
            pos += 1
            continue
        word = tok.word
        if word in ("end", "else"):
            return nodes, pos, tok
        if word in BLOCK_WORDS:
            block, pos = _parse_block(tokens, pos, word, tok.body[len(word):].strip(), tok.start, depth + 1)
            nodes.append(block)
            continue
        nodes.append(tok)
        pos += 1
    if not top:
        raise TemplateError("missing {{ end }}")
    return nodes, pos, None


def _parse_block(tokens: list, pos: int, word: str, head: str, start: int, depth: int) -> tuple[Block, int]:
    block = Block(word=word, head=head, start=start)
    block.body, pos, stop = _parse_list(tokens, pos + 1, depth=depth)
    if stop is None:
        raise TemplateError(f"{{{{ {word} }}}} without {{{{ end }}}}")
    if stop.word == "else":
        rest = stop.body[len("else"):].strip()
        chained = rest.split(None, 1)[0] if rest else ""
        if chained in ("if", "with"):
            # `else if`/`else with` is a nested block that shares the outer `end`.
            inner, pos = _parse_block(tokens, pos, chained, rest[len(chained):].strip(), stop.start, depth + 1)
            block.alt = [inner]
            block.end = inner.end
            return block, pos
        block.alt, pos, stop = _parse_list(tokens, pos + 1, depth=depth)
        if stop is None or stop.word != "end":
            raise TemplateError(f"{{{{ {word} }}}} without {{{{ end }}}}")
    block.end = stop.end
    return block, pos + 1


# Expression tokens inside an action.
_EXPR = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"\\]|\\.)*") |
        (?P<raw>`[^`]*`) |
        (?P<char>'(?:[^'\\]|\\.)+') |
        (?P<decl>:=|=) |
        (?P<punct>[()|,]) |
        (?P<num>-?\d+(?:\.\d+)?) |
        (?P<var>\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*) |
        (?P<field>(?:\.[A-Za-z0-9_]+)+|\.) |
        (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
    )""",
    re.X,
)


def expr_tokens(text: str) -> list[tuple[str, str]]:
    """[(kind, text)] for an action's pipeline; kinds str|raw|char|decl|punct|num|var|field|ident.

    A field chain after `)` (as in `(secret "p").Data.data`) is a `field` token."""
    out: list[tuple[str, str]] = []
    pos = parens = 0
    text = text.rstrip()
    while pos < len(text):
        match = _EXPR.match(text, pos)
        if not match or match.end() == pos:
            raise TemplateError(f"cannot read {text[pos:pos + 20]!r} in a template action")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "str":
            value = _unquote(value)
        elif kind == "raw":
            value = value[1:-1]
            kind = "str"
        if kind == "punct" and value in "()":
            parens += 1 if value == "(" else -1
            if parens > MAX_DEPTH:
                raise TemplateTooDeep("parentheses in a template action", 0)
        out.append((kind, value))
        pos = match.end()
    return out


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
