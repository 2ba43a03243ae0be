"""Typed Nomad model built from the parser's canonical tree."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import ConversionError
from . import paths
from .coerce import coerce_block
from .blocks import (  # noqa: F401 - re-exported for mappers
    Affinity,
    Check,
    Constraint,
    Device,
    EphemeralDisk,
    Group,
    Job,
    Network,
    Port,
    Resources,
    Service,
    Spread,
    Task,
    Template,
    Volume,
    VolumeMount,
)
from .docker import DockerConfig, block_map, nested  # noqa: F401


def build_job(raw: dict[str, Any], file: str | None = None) -> Job:
    """Canonical job body -> typed Job whose nodes know their Nomad paths."""
    raw = coerce_block(Job, raw, paths.block_path("", "job", raw, 0, 1), file)
    try:
        job = Job.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConversionError(
            f"unexpected value for {where}: {err['msg']}", file, raw.get(paths.LINE_KEY)
        ) from None
    job.assign_paths(paths.block_path("", "job", raw, 0, 1))
    return job
