"""Site profile: the deliberate choices no jobspec states (ingress class, storage, secret
store, CPU policy...). Mappers read site settings only from here, never from literals.

Defaults give the built-in profile (`mappings/vanilla.yaml` states them explicitly);
`mappings/*.yaml` hold named site profiles. The structure (section and field names) is a
contract with every mapper: extend it, don't rename it. Every field carries a description:
`nomad2k8s init` turns them into the comments of a starter `nomad2k8s.yaml`.

Loading, layering (`--profile`, a discovered `nomad2k8s.yaml`, `--set`) and validation
messages live in `profile_load.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .k8s.names import is_dns1123_label, is_dns1123_subdomain

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"


def _dns_subdomain(value: str) -> str:
    if not is_dns1123_subdomain(value):
        raise ValueError(f"{value!r} is not a DNS name (RFC 1123 subdomain: lower-case labels of a-z, 0-9 and '-')")
    return value


DnsSubdomain = Annotated[str, AfterValidator(_dns_subdomain)]


def namespace_problem(value: str) -> str | None:
    """Why `value` is no Kubernetes namespace name (an RFC 1123 label), or None: the profile, --set
    and -n all check it here, before it becomes a metadata.namespace or an output directory name."""
    if is_dns1123_label(value):
        return None
    return (f"{value[:80]!r} is not a Kubernetes namespace name (RFC 1123 label: lowercase letters, digits "
            "and '-', starting and ending with a letter or digit, at most 63 characters)")


def _namespace(value: str) -> str:
    problem = namespace_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


NamespaceName = Annotated[str, AfterValidator(_namespace)]


def _port_range(value: str) -> str:
    """`LOW-HIGH`, as kube-apiserver's --service-node-port-range takes it."""
    low, _, high = value.partition("-")
    if not (low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 65535):
        raise ValueError(f"{value!r} is not a port range LOW-HIGH (1 <= LOW <= HIGH <= 65535), e.g. 30000-32767")
    return value


PortRange = Annotated[str, AfterValidator(_port_range)]


def _verdict_codes(value: dict[str, str]) -> dict[str, str]:
    """`verdict:` names catalogued codes, and never silences a security escalation (review/severity.py)."""
    import difflib

    from .ledger.codes import catalogue
    from .review.severity import SECURITY_CODES

    for code, level in value.items():
        if code not in catalogue():
            close = difflib.get_close_matches(code, list(catalogue()), n=1)
            hint = f"; did you mean {close[0]}?" if close else " (the codes are listed in docs/CODES.md)"
            raise ValueError(f"{code!r} is not a catalogued code{hint}")
        if code in SECURITY_CODES and level == "info":
            raise ValueError(f"{code} is a security escalation: at least review, never info")
    return value


SeverityName = Literal["blocker", "action", "review", "info"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NamespacePolicy(_Section):
    """Which Kubernetes namespace the objects of a job go to."""

    mode: Literal["fixed", "nomad"] = Field(
        "fixed", description="fixed: always `name`; nomad: the job's Nomad namespace (`name` when it has none).")
    name: NamespaceName = Field("default", description="Namespace used in fixed mode (and when a job has no Nomad namespace).")


class HostRewrite(_Section):
    """How ingress host names change on the way to Kubernetes (e.g. a parallel PoC domain)."""

    map: dict[str, str] = Field(default_factory=dict, description="Exact host -> new host; wins over `suffix`.")
    suffix: str = Field("", description="Appended to the first DNS label of every host not in `map` (PoC: `-k8s`).")


class IngressSettings(_Section):
    """What a routed service (Traefik tags, a `host` hint) becomes."""

    class_name: str | None = Field(
        "traefik", description="ingressClassName; null for the cluster default. Traefik by default: the "
        "routing rules come from Traefik tags.")
    entrypoints: list[str] = Field(default_factory=list, description="Traefik entrypoints when the tags name none.")
    tls_entrypoints: list[str] = Field(
        default_factory=lambda: ["websecure"], description="Traefik entrypoints that terminate TLS: the profile's "
        "TLS settings (tls_secret, router.tls annotations) apply to routers on them, never to plain ones (`web`).")
    tls_secret: str | None = Field(None, description="TLS secret for every Ingress host (e.g. a wildcard cert).")
    cert_manager_issuer: str | None = Field(
        None, description="cert-manager ClusterIssuer annotation instead of a fixed secret.")
    annotations: dict[str, str] = Field(default_factory=dict, description="Extra annotations on every Ingress.")
    controller_namespace: str | None = Field(
        "traefik", description="Namespace of the ingress controller's pods (Traefik's Helm chart: the release "
        "namespace, `traefik` by convention; k3s: kube-system); null = any namespace. Network policies from "
        "intentions under a default deny let these pods reach every routed service's ports.")
    controller_labels: dict[str, str] = Field(
        default_factory=lambda: {"app.kubernetes.io/name": "traefik"},
        description="Pod labels of the ingress controller (Traefik: app.kubernetes.io/name: traefik; ingress-nginx: "
        "app.kubernetes.io/name: ingress-nginx in namespace ingress-nginx); empty = no controller allow rule.")


# Access modes of well-known provisioners' usual class names, used when storage.access_modes does not
# list the class: node-local provisioners can only give a claim to pods on one node.
KNOWN_CLASS_MODES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("local-path", "openebs-hostpath", "local-storage", "hostpath", "gp2", "gp3", "ebs-sc"),
                    ("ReadWriteOnce", "ReadWriteOncePod")),
    **dict.fromkeys(("longhorn", "nfs-client", "nfs-csi", "efs-sc", "cephfs"),
                    ("ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany")),
}


class StorageSettings(_Section):
    """What Nomad CSI and host volumes become."""

    default_class: str | None = Field(None, description="storageClassName for PVCs; null = the cluster default.")
    class_by_plugin: dict[str, str] = Field(default_factory=dict, description="CSI plugin_id -> storage class (the job volume's plugin_id, or its Terraform / volume spec declaration's).")
    class_by_volume: dict[str, str] = Field(default_factory=dict, description="Nomad volume source -> storage class.")
    csi_as: Literal["pvc", "hostPath", "nfs"] = Field("pvc", description="What CSI volumes become.")
    host_path_root: str | None = Field(None, description="Root for csi_as=hostPath: <root>/<source>.")
    nfs_server: str | None = Field(None, description="NFS server for csi_as=nfs.")
    nfs_path: str | None = Field(None, description="NFS export root for csi_as=nfs: <path>/<source>.")
    default_size: str = Field("1Gi", description="PVC size when the jobspec states none.")
    read_write_once_pod: bool = Field(
        False, description="single-node-writer -> ReadWriteOncePod instead of ReadWriteOnce.")
    access_modes: dict[str, list[str]] = Field(default_factory=dict, description="Storage class -> the access modes it can provide (ReadWriteOnce, ReadWriteOncePod, ReadOnlyMany, ReadWriteMany); well-known provisioners have defaults (local-path: ReadWriteOnce only).")
    host_volumes: dict[str, str] = Field(default_factory=dict, description="Nomad host volume name -> host path.")
    host_volumes_as: Literal["hostPath", "pvc"] = Field("hostPath", description="What Nomad host volumes become.")


class WorkloadSettings(_Section):
    """Which workload kind a service group becomes when the jobspec leaves it open."""

    single_replica_stateful: Literal["Deployment", "StatefulSet"] = Field(
        "Deployment", description="A single-replica service with persistent data (sticky ephemeral_disk, "
        "single-writer or per-allocation CSI volume): Deployment = a standalone PersistentVolumeClaim and strategy "
        "Recreate (what hand migrations write); StatefulSet = volumeClaimTemplates. Several replicas with "
        "per-replica storage, or tasks using NOMAD_ALLOC_INDEX/NOMAD_ALLOC_NAME, are always a StatefulSet.")


class PlacementSettings(_Section):
    """Node labels that stand in for Nomad node attributes in constraints."""

    meta_label_prefix: str = Field("nomad.meta/", description="Node label prefix for ${meta.X} constraints.")
    node_class_label: str = Field("nomad.node-class", description="Node label for ${node.class}.")
    datacenter_label: str = Field("topology.kubernetes.io/zone", description="Node label for ${node.datacenter}.")
    default_arch: list[str] = Field(
        default_factory=list,
        description="Arch affinity (kubernetes.io/arch In ...) added when a job has no arch constraint; empty = none.")


class GpuSettings(_Section):
    """GPU pods (Nomad `device \"nvidia/gpu\"`)."""

    runtime_class: str | None = Field(
        "nvidia", description="runtimeClassName for GPU pods (the NVIDIA device plugin's RuntimeClass); "
        "null = the node's default runtime.")
    tolerate_taint: bool = Field(False, description="Add a toleration for the nvidia.com/gpu taint.")
    product_label: str = Field("nvidia.com/gpu.product",
                               description="Node label naming the GPU model (GPU feature discovery) for device model constraints.")


class SecretSettings(_Section):
    """Where Vault templates and Nomad Variables are read from (External Secrets Operator)."""

    store_name: str = Field("vault", description="SecretStore/ClusterSecretStore name.")
    store_kind: Literal["ClusterSecretStore", "SecretStore"] = Field(
        "ClusterSecretStore", description="Kind of the store every ExternalSecret references.")
    api_version: Literal["external-secrets.io/v1", "external-secrets.io/v1beta1"] = Field(
        "external-secrets.io/v1", description="ExternalSecret apiVersion (v1beta1 for ESO < 0.17).")
    refresh_interval: str = Field("1h", description="ExternalSecret refreshInterval.")
    kv_mount: str = Field("secret", description="Vault KV mount the store points at; stripped from remote keys.")
    key_pattern: str = Field(
        "{path}", description="remoteRef.key; {path} is the Vault path after the mount and KV v2 `data/` are stripped.")
    nomad_vars_store: str | None = Field(None, description="Store for migrated Nomad Variables; null = the Vault store.")
    nomad_vars_pattern: str = Field("nomad-vars/{path}", description="Where migrated Nomad Variables live.")
    env_from: bool = Field(False, description="Use envFrom instead of one secretKeyRef per key.")


class ResourceSettings(_Section):
    """How Nomad `resources` become requests and limits."""

    cpu_factor: float = Field(1.0, gt=0, description="Millicores per Nomad MHz (1 MHz = 1m by default).")
    cpu_limit_policy: Literal["none", "equal-to-request", "factor"] = Field(
        "none", description="Nomad `cpu` is a share, not a cap: by default no CPU limit is set; "
        "equal-to-request caps at the request; factor caps at request x cpu_limit_factor.")
    cpu_limit_factor: float = Field(2.0, ge=1, description="Limit = request x factor when cpu_limit_policy is factor.")
    memory_limit_policy: Literal["equal-to-request", "none", "factor"] = Field(
        "equal-to-request", description="Memory limit when memory_max is absent (Nomad caps at `memory`): "
        "equal-to-request, none, or request x memory_limit_factor.")
    memory_limit_factor: float = Field(
        2.0, ge=1, description="Limit = request x factor when memory_limit_policy is factor.")
    nomad_default_cpu: int = Field(100, gt=0, description="Nomad's default task cpu (MHz) when resources omit it.")
    nomad_default_memory: int = Field(
        300, gt=0, description="Nomad's default task memory (MB) when resources omit it.")


class VpaSettings(_Section):
    """VerticalPodAutoscaler per workload (recommendations, or automatic resizing)."""

    enabled: bool = Field(True, description="Emit a VerticalPodAutoscaler per Deployment/StatefulSet/DaemonSet.")
    update_mode: Literal["Off", "Initial", "Recreate", "InPlaceOrRecreate", "Auto"] = Field(
        "Off", description="updatePolicy.updateMode; Off = recommendations only (a `vpa` hint overrides it per job).")
    min_factor: float = Field(0.5, gt=0, description="minAllowed = request x factor.")
    max_factor: float = Field(4.0, gt=0, description="maxAllowed = limit (or request) x factor.")
    min_allowed: dict[str, str] = Field(
        default_factory=dict, description="Fixed minAllowed per resource (cpu, memory); wins over min_factor.")
    max_allowed: dict[str, str] = Field(
        default_factory=dict, description="Fixed maxAllowed per resource (cpu, memory); wins over max_factor.")


class PortSettings(_Section):
    """Nomad static ports and dynamic ports without `to`."""

    static_port_policy: Literal["NodePort", "hostPort"] = Field(
        "NodePort", description="What a Nomad static port becomes.")
    dynamic_port_base: int = Field(
        8080, description="Container port chosen for a dynamic port that has no `to` (the app must listen there).")
    node_port_range: PortRange = Field(
        "30000-32767", description="The cluster's NodePort range (kube-apiserver --service-node-port-range): "
        "static ports inside it keep their number, others get a free one inside it, unique over the run.")


class TerraformSettings(_Section):
    """The Terraform emitter's provider pins."""

    kubernetes_provider_version: str = Field("~> 2.35", description="hashicorp/kubernetes provider constraint.")
    kubectl_provider_version: str = Field("~> 2.1", description="kubectl provider constraint (for custom resources).")
    image_tag_variables: bool = Field(False, description="One `image_tag` variable per image.")
    vault_provider_version: str = Field("~> 4.4", description="hashicorp/vault provider constraint (the cluster "
                                        "kit's vault_policy and Kubernetes auth role).")


class PolicySettings(_Section):
    """What Consul intentions become."""

    target: Literal["cilium", "kubernetes", "istio", "linkerd"] = Field(
        "cilium", description="Policy kind: CiliumNetworkPolicy, NetworkPolicy, Istio or Linkerd authorization.")
    default_policy: Literal["allow", "deny"] = Field("allow", description="Consul's ACL default policy.")
    service_account_pattern: str = Field(
        "{service}", description="ServiceAccount name per service (Istio/Linkerd principals).")
    trust_domain: str = Field("cluster.local", description="Mesh trust domain in Istio principals.")
    any_port: bool = Field(False, description="Allow destinations whose ports are unknown on any port.")


def _dns_servers(value: list[str]) -> list[str]:
    """CoreDNS `forward` takes IP addresses (with an optional port), not host names."""
    import ipaddress

    for server in value:
        host, port = server, ""
        if server.startswith("["):  # [IPv6]:port
            host, _, port = server[1:].partition("]")
            port = port.removeprefix(":")
        elif server.count(":") == 1:
            host, port = server.split(":")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"{server!r} is not an IP address with an optional port (CoreDNS forwards to "
                             "addresses, e.g. 10.0.0.2:8600)") from None
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(f"{server!r}: the port is not a number between 1 and 65535")
    return value


class ClusterKitSettings(_Section):
    """The cluster-side pieces generated under OUT/_cluster/ (the secret store and its Vault policy, static
    volumes for existing data, the hybrid-period DNS pieces)."""

    enabled: bool = Field(True, description="Generate the cluster kit at all.")
    secret_store: bool = Field(True, description="The ClusterSecretStore/SecretStore the ExternalSecrets reference, "
                               "its Vault policy (read on exactly their KV paths) and vault-install.sh.")
    vault_address: str | None = Field(
        None, description="Vault address the store connects to; null = a placeholder and an open action.")
    kv_version: Literal[1, 2] = Field(2, description="Version of the KV engine at secrets.kv_mount.")
    auth_mount: str = Field("kubernetes", description="Vault Kubernetes auth mount path.")
    auth_role: str = Field("external-secrets", description="Vault role the store logs in with (also the policy name).")
    service_account: str = Field("external-secrets", description="ServiceAccount the store authenticates as.")
    service_account_namespace: str = Field(
        "external-secrets", description="Namespace of that ServiceAccount (where External Secrets runs).")
    static_volumes: bool = Field(True, description="A PersistentVolume bound to each claim whose Nomad volume's data "
                                 "must survive and whose location is known (CSI external_id, NFS context, host path).")
    csi_drivers: dict[str, str] = Field(
        default_factory=dict, description="Nomad CSI plugin_id -> the Kubernetes CSI driver name of the same storage "
        "(e.g. {gluster: org.gluster.glusterfs}), for a static PV with the volume's external_id as volumeHandle.")
    host_volume_nodes: dict[str, str] = Field(
        default_factory=dict, description="Nomad host volume name -> the node (kubernetes.io/hostname) holding its "
        "directory (storage.host_volumes), for the static hostPath PV's nodeAffinity.")
    copy_jobs: bool = Field(False, description="Copy route instead of binding: a suspended Job per claim that copies "
                            "the Nomad volume's data (mounted read-only through its own PV) into the new claim.")
    copy_image: str = Field("docker.io/library/alpine:3.20",
                            description="Image of the data-copy Jobs (rsync is installed at start when missing).")
    external_names: Literal["externalname", "none"] = Field(
        "externalname", description="Consul services the converted ones call but the run did not convert: an "
        "ExternalName Service to <name>.service.consul per calling namespace, or none (resolve them yourself).")
    consul_dns_servers: Annotated[list[str], AfterValidator(_dns_servers)] = Field(
        default_factory=list, description="Consul DNS servers (IP[:port], e.g. 10.0.0.2:8600) the cluster's CoreDNS "
        "forwards the `consul` domain to during the hybrid period; empty = no forward (and an open action).")
    dns_flavor: Literal["k3s", "vanilla"] = Field(
        "vanilla", description="Form of the CoreDNS forward: k3s (the coredns-custom ConfigMap, key consul.server) "
        "or vanilla (a Corefile server-block snippet to add to the coredns ConfigMap).")


class Profile(_Section):
    namespace: NamespacePolicy = Field(default_factory=NamespacePolicy, description=NamespacePolicy.__doc__)
    hosts: HostRewrite = Field(default_factory=HostRewrite, description=HostRewrite.__doc__)
    ingress: IngressSettings = Field(default_factory=IngressSettings, description=IngressSettings.__doc__)
    storage: StorageSettings = Field(default_factory=StorageSettings, description=StorageSettings.__doc__)
    workload: WorkloadSettings = Field(default_factory=WorkloadSettings, description=WorkloadSettings.__doc__)
    placement: PlacementSettings = Field(default_factory=PlacementSettings, description=PlacementSettings.__doc__)
    gpu: GpuSettings = Field(default_factory=GpuSettings, description=GpuSettings.__doc__)
    secrets: SecretSettings = Field(default_factory=SecretSettings, description=SecretSettings.__doc__)
    resources: ResourceSettings = Field(default_factory=ResourceSettings, description=ResourceSettings.__doc__)
    vpa: VpaSettings = Field(default_factory=VpaSettings, description=VpaSettings.__doc__)
    ports: PortSettings = Field(default_factory=PortSettings, description=PortSettings.__doc__)
    terraform: TerraformSettings = Field(default_factory=TerraformSettings, description=TerraformSettings.__doc__)
    policies: PolicySettings = Field(default_factory=PolicySettings, description=PolicySettings.__doc__)
    cluster_kit: ClusterKitSettings = Field(default_factory=ClusterKitSettings, description=ClusterKitSettings.__doc__)
    kubernetes_version: str = Field(
        "1.33", pattern=r"^1\.\d+$", description="Target cluster version (native sidecars need >= 1.29).")
    cluster_domain: DnsSubdomain = Field(
        "cluster.local",
        description="The cluster's DNS domain: Service names are <service>.<namespace>.svc.<cluster_domain>.")
    image_pull_secrets: list[str] = Field(
        default_factory=list, description="Secret names added as imagePullSecrets to every pod spec.")
    labels: dict[str, str] = Field(
        default_factory=dict, description="Extra labels on every object and pod template (the mapper's labels win).")
    annotations: dict[str, str] = Field(
        default_factory=dict, description="Extra annotations on every object and pod template.")
    verdict: Annotated[dict[str, SeverityName], AfterValidator(_verdict_codes)] = Field(
        default_factory=dict,
        description="Review severity of a ledger code at this site, replacing the catalogue's (docs/CODES.md): "
        "code -> blocker, action, review or info, e.g. {N2K-VOLUME-DATA: blocker}. Blockers make a service NO-GO, "
        "actions GO after actions; security escalations stay at least review.")
    placeholder_image: str = Field(
        "registry.invalid/nomad2k8s/{driver}-{task}:replace-me",
        description="Image for tasks whose driver has no container image (exec, raw_exec, java...).",
    )
