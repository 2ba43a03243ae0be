"""Parse stage: Nomad jobspec files (HCL2, HCL1-era syntax, API JSON) -> canonical trees."""

from .discover import discover_jobspecs
from .loader import load_jobspec
from .model import ParseDiagnostic, ParsedSource

__all__ = ["load_jobspec", "discover_jobspecs", "ParseDiagnostic", "ParsedSource"]
