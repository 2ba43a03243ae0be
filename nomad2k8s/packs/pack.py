"""A nomad-pack pack: `metadata.hcl`, `variables.hcl`, `templates/*.nomad.tpl` and helper `templates/_*.tpl`.

The template context follows nomad-pack: `.my.x` and `.<pack>.x` are the pack's variables,
`.nomad_pack.pack.name` its metadata, `var "x" .` / `must_var` / `vars` / `meta` read the same. A
variable the pack does not declare, or declares without a default and nobody set, is an error
naming it (nomad-pack would render it as ""), so a migration never runs on silently emptied values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import fileaccess
from ..errors import ConversionError
from ..lang.gotext.functions import DataError
from ..parse.hcl2_reader import ATTR_LINES, parse_hcl2
from ..parse.variables import UNSET, _read_var_file, coerce, declared


@dataclass
class Pack:
    name: str
    directory: Path | None  # None: a template found outside its pack
    metadata: dict[str, Any]
    decls: dict[str, dict]
    helpers: list[Path] = field(default_factory=list)


def pack_dir_of(path: Path) -> Path | None:
    """The pack holding `path` (a file in its templates/ directory), if any."""
    parent = path.parent
    if parent.name == "templates" and (parent.parent / "metadata.hcl").is_file():
        return parent.parent
    return None


def load_pack(template: Path) -> Pack:
    directory = pack_dir_of(template)
    if directory is None:
        stem = template.name.split(".")[0]
        return Pack(stem, None, _metadata({}, stem), {})
    meta_tree = _hcl(directory / "metadata.hcl", "pack metadata")
    pack_block = _first(meta_tree.get("pack"))
    name = str(pack_block.get("name") or directory.name)
    variables = directory / "variables.hcl"
    decls = declared(_hcl(variables, "pack variables")) if variables.is_file() else {}
    helpers = sorted(p for p in (directory / "templates").iterdir()
                     if p.is_file() and p.name.endswith(".tpl") and p != template)
    return Pack(name, directory, _metadata(meta_tree, name), decls, helpers)


def _hcl(path: Path, what: str) -> dict:
    text = fileaccess.read_operator_text(path, what)
    try:
        return parse_hcl2(text)
    except Exception as exc:  # python-hcl2 raises several lark error types
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConversionError(f"HCL syntax error in {what}: {first}", path, getattr(exc, "line", None)) from None


def _first(blocks: Any) -> dict:
    if isinstance(blocks, list) and blocks and isinstance(blocks[0], dict):
        return blocks[0]
    return {}


def _metadata(tree: dict, name: str) -> dict[str, Any]:
    app, pack = _first(tree.get("app")), _first(tree.get("pack"))
    return {
        "app": {"url": app.get("url", ""), "author": app.get("author", "")},
        "pack": {"name": name, "description": pack.get("description", ""), "url": pack.get("url", ""),
                 "version": pack.get("version", "")},
    }


class VarMap(dict):
    """The pack's variables; `lookup` is what evaluate.py calls for `.my.x` (and `var` uses)."""

    def __init__(self, values: dict[str, Any], pack: Pack) -> None:
        super().__init__(values)
        self.pack = pack

    def lookup(self, name: str) -> Any:
        if name not in self:
            raise ValueError(self._why(name, declared_here=False))
        value = self[name]
        if value is UNSET:
            raise ValueError(self._why(name, declared_here=True))
        return value

    def _why(self, name: str, declared_here: bool) -> str:
        pack = self.pack
        if pack.directory is None:
            return (f"pack variable '{name}' has no value: this template is not inside a nomad-pack pack "
                    f"(no metadata.hcl and variables.hcl beside its templates/ directory); convert the pack "
                    f"directory or pass --var {name}=VALUE")
        if declared_here:
            line = pack.decls[name].get("__line__")
            where = f"{pack.directory / 'variables.hcl'}" + (f":{line}" if line else "")
            return (f"pack variable '{name}' is required: declared without a default ({where}); "
                    f"pass --var {name}=VALUE")
        return f"pack variable '{name}' is not declared in {pack.directory / 'variables.hcl'}"


class PackContext(dict):
    """The dot of a pack template: `.my`, `.<pack>`, `.nomad_pack`; `var`/`meta` read it."""

    def __init__(self, variables: VarMap, metadata: dict[str, Any], name: str) -> None:
        super().__init__({"my": variables, name: variables, "nomad_pack": metadata})
        self.variables, self.metadata = variables, metadata


def variable_values(pack: Pack, variables: dict[str, str] | None, var_files: list[Path] | None) -> VarMap:
    """Defaults < var files < --var. Keys may be `<pack>.name`, `name`, or `name.field` (object vars)."""
    values: dict[str, Any] = {k: (d["default"] if "default" in d else UNSET) for k, d in pack.decls.items()}
    standalone = pack.directory is None
    for path in var_files or []:
        if Path(path).suffix in (".hcl", ".json"):
            for key, value in _read_var_file(Path(path)).items():
                _set(values, pack, key, value, standalone=False)
    for key, raw in (variables or {}).items():
        _set(values, pack, key, raw, standalone, from_cli=True)
    return VarMap(values, pack)


def _set(values: dict[str, Any], pack: Pack, key: str, value: Any, standalone: bool, from_cli: bool = False) -> None:
    if key == ATTR_LINES:
        return
    key = key.removeprefix(pack.name + ".")
    head, _, rest = key.partition(".")
    if head not in pack.decls and not standalone:
        return  # like Nomad, an input the pack does not declare is ignored
    decl = pack.decls.get(head, {})
    if not rest:
        values[head] = coerce(value, decl) if from_cli and isinstance(value, str) else value
        return
    target = values.get(head)
    if not isinstance(target, dict):
        target = values[head] = {}
    *path, last = rest.split(".")
    for part in path:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            return
    target[last] = coerce(value, {}) if from_cli and isinstance(value, str) else value


def _context_arg(ctx: Any, fn: str) -> PackContext:
    if not isinstance(ctx, PackContext):
        raise DataError(f"{fn}: the last argument must be the pack context (.)")
    return ctx


def pack_functions() -> dict[str, Callable[..., Any]]:
    def var(name: str, ctx: Any) -> Any:
        try:
            return _dotted(_context_arg(ctx, "var").variables, name)
        except ValueError as exc:
            raise DataError(str(exc)) from None

    def meta(name: str, ctx: Any) -> Any:
        value: Any = _context_arg(ctx, "meta").metadata
        for part in name.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value

    def vars_of(ctx: Any) -> dict:
        return dict(_context_arg(ctx, "vars").variables)

    return {"var": var, "must_var": var, "meta": meta, "must_meta": meta, "vars": vars_of, "metas":
            lambda ctx: _context_arg(ctx, "metas").metadata}


def _dotted(variables: VarMap, name: str) -> Any:
    head, *rest = name.split(".")
    value = variables.lookup(head)
    for part in rest:
        if not isinstance(value, dict) or part not in value:
            raise ValueError(f"pack variable '{name}': no key '{part}' in the value of '{head}'")
        value = value[part]
    return value
