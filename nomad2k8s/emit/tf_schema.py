"""Where the hashicorp/kubernetes provider (2.x, SDKv2 resources) departs from the Kubernetes API.

ONE table for the Terraform walker and its inverse (tests/tf_inverse.py). Everything not
listed follows the default rules: camelCase -> snake_case, object -> block, list of
objects -> repeated blocks, `map[string]string` -> HCL map, scalars and lists of scalars
-> attributes. Field types come from the `kubernetes` client models (the same OpenAPI the
API server publishes), so a field added by a mapper follows the rules without a code change.

Checked against the provider sources/docs (kubernetes/schema_container.go,
schema_pod_spec.go, docs/resources/*_v1.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

from kubernetes import client as k8s

from ..text import camel_case, snake_case

# (apiVersion, kind) -> (resource type, client model of the object)
RESOURCE_TYPES: dict[tuple[str, str], tuple[str, str]] = {
    ("apps/v1", "Deployment"): ("kubernetes_deployment_v1", "V1Deployment"),
    ("apps/v1", "StatefulSet"): ("kubernetes_stateful_set_v1", "V1StatefulSet"),
    ("apps/v1", "DaemonSet"): ("kubernetes_daemon_set_v1", "V1DaemonSet"),
    ("batch/v1", "Job"): ("kubernetes_job_v1", "V1Job"),
    ("batch/v1", "CronJob"): ("kubernetes_cron_job_v1", "V1CronJob"),
    ("v1", "Service"): ("kubernetes_service_v1", "V1Service"),
    ("v1", "ConfigMap"): ("kubernetes_config_map_v1", "V1ConfigMap"),
    ("v1", "Secret"): ("kubernetes_secret_v1", "V1Secret"),
    ("v1", "PersistentVolumeClaim"): ("kubernetes_persistent_volume_claim_v1", "V1PersistentVolumeClaim"),
    ("v1", "ServiceAccount"): ("kubernetes_service_account_v1", "V1ServiceAccount"),
    ("networking.k8s.io/v1", "Ingress"): ("kubernetes_ingress_v1", "V1Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"): ("kubernetes_network_policy_v1", "V1NetworkPolicy"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"): ("kubernetes_horizontal_pod_autoscaler_v2",
                                                    "V2HorizontalPodAutoscaler"),
    ("policy/v1", "PodDisruptionBudget"): ("kubernetes_pod_disruption_budget_v1", "V1PodDisruptionBudget"),
}
# Everything else (custom resources) becomes `kubectl_manifest` (alekc/kubectl).
MANIFEST_TYPE = "kubectl_manifest"

# (model, API field) -> provider name, where it is not snake_case(field). Mostly plural lists
# the provider writes as singular repeated blocks.
RENAMES: dict[tuple[str, str], str] = {
    ("V1PodSpec", "containers"): "container",
    ("V1PodSpec", "initContainers"): "init_container",
    ("V1PodSpec", "ephemeralContainers"): "ephemeral_container",
    ("V1PodSpec", "volumes"): "volume",
    ("V1PodSpec", "tolerations"): "toleration",
    ("V1PodSpec", "topologySpreadConstraints"): "topology_spread_constraint",
    ("V1PodSpec", "readinessGates"): "readiness_gate",
    ("V1PodDNSConfig", "options"): "option",
    ("V1PodSecurityContext", "sysctls"): "sysctl",
    ("V1Container", "ports"): "port",
    ("V1Container", "volumeMounts"): "volume_mount",
    ("V1Container", "volumeDevices"): "volume_device",
    ("V1HTTPGetAction", "httpHeaders"): "http_header",
    ("V1NodeSelector", "nodeSelectorTerms"): "node_selector_term",
    ("V1StatefulSetSpec", "volumeClaimTemplates"): "volume_claim_template",
    ("V1ServiceSpec", "ports"): "port",
    ("V1ServiceSpec", "clusterIPs"): "cluster_ips",  # snake_case() would say cluster_i_ps
    ("V1ServiceSpec", "externalIPs"): "external_ips",
    ("V1IngressSpec", "rules"): "rule",
    ("V1HTTPIngressRuleValue", "paths"): "path",
    ("V2HorizontalPodAutoscalerSpec", "metrics"): "metric",
    ("V2HPAScalingRules", "policies"): "policy",
    ("V1ServiceAccount", "imagePullSecrets"): "image_pull_secret",
    ("V1ServiceAccount", "secrets"): "secret",
    ("V1CronJobSpec", "timeZone"): "timezone",
    # The provider base64-encodes `data` itself; the API's (already encoded) `data` is its `binary_data`.
    ("V1Secret", "data"): "binary_data",
    ("V1Secret", "stringData"): "data",
}

# Integers the provider types as strings (to tell an explicit 0 from unset).
INT_AS_STRING: set[tuple[str, str]] = {
    ("V1DeploymentSpec", "replicas"),
    ("V1StatefulSetSpec", "replicas"),
    ("V1JobSpec", "ttlSecondsAfterFinished"),
    ("V1SecurityContext", "runAsUser"),
    ("V1SecurityContext", "runAsGroup"),
    ("V1PodSecurityContext", "runAsUser"),
    ("V1PodSecurityContext", "runAsGroup"),
    ("V1PodSecurityContext", "fsGroup"),
    ("V1Toleration", "tolerationSeconds"),
}

# File modes the provider takes as octal strings ("0644"); the API carries decimal integers.
OCTAL_MODES: set[tuple[str, str]] = {
    ("V1ConfigMapVolumeSource", "defaultMode"),
    ("V1SecretVolumeSource", "defaultMode"),
    ("V1DownwardAPIVolumeSource", "defaultMode"),
    ("V1ProjectedVolumeSource", "defaultMode"),
    ("V1KeyToPath", "mode"),
    ("V1DownwardAPIVolumeFile", "mode"),
}
# IntOrString fields (client type `object`: targetPort, httpGet/tcpSocket port, maxSurge,
# maxUnavailable, minAvailable, NetworkPolicy port) are strings in the provider.
INT_OR_STRING = "object"

# Which module file a kind goes to (default main.tf).
FILE_BY_KIND: dict[str, str] = {
    "ExternalSecret": "secrets.tf",
    "SecretStore": "secrets.tf",
    "Secret": "secrets.tf",
    "VerticalPodAutoscaler": "vpa.tf",
    "NetworkPolicy": "policies.tf",
    "CiliumNetworkPolicy": "policies.tf",
    "CiliumClusterwideNetworkPolicy": "policies.tf",
    "AuthorizationPolicy": "policies.tf",
    "Server": "policies.tf",
    "ServerAuthorization": "policies.tf",
    "MeshTLSAuthentication": "policies.tf",
}


# ---- field types from the kubernetes client models ------------------------------------------

class FieldType:
    """What the API says a field is: 'model' (object with a known model), 'list' (of `elem`),
    'map' (string map), 'intorstr', 'scalar', or 'unknown'."""

    __slots__ = ("kind", "model")

    def __init__(self, kind: str, model: str | None = None) -> None:
        self.kind, self.model = kind, model


_LIST = re.compile(r"^List\[(.+)\]$")


def _parse_type(spec: str) -> FieldType:
    m = _LIST.match(spec)
    if m:
        inner = _parse_type(m.group(1))
        return FieldType("list", inner.model)
    if spec.startswith("Dict["):
        return FieldType("map")
    if spec == INT_OR_STRING:
        return FieldType("intorstr")
    if hasattr(k8s, spec):
        return FieldType("model", spec)
    return FieldType("scalar")


@lru_cache(maxsize=None)
def _fields(model: str) -> dict[str, FieldType]:
    cls = getattr(k8s, model, None)
    if cls is None:
        return {}
    return {camel: _parse_type(cls.openapi_types[py]) for py, camel in cls.attribute_map.items()}


def field_type(model: str | None, key: str) -> FieldType:
    if model is None:
        return FieldType("unknown")
    return _fields(model).get(key, FieldType("unknown"))


def hcl_name(model: str | None, key: str) -> str:
    return RENAMES.get((model or "", key), snake_case(key))


@lru_cache(maxsize=None)
def _api_names(model: str) -> dict[str, str]:
    return {hcl_name(model, camel): camel for camel in _fields(model)}


def api_name(model: str | None, name: str) -> str:
    """Inverse of hcl_name: the API field a provider name stands for."""
    if model and name in _api_names(model):
        return _api_names(model)[name]
    return camel_case(name)


def resource_for(api_version: str, kind: str) -> tuple[str, str] | None:
    return RESOURCE_TYPES.get((api_version, kind))


def kind_for_resource(resource_type: str) -> tuple[str, str, str]:
    for (api_version, kind), (rtype, model) in RESOURCE_TYPES.items():
        if rtype == resource_type:
            return api_version, kind, model
    raise KeyError(resource_type)


def encode_scalar(model: str | None, key: str, value):
    """An API scalar as the provider types it."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    if (model, key) in OCTAL_MODES:
        return "0" + format(value, "o")
    if (model, key) in INT_AS_STRING or field_type(model, key).kind == "intorstr":
        return str(value)
    return value


def decode_scalar(model: str | None, key: str, value):
    """Inverse of encode_scalar."""
    if not isinstance(value, str):
        return value
    if (model, key) in OCTAL_MODES:
        return int(value, 8)
    if (model, key) in INT_AS_STRING:
        return int(value)
    if field_type(model, key).kind == "intorstr" and value.isdigit():
        return int(value)
    return value
