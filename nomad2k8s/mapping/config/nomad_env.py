"""`env "NAME"` in a template: what the task would read, for the template translator.

NOMAD_* names are translated by mapping/core/runtime.py (the one implementation, shared with env
values and args); this module only adds what templates need on top: a task's own env values.
"""

from __future__ import annotations

from nomad2k8s.ledger import Status
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import as_int, has_interpolation
from nomad2k8s.model import Task


def static_value(gctx: GroupContext, task: Task, name: str) -> tuple[str, str] | None:
    """(value, why) when the value of env `name` is fixed before run time; else None.

    An upstream still waiting for its Service port is not fixed: the template mapper records it
    (with the bind port) so that convert.link_batch can settle it."""
    result = runtime.resolve(name, gctx, task, mode="file")
    if result.resolved and not result.pending:
        return result.text, runtime.folded(result).message
    value = (task.env or {}).get(name)
    if value is not None and not isinstance(value, (dict, list)) and not has_interpolation(str(value)):
        return str(value), f"env {name} is the task's env value {value!r}"
    return None


def env_reference(gctx: GroupContext, task: Task, name: str) -> runtime.RewriteResult:
    """For an env var value only known in the running pod: `$(VAR)` text and the downward-API vars it needs
    (`env_refs`, define them with runtime.ensure_env_refs); `remaining` holds `name` when there is none."""
    result = runtime.resolve(name, gctx, task, mode="env")
    if result.resolved or as_int(name) is not None or name not in (task.env or {}):
        return result
    return runtime.RewriteResult(text=f"$({name})", notes=[runtime.Note(
        Status.CHANGED, "N2K-TEMPLATE-ENV-REF", f"env {name} -> $({name}), the task's own env var")])
