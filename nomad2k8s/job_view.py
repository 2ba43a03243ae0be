"""What the stages after the batch pass read of a converted job: kept on its ServiceResult, so the job's
JobContext (the typed model, the object store, the mappers' state: most of a converted job's memory, and of
what a worker process sends back) can be let go as soon as no batch pass has work in it
(mapping/passes/batch_inputs.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .mapping.core.context import JobContext
from .mapping.passes.batch_inputs import OfferedService, offered_services
from .terraform.model import VolumeFact


@dataclass(frozen=True)
class VolumeUse:
    """A group `volume` block, as the estate's shared claims and the cluster kit read it."""

    nomad_path: str
    type: str | None
    source: str | None
    label: str | None
    per_alloc: bool | None

    @property
    def named(self) -> str:
        """What the estate's facts name it by: its source, else its block label."""
        return str(self.source or self.label)


@dataclass(frozen=True)
class JobView:
    job_path: str  # the job block's Nomad path (`job["web"]`)
    volumes: tuple[VolumeUse, ...]  # every group's, in jobspec order
    volume_facts: dict[str, VolumeFact]  # what the estate declares of the volumes it names, by source
    services: tuple[OfferedService, ...]  # the Services it emits, as the batch passes look them up
    secrets: frozenset[str]  # what the scrubber learns from the parsed job (its values with their names)

    def volume_fact(self, source: str | None) -> VolumeFact | None:
        return self.volume_facts.get(source) if source else None


def job_view(jctx: JobContext) -> JobView:
    # Imported here: the scrubber reads ServiceResult, which holds this view.
    from .secrets.scrub import job_secrets

    volumes = tuple(VolumeUse(v.nomad_path, v.type, v.source, v.label, v.per_alloc)
                    for group in jctx.job.group for v in group.volume)
    facts = {v.named: fact for v in volumes if (fact := jctx.facts.volume(v.named)) is not None}
    return JobView(jctx.job.nomad_path, volumes, facts, offered_services(jctx),
                   frozenset(job_secrets(jctx.job.model_dump(warnings=False))))
