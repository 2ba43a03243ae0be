"""Parse stage: Nomad jobspec files (HCL2, HCL1-era syntax, API JSON) -> canonical trees."""

from .discover import discover_jobspecs
from .loader import load_jobspec, load_text
from .model import ParseDiagnostic, ParsedSource

__all__ = ["load_jobspec", "load_text", "discover_jobspecs", "ParseDiagnostic", "ParsedSource"]
