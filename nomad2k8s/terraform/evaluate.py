"""Evaluate the Terraform expressions that decide which Nomad jobs a module deploys.

The jobspec evaluator (parse/expr.py, parse/template.py) does the work; this module gives it
Terraform's names (`var.*`, `local.*`, `path.module`/`path.root`, `terraform.workspace`) and
functions (`templatefile()`, `file()` relative to the root module, as Terraform runs there).
`module.x.out` is the output of a local module, evaluated when a value needs it (collect.py);
anything else (a resource attribute, an output built from one) is known only at apply time: the
value is unresolved and reported with its expression and file:line, never guessed. `try()` and
`can()` evaluate their arguments lazily, and do not fall back over an apply-time value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import fileaccess
from ..errors import ConversionError
from ..parse.expr import LAZY, Evaluator, Unknown, Unresolved
from ..parse.functions import FUNCTIONS
from ..parse.template import render
from .model import TfDiagnostic, Where

MAX_FILESET = 1000  # files one fileset() call returns


class _Lazy(dict):
    """Names evaluated on first use (`local.*`: locals may refer to each other in any order).
    `cache=False` evaluates on every use (data sources: each use must see the files it reads)."""

    def __init__(self, raw: dict[str, Any], evaluate: Callable[[str, Any], Any], what: str = "local",
                 cache: bool = True) -> None:
        super().__init__()
        self.raw, self.evaluate, self.busy = raw, evaluate, set[str]()
        self.what, self.cache = what, cache

    def __contains__(self, key: object) -> bool:
        return key in self.raw

    def __getitem__(self, key: str) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if key not in self.raw:
            raise Unresolved(f"{self.what}.{key} is not declared")
        if key in self.busy:
            raise Unresolved(f"{self.what}.{key} refers to itself")
        self.busy.add(key)
        try:
            value = self.evaluate(key, self.raw[key])
        finally:
            self.busy.discard(key)
        if self.cache:
            dict.__setitem__(self, key, value)
        return value


class ModuleScope:
    """The names one module instance sees, and an evaluator over them that records the files read."""

    def __init__(self, module_dir: Path, root_dir: Path, repo: Path, variables: dict[str, Any],
                 locals_raw: dict[str, Any], locals_lines: dict[str, Where],
                 data_raw: dict[str, dict[str, Any]] | None = None, steps: list[int] | None = None) -> None:
        self.module_dir, self.root_dir, self.repo = module_dir, root_dir, repo
        self.variables = variables
        self.locals_lines = locals_lines
        self.locals = _Lazy(locals_raw, self._local)
        # data "<type>" "<name>": only the old template provider's template_file is evaluated.
        self.data = {kind: _Lazy(blocks, self._data_source(kind), f"data.{kind}", cache=False)
                     for kind, blocks in (data_raw or {}).items()}
        self.reads: list[Path] = []  # files read by file()/templatefile() since the last reset
        self.instance: dict[str, Any] = {}  # `each` / `count` of the block instance being evaluated
        # `module.<name>.<output>`: the outputs of this module's module blocks, evaluated when used (collect.py).
        self.module_outputs: Any = None
        functions = {**FUNCTIONS, "file": self._file, "templatefile": self._templatefile,
                     "fileexists": self._fileexists, "fileset": self._fileset, "basename": lambda _e, p: os.path.basename(p),
                     "dirname": lambda _e, p: os.path.dirname(p), "abspath": lambda _e, p: p,
                     "jsondecode": lambda _e, s: json.loads(s), "try": LAZY, "can": LAZY}
        self.functions = functions
        self.ev = Evaluator(self._lookup, root_dir, repo, functions)
        if steps is not None:
            self.ev.steps = steps  # one loop budget for the whole estate

    def _lookup(self, name: str) -> Any:
        if name in self.instance:
            return self.instance[name]
        if name == "var":
            return self.variables
        if name == "local":
            return self.locals
        if name == "path":
            return {"module": _rel(self.module_dir, self.root_dir), "root": ".", "cwd": "."}
        if name == "terraform":
            return {"workspace": "default"}
        if name == "data":
            return self.data
        if name == "module" and self.module_outputs is not None:
            return self.module_outputs
        raise Unknown(f"{name}.* is known only when Terraform applies")

    def _local(self, key: str, raw: Any) -> Any:
        kept: list = []
        value = self.render(raw, kept)
        if kept:
            raise unresolved(f"local.{key} is unresolved: {kept[0][1]}", kept)
        return value

    def _data_source(self, kind: str) -> Callable[[str, Any], Any]:
        def evaluate(name: str, body: Any) -> Any:
            if kind != "template_file" or not isinstance(body, dict):
                raise Unknown(f"data.{kind}.{name} is read only when Terraform applies")
            kept: list = []
            template = self.render(body.get("template"), kept)
            names = self.render(body.get("vars", {}), kept)
            if kept or not isinstance(template, str) or not isinstance(names, dict):
                raise Unresolved(f"data.template_file.{name}: " + (kept[0][1] if kept else "template or vars unknown"))
            return {"rendered": self._render_template(template, names, f"data.template_file.{name}")}
        return evaluate

    def render(self, raw: Any, kept: list) -> Any:
        """A raw python-hcl2 value (strings are templates) evaluated; unresolved parts go to `kept`."""
        if isinstance(raw, str):
            try:
                value, k = render(raw, self.ev)
            except RecursionError:
                k, value = [(raw[:60], "expression too deep")], raw
            kept.extend(k)
            return value
        if isinstance(raw, list):
            return [self.render(v, kept) for v in raw]
        if isinstance(raw, dict):
            return {k: self.render(v, kept) for k, v in raw.items() if not k.startswith("__")}
        return raw

    def value(self, raw: Any, where: Where, diagnostics: list[TfDiagnostic]) -> tuple[Any, bool]:
        """(value, resolved?) with one diagnostic per unresolved part."""
        kept: list = []
        try:
            value = self.render(raw, kept)
        except ConversionError as exc:  # a refused file(): outside the repository, a device...
            diagnostics.append(TfDiagnostic(where, _shown(raw), exc.message))
            return raw, False
        for src, reason in kept:
            diagnostics.append(TfDiagnostic(where, src, reason))
        return value, not kept

    # ---------------------------------------------------------------- functions

    def _path(self, name: str) -> Path:
        return fileaccess.confined_path(name, self.root_dir, self.repo, "Terraform file()")

    def _file(self, _ev: Any, name: str) -> str:
        real = self._path(name)
        if not real.exists():
            raise Unresolved(f"file({name!r}): no such file")
        self.reads.append(real)
        return fileaccess.read_text_confined(name, self.root_dir, self.repo, "Terraform file()")

    def _fileexists(self, _ev: Any, name: str) -> bool:
        return self._path(name).is_file()

    def _fileset(self, _ev: Any, base: str, pattern: str) -> list[str]:
        """fileset(): the files under `base` matching the glob, as paths relative to `base` (sorted)."""
        real = self._path(base)
        found = []
        for match in sorted(real.glob(pattern))[:MAX_FILESET]:
            if match.is_file() and os.path.realpath(match).startswith(os.path.realpath(self.repo) + os.sep):
                found.append(match.relative_to(real).as_posix())
        return found

    def _templatefile(self, ev: Evaluator, name: str, names: dict[str, Any] | None = None) -> str:
        text = self._file(ev, name)
        if not isinstance(names, dict):
            raise Unresolved("templatefile() variables are not a map")
        return self._render_template(text, names, f"templatefile({name!r})")

    def _render_template(self, text: str, names: dict[str, Any], what: str) -> str:
        # A template sees only the variables it is given (and the functions), as in Terraform.
        scope = Evaluator(lambda root: _given(names, root), self.root_dir, self.repo, self.functions)
        scope.steps = self.ev.steps
        value, kept = render(text, scope)
        if kept:
            raise Unresolved(f"{what}: {kept[0][0]} {kept[0][1]}")
        return value if isinstance(value, str) else json.dumps(value)


APPLY_TIME = ("known only when Terraform applies", "read only when Terraform applies")


def unresolved(message: str, kept: list[tuple[str, str]]) -> Unresolved:
    """The error for a value built from `kept` unresolved parts: Unknown when one of them is an apply-time value
    (the template renderer keeps only the reasons' text), so try() still does not fall back over it."""
    apply_time = any(marker in reason for _, reason in kept for marker in APPLY_TIME)
    return Unknown(message) if apply_time else Unresolved(message)


def _given(names: dict[str, Any], root: str) -> Any:
    if root in names:
        return names[root]
    raise Unresolved(f"{root} is not among the variables given to templatefile()")


def _rel(path: Path, start: Path) -> str:
    try:
        return os.path.relpath(path, start)
    except ValueError:
        return str(path)


def _shown(raw: Any) -> str:
    text = raw if isinstance(raw, str) else json.dumps(raw, default=str)
    return text if len(text) < 80 else text[:77] + "..."
