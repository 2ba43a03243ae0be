"""Levant's variables: `levant.yaml|yml|json|tf` beside the template (Levant reads them from its
working directory when no -var-file is given), `--var-file` files with those extensions, then
`--var` (a dotted key `a.b=v` sets `.a.b`). Like Levant (missingkey=error) a missing key is an
error, except in a plain `[[ .a.b ]]` substitution, which is kept as written and reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .. import fileaccess, nesting
from ..errors import ConversionError
from ..parse.hcl2_reader import parse_hcl2
from ..parse.variables import coerce, declared

DEFAULT_VAR_FILES = ("levant.yaml", "levant.yml", "levant.json", "levant.tf")
VAR_FILE_EXTENSIONS = (".yaml", ".yml", ".json", ".tf")


def var_files_for(template: Path, explicit: list[Path] | None) -> list[Path]:
    chosen = [Path(p) for p in explicit or [] if Path(p).suffix in VAR_FILE_EXTENSIONS]
    if chosen:
        return chosen
    return [template.parent / name for name in DEFAULT_VAR_FILES if (template.parent / name).is_file()][:1]


def read_var_file(path: Path) -> dict[str, Any]:
    text = fileaccess.read_operator_text(path, "Levant var file")
    if path.suffix == ".tf":
        nesting.check_hcl(text, path)
        try:
            tree = parse_hcl2(text)
        except Exception as exc:  # python-hcl2 raises several lark error types
            raise ConversionError(f"HCL syntax error in Levant var file: {exc}", path,
                                  getattr(exc, "line", None)) from None
        return {name: decl.get("default") for name, decl in declared(tree).items()}
    if path.suffix == ".json":
        nesting.check_json(text, path)
    try:
        with nesting.yaml_guard(path):
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConversionError(f"Levant var file is not valid {path.suffix[1:].upper()}: {exc}", path) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConversionError("Levant var file must hold a mapping", path)
    return {str(k): v for k, v in data.items()}


def levant_data(template: Path, variables: dict[str, str] | None, var_files: list[Path] | None
                ) -> tuple[dict[str, Any], list[Path]]:
    files = var_files_for(template, var_files)
    data: dict[str, Any] = {}
    for path in files:
        data.update(read_var_file(path))
    for key, raw in (variables or {}).items():
        target = data
        *parents, last = key.split(".")
        for part in parents:
            nxt = target.get(part)
            if not isinstance(nxt, dict):
                nxt = target[part] = {}
            target = nxt
        target[last] = coerce(raw, {})
    return data, files
