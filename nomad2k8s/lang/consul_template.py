"""consul-template text -> a flat list of segments with a Kubernetes meaning.

A symbolic interpreter over the tree of lang/gotemplate.py: `with secret "p"` sets the dot
to that secret, `.Data.data.KEY` inside it becomes a SecretRef, `range service "x"` renders
its body once with the dot on the service, and so on. Whatever has no Kubernetes meaning is
kept as its exact source text in a Kept segment, for the report and a needs-decision entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from nomad2k8s.lang.gotemplate import (
    Action,
    Block,
    TemplateError,
    TemplateTooDeep,
    Text,
    expr_tokens,
    parse,
)

VAULT_V1, VAULT_V2, NOMAD_VAR = "vault-kv1", "vault-kv2", "nomad-var"


# Segments ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class SecretRef:
    """One field of a Vault secret (KV v1/v2) or of a Nomad Variable."""

    path: str
    key: str
    source_kind: str  # VAULT_V1 | VAULT_V2 | NOMAD_VAR
    source: str


@dataclass(frozen=True)
class RuntimeRef:
    """A value known only where the task runs: `env "X"`, a service address or port."""

    kind: str  # env | service-addr | service-port
    name: str
    source: str
    tag: str | None = None  # service-*: the tag filter of the query (`service "tag.name"`)
    nomad: bool = False  # service-*: a Nomad native service (`nomadService`), not in Consul


@dataclass(frozen=True)
class RangeKey:
    pass


@dataclass(frozen=True)
class RangeValue:
    pass


@dataclass(frozen=True)
class SecretRange:
    """`range $k, $v := (secret "p").Data.data`: every key of one secret."""

    path: str
    source_kind: str
    body: tuple
    source: str


@dataclass(frozen=True)
class Kept:
    """Source text kept verbatim: no Kubernetes meaning (or not one nomad2k8s can decide)."""

    source: str
    reason: str
    code: str = "N2K-TEMPLATE-UNTRANSLATED"
    default: str | None = None  # keyOrDefault's default
    secret_path: str | None = None  # the Vault/Nomad Variable path this text reads ("?" when not literal)


Segment = Lit | SecretRef | RuntimeRef | RangeKey | RangeValue | SecretRange | Kept


# Symbolic values ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Secret:
    path: str
    kind: str  # "vault" | NOMAD_VAR
    fields: tuple = ()
    has_args: bool = False


@dataclass(frozen=True)
class _Service:
    name: str
    many: bool  # the list `service "x"` returns, or one instance of it
    fields: tuple = ()
    tag: str | None = None  # `service "tag.name"` filters the instances of `name` by tag
    nomad: bool = False  # nomadService: Nomad's own catalog


@dataclass(frozen=True)
class _Value:
    """Anything already a segment (literal, env reference, range key...)."""

    segment: Any


class _Untranslatable(Exception):
    pass


class _Reader:
    """A tiny recursive-descent reader of one pipeline's tokens."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok


@dataclass
class Translation:
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # choices worth telling the reviewer (changed)

    @property
    def kept(self) -> list[Kept]:
        out: list[Kept] = []
        for seg in self.segments:
            if isinstance(seg, Kept):
                out.append(seg)
        return out


# an env name -> (static text, why it is that text), when known offline
EnvLiteral = Callable[[str], tuple[str, str] | None]


class Translator:
    def __init__(self, text: str, env_literal: EnvLiteral) -> None:
        self.text = text
        self.env_literal = env_literal
        self.out = Translation()

    # Entry --------------------------------------------------------------------------------
    def run(self, left: str | None, right: str | None) -> Translation:
        self.left, self.right = left or "{{", right or "}}"
        nodes = parse(self.text, left, right)
        self.out.segments = self._nodes(nodes, dot=None, scope={})
        return self.out

    def _src(self, node: Any) -> str:
        return self.text[node.start:node.end]

    def _nodes(self, nodes: list, dot: Any, scope: dict[str, Any]) -> list[Segment]:
        segs: list[Segment] = []
        for node in nodes:
            if isinstance(node, Text):
                segs.append(Lit(node.text))
                continue
            produced = self._action(node, dot, scope) if isinstance(node, Action) else self._block(node, dot, scope)
            # A node kept whole: does it read a secret? (asked of its parsed actions, not of its text)
            source = self._src(node)
            segs += [_tag_secret(seg, node) if isinstance(seg, Kept) and seg.source == source else seg
                     for seg in produced]
        return segs

    # Actions --------------------------------------------------------------------------------
    def _read(self, pipeline: str, dot: Any, scope: dict[str, Any]) -> tuple[list[str], Any]:
        """(the variables a `$x := ...` declares, the pipeline's symbolic value)."""
        names, tokens = _split_decl(expr_tokens(pipeline))
        return names, self._pipeline(_Reader(tokens), dot, scope)

    def _action(self, node: Action, dot: Any, scope: dict[str, Any]) -> list[Segment]:
        source = self._src(node)
        try:
            names, value = self._read(node.body, dot, scope)
        except TemplateTooDeep:
            raise  # a limit, not a construct to keep verbatim: the job fails with one line
        except (_Untranslatable, TemplateError, IndexError) as exc:
            return [Kept(source, str(exc) or "not translatable")]
        if names:
            scope[names[-1]] = value  # `{{ $x := ... }}` prints nothing
            return []
        return [self._segment(value, source)]

    def _segment(self, value: Any, source: str) -> Segment:
        if isinstance(value, _Value):
            seg = value.segment
            if isinstance(seg, RuntimeRef) and not seg.source:
                return replace(seg, source=source)
            return seg if not isinstance(seg, Kept) else Kept(source, seg.reason, seg.code, seg.default)
        if isinstance(value, _Secret):
            ref = _secret_field(value, source)
            if ref is not None:
                return ref
            return Kept(source, "a whole secret, not one key, is printed")
        if isinstance(value, _Service) and not value.many:
            if value.fields in (("Address",),):
                return RuntimeRef("service-addr", value.name, source, value.tag, value.nomad)
            if value.fields in (("Port",),):
                return RuntimeRef("service-port", value.name, source, value.tag, value.nomad)
            if value.fields == ("Name",):
                return Lit(value.name)
        return Kept(source, "no Kubernetes equivalent for this expression")

    def _pipeline(self, r: _Reader, dot: Any, scope: dict[str, Any]) -> Any:
        value = self._command(r, dot, scope, None)
        while r.peek() == ("punct", "|"):
            r.take()
            value = self._command(r, dot, scope, value)
        return value

    def _command(self, r: _Reader, dot: Any, scope: dict[str, Any], piped: Any) -> Any:
        operands: list[tuple[str, Any]] = []
        while r.peek() is not None and r.peek() not in (("punct", "|"), ("punct", ")")):
            operands.append(self._operand(r, dot, scope))
        if not operands:
            raise _Untranslatable("empty command")
        head_kind, head = operands[0]
        args = [v for _, v in operands[1:]] + ([piped] if piped is not None else [])
        if head_kind == "func":
            return self._call(head, args)
        if args:
            raise _Untranslatable("arguments to a non-function")
        return head

    def _operand(self, r: _Reader, dot: Any, scope: dict[str, Any]) -> tuple[str, Any]:
        kind, text = r.take()
        if kind == "str":
            value: Any = _Value(Lit(text))
        elif kind == "num":
            value = _Value(Lit(text))
        elif kind == "punct" and text == "(":
            value = self._pipeline(r, dot, scope)
            if r.take() != ("punct", ")"):
                raise _Untranslatable("unbalanced parenthesis")
        elif kind == "field":
            value = _fields(dot, tuple(f for f in text.split(".") if f))
        elif kind == "var":
            name, *chain = text.split(".")
            if name not in scope:
                raise _Untranslatable(f"variable {name} is not known")
            value = _fields(scope[name], tuple(chain))
        elif kind == "ident":
            if text in ("true", "false", "nil"):
                raise _Untranslatable(f"constant {text}")
            return "func", text
        else:
            raise _Untranslatable(f"unexpected {text!r}")
        following = r.peek()
        if following is not None and following[0] == "field":
            value = _fields(value, tuple(f for f in r.take()[1].split(".") if f))
        return "value", value

    def _call(self, name: str, args: list[Any]) -> Any:
        lits = [_literal(a) for a in args]
        if name == "secret":
            if not args or lits[0] is None:
                raise _Untranslatable("secret path is not a literal")
            return _Secret(lits[0], "vault", has_args=len(args) > 1)
        if name == "nomadVar":
            if len(args) != 1 or lits[0] is None:
                raise _Untranslatable("nomadVar path is not a literal")
            return _Secret(lits[0], NOMAD_VAR)
        if name in ("service", "nomadService", "connect"):
            names = [lit for lit in lits if lit is not None and not lit.isdigit()]
            if not names or len(args) > 2 and name != "nomadService":
                raise _Untranslatable(f"{name} arguments are not literal")
            tag, name_only = service_query(names[-1])
            return _Service(name_only, many=True, tag=tag, nomad=name == "nomadService")
        if name == "env":
            if len(args) != 1 or lits[0] is None:
                raise _Untranslatable("env name is not a literal")
            static = self.env_literal(lits[0])
            if static is not None:
                value, why = static
                self.out.notes.append(why or f"env {lits[0]} is known before run time: {value}")
                return _Value(Lit(value))
            return _Value(RuntimeRef("env", lits[0], ""))
        if name in ("key", "keyOrDefault"):
            path = lits[0] if lits else None
            default = lits[1] if name == "keyOrDefault" and len(lits) > 1 else None
            return _Value(Kept("", f"Consul KV key {path or '?'}: its value is not known offline",
                               "N2K-TEMPLATE-CONSUL-KV", default))
        if name == "index" and len(args) == 2 and isinstance(args[0], _Service) and args[0].many:
            return replace(args[0], many=False)
        known = [lit for lit in lits if lit is not None]
        if name == "printf" and lits and len(known) == len(lits):
            try:
                return _Value(Lit(_go_printf(known[0], known[1:])))
            except (TypeError, ValueError):
                raise _Untranslatable("printf format") from None
        if name == "nomadVarList":
            raise _Untranslatable("nomadVarList lists Nomad Variables at run time")
        raise _Untranslatable(f"function {name} has no Kubernetes equivalent")

    # Blocks ---------------------------------------------------------------------------------
    def _block(self, node: Block, dot: Any, scope: dict[str, Any]) -> list[Segment]:
        source = self._src(node)
        try:
            names, value = self._read(node.head, dot, scope)
        except TemplateTooDeep:
            raise  # a limit, not a construct to keep verbatim: the job fails with one line
        except (_Untranslatable, TemplateError, IndexError) as exc:
            return [self._kept_block(source, str(exc))]
        inner = dict(scope)
        if node.word == "with":
            if isinstance(value, _Secret) and value.has_args:
                return [Kept(source, "secret with parameters writes to Vault (PKI certificate or dynamic secret)",
                             "N2K-TEMPLATE-PKI")]
            if isinstance(value, (_Secret, _Service)) or (isinstance(value, _Value) and
                                                          isinstance(value.segment, RuntimeRef)):
                if isinstance(value, _Service) and value.many:
                    value = replace(value, many=False)
                if names:
                    inner[names[-1]] = value
                if node.alt:
                    self.out.notes.append("the `else` branch of a `with` (taken when the data is missing) is "
                                          "dropped: Kubernetes fails to start instead")
                return self._nodes(node.body, value, inner)
            return [self._kept_block(source, "this `with` has no Kubernetes equivalent")]
        if node.word == "range":
            if isinstance(value, _Service) and value.many:
                instance = replace(value, many=False)
                if names:
                    inner[names[-1]] = instance
                self.out.notes.append(f"`range` over the instances of {value.name} renders once: a Kubernetes "
                                      "Service is one stable address")
                return [self._whole_loop(seg, node) for seg in self._nodes(node.body, instance, inner)]
            if isinstance(value, _Secret) and _is_secret_map(value):
                kind = NOMAD_VAR if value.kind == NOMAD_VAR else (VAULT_V2 if value.fields else VAULT_V1)
                if value.kind != NOMAD_VAR and value.fields == ("Data",):
                    kind = VAULT_V1
                if len(names) == 2:
                    inner[names[0]], inner[names[1]] = _Value(RangeKey()), _Value(RangeValue())
                elif names:
                    inner[names[0]] = _Value(RangeValue())
                body = self._nodes(node.body, _Value(RangeValue()), inner)
                return [SecretRange(value.path, kind, tuple(body), source)]
            return [self._kept_block(source, "this `range` has no Kubernetes equivalent")]
        return [self._kept_block(source, f"`{node.word}` is logic evaluated at run time")]

    def _whole_loop(self, seg: Segment, node: Block) -> Segment:
        """A run-time reference inside a `range service` loop carries the loop as its source: when it
        cannot be resolved, the text kept is a complete Nomad expression, never a bare `{{ .Port }}`."""
        if not isinstance(seg, RuntimeRef) or seg.kind not in ("service-port", "service-addr"):
            return seg
        loop = f"{self.left} range {node.head.strip()} {self.right}{seg.source}{self.left} end {self.right}"
        return replace(seg, source=loop)

    def _kept_block(self, source: str, reason: str) -> Kept:
        return Kept(source, reason)


# Functions that read a secret: `secret "path" ...`, `pkiCert "path" ...`, `nomadVar "path"`.
SECRET_FUNCS = frozenset({"secret", "pkiCert", "nomadVar"})


def _action_bodies(node: Action | Block) -> Iterator[str]:
    """The pipelines of a parsed node in source order: an action's, or a block's head and then those of
    its branches. Literal text is not a pipeline (whatever words it holds, and whatever the delimiters)."""
    if isinstance(node, Action):
        yield node.body
        return
    yield node.head
    for child in node.body + node.alt:
        if not isinstance(child, Text):
            yield from _action_bodies(child)


def secret_call(node: Action | Block) -> tuple[str, str, bool] | None:
    """The first call of a secret function in `node`: (function, its literal path or "?", whether more
    arguments follow: a PKI certificate or dynamic secret writes to Vault)."""
    for body in _action_bodies(node):
        try:
            tokens = expr_tokens(body)
        except TemplateError:
            continue
        for i, (kind, text) in enumerate(tokens):
            if kind != "ident" or text not in SECRET_FUNCS:
                continue
            rest = tokens[i + 1:]
            if not rest or rest[0][0] != "str":
                return text, "?", False  # a path computed at run time (`secret $key`): read, not issued
            after = rest[1:]
            more = bool(after) and (after[0][0] in ("str", "var") or after[0] == ("punct", "("))
            return text, rest[0][1], more
    return None


def _tag_secret(seg: Kept, node: Action | Block) -> Kept:
    """A node kept verbatim that reads a secret: which path, and N2K-TEMPLATE-PKI when it issues a
    certificate or a dynamic secret (pkiCert, arguments, a pki issue/sign path). Such text must never
    become a ConfigMap."""
    if seg.secret_path is not None:
        return seg
    call = secret_call(node)
    if call is None:
        return seg
    func, path, more = call
    pki = func == "pkiCert" or more or bool(re.search(r"(^|/)(issue|sign)/", path))
    code = "N2K-TEMPLATE-PKI" if pki else ("N2K-TEMPLATE-SECRET-KEPT" if seg.code == "N2K-TEMPLATE-UNTRANSLATED"
                                           else seg.code)
    return replace(seg, code=code, secret_path=path)


def _split_decl(tokens: list[tuple[str, str]]) -> tuple[list[str], list[tuple[str, str]]]:
    """`$k, $v := pipeline` -> (["$k", "$v"], pipeline tokens)."""
    for i, tok in enumerate(tokens):
        if tok[0] == "decl":
            names = [t[1] for t in tokens[:i] if t[0] == "var"]
            return names, tokens[i + 1:]
        if tok[0] not in ("var", "punct") or tok == ("punct", "("):
            break
    return [], tokens


def _fields(value: Any, chain: tuple) -> Any:
    if not chain:
        return value
    if isinstance(value, _Secret):
        return _Secret(value.path, value.kind, value.fields + chain, value.has_args)
    if isinstance(value, _Service):
        return replace(value, fields=value.fields + chain)
    if value is None:
        raise _Untranslatable(f".{'.'.join(chain)} outside a with/range")
    raise _Untranslatable(f"field .{'.'.join(chain)} of a plain value")


def _literal(value: Any) -> str | None:
    if isinstance(value, _Value) and isinstance(value.segment, Lit):
        return value.segment.text
    return None


def _is_secret_map(value: _Secret) -> bool:
    if value.kind == NOMAD_VAR:
        return value.fields in ((), ("Items",))
    return value.fields in (("Data",), ("Data", "data"))


def _secret_field(value: _Secret, source: str) -> SecretRef | None:
    f = value.fields
    if value.has_args:
        return None
    if value.kind == NOMAD_VAR:
        if len(f) == 1 or (len(f) == 2 and f[1] == "Value"):
            return SecretRef(value.path, f[0], NOMAD_VAR, source)
        return None
    if len(f) == 3 and f[:2] == ("Data", "data"):
        return SecretRef(value.path, f[2], VAULT_V2, source)
    if len(f) == 2 and f[0] == "Data" and f[1] != "data":
        return SecretRef(value.path, f[1], VAULT_V1, source)
    return None


def _go_printf(fmt: str, args: list[str]) -> str:
    """Go's printf for %s/%d/%v with literal arguments (the common path-building case)."""
    out, i, it = [], 0, iter(args)
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            verb = fmt[i + 1]
            if verb == "%":
                out.append("%")
            elif verb in "sdv":
                out.append(next(it))
            else:
                raise ValueError(verb)
            i += 2
            continue
        out.append(fmt[i])
        i += 1
    return "".join(out)


def service_query(query: str) -> tuple[str | None, str]:
    """(tag, service) of a catalog query `[tag.]name[@datacenter][~near][|filter]` (consul-template's
    `service`/`connect`, and `nomadService`): the tag filters the instances of `name`, it is not part of it."""
    query = query.split("|")[0].split("~")[0].split("@")[0]
    tag, _, name = query.rpartition(".")
    return tag or None, name


def translate(text: str, left: str | None, right: str | None, env_literal: EnvLiteral) -> Translation:
    """Raises gotemplate.TemplateError when Go itself would reject the template."""
    translation = Translator(text, env_literal).run(left, right)
    return translation
