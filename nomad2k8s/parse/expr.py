"""A small HCL2 expression tokenizer, parser and evaluator.

python-hcl2 hands back whole-value expressions and template interpolations as source
text (`${var.x}`), so we evaluate the subset Nomad jobspecs actually use ourselves.
Anything outside the subset raises Unresolved and the caller keeps the original text.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..errors import ConversionError
from .functions import FUNCTIONS, MAX_VALUE_CHARS, too_large

# Evaluation steps per jobspec: far above any real file (a 10,000-group job takes a few hundred
# thousand), low enough that an expression built to explode stops within seconds.
MAX_STEPS = 20_000_000
MAX_ITEMS = 100_000  # elements of one list or map


class Unresolved(Exception):
    """The expression cannot be evaluated at conversion time (caller reports it)."""


class Unknown(Unresolved):
    """A value known only later (Terraform: at apply): `try()` does not fall back over it, as in Terraform."""


# A function-table entry evaluated lazily by the Evaluator itself: try()/can() must not evaluate an argument
# before the ones ahead of it failed (Terraform's, and HCL's tryfunc).
LAZY = object()


class Runtime(Exception):
    """The expression refers to a Nomad runtime value (attr.*, NOMAD_*): keep verbatim."""


# Roots whose values are only known at conversion time; every other root is runtime.
Lookup = Callable[[str], Any]

_NUM = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_OPS = ("==", "!=", "<=", ">=", "&&", "||", "=>", "...", "+", "-", "*", "/", "%", "<", ">",
        "!", "?", ":", ".", ",", "[", "]", "(", ")", "{", "}", "=")


def skip_string(src: str, i: int) -> int:
    """`src[i]` is an opening quote; return the index just after the closing quote."""
    i += 1
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if src.startswith("$${", i) or src.startswith("%%{", i):
            i += 3
            continue
        if src.startswith("${", i) or src.startswith("%{", i):
            i = skip_braces(src, i + 1)
            continue
        i += 1
    raise Unresolved("unterminated string")


def skip_braces(src: str, i: int) -> int:
    """`src[i]` is `{`; return the index just after its matching `}` (strings skipped)."""
    depth = 0
    while i < len(src):
        c = src[i]
        if c == '"':
            i = skip_string(src, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise Unresolved("unterminated interpolation")


def tokenize(src: str) -> list[tuple[str, Any]]:
    toks: list[tuple[str, Any]] = []
    i = 0
    while i < len(src):
        c = src[i]
        if c in " \t\r\n":
            i += 1
        elif c == "#" or src.startswith("//", i):
            j = src.find("\n", i)
            i = len(src) if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i)
            i = len(src) if j < 0 else j + 2
        elif c == '"':
            j = skip_string(src, i)
            toks.append(("str", src[i + 1 : j - 1]))
            i = j
        elif src.startswith("<<", i):
            raise Unresolved("heredoc inside an expression")
        elif m := _NUM.match(src, i):
            t = m.group()
            toks.append(("num", float(t) if any(ch in t for ch in ".eE") else int(t)))
            i = m.end()
        elif m := _IDENT.match(src, i):
            toks.append(("id", m.group()))
            i = m.end()
        else:
            for op in _OPS:
                if src.startswith(op, i):
                    toks.append(("op", op))
                    i += len(op)
                    break
            else:
                raise Unresolved(f"unexpected character {c!r}")
    toks.append(("eof", None))
    return toks


class _Parser:
    """Recursive-descent parser producing tuple ASTs; precedence follows the HCL spec."""

    def __init__(self, src: str) -> None:
        self.t = tokenize(src)
        self.p = 0

    def peek(self, k: int = 0) -> tuple[str, Any]:
        return self.t[min(self.p + k, len(self.t) - 1)]

    def take(self) -> tuple[str, Any]:
        tok = self.t[self.p]
        self.p += 1
        return tok

    def accept(self, op: str) -> bool:
        if self.peek() == ("op", op):
            self.p += 1
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.accept(op):
            raise Unresolved(f"expected {op!r}, got {self.peek()[1]!r}")

    def parse(self) -> tuple:
        node = self.expr()
        if self.peek()[0] != "eof":
            raise Unresolved(f"unexpected {self.peek()[1]!r}")
        return node

    def expr(self) -> tuple:
        cond = self.binary(0)
        if self.accept("?"):
            a = self.expr()
            self.expect(":")
            b = self.expr()
            return ("cond", cond, a, b)
        return cond

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> tuple:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in self._LEVELS[level]:
            op = self.take()[1]
            left = ("bin", op, left, self.binary(level + 1))
        return left

    def unary(self) -> tuple:
        if self.accept("!"):
            return ("un", "!", self.unary())
        if self.accept("-"):
            return ("un", "-", self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: tuple) -> tuple:
        while True:
            if self.accept("."):
                kind, val = self.take()
                if kind == "id":
                    node = ("attr", node, val)
                elif kind == "num" and isinstance(val, int):
                    node = ("index", node, ("lit", val))
                else:
                    raise Unresolved("splat or bad attribute access")
            elif self.peek() == ("op", "["):
                if self.peek(1) == ("op", "*"):
                    raise Unresolved("splat expressions are not evaluated")
                self.take()
                node = ("index", node, self.expr())
                self.expect("]")
            else:
                return node

    def primary(self) -> tuple:
        kind, val = self.take()
        if kind == "num":
            return ("lit", val)
        if kind == "str":
            return ("tmpl", val)
        if kind == "id":
            if val in ("true", "false"):
                return ("lit", val == "true")
            if val == "null":
                return ("lit", None)
            if self.peek() == ("op", "("):
                return self.call(val)
            return ("ref", val)
        if (kind, val) == ("op", "("):
            node = self.expr()
            self.expect(")")
            return node
        if (kind, val) == ("op", "["):
            return self.tuple_()
        if (kind, val) == ("op", "{"):
            return self.object_()
        raise Unresolved(f"unexpected {val!r}")

    def call(self, name: str) -> tuple:
        self.expect("(")
        args: list[tuple] = []
        expand = False
        while not self.accept(")"):
            args.append(self.expr())
            if self.accept("..."):
                expand = True
            if not self.accept(","):
                self.expect(")")
                break
        return ("call", name, args, expand)

    def tuple_(self) -> tuple:
        if self.peek() == ("id", "for"):
            raise Unresolved("for expressions are not evaluated")
        items: list[tuple] = []
        while not self.accept("]"):
            items.append(self.expr())
            if not self.accept(","):
                self.expect("]")
                break
        return ("list", items)

    def object_(self) -> tuple:
        if self.peek() == ("id", "for"):
            raise Unresolved("for expressions are not evaluated")
        items: list[tuple[tuple, tuple]] = []
        while not self.accept("}"):
            kind, val = self.peek()
            # A bare identifier key is a literal name, not a reference (HCL rule).
            if kind == "id" and self.peek(1) in (("op", "="), ("op", ":")):
                self.take()
                key: tuple = ("lit", val)
            else:
                key = self.expr()
            if not (self.accept("=") or self.accept(":")):
                raise Unresolved("expected '=' in object")
            items.append((key, self.expr()))
            self.accept(",")
        return ("obj", items)


def parse_expression(src: str) -> tuple:
    return _Parser(src).parse()


# ---------------------------------------------------------------- evaluation


def to_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (int, float, str)):
        return str(v)
    if v is None:
        return ""
    raise Unresolved("cannot interpolate a collection into a string")


def _num(v: Any) -> int | float:
    if isinstance(v, bool):
        raise Unresolved("arithmetic on a bool")
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            try:
                return float(v)
            except ValueError:
                pass
    raise Unresolved(f"not a number: {v!r}")


def _binop(op: str, a: Any, b: Any) -> Any:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op in ("&&", "||"):
        if not isinstance(a, bool) or not isinstance(b, bool):
            raise Unresolved("logical operator on non-bool")
        return (a and b) if op == "&&" else (a or b)
    x, y = _num(a), _num(b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        if y == 0:
            raise Unresolved("division by zero")
        r = x / y
        return int(r) if r.is_integer() else r
    if op == "%":
        return x % y
    return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


class Evaluator:
    """Evaluates ASTs. `lookup(root)` returns a root value or raises Unresolved/Runtime."""

    def __init__(self, lookup: Lookup, base_dir: Any = None, root: Any = None,
                 functions: dict[str, Any] | None = None, fallback_dir: Any = None) -> None:
        self.lookup = lookup
        self.base_dir = base_dir  # file() names are relative to it (where `nomad job run` runs; parse/files.py)
        self.root = root  # file() may not read outside it (fileaccess)
        self.fallback_dir = fallback_dir  # ... and then to this one (the jobspec's directory), noted
        self.file_notes: list[tuple[str, str]] = []  # (code, message) of file reads, for the caller's ledger
        # The callable functions: the jobspec set by default; Terraform adds templatefile() & co.
        self.functions = FUNCTIONS if functions is None else functions
        self.steps = [0]  # template loop iterations so far, shared with scoped() children (bounded)
        self.eval_steps = 0  # expressions evaluated (bounded: MAX_STEPS)

    def scoped(self, names: dict[str, Any]) -> "Evaluator":
        """The same evaluator with extra names in scope (a template `for` iterator)."""
        outer = self.lookup
        child = Evaluator(lambda root: names[root] if root in names else outer(root), self.base_dir, self.root,
                          self.functions, self.fallback_dir)
        child.steps = self.steps
        child.file_notes = self.file_notes
        return child

    def eval(self, node: tuple) -> Any:
        self.eval_steps += 1
        if self.eval_steps > MAX_STEPS:
            raise ConversionError(f"expression evaluation stopped after {MAX_STEPS:,} steps (a runaway local or "
                                  "function chain?)")
        return _bounded(node[0], self._eval(node))

    def _eval(self, node: tuple) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "tmpl":
            from .template import render  # template rendering evaluates expressions too

            value, kept = render(decode_escapes(node[1]), self)
            if kept:
                raise Unresolved(kept[0][1])
            return value
        if kind == "ref":
            return self.lookup(node[1])
        if kind == "attr":
            obj = self.eval(node[1])
            if isinstance(obj, dict) and node[2] in obj:
                return obj[node[2]]
            if node[1][0] == "ref":
                raise Unresolved(f"{node[1][1]}.{node[2]} is undefined or has no value")
            raise Unresolved(f"no attribute {node[2]!r}")
        if kind == "index":
            obj, key = self.eval(node[1]), self.eval(node[2])
            try:
                if isinstance(obj, list):
                    return obj[int(_num(key))]
                return obj[key]
            except (KeyError, IndexError, TypeError):
                raise Unresolved(f"no element {key!r}") from None
        if kind == "un":
            v = self.eval(node[2])
            if node[1] == "!":
                if not isinstance(v, bool):
                    raise Unresolved("'!' on non-bool")
                return not v
            return -_num(v)
        if kind == "bin":
            return _binop(node[1], self.eval(node[2]), self.eval(node[3]))
        if kind == "cond":
            c = self.eval(node[1])
            if not isinstance(c, bool):
                raise Unresolved("condition is not a bool")
            return self.eval(node[2] if c else node[3])
        if kind == "list":
            return [self.eval(n) for n in node[1]]
        if kind == "obj":
            return {to_str(self.eval(k)): self.eval(v) for k, v in node[1]}
        if kind == "call":
            fn = self.functions.get(node[1])
            if fn is LAZY:
                return self._lazy_call(node[1], node[2])
            if fn is None:
                raise Unresolved(f"function {node[1]}() is not evaluated")
            args = [self.eval(a) for a in node[2]]
            if node[3]:
                if not isinstance(args[-1], list):
                    raise Unresolved("'...' expansion of a non-list")
                args = args[:-1] + args[-1]
            try:
                return fn(self, *args)
            except (Unresolved, ConversionError):  # a refused file() read is an error, not text
                raise
            except Exception as exc:  # bad arguments to a builtin are an input problem
                raise Unresolved(f"{node[1]}(): {exc}") from None
        raise Unresolved(f"unsupported expression {kind}")


    def _lazy_call(self, name: str, args: list[tuple]) -> Any:
        """try(a, b, ...): the first argument that evaluates; can(a): whether it does. A refused file read or a
        limit (ConversionError) and a value known only later (Unknown) are not failures they can hide."""
        if name == "can":
            if len(args) != 1:
                raise Unresolved("can() takes exactly one argument")
            try:
                self.eval(args[0])
            except Unknown:
                raise
            except Unresolved:
                return False
            return True
        last = "no arguments"
        for arg in args:
            try:
                return self.eval(arg)
            except Unknown:
                raise
            except Unresolved as exc:
                last = str(exc)
        raise Unresolved(f"try(): no argument could be evaluated (the last: {last})")


def _bounded(kind: str, value: Any) -> Any:
    """A value no real jobspec builds (a string doubled 64 times) is an error, not a memory blow-up."""
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise too_large("a string" if kind in ("tmpl", "lit") else f"a value ({kind})", len(value))
    if isinstance(value, (list, dict)) and len(value) > MAX_ITEMS:
        raise ConversionError(f"a list or map of {len(value):,} elements (limit {MAX_ITEMS:,})")
    return value


_ESC = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def decode_escapes(raw: str) -> str:
    """Decode backslash escapes of a quoted HCL string found inside an expression."""
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            n = raw[i + 1]
            if n in _ESC:
                out.append(_ESC[n])
                i += 2
                continue
            if n in "uU":
                width = 4 if n == "u" else 8
                try:
                    out.append(chr(int(raw[i + 2 : i + 2 + width], 16)))
                    i += 2 + width
                    continue
                except ValueError:
                    pass
        out.append(c)
        i += 1
    return "".join(out)
