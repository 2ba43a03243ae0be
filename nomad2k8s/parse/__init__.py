"""Parse stage: Nomad jobspec files (HCL2, HCL1-era syntax, API JSON) -> canonical trees.

The loader (python-hcl2, lark, pyhcl) is imported on first use, so that importing the light parts
(discover, used by the CLI at import) costs nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .discover import discover_jobspecs
from .model import ParseDiagnostic, ParsedSource

if TYPE_CHECKING:
    from .loader import load_jobspec, load_text


def __getattr__(name: str) -> Any:
    if name in ("load_jobspec", "load_text"):
        from . import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ParseDiagnostic", "ParsedSource", "discover_jobspecs", "load_jobspec", "load_text"]
