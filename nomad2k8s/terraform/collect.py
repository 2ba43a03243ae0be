"""Walk each root module and its local modules; collect Nomad jobs, volumes and variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import fileaccess
from ..errors import ConversionError
from ..parse.variables import coerce, read_var_file
from . import volumes
from .evaluate import ModuleScope
from .model import Estate, NomadVariable, TfDiagnostic, TfJob, Where
from .modules import Block, ModuleDir, local_source, read_module

MAX_DEPTH = 16  # nested modules; deeper (or a cycle) is reported, not followed
MAX_INSTANCES = 1000  # instances of one count/for_each block
MAX_MODULE_INSTANCES = 2000  # module instances walked in all (nested for_each multiplies)
_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def read_estate(repo: Path, roots: list[Path], modules: dict[Path, ModuleDir], cli_vars: Mapping[str, str],
                var_files: list[Path], estate: Estate) -> None:
    """Evaluate every root (its tfvars, then the operator's .tfvars files and --var values)."""
    for root in roots:
        module = modules.get(root) or read_module(root, repo)
        values = _root_values(root, repo, module, cli_vars, var_files, estate)
        _walk(module, root, repo, values, "", [], modules, estate, [])


def _declared(module: ModuleDir) -> dict[str, Block]:
    return {b.labels[0]: b for b in module.of("variable") if b.labels}


def _defaults(module: ModuleDir, scope_values: dict[str, Any], estate: Estate) -> dict[str, Any]:
    """Declared defaults (literals; strings may carry `$${` escapes), evaluated with no names."""
    plain = ModuleScope(module.path, module.path, module.path, {}, {}, {})
    out: dict[str, Any] = {}
    for name, block in _declared(module).items():
        if name in scope_values:
            out[name] = scope_values[name]
        elif "default" in block.body:
            value, ok = plain.value(block.body["default"], block.line_of("default"), estate.diagnostics)
            if ok:
                out[name] = value
    return out


def _root_values(root: Path, repo: Path, module: ModuleDir, cli_vars: Mapping[str, str], var_files: list[Path],
                 estate: Estate) -> dict[str, Any]:
    declared = _declared(module)
    given: dict[str, Any] = {}
    auto = [root / "terraform.tfvars", root / "terraform.tfvars.json",
            *sorted(root.glob("*.auto.tfvars")), *sorted(root.glob("*.auto.tfvars.json"))]
    for file in [p for p in auto if p.is_file()] + [p for p in var_files if p.name.endswith((".tfvars", ".tfvars.json"))]:
        try:
            if file in auto:
                fileaccess.confined_path(file, root, repo, "tfvars file")
            given.update(read_var_file(file))
        except ConversionError as exc:
            estate.diagnostics.append(TfDiagnostic(Where(file, exc.line), "the tfvars file", exc.message))
    for name, raw in cli_vars.items():
        if name in declared:
            given[name] = coerce(raw, {"type": declared[name].body.get("type", "")})
    return _defaults(module, {k: v for k, v in given.items() if k in declared}, estate)


def _walk(module: ModuleDir, root: Path, repo: Path, values: dict[str, Any], prefix: str, stack: list[Path],
          modules: dict[Path, ModuleDir], estate: Estate, inherited: list[str]) -> None:
    """`inherited`: the depends_on of the module blocks above (every resource inside waits for them)."""
    estate.instances += 1
    if estate.instances > MAX_MODULE_INSTANCES:
        if estate.instances == MAX_MODULE_INSTANCES + 1:
            estate.diagnostics.append(TfDiagnostic(Where(module.path), prefix or "the root module",
                                                   f"more than {MAX_MODULE_INSTANCES} module instances; "
                                                   "the rest is not read"))
        return
    if module.path not in estate.module_dirs:
        estate.diagnostics.extend(module.problems)
    estate.module_dirs.add(module.path)
    scope = _scope(module, root, repo, values, stack, modules, estate)
    for block in module.of("resource"):
        if len(block.labels) == 2:
            for key, names in _instances(scope, block, estate):
                scope.instance = names
                _resource(scope, block, prefix, estate, repo, inherited, key)
    for block in module.of("module"):
        if block.labels:
            for key, names in _instances(scope, block, estate):
                scope.instance = names
                _module(scope, block, root, repo, prefix, stack + [module.path], modules, estate, inherited, key)
    scope.instance = {}


def _scope(module: ModuleDir, root: Path, repo: Path, values: dict[str, Any], stack: list[Path],
           modules: dict[Path, ModuleDir], estate: Estate) -> ModuleScope:
    """The names one module instance sees: its variables, locals, data sources, and its module blocks'
    outputs (module_outputs.py: evaluated when a value uses them)."""
    # Imported here: module_outputs builds child scopes with this function.
    from .module_outputs import ModuleOutputs

    locals_raw: dict[str, Any] = {}
    lines: dict[str, Where] = {}
    for block in module.of("locals"):
        for key, raw in block.body.items():
            if not key.startswith("__"):
                locals_raw[key], lines[key] = raw, block.line_of(key)
    data_raw: dict[str, dict[str, Any]] = {}
    for block in module.of("data"):
        if len(block.labels) == 2:
            data_raw.setdefault(block.labels[0], {})[block.labels[1]] = block.body
    scope = ModuleScope(module.path, root, repo, values, locals_raw, lines, data_raw, estate.steps)
    scope.module_outputs = ModuleOutputs(scope, module, root, repo, stack + [module.path], modules, estate)
    return scope


def child_module(scope: ModuleScope, block: Block, repo: Path) -> Path:
    """The directory of a module block's local source (ConversionError: not local, or refused)."""
    source = local_source(block)
    if source is None:
        raise ConversionError("not a local ./ or ../ path; the module is not read")
    fileaccess.confined_path(source, scope.module_dir, repo, "module source")
    return Path(os.path.normpath(scope.module_dir / source))  # named as the repository names it


def module_inputs(scope: ModuleScope, block: Block, diagnostics: list[TfDiagnostic]) -> dict[str, Any]:
    """The values a module block passes (the ones that evaluate; the others are diagnostics)."""
    inputs: dict[str, Any] = {}
    for attr, raw in block.body.items():
        if attr.startswith("__") or attr in _META:
            continue
        value, ok = scope.value(raw, block.line_of(attr), diagnostics)
        if ok:
            inputs[attr] = value
    return inputs


def _instances(scope: ModuleScope, block: Block, estate: Estate) -> list[tuple[str, dict[str, Any]]]:
    """The block's instances as (address key, names in scope): `for_each` gives `each.key`/`each.value`,
    `count` gives `count.index` (0 instances: the block deploys nothing). A for_each or count that cannot
    be evaluated is one diagnostic and one instance (whose each.*/count.* values are then unresolved)."""
    scope.instance = {}
    if "for_each" in block.body:
        value, ok = scope.value(block.body["for_each"], block.line_of("for_each"), estate.diagnostics)
        if not ok or not isinstance(value, (dict, list)):
            if ok:
                estate.diagnostics.append(TfDiagnostic(block.line_of("for_each"), str(block.body["for_each"]),
                                                       "for_each is not a map or set"))
            return [("", {})]
        items = value.items() if isinstance(value, dict) else ((str(v), v) for v in value)
        return [(f'["{k}"]', {"each": {"key": k, "value": v}}) for k, v in list(items)[:MAX_INSTANCES]]
    if "count" in block.body:
        value, ok = scope.value(block.body["count"], block.line_of("count"), estate.diagnostics)
        if ok and isinstance(value, bool):
            value = int(value)
        if ok and isinstance(value, int):
            return [(f"[{i}]" if value > 1 else "", {"count": {"index": i}}) for i in range(min(value, MAX_INSTANCES))]
    return [("", {})]


def _module(scope: ModuleScope, block: Block, root: Path, repo: Path, prefix: str, stack: list[Path],
            modules: dict[Path, ModuleDir], estate: Estate, inherited: list[str], key: str = "") -> None:
    name = block.labels[0]
    source = local_source(block)
    try:
        child_dir = child_module(scope, block, repo)
    except ConversionError as exc:
        estate.diagnostics.append(TfDiagnostic(block.line_of("source"), source or f"module.{name} source",
                                               exc.message))
        return
    if child_dir in stack or len(stack) >= MAX_DEPTH:
        estate.diagnostics.append(TfDiagnostic(block.line_of("source"), source or name,
                                               "module cycle or nesting deeper than "
                                               f"{MAX_DEPTH}; not followed"))
        return
    child = modules.get(child_dir) or read_module(child_dir, repo)
    modules[child_dir] = child
    inputs = module_inputs(scope, block, estate.diagnostics)
    _walk(child, root, repo, _defaults(child, inputs, estate), f"{prefix}module.{name}{key}.", stack, modules, estate,
          inherited + _depends_on(block, prefix))


def _depends_on(block: Block, prefix: str) -> list[str]:
    """`depends_on = [module.x, nomad_csi_volume.y]` as addresses qualified by the module prefix."""
    depends = block.body.get("depends_on")
    return [prefix + item.removeprefix("${").removesuffix("}").strip()
            for item in (depends if isinstance(depends, list) else []) if isinstance(item, str)]


def _resource(scope: ModuleScope, block: Block, prefix: str, estate: Estate, repo: Path,
              inherited: list[str], key: str = "") -> None:
    rtype = block.labels[0]
    if rtype == "nomad_job":
        job = _job(scope, block, prefix, estate, repo, key)
        job.depends_on = list(dict.fromkeys(inherited + job.depends_on))
        estate.jobs.append(job)
    elif rtype in volumes.VOLUME_RESOURCES:
        fact = volumes.from_resource(scope, block, estate.diagnostics)
        if fact is not None:
            estate.facts.volumes.setdefault(fact.volume_id, fact)
    elif rtype == "nomad_variable":
        variable = _variable(scope, block, estate)
        if variable is not None:
            estate.facts.variables.setdefault(variable.path, variable)


def _job(scope: ModuleScope, block: Block, prefix: str, estate: Estate, repo: Path, key: str = "") -> TfJob:
    body = block.body
    address = f"{prefix}nomad_job.{block.labels[1]}{key}"
    module = _module_label(prefix)
    job = TfJob(address=address, module=module, where=block.where, jobspec=None, origin=None)
    scope.reads.clear()
    own: list[TfDiagnostic] = []
    if "jobspec" not in body:
        job.problem = "no jobspec attribute"
    else:
        value, ok = scope.value(body["jobspec"], block.line_of("jobspec"), own)
        # The file read is the jobspec's origin, even when rendering it failed (then it is deployed
        # but not convertible, not "not deployed").
        reads = list(dict.fromkeys(scope.reads))
        job.origin = _in_repo(reads[0], repo) if len(reads) == 1 else None
        if ok and isinstance(value, str):
            job.jobspec = value
        else:
            job.problem = str(own[0]) if own else "the jobspec is not a string"
    hcl2 = body.get("hcl2")
    hcl2 = hcl2[0] if isinstance(hcl2, list) and hcl2 else {}
    if isinstance(hcl2, dict):
        if hcl2.get("enabled") is False:
            job.hcl2 = False
        if "vars" in hcl2:
            where = Where(block.where.file, hcl2.get("__attr_lines__", {}).get("vars", hcl2.get("__line__")))
            value, ok = scope.value(hcl2["vars"], where, own)
            if isinstance(value, dict):
                job.variables = {k: v for k, v in value.items() if isinstance(k, str)}
    if body.get("json") is True or body.get("hcl1") is True:  # provider 2.x: `hcl1 = true`, `json = true`
        job.hcl2 = False
    purge = body.get("purge_on_destroy")
    job.purge_on_destroy = purge if isinstance(purge, bool) else None
    job.depends_on = _depends_on(block, prefix)
    estate.diagnostics.extend(own)
    job.diagnostics = [str(d) for d in own]
    return job


def _module_label(prefix: str) -> str:
    """`module.a.module.web["blue"].` -> `web-blue`: the innermost module instance, for names."""
    if not prefix:
        return ""
    last = prefix.removesuffix(".").rsplit("module.", 1)[-1]
    return last.replace('["', "-").replace('"]', "").replace("[", "-").replace("]", "")


def _in_repo(real: Path, repo: Path) -> Path:
    """A real path read below the repository, named from the repository as the operator gave it."""
    try:
        return repo / real.relative_to(os.path.realpath(repo))
    except ValueError:
        return real


def _variable(scope: ModuleScope, block: Block, estate: Estate) -> NomadVariable | None:
    path, ok = scope.value(block.body.get("path"), block.line_of("path"), estate.diagnostics)
    if not ok or not isinstance(path, str):
        return None
    items = block.body.get("items")
    if isinstance(items, dict):  # only the keys: item values are secrets and are never evaluated
        keys = sorted(k for k in items if not k.startswith("__"))
    else:
        value, ok = scope.value(items, block.line_of("items"), estate.diagnostics)
        keys = sorted(value) if ok and isinstance(value, dict) else []
        del value
    namespace = block.body.get("namespace")
    return NomadVariable(path=path, keys=keys, where=block.where,
                         namespace=namespace if isinstance(namespace, str) and "${" not in namespace else None)
