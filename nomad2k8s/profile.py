"""Site profile: the deliberate choices no jobspec states (ingress class, storage, secret
store, CPU policy...). Mappers read site settings only from here, never from literals.

Defaults give vanilla Kubernetes output; `mappings/*.yaml` hold named site profiles. The
structure (section and field names) is a contract with every mapper: extend it, don't
rename it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .errors import ConversionError

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NamespacePolicy(_Section):
    mode: Literal["fixed", "nomad"] = Field("fixed", description="fixed: always `name`; nomad: the job's Nomad namespace.")
    name: str = Field("default", description="Namespace used in fixed mode (and when a job has no Nomad namespace).")


class HostRewrite(_Section):
    map: dict[str, str] = Field(default_factory=dict, description="Exact host -> new host.")
    suffix: str = Field("", description="Appended to the first DNS label of every host (PoC: `-k8s`).")


class IngressSettings(_Section):
    class_name: str | None = Field("traefik", description="ingressClassName; null for the cluster default.")
    entrypoints: list[str] = Field(default_factory=list, description="Traefik entrypoints when the tags name none.")
    tls_secret: str | None = Field(None, description="TLS secret for every Ingress host (e.g. a wildcard cert).")
    cert_manager_issuer: str | None = Field(None, description="cert-manager ClusterIssuer annotation instead of a fixed secret.")
    annotations: dict[str, str] = Field(default_factory=dict, description="Extra annotations on every Ingress.")


class StorageSettings(_Section):
    default_class: str | None = Field(None, description="storageClassName for PVCs; null = the cluster default.")
    class_by_plugin: dict[str, str] = Field(default_factory=dict, description="CSI plugin_id -> storage class.")
    class_by_volume: dict[str, str] = Field(default_factory=dict, description="Nomad volume source -> storage class.")
    csi_as: Literal["pvc", "hostPath", "nfs"] = Field("pvc", description="What CSI volumes become.")
    host_path_root: str | None = Field(None, description="Root for csi_as=hostPath: <root>/<source>.")
    nfs_server: str | None = Field(None, description="NFS server for csi_as=nfs.")
    nfs_path: str | None = Field(None, description="NFS export root for csi_as=nfs: <path>/<source>.")
    default_size: str = Field("1Gi", description="PVC size when the jobspec states none.")
    read_write_once_pod: bool = Field(False, description="single-node-writer -> ReadWriteOncePod instead of ReadWriteOnce.")
    host_volumes: dict[str, str] = Field(default_factory=dict, description="Nomad host volume name -> host path.")
    host_volumes_as: Literal["hostPath", "pvc"] = Field("hostPath", description="What Nomad host volumes become.")


class PlacementSettings(_Section):
    meta_label_prefix: str = Field("nomad.meta/", description="Node label prefix for ${meta.X} constraints.")
    node_class_label: str = Field("nomad.node-class", description="Node label for ${node.class}.")
    datacenter_label: str = Field("topology.kubernetes.io/zone", description="Node label for ${node.datacenter}.")
    default_arch: list[str] = Field(default_factory=list, description="Arch affinity added when a job has no arch constraint (seeds: amd64, arm64).")


class GpuSettings(_Section):
    runtime_class: str | None = Field("nvidia", description="runtimeClassName for GPU pods.")
    tolerate_taint: bool = Field(False, description="Add a toleration for the nvidia.com/gpu taint.")
    product_label: str = Field("nvidia.com/gpu.product",
                               description="Node label naming the GPU model (GPU feature discovery) for device model constraints.")


class SecretSettings(_Section):
    store_name: str = Field("vault", description="SecretStore/ClusterSecretStore name.")
    store_kind: Literal["ClusterSecretStore", "SecretStore"] = Field("ClusterSecretStore")
    api_version: Literal["external-secrets.io/v1", "external-secrets.io/v1beta1"] = Field("external-secrets.io/v1")
    refresh_interval: str = Field("1h")
    kv_mount: str = Field("secret", description="Vault KV mount the store points at; stripped from remote keys.")
    key_pattern: str = Field("{path}", description="remoteRef.key from the Vault path after the mount and KV v2 `data/` are stripped.")
    nomad_vars_store: str | None = Field(None, description="Store for migrated Nomad Variables; null = the Vault store.")
    nomad_vars_pattern: str = Field("nomad-vars/{path}", description="Where migrated Nomad Variables live.")
    env_from: bool = Field(False, description="Use envFrom instead of one secretKeyRef per key.")


class ResourceSettings(_Section):
    cpu_factor: float = Field(1.0, description="Millicores per Nomad MHz (1 MHz = 1m by default).")
    cpu_limit_policy: Literal["none", "equal-to-request", "factor"] = Field(
        "none", description="Nomad `cpu` is a share, not a cap: by default no CPU limit is set.")
    cpu_limit_factor: float = Field(2.0, description="Limit = request x factor when cpu_limit_policy is factor.")
    memory_limit_policy: Literal["equal-to-request", "none", "factor"] = Field(
        "equal-to-request", description="Memory limit when memory_max is absent (Nomad caps at `memory`).")
    memory_limit_factor: float = Field(2.0)
    nomad_default_cpu: int = Field(100, description="Nomad's default task cpu (MHz) when resources omit it.")
    nomad_default_memory: int = Field(300, description="Nomad's default task memory (MB) when resources omit it.")


class VpaSettings(_Section):
    enabled: bool = Field(True, description="Emit a VerticalPodAutoscaler per Deployment/StatefulSet/DaemonSet.")
    update_mode: Literal["Off", "Initial", "Recreate", "InPlaceOrRecreate", "Auto"] = Field("Off")
    min_factor: float = Field(0.5, description="minAllowed = request x factor.")
    max_factor: float = Field(4.0, description="maxAllowed = limit (or request) x factor.")


class PortSettings(_Section):
    static_port_policy: Literal["NodePort", "hostPort"] = Field("NodePort")
    dynamic_port_base: int = Field(
        8080, description="Container port chosen for a dynamic port that has no `to` (the app must listen there).")


class TerraformSettings(_Section):
    kubernetes_provider_version: str = Field("~> 2.35")
    kubectl_provider_version: str = Field("~> 2.1")
    image_tag_variables: bool = Field(False, description="One `image_tag` variable per image.")


class PolicySettings(_Section):
    target: Literal["cilium", "kubernetes", "istio", "linkerd"] = Field("cilium")
    default_policy: Literal["allow", "deny"] = Field("allow", description="Consul's ACL default policy.")
    service_account_pattern: str = Field("{service}", description="ServiceAccount name per service (Istio/Linkerd principals).")
    trust_domain: str = Field("cluster.local", description="Mesh trust domain in Istio principals.")
    any_port: bool = Field(False, description="Allow destinations whose ports are unknown on any port.")


class Profile(_Section):
    namespace: NamespacePolicy = Field(default_factory=NamespacePolicy)
    hosts: HostRewrite = Field(default_factory=HostRewrite)
    ingress: IngressSettings = Field(default_factory=IngressSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    placement: PlacementSettings = Field(default_factory=PlacementSettings)
    gpu: GpuSettings = Field(default_factory=GpuSettings)
    secrets: SecretSettings = Field(default_factory=SecretSettings)
    resources: ResourceSettings = Field(default_factory=ResourceSettings)
    vpa: VpaSettings = Field(default_factory=VpaSettings)
    ports: PortSettings = Field(default_factory=PortSettings)
    terraform: TerraformSettings = Field(default_factory=TerraformSettings)
    policies: PolicySettings = Field(default_factory=PolicySettings)
    kubernetes_version: str = Field("1.33", description="Target cluster version (native sidecars need >= 1.29).")
    image_pull_secrets: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels on every object.")
    annotations: dict[str, str] = Field(default_factory=dict, description="Extra annotations on every object.")
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
