"""Which files need rendering, and rendering them: a file in a pack's templates/ directory (or a
`*.nomad.tpl` / a template that reads `var "x" .`, `.my.`, `.nomad_pack`) is a nomad-pack template;
another file whose `[[ ]]` actions all parse as Go template pipelines and reference data or call a
function is a Levant template — unless the job's `template` blocks set `left_delimiter = "[["`, in
which case they are consul-template actions Nomad renders. Anything else (bash `[[ -f x ]]` in a heredoc, nested HCL lists) is
left to the normal parse untouched."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import fileaccess
from ..errors import ConversionError
from ..lang.gotext import (
    Dialect,
    ExprError,
    Renderer,
    RenderFailure,
    Source,
    compile_text,
    functions,
)
from ..lang.gotext.tree import (
    Compiled,
    Control,
    Field,
    Ident,
    Invoke,
    Output,
    Pipe,
    Var,
)
from ..parse.model import ParseDiagnostic
from . import levant
from .pack import PackContext, load_pack, pack_dir_of, pack_functions, variable_values

UNRESOLVED = "N2K-PARSE-UNRESOLVED"
_CONSUL_TEMPLATE_DELIMS = re.compile(r"left_delimiter\s*=\s*\"\[\[\"")
_PACK_HINT = re.compile(r"\[\[-?\s[^\]]*(?:\b(?:must_)?var\s+\"|\.my\.|\.nomad_pack\b)|\[\[(?:must_)?var\s+\"")


@dataclass
class Rendered:
    text: str
    kind: str  # "nomad-pack" or "Levant"
    diagnostics: list[ParseDiagnostic] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # Levant keys kept as written


def render_templated(path: Path, text: str, variables: dict[str, str] | None,
                     var_files: list[Path] | None, root: Path) -> Rendered | None:
    """The rendered text, or None when the file is not a template. A template that cannot be
    rendered is a ConversionError at file:line."""
    if "[[" not in text:
        return None
    if pack_dir_of(path) is not None or path.name.endswith(".nomad.tpl") or _PACK_HINT.search(text):
        return _render_pack(path, text, variables, var_files, root)
    if _CONSUL_TEMPLATE_DELIMS.search(text):
        return None  # `[[ ]]` are the delimiters of the job's own consul-template blocks, rendered by Nomad
    try:
        compiled = compile_text(text)
    except ExprError:
        return None  # not Go template syntax: an ordinary jobspec that happens to contain `[[`
    if not _uses_template(compiled.nodes):
        return None
    return _render_levant(path, text, compiled, variables, var_files, root)


def _uses_template(nodes: list) -> bool:
    for node in nodes:
        if isinstance(node, (Control, Invoke)):
            return True
        if isinstance(node, Output) and _references(node.pipe):
            return True
    return False


def _references(pipe: Pipe) -> bool:
    operands = [op for command in pipe.commands for op in command]
    return bool(pipe.decl) or any(isinstance(op, (Field, Var, Ident)) or
                                  (isinstance(op, Pipe) and _references(op)) for op in operands)


def _file_reader(path: Path, root: Path) -> Any:
    def file_contents(name: str) -> str:
        try:
            return fileaccess.read_text_confined(name, path.parent, root, "fileContents")
        except ConversionError as exc:
            raise functions.TemplateFuncError(exc.message) from None
    return file_contents


def _render_pack(path: Path, text: str, variables: dict[str, str] | None, var_files: list[Path] | None,
                 root: Path) -> Rendered:
    pack = load_pack(path)
    funcs = functions.pack_table({**pack_functions(), "fileContents": _file_reader(path, root)})
    renderer = Renderer(Dialect("nomad-pack", funcs, missing_is_error=False))
    for helper in pack.helpers:
        helper_text = fileaccess.read_operator_text(helper, "pack template")
        renderer.add(_compile(helper, helper_text), Source(helper, helper_text))
    source = Source(path, text)
    compiled = _compile(path, text)
    renderer.add(compiled, source)
    context = PackContext(variable_values(pack, variables, var_files), pack.metadata, pack.name)
    out = _run(renderer, compiled, source, context, hint=_pack_hint(pack))
    return Rendered(out, "nomad-pack")


def _pack_hint(pack: Any) -> str:
    if pack.directory is None:
        return ("; the pack's helper templates (templates/_*.tpl) are not here: this file is not inside a "
                "nomad-pack pack (no metadata.hcl beside its templates/ directory)")
    return f"; no helper template in {pack.directory / 'templates'} defines it"


def _render_levant(path: Path, text: str, compiled: Compiled, variables: dict[str, str] | None,
                   var_files: list[Path] | None, root: Path) -> Rendered:
    data, files = levant.levant_data(path, variables, var_files)
    funcs = functions.levant_table({"fileContents": _file_reader(path, root)})
    renderer = Renderer(Dialect("Levant", funcs, missing_is_error=True, nil_text="<no value>", keep_missing=True))
    source = Source(path, text)
    renderer.add(compiled, source)
    where = (f"not set in {', '.join(str(f) for f in files)}" if files else
             "no levant.yaml/.yml/.json/.tf beside the file and no --var-file")
    out = _run(renderer, compiled, source, data, hint=f" ({where}; pass --var KEY=VALUE)")
    diags: list[ParseDiagnostic] = []
    missing: list[str] = []
    for action, key, src, offset in renderer.kept:
        if key not in missing:
            missing.append(key)
        diags.append(ParseDiagnostic(
            UNRESOLVED, f"{action} left as text: Levant variable '{key}' has no value ({where}); "
                        f"pass --var {key}=VALUE", "", src.line(offset)))
    return Rendered(out, "Levant", diags, missing)


def _compile(path: Path, text: str) -> Compiled:
    try:
        return compile_text(text)
    except ExprError as exc:
        raise ConversionError(f"template syntax error: {exc.message}", path,
                              Source(path, text).line(exc.offset)) from None


def _run(renderer: Renderer, compiled: Compiled, source: Source, data: Any, hint: str) -> str:
    try:
        return renderer.render(compiled, source, data)
    except RenderFailure as exc:
        src = exc.source or source
        message = exc.message
        if message.startswith("template \"") and "is not defined" in message or message.startswith("Levant variable"):
            message += hint
        raise ConversionError(message, src.path, src.line(exc.offset) if src.text else None) from None
