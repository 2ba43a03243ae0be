"""Estate discovery for a directory run: which jobs to convert and what was looked at and not.

Plain jobspec files are the estate unless Terraform roots deploy Nomad jobs: then the jobs the
roots deploy are (their jobspec text, `hcl2 { vars }` and the .tf file:line deploying them), and a
jobspec file no root deploys is skipped as "not deployed by Terraform" (`--include-undeployed`
converts it too). A nomad-pack pack's job templates are converted either way: packs are deployed by
`nomad-pack run`, never by a `nomad_job` resource, so Terraform saying nothing about them is no sign
they are not deployed. Nomad volume spec files become volume facts, not jobs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .parse import discover as file_discovery
from .parse.discover import source_dir
from .terraform import Estate, EstateFacts, discover_estate, from_spec_file

NOT_DEPLOYED = "not deployed by Terraform"


@dataclass(frozen=True)
class JobSource:
    """One unit to convert (picklable): a jobspec file, or jobspec text a Terraform root deploys."""

    path: Path  # the jobspec file (or the .tf file holding an inline jobspec): names, file(), output dir
    text: str | None = None  # None: read `path`
    variables: tuple[tuple[str, str], ...] | None = None  # Terraform's hcl2 vars; None: the CLI's
    deployed_by: str = ""  # "main.tf:12", the nomad_job resource
    address: str = ""  # module.web.nomad_job.web
    module: str = ""  # the module instance, for telling two deployments of one jobspec apart
    depends_on: tuple[str, ...] = ()
    purge_on_destroy: bool | None = None
    diagnostics: tuple[str, ...] = ()  # unresolved Terraform values of this job
    hcl2: bool = True  # False: the resource asks for the HCL1 (or JSON) parser
    stdin: bool = False  # text read from standard input: parsed as a file is (the CLI's variables)

    @property
    def terraform(self) -> dict[str, Any]:
        return {"address": self.address, "deployed_by": self.deployed_by, "module": self.module,
                "purge_on_destroy": self.purge_on_destroy, "depends_on": list(self.depends_on), "hcl2": self.hcl2}


@dataclass
class Discovery:
    sources: list[JobSource] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    facts: EstateFacts = field(default_factory=EstateFacts)
    warnings: list[str] = field(default_factory=list)
    estate: Estate | None = None


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def discover(root: Path, include_undeployed: bool, variables: Mapping[str, str],
             var_files: list[Path]) -> Discovery:
    found = Discovery()
    candidates, found.skipped = file_discovery.discover(root)
    files = [f for f in candidates if f.name != ".terraform.lock.hcl"]
    estate = discover_estate(root, variables, var_files)
    found.estate, found.facts = estate, estate.facts
    plain: list[Path] = []
    for file in files:
        fact = from_spec_file(file, root)
        if fact is None:
            plain.append(file)
            continue
        found.facts.volumes.setdefault(fact.volume_id, fact)
        found.skipped.append((file, f"Nomad volume specification ({fact.volume_type} volume {fact.volume_id!r})"))
    found.warnings += [f"warning: {d}" for d in estate.diagnostics]
    if not estate.deploys_jobs:
        found.sources = [JobSource(f) for f in plain]
        return found
    deployed = set()
    for job in estate.jobs:
        origin = job.origin or job.where.file
        deployed.add(origin)
        if job.jobspec is None:
            found.skipped.append((origin, f"{job.address} ({job.where}): jobspec not evaluated: {job.problem}"))
            continue
        found.sources.append(JobSource(
            origin, job.jobspec, tuple((k, _as_text(v)) for k, v in sorted(job.variables.items())),
            deployed_by=str(job.where), address=job.address, module=job.module, depends_on=tuple(job.depends_on),
            purge_on_destroy=job.purge_on_destroy, diagnostics=tuple(job.diagnostics), hcl2=job.hcl2))
    for file in plain:
        if file in deployed:
            continue
        if include_undeployed or source_dir(file) != file.parent:  # a pack template
            found.sources.append(JobSource(file))
        else:
            found.skipped.append((file, NOT_DEPLOYED))
    return found
