"""`module.<name>.<output>`: the outputs of a module's local module blocks, evaluated when a value uses them.

A root often builds a nomad_job's inputs from another module's outputs (`image = module.images.api`). Such an
output is evaluated in the child module's own scope -- its variables from the module block's inputs, its
locals, data sources and nested module outputs -- the first time a value needs it, and cached. An output that
is known only at apply time (a resource attribute) stays unresolved with the reason (never guessed), and
`try()` does not fall back over it. A module block with `for_each` gives a map of instance outputs, with
`count` a list, as in Terraform. Cycles, depth and the number of instances built are bounded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConversionError
from ..parse.expr import Unresolved
from .evaluate import ModuleScope, _Lazy, unresolved
from .model import Estate, TfDiagnostic
from .modules import Block, ModuleDir, read_module

MAX_DEPTH = 16  # as collect.MAX_DEPTH: nested modules followed for outputs
MAX_OUTPUT_INSTANCES = 2000  # module instances built to evaluate outputs, per estate


class _Scratch:
    """Diagnostics of an evaluation done for an output: the output's own reason reports them."""

    def __init__(self, estate: Estate) -> None:
        self.diagnostics: list[TfDiagnostic] = []
        self.steps, self.instances = estate.steps, 0


class ModuleOutputs(dict):
    """module name -> its outputs (a lazy map), or a map/list of them for for_each/count blocks."""

    def __init__(self, scope: ModuleScope, module: ModuleDir, root: Path, repo: Path, stack: list[Path],
                 modules: dict[Path, ModuleDir], estate: Estate) -> None:
        super().__init__()
        self.scope, self.root, self.repo, self.stack, self.modules, self.estate = (
            scope, root, repo, stack, modules, estate)
        self.blocks = {b.labels[0]: b for b in module.of("module") if b.labels}
        self.busy: set[str] = set()

    def __contains__(self, key: object) -> bool:
        return key in self.blocks

    def __getitem__(self, name: str) -> Any:
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        block = self.blocks.get(name)
        if block is None:
            raise Unresolved(f"module.{name} is not declared in this module")
        if name in self.busy:
            raise Unresolved(f"module.{name} refers to itself")
        self.busy.add(name)
        saved = self.scope.instance  # the block instance being evaluated when the output was asked for
        try:
            value = self._outputs(name, block)
        finally:
            self.scope.instance = saved
            self.busy.discard(name)
        dict.__setitem__(self, name, value)
        return value

    def _outputs(self, name: str, block: Block) -> Any:
        from .collect import _defaults, _instances, _scope, child_module, module_inputs

        try:
            child_dir = child_module(self.scope, block, self.repo)
        except ConversionError as exc:
            raise Unresolved(f"module.{name}: {exc.message}") from None
        if child_dir in self.stack or len(self.stack) >= MAX_DEPTH:
            raise Unresolved(f"module.{name}: module cycle or nesting deeper than {MAX_DEPTH}")
        child = self.modules.get(child_dir) or read_module(child_dir, self.repo)
        self.modules[child_dir] = child
        scratch = _Scratch(self.estate)
        instances = _instances(self.scope, block, scratch)  # type: ignore[arg-type]
        repeated = "for_each" in block.body or "count" in block.body
        if repeated and instances == [("", {})]:  # the for_each/count itself did not evaluate
            reason = scratch.diagnostics[0].reason if scratch.diagnostics else "not a known number or collection"
            raise Unresolved(f"module.{name}: its for_each/count cannot be evaluated ({reason})")
        built = []
        for _key, names in instances:
            self.estate.output_instances += 1
            if self.estate.output_instances > MAX_OUTPUT_INSTANCES:
                raise Unresolved(f"module.{name}: more than {MAX_OUTPUT_INSTANCES} module instances built for "
                                 "outputs; not evaluated")
            self.scope.instance = names
            inputs = module_inputs(self.scope, block, scratch.diagnostics)
            values = _defaults(child, inputs, scratch)  # type: ignore[arg-type]
            child_scope = _scope(child, self.root, self.repo, values, self.stack, self.modules, self.estate)
            built.append((names, _output_map(name, child, child_scope)))
        if "for_each" in block.body:
            return {names["each"]["key"]: outputs for names, outputs in built}
        if "count" in block.body:
            return [outputs for _names, outputs in built]
        return built[0][1]


def _output_map(name: str, child: ModuleDir, scope: ModuleScope) -> _Lazy:
    raw = {b.labels[0]: b.body.get("value") for b in child.of("output") if b.labels}

    def evaluate(key: str, value: Any) -> Any:
        kept: list = []
        result = scope.render(value, kept)
        if kept:
            raise unresolved(f"module.{name}.{key} is unresolved: {kept[0][1]}", kept)
        return result

    return _Lazy(raw, evaluate, what=f"module.{name}")
