"""Resolve HCL2 variables, locals, interpolations and dynamic blocks in a canonical tree."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..errors import ConversionError
from .expr import Evaluator, Runtime, Unresolved
from .hcl2_reader import ATTR_LINES
from .model import ParseDiagnostic
from .template import render
from .variables import UNSET

UNRESOLVED = "N2K-PARSE-UNRESOLVED"
DYNAMIC = "N2K-PARSE-DYNAMIC"


class _Locals(dict):
    """Lazily evaluated `local.*`: a local is evaluated on first use (locals may refer
    to each other in any order); unresolvable locals raise Unresolved for their users."""

    def __init__(self, raw: dict[str, Any], resolver: "Resolver") -> None:
        super().__init__()
        self.raw, self.resolver = raw, resolver
        self.busy: set[str] = set()

    def __contains__(self, key: object) -> bool:
        return key in self.raw

    def __getitem__(self, key: str) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if key in self.busy:
            raise Unresolved(f"local.{key} refers to itself")
        self.busy.add(key)
        try:
            kept: list = []
            value = self.resolver.value(self.raw[key], kept)
        finally:
            self.busy.discard(key)
        if kept:
            raise Unresolved(f"local.{key} is unresolved: {kept[0][1]}")
        dict.__setitem__(self, key, value)
        return value


class Resolver:
    def __init__(self, values: dict[str, Any], locals_raw: dict[str, Any], base_dir: Path | None,
                 root: Path | None = None, fallback_dir: Path | None = None) -> None:
        self.vars = {k: v for k, v in values.items() if v is not UNSET}
        self.locals = _Locals(locals_raw, self)
        self.scopes: list[dict[str, Any]] = []  # dynamic-block iterators, innermost last
        self.ev = Evaluator(self._lookup, base_dir, root, fallback_dir=fallback_dir)
        self.diagnostics: list[ParseDiagnostic] = []
        self._var_cache: dict[str, Any] = {}

    def _lookup(self, root: str) -> Any:
        for scope in reversed(self.scopes):
            if root in scope:
                return scope[root]
        if root == "var":
            return self._var_view()
        if root == "local":
            return self.locals
        raise Runtime(root)

    def _var_view(self) -> dict:
        # Variable values are literals, but strings may carry `$${` escapes or heredocs.
        if not self._var_cache and self.vars:
            plain = Evaluator(_runtime_only)
            for k, v in self.vars.items():
                self._var_cache[k] = _render_all(v, plain, [])
        return self._var_cache

    def value(self, v: Any, kept: list) -> Any:
        return _render_all(v, self.ev, kept)

    # ------------------------------------------------------------ tree walk

    def body(self, body: dict, path: str) -> dict:
        lines = body.get(ATTR_LINES, {})
        out: dict[str, Any] = {}
        for key, val in body.items():
            if key in (ATTR_LINES, "dynamic"):
                continue
            if key in ("__label__", "__labels__", "__line__"):
                out[key] = val
                continue
            line = lines.get(key, body.get("__line__"))
            out[key] = self.attr(val, f"{path}.{key}" if path else key, line)
        for dyn in body.get("dynamic", []):
            self.dynamic(dyn, out, path)
        return out

    def attr(self, val: Any, path: str, line: int | None) -> Any:
        if isinstance(val, dict):
            if "__line__" in val or "__label__" in val or ATTR_LINES in val:
                return self.body(val, path)
            return {k: self.attr(v, f"{path}.{k}", line) for k, v in val.items()}
        if isinstance(val, list):
            many = len(val) > 1
            out = []
            for i, item in enumerate(val):
                if isinstance(item, dict) and "__label__" in item:
                    sub = f"{path}[{item['__label__']}]"
                else:
                    sub = f"{path}[{i}]" if many or not isinstance(item, dict) else path
                out.append(self.attr(item, sub, line))
            return out
        if isinstance(val, str):
            kept: list = []
            try:
                result = self.value(val, kept)
            except ConversionError as exc:  # e.g. a refused file(): say where (loader adds the file)
                raise ConversionError(f"{path}: {exc.message}", exc.file, exc.line or line) from None
            self._file_notes(path, line)
            for src, reason in kept:
                self.diagnostics.append(
                    ParseDiagnostic(UNRESOLVED, f"{src} left as text: {reason}", path, line)
                )
            return result
        return val

    def _file_notes(self, path: str, line: int | None) -> None:
        """What the file functions said while `path` was evaluated (parse/files.py), as its diagnostics."""
        for code, message in self.ev.file_notes:
            self.diagnostics.append(ParseDiagnostic(code, message, path, line))
        self.ev.file_notes.clear()

    def dynamic(self, dyn: dict, out: dict, path: str) -> None:
        btype = str(dyn.get("__label__", ""))
        line = dyn.get("__line__")
        where = f"{path}.dynamic[{btype}]"
        kept: list = []
        each = self.value(dyn.get("for_each"), kept)
        self._file_notes(where, line)
        contents = dyn.get("content") or []
        if kept or not isinstance(each, (list, dict)) or not contents:
            reason = kept[0][1] if kept else "for_each is not a known list or map"
            self.diagnostics.append(
                ParseDiagnostic(DYNAMIC, f"dynamic {btype!r} block dropped: {reason}", where, line)
            )
            return
        it = dyn.get("iterator", btype)
        it = it.removeprefix("${").removesuffix("}").strip() if isinstance(it, str) else btype
        items = each.items() if isinstance(each, dict) else enumerate(each)
        blocks = out.setdefault(btype, [])
        for key, value in items:
            self.scopes.append({it: {"key": key, "value": value}})
            try:
                block = copy.deepcopy(contents[0])
                block["__line__"] = line
                labels = dyn.get("labels")
                if isinstance(labels, list) and labels:
                    kept = []
                    lab = self.value(labels[0], kept)
                    lab = lab if isinstance(lab, str) else str(lab)
                    block = {"__label__": lab, **block}
                    where_item = f"{path}.{btype}[{lab}]"
                    for src, reason in kept:
                        self.diagnostics.append(ParseDiagnostic(
                            UNRESOLVED, f"{src} left as text: {reason}", where_item, line))
                else:
                    where_item = f"{path}.{btype}[{len(blocks)}]"
                blocks.append(self.body(block, where_item))
            finally:
                self.scopes.pop()


def _runtime_only(root: str) -> Any:
    raise Runtime(root)


def _render_all(v: Any, ev: Evaluator, kept: list) -> Any:
    if isinstance(v, str):
        value, k = render(v, ev)
        kept.extend(k)
        return value
    if isinstance(v, list):
        return [_render_all(x, ev, kept) for x in v]
    if isinstance(v, dict):
        return {k: _render_all(x, ev, kept) for k, x in v.items() if k != ATTR_LINES}
    return v


def strip_internal(v: Any) -> Any:
    """Remove side-channel keys (attribute lines) from a tree that was not resolved."""
    if isinstance(v, dict):
        return {k: strip_internal(x) for k, x in v.items() if k != ATTR_LINES}
    if isinstance(v, list):
        return [strip_internal(x) for x in v]
    return v
