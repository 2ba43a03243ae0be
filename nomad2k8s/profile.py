"""Site profile: the deliberate choices no jobspec states (ingress class, storage, secret
store, CPU policy...). Mappers read site settings only from here, never from literals.

The profile issue grows this model and its loading rules; the defaults give vanilla
Kubernetes output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .errors import ConversionError

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    namespace: str = Field("default", description="Kubernetes namespace for every object.")
    cpu_factor: float = Field(1.0, description="Millicores per Nomad MHz (1 MHz = 1m by default).")
    cpu_limit_policy: Literal["none", "equal-to-request"] = Field(
        "none", description="Nomad `cpu` is a share, not a cap: by default no CPU limit is set."
    )
    nomad_default_cpu: int = Field(100, description="Nomad's default task cpu (MHz) when resources omit it.")
    nomad_default_memory: int = Field(300, description="Nomad's default task memory (MB) when resources omit it.")
    dynamic_port_base: int = Field(
        8080, description="Container port chosen for a dynamic port that has no `to` (the app must listen there)."
    )
    placeholder_image: str = Field(
        "registry.invalid/nomad2k8s/{driver}-{task}:replace-me",
        description="Image for tasks whose driver has no container image (exec, raw_exec, java...).",
    )


def load_profile(name_or_path: str | None = None) -> Profile:
    """A built-in profile name from `mappings/` or a YAML file path; None gives the default."""
    if name_or_path is None:
        return Profile()
    candidate = Path(name_or_path)
    if not candidate.is_file():
        candidate = MAPPINGS_DIR / f"{name_or_path}.yaml"
    if not candidate.is_file():
        raise ConversionError(f"unknown profile {name_or_path!r}")
    try:
        data = yaml.safe_load(candidate.read_text()) or {}
        return Profile.model_validate(data)
    except (yaml.YAMLError, ValueError) as exc:
        raise ConversionError(f"invalid profile: {exc}", candidate) from None
