"""Execute compiled templates over Python data (dict/list/str/int/float/bool/None), like Go's
text/template: truthiness, scoped `$variables`, `range` over lists, maps (sorted keys) and ints,
`template` calls, pipelines passing the previous result as the last argument.

Everything is bounded: template-call/nesting depth, evaluation steps and output size. A hostile
template stops with one RenderFailure, it never hangs or exhausts memory. Failures carry the
Source and offset of the action, so the caller can report file:line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import functions
from .tree import (
    Compiled,
    Control,
    Field,
    Ident,
    Invoke,
    Jump,
    Lit,
    Node,
    Output,
    Pipe,
    Var,
)


@dataclass(frozen=True)
class Source:
    path: Path
    text: str

    def line(self, offset: int) -> int:
        return self.text.count("\n", 0, max(0, offset)) + 1


@dataclass(frozen=True)
class Limits:
    depth: int = 100  # nested template calls and blocks
    steps: int = 500_000  # nodes and commands evaluated (a large real pack needs a few thousand)
    output: int = 16 * 1024 * 1024  # characters of output (and of any one value built on the way)


class RenderFailure(Exception):
    def __init__(self, message: str, source: Source | None = None, offset: int = 0) -> None:
        super().__init__(message)
        self.message, self.source, self.offset = message, source, offset


class MissingKey(Exception):
    """A map key the data does not have (`missingkey=error` dialects); `path` is the dotted chain."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclass
class Dialect:
    """What differs between nomad-pack and Levant: functions, and what a missing map key means."""

    name: str
    funcs: dict[str, Callable[..., Any]]
    missing_is_error: bool  # Levant: missingkey=error; nomad-pack: missingkey=zero
    nil_text: str = ""  # nomad-pack replaces `<no value>` with ""
    keep_missing: bool = False  # Levant: a missing key in a plain `[[ .x ]]` stays as written (reported)


class _Jump(Exception):
    def __init__(self, word: str) -> None:
        self.word = word


@dataclass
class _Template:
    nodes: list[Node]
    source: Source


@dataclass
class Renderer:
    dialect: Dialect
    limits: Limits = field(default_factory=Limits)
    templates: dict[str, _Template] = field(default_factory=dict)
    kept: list[tuple[str, str, Source, int]] = field(default_factory=list)  # (action, missing key, src, offset)
    _steps: int = 0
    _size: int = 0

    def add(self, compiled: Compiled, source: Source) -> None:
        """Register a file's `define`s (later files win, as in Go's template set)."""
        for name, nodes in compiled.defines.items():
            self.templates[name] = _Template(nodes, source)

    def render(self, compiled: Compiled, source: Source, data: Any) -> str:
        out: list[str] = []
        self._size = 0
        self._run(compiled.nodes, _Scope(data, {"": data}), source, out, 0)
        return "".join(out)

    # ------------------------------------------------------------------ nodes

    def _step(self, source: Source, offset: int) -> None:
        self._steps += 1
        if self._steps > self.limits.steps:
            raise RenderFailure(f"template evaluation exceeded {self.limits.steps} steps", source, offset)

    def _emit(self, out: list[str], text: str, source: Source, offset: int) -> None:
        self._size += len(text)
        if self._size > self.limits.output:
            raise RenderFailure(f"rendered output exceeds {self.limits.output} characters", source, offset)
        out.append(text)

    def _run(self, nodes: list[Node], scope: _Scope, source: Source, out: list[str], depth: int) -> None:
        if depth > self.limits.depth:
            offset = next((n.offset for n in nodes if not isinstance(n, str)), 0)
            raise RenderFailure(f"template nesting exceeds depth {self.limits.depth}", source, offset)
        for node in nodes:
            if isinstance(node, str):
                self._emit(out, node, source, 0)
                continue
            self._step(source, node.offset)
            if isinstance(node, Output):
                self._output(node, scope, source, out)
            elif isinstance(node, Control):
                self._control(node, scope, source, out, depth)
            elif isinstance(node, Invoke):
                self._invoke(node, scope, source, out, depth)
            elif isinstance(node, Jump):
                raise _Jump(node.word)

    def _output(self, node: Output, scope: _Scope, source: Source, out: list[str]) -> None:
        try:
            value = self._pipe(node.pipe, scope, source)
        except MissingKey as exc:
            plain = len(node.pipe.commands) == 1 and len(node.pipe.commands[0]) == 1 and not node.pipe.decl
            if not (self.dialect.keep_missing and plain):
                raise RenderFailure(self._missing(exc.path), source, node.offset) from None
            self.kept.append((node.source, exc.path, source, node.offset))
            self._emit(out, node.source, source, node.offset)
            return
        if node.pipe.decl:
            return  # a declaration prints nothing
        self._emit(out, self._text(value), source, node.offset)

    def _missing(self, path: str) -> str:
        return f"{self.dialect.name} variable '{path}' has no value"

    def _text(self, value: Any) -> str:
        return self.dialect.nil_text if value is None else functions.go_str(value)

    def _control(self, node: Control, scope: _Scope, source: Source, out: list[str], depth: int) -> None:
        inner = scope.child()
        try:
            value = self._pipe(node.pipe, inner, source, declare_range=node.word == "range")
        except MissingKey as exc:
            raise RenderFailure(self._missing(exc.path), source, node.offset) from None
        if node.word == "range":
            self._range(node, value, inner, source, out, depth)
            return
        if functions.truth(value):
            self._run(node.body, inner.with_dot(value) if node.word == "with" else inner, source, out, depth + 1)
        else:
            self._run(node.alt, inner, source, out, depth + 1)

    def _range(self, node: Control, value: Any, scope: _Scope, source: Source, out: list[str],
               depth: int) -> None:
        items: list[tuple[Any, Any]]
        if value is None:
            items = []
        elif isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value, key=str)]
        elif isinstance(value, (list, tuple)):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            if value > self.limits.steps:
                raise RenderFailure(f"range over {value} exceeds {self.limits.steps} steps", source, node.offset)
            items = [(i, i) for i in range(value)]
        else:
            raise RenderFailure(f"range can't iterate over {functions.go_str(value)}", source, node.offset)
        if not items:
            self._run(node.alt, scope, source, out, depth + 1)
            return
        names = node.pipe.decl
        for key, elem in items:
            self._step(source, node.offset)
            body = scope.child().with_dot(elem)
            if len(names) == 1:
                body.vars[names[0]] = elem
            elif len(names) == 2:
                body.vars[names[0]], body.vars[names[1]] = key, elem
            try:
                self._run(node.body, body, source, out, depth + 1)
            except _Jump as jump:
                if jump.word == "break":
                    break

    def _invoke(self, node: Invoke, scope: _Scope, source: Source, out: list[str], depth: int) -> None:
        tpl = self.templates.get(node.name)
        if tpl is None:
            raise RenderFailure(f'template "{node.name}" is not defined', source, node.offset)
        try:
            data = self._pipe(node.pipe, scope, source) if node.pipe is not None else None
        except MissingKey as exc:
            raise RenderFailure(self._missing(exc.path), source, node.offset) from None
        self._run(tpl.nodes, _Scope(data, {"": data}), tpl.source, out, depth + 1)

    # ------------------------------------------------------------ pipelines

    def _pipe(self, pipe: Pipe, scope: _Scope, source: Source, declare_range: bool = False) -> Any:
        value: Any = None
        first = True
        for command in pipe.commands:
            self._step(source, pipe.offset)
            value = self._command(command, scope, source, pipe.offset, None if first else (value,))
            first = False
        if pipe.decl and not declare_range:
            for name in pipe.decl:
                if pipe.assign:
                    if not scope.assign(name, value):
                        raise RenderFailure(f"undefined variable: ${name}", source, pipe.offset)
                else:
                    scope.vars[name] = value
        return value

    def _command(self, command: list, scope: _Scope, source: Source, offset: int,
                 piped: tuple[Any, ...] | None) -> Any:
        head = command[0]
        if isinstance(head, Ident):
            args = [self._arg(a, scope, source, offset) for a in command[1:]]
            return self._call(head.name, args + list(piped or ()), scope, source, offset, command[1:])
        if len(command) > 1 or piped is not None:
            raise RenderFailure("can't give argument to non-function", source, offset)
        return self._arg(head, scope, source, offset)

    def _arg(self, operand: Any, scope: _Scope, source: Source, offset: int) -> Any:
        if isinstance(operand, Lit):
            return operand.value
        if isinstance(operand, Ident):
            return self._call(operand.name, [], scope, source, offset, [])
        if isinstance(operand, Pipe):
            return self._pipe(operand, scope.child(), source)
        if isinstance(operand, Var):
            if operand.name not in scope.lookup_names():
                raise RenderFailure(f"undefined variable: ${operand.name}", source, offset)
            base = scope.get(operand.name)
            return self._fields(base, operand.names, f"${operand.name}", source, offset)
        if isinstance(operand, Field):
            base = scope.dot if operand.base is None else self._pipe(operand.base, scope.child(), source)
            return self._fields(base, operand.names, "", source, offset)
        raise RenderFailure(f"cannot evaluate {operand!r}", source, offset)

    def _fields(self, value: Any, names: list[str], prefix: str, source: Source, offset: int) -> Any:
        path = prefix
        for name in names:
            path = f"{path}.{name}" if path else name
            if isinstance(value, dict):
                lookup = getattr(value, "lookup", None)
                if lookup is not None:  # a data view that knows what a missing key means (pack vars)
                    try:
                        value = lookup(name)
                    except ValueError as exc:
                        raise RenderFailure(str(exc), source, offset) from None
                    continue
                if name in value:
                    value = value[name]
                elif self.dialect.missing_is_error:  # name the whole chain: `--var a.b=...` sets it
                    raise MissingKey(".".join(x for x in [prefix, *names] if x))
                else:
                    value = None
            elif value is None:
                raise RenderFailure(f"nil pointer evaluating .{path}", source, offset)
            else:
                raise RenderFailure(f"can't evaluate field {name} in {functions.type_name(value)}", source, offset)
        return value

    def _call(self, name: str, args: list[Any], scope: _Scope, source: Source, offset: int,
              raw: list) -> Any:
        if name in ("and", "or"):  # short-circuit, return the deciding value
            if not args:
                raise RenderFailure(f"{name}: wrong number of args", source, offset)
            for arg in args:
                if functions.truth(arg) == (name == "or"):
                    return arg
            return args[-1]
        fn = self.dialect.funcs.get(name)
        if fn is None:
            raise RenderFailure(f"unsupported template function '{name}'", source, offset)
        try:
            result = fn(*args)
        except functions.DataError as exc:
            raise RenderFailure(str(exc), source, offset) from None
        except functions.TemplateFuncError as exc:
            raise RenderFailure(f"{name}: {exc}", source, offset) from None
        except TypeError:
            raise RenderFailure(f"{name}: wrong number or type of arguments ({len(args)} given)", source,
                                offset) from None
        if isinstance(result, str) and len(result) > self.limits.output:
            raise RenderFailure(f"{name}: result exceeds {self.limits.output} characters", source, offset)
        return result


class _Scope:
    """The dot and the `$variables` visible here; a child sees its parents' variables."""

    def __init__(self, dot: Any, variables: dict[str, Any], parent: _Scope | None = None) -> None:
        self.dot, self.vars, self.parent = dot, variables, parent

    def child(self) -> _Scope:
        return _Scope(self.dot, {}, self)

    def with_dot(self, dot: Any) -> _Scope:
        self.dot = dot
        return self

    def lookup_names(self) -> set[str]:
        names: set[str] = set()
        scope: _Scope | None = self
        while scope is not None:
            names |= scope.vars.keys()
            scope = scope.parent
        return names

    def get(self, name: str) -> Any:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return None

    def assign(self, name: str, value: Any) -> bool:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.vars:
                scope.vars[name] = value
                return True
            scope = scope.parent
        return False
