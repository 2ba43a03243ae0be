"""load_jobspec: pick the syntax (JSON / HCL2 / HCL1 fallback) and build a ParsedSource."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .. import fileaccess, nesting
from ..errors import ConversionError
from ..packs.placeholders import unrendered_placeholder
from .hcl1_reader import parser as hcl1_parser
from .hcl1_reader import parse_hcl1
from .hcl2_reader import parser as hcl2_parser
from .hcl2_reader import transformer as hcl2_transformer
from .hcl2_reader import parse_hcl2
from .heredoc import normalise_text
from .json_reader import convert_job, unwrap_job
from .model import ParseDiagnostic, ParsedSource
from .resolve import Resolver, strip_internal
from .variables import declared, input_values

if TYPE_CHECKING:
    from ..packs.render import Rendered

SERVER_STATE = "N2K-INFO-SERVER-STATE"


def load_jobspec(
    path: Path,
    variables: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
    env: Mapping[str, str] | None = None,
    root: Path | None = None,
    base_dir: Path | None = None,
) -> ParsedSource:
    """`root`: the repository being converted; files the jobspec names must lie under it
    (default: the jobspec's directory). `base_dir`: where file() & co. resolve relative names, as
    `nomad job run` run there would (default: the current directory). See fileaccess, parse/files.py."""
    path = Path(path)
    # Jobspecs are the input itself (a 100,000-group job is a benchmark): a far higher cap.
    text = fileaccess.read_operator_text(path, "jobspec", max_bytes=fileaccess.JOBSPEC_MAX_BYTES)
    from ..packs.render import (
        render_templated,  # packs reads parse's modules: imported here, not at the top
    )

    rendered = render_templated(path, text, variables, var_files, Path(root) if root is not None else path.parent)
    if rendered is not None:
        return load_rendered(rendered, path, variables, var_files, env, root, base_dir)
    try:
        return load_text(text, path, variables, var_files, env, root, base_dir)
    except ConversionError as exc:
        # A template another tool renders ({{x}}, templatefile's bare ${x}): name what is missing.
        why = unrendered_placeholder(text, exc.line) if exc.message.startswith("HCL syntax error") else None
        if why is None:
            raise
        raise ConversionError(why, exc.file, exc.line, exc.col) from None


def load_rendered(
    rendered: "Rendered",
    path: Path,
    variables: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
    env: Mapping[str, str] | None = None,
    root: Path | None = None,
    base_dir: Path | None = None,
) -> ParsedSource:
    """A jobspec rendered from a nomad-pack/Levant template (packs/render.py), named by its origin
    `path`. A parse error names the rendered text, and a Levant key kept as written when it is why."""
    if not rendered.text.strip():  # e.g. a pack job template switched off by a variable
        raise ConversionError(f"no job block found: the {rendered.kind} template renders to nothing "
                              "with these variables", path)
    try:
        parsed = load_text(rendered.text, path, variables, var_files, env, root, base_dir)
    except ConversionError as exc:
        why = f"; Levant variable '{rendered.missing[0]}' has no value" if rendered.missing else ""
        raise ConversionError(f"{exc.message} (in the text rendered from the {rendered.kind} template{why})",
                              exc.file, exc.line, exc.col) from None
    parsed.diagnostics[:0] = rendered.diagnostics
    return parsed


def load_text(
    text: str,
    path: Path = Path("job.nomad.hcl"),
    variables: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
    env: Mapping[str, str] | None = None,
    root: Path | None = None,
    base_dir: Path | None = None,
) -> ParsedSource:
    """A jobspec given as text; `path` names it in errors; file() & co. resolve relative names from
    `base_dir` (default: the current directory), then beside `path` (parse/files.py)."""
    root = Path(root) if root is not None else path.parent
    if text.lstrip().startswith("{"):
        parsed = _load_json(path, text)
    else:
        try:
            places = fileaccess.jobspec_places(path, root, base_dir)
        except ConversionError as exc:
            raise ConversionError(exc.message, path) from None
        parsed = _load_hcl(path, text, variables, var_files, os.environ if env is None else env, places)
    parsed.root = root
    return parsed


def _load_json(path: Path, text: str) -> ParsedSource:
    nesting.check_json(text, path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConversionError(f"JSON syntax error: {exc.msg}", path, exc.lineno, exc.colno) from None
    job = unwrap_job(data)
    if job is None:
        raise ConversionError("no job block found", path)
    body, dropped = convert_job(job)
    diags = []
    if dropped:
        diags.append(ParseDiagnostic(
            SERVER_STATE,
            "dropped server-side fields: " + ", ".join(dropped),
            f"job[{body['__label__']}]",
            None,
        ))
    return ParsedSource(path, "json", [body], diags, text)


def _load_hcl(
    path: Path,
    text: str,
    variables: dict[str, str] | None,
    var_files: list[Path] | None,
    env: Mapping[str, str],
    places: tuple[Path, Path],
) -> ParsedSource:
    nesting.check_hcl(text, path)
    norm = normalise_text(text)
    try:
        tree = parse_hcl2(norm)
    except Exception as hcl2_exc:  # lark raises several unrelated exception types
        try:
            tree1 = parse_hcl1(norm)
        except Exception:  # pyhcl's errors are less precise; report python-hcl2's
            raise _syntax_error(path, hcl2_exc) from None
        if not tree1.get("job"):
            raise ConversionError("no job block found", path) from None
        return ParsedSource(path, "hcl1", wrap_bare_tasks(tree1["job"]), [], text)
    if not tree.get("job"):
        raise ConversionError("no job block found", path)
    decls = declared(tree)
    values = input_values(decls, variables, var_files, env)
    locals_raw: dict[str, Any] = {}
    for block in tree.get("locals", []):
        locals_raw.update({k: v for k, v in block.items() if not k.startswith("__")})
    base, file_root = places  # where file() looks first, and the root it may read under (fileaccess)
    resolver = Resolver(values, locals_raw, base, file_root, fallback_dir=path.parent)
    try:
        jobs = resolver.attr(tree["job"], "job", None)
    except ConversionError as exc:  # a refused file(): located in this jobspec
        raise ConversionError(exc.message, exc.file or path, exc.line, exc.col) from None
    return ParsedSource(path, "hcl2", wrap_bare_tasks(strip_internal(jobs)), resolver.diagnostics, text)


def wrap_bare_tasks(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A `task` written directly under `job` runs in a group of its own name (count 1), ahead of the
    job's groups: Nomad's jobspec parsers (HCL1 and HCL2) do this, so the group rules then apply as usual."""
    for job in jobs:
        bare = job.pop("task", None) if isinstance(job, dict) else None
        if isinstance(bare, list) and bare:
            wrapped = [{"__label__": t.get("__label__", "task"), "__line__": t.get("__line__"), "task": [t]}
                       for t in bare if isinstance(t, dict)]
            job["group"] = wrapped + list(job.get("group") or [])
    return jobs


def _syntax_error(path: Path, exc: Exception) -> ConversionError:
    line = getattr(exc, "line", None)
    col = getattr(exc, "column", None)
    msg = str(exc).strip()
    first = msg.splitlines()[0] if msg else exc.__class__.__name__
    token = getattr(exc, "token", None)
    if token is not None and first.startswith("Unexpected token"):
        # lark's token text can run to the end of the file; show its first line only.
        shown = (str(token).splitlines() or [""])[0].strip()[:30]
        first = f"unexpected token {shown!r}" if shown else "unexpected end of input"
    return ConversionError(
        f"HCL syntax error: {first}",
        path,
        line if isinstance(line, int) and line > 0 else None,
        col if isinstance(col, int) and col > 0 else None,
    )


def prepare_parsers() -> None:
    """Build the HCL parsers now (before forking workers, which then share them)."""
    hcl2_parser()
    hcl2_transformer()
    hcl1_parser()
