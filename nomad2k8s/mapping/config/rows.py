"""The config package's rows of the mapper table (assembled in order by core/registry.py)."""

from __future__ import annotations

from nomad2k8s.mapping.config import templates, vaultblock
from nomad2k8s.mapping.core.transform import Transform

TRANSFORMS: tuple[Transform, ...] = (
    # Templates name Service DNS names and ports, so they run after the services.
    Transform("template", "group", templates.map_templates,
              "template -> ConfigMap (files), env vars (env = true), ExternalSecret for Vault/nomadVar "
              "references (secretKeyRef or target.template); change_mode restart -> checksum annotation",
              after=("task", "service")),
    # Grants read access to the secret paths the templates read.
    Transform("vault", "job", vaultblock.map_vault,
              "vault block -> needs decision: grant the secret store's role read access to the listed paths",
              after=("template",)),
)
