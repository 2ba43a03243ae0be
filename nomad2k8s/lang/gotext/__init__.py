"""Go text/template execution (the subset nomad-pack packs and Levant files use).

`tree` turns the blocks of lang/gotemplate.py into pipelines, `evaluate` runs them over Python
data under fixed limits, `functions` is the table of Go built-ins and Sprig-style helpers."""

from .evaluate import Dialect, Limits, Renderer, RenderFailure, Source
from .tree import ExprError, compile_text

__all__ = ["Dialect", "ExprError", "Limits", "RenderFailure", "Renderer", "Source", "compile_text"]
