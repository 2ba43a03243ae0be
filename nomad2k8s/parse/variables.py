"""Input variable values: declared defaults < NOMAD_VAR_* < var files < --var."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from .. import fileaccess, nesting
from ..errors import ConversionError
from .expr import Evaluator, Unresolved
from .hcl2_reader import ATTR_LINES, parse_hcl2
from .template import render

UNSET = object()  # declared without default and never given a value


def declared(tree: dict) -> dict[str, dict]:
    """name -> variable block body, from `variable "x" {}` and `variables { x = .. }`."""
    out: dict[str, dict] = {}
    for block in tree.get("variable", []):
        out[str(block.get("__label__"))] = block
    for block in tree.get("variables", []):
        for k, v in block.items():
            if not k.startswith("__"):
                out[k] = {"default": v}
    return out


def _type_of(decl: dict) -> str:
    t = decl.get("type")
    if isinstance(t, str):
        return t.removeprefix("${").removesuffix("}").strip()
    return ""


def coerce(raw: str, decl: dict) -> Any:
    """CLI/env values are strings; convert to the declared type where it is obvious."""
    t = _type_of(decl)
    if t == "number":
        try:
            return int(raw)
        except ValueError:
            try:
                return float(raw)
            except ValueError:
                return raw
    if t == "bool" and raw in ("true", "false"):
        return raw == "true"
    if t.startswith(("list", "set", "tuple", "map", "object")) or (
        not t and raw.strip()[:1] in ("[", "{")
    ):
        nesting.check_json(raw, None, "a variable's value")
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _read_var_file(path: Path) -> dict[str, Any]:
    text = fileaccess.read_operator_text(path, "var file")
    if text.lstrip().startswith("{"):
        nesting.check_json(text, path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConversionError(f"var file is not valid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
        if not isinstance(data, dict):
            raise ConversionError("var file must hold an object", path)
        return data
    nesting.check_hcl(text, path)
    try:
        tree = parse_hcl2(text)
    except Exception as exc:  # python-hcl2 raises several lark error types
        line, col = getattr(exc, "line", None), getattr(exc, "column", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise ConversionError(f"HCL syntax error in var file: {first}", path, line, col) from None
    # Var files hold literals; still render them so `"$${x}"` escapes behave.
    ev = Evaluator(_no_refs)
    out: dict[str, Any] = {}
    for k, v in tree.items():
        if k == ATTR_LINES:
            continue
        out[k] = render(v, ev)[0] if isinstance(v, str) else v
    return out


read_var_file = _read_var_file  # also Terraform's .tfvars (the same HCL/JSON literal files)


def _no_refs(root: str) -> Any:
    raise Unresolved(f"{root} is not available in a var file")


def input_values(
    decls: dict[str, dict],
    variables: Mapping[str, str] | None,
    var_files: list[Path] | None,
    env: Mapping[str, str],
) -> dict[str, Any]:
    """Final value per declared variable (UNSET when none). Undeclared inputs are ignored,
    as Nomad only warns about them."""
    values: dict[str, Any] = {}
    for name, decl in decls.items():
        values[name] = decl["default"] if "default" in decl else UNSET
        if f"NOMAD_VAR_{name}" in env:
            values[name] = coerce(env[f"NOMAD_VAR_{name}"], decl)
    for path in var_files or []:
        for name, v in _read_var_file(Path(path)).items():
            if name in decls:
                values[name] = coerce(v, decls[name]) if isinstance(v, str) else v
    for name, raw in (variables or {}).items():
        if name in decls:
            values[name] = coerce(raw, decls[name])
    return values


__all__ = ["declared", "input_values", "read_var_file", "UNSET"]
