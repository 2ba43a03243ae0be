"""What the Terraform (and Nomad volume spec) reading produces: plain, picklable dataclasses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Where:
    """A place in the repository: file and line (for decisions and reports)."""

    file: Path
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file.as_posix()}:{self.line}" if self.line else self.file.as_posix()


@dataclass
class TfDiagnostic:
    """A value the evaluator could not decide: the expression and where it is."""

    where: Where
    expression: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.expression} not evaluated: {self.reason}"


@dataclass
class TfJob:
    """One `resource "nomad_job"` of a module instance."""

    address: str  # module.web.nomad_job.app
    module: str  # the module instance's name ("" for the root module)
    where: Where
    jobspec: str | None  # None: the jobspec text could not be evaluated
    origin: Path | None  # the jobspec file read by file()/templatefile(), when exactly one
    variables: dict[str, Any] = field(default_factory=dict)  # hcl2 { vars } (or the older forms)
    hcl2: bool = True
    purge_on_destroy: bool | None = None
    depends_on: list[str] = field(default_factory=list)  # addresses as written, module-qualified
    problem: str = ""  # why `jobspec` is None
    diagnostics: list[str] = field(default_factory=list)  # unresolved values of this resource


@dataclass
class VolumeFact:
    """A volume declared outside the jobspec (Terraform resource or Nomad volume spec file)."""

    volume_id: str
    kind: str  # nomad_csi_volume | ... | volume-spec
    where: Where
    name: str | None = None
    plugin_id: str | None = None
    capacity_min: str | None = None
    capacity_max: str | None = None
    access_modes: list[str] = field(default_factory=list)
    attachment_modes: list[str] = field(default_factory=list)
    external_id: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    mount_options: dict[str, Any] = field(default_factory=dict)
    volume_type: str = "csi"  # csi | host

    def described(self) -> str:
        return f"{self.kind} {self.volume_id!r} ({self.where})"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["where"] = str(self.where)
        return data


@dataclass
class NomadVariable:
    """A `nomad_variable` resource: its path and item keys (never the values)."""

    path: str
    keys: list[str]
    where: Where
    namespace: str | None = None


@dataclass
class EstateFacts:
    """What the conversion of one job may read about the estate around it."""

    volumes: dict[str, VolumeFact] = field(default_factory=dict)  # by volume id (the job's `source`)
    variables: dict[str, NomadVariable] = field(default_factory=dict)  # by path

    def volume(self, source: str | None) -> VolumeFact | None:
        return self.volumes.get(source) if source else None


@dataclass
class Estate:
    """Everything the Terraform roots of a directory declare."""

    roots: list[Path] = field(default_factory=list)
    jobs: list[TfJob] = field(default_factory=list)
    facts: EstateFacts = field(default_factory=EstateFacts)
    diagnostics: list[TfDiagnostic] = field(default_factory=list)
    module_dirs: set[Path] = field(default_factory=set)  # every directory a root evaluated
    # Bounds shared by the whole evaluation (hostile input must not hang): template loop iterations
    # (the evaluators' step counter) and module instances walked.
    steps: list[int] = field(default_factory=lambda: [0])
    instances: int = 0
    output_instances: int = 0  # module instances built to evaluate module outputs (module_outputs.py)

    @property
    def deploys_jobs(self) -> bool:
        return bool(self.jobs)
