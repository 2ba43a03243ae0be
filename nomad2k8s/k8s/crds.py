"""Builders for the custom resources the mappers emit (no client models exist for them).

Each builder owns its resource's apiVersion, kind and field layout, so mappers pass typed values
instead of writing nested dicts by hand. They return plain camelCase dicts (what the store holds
and the emitters serialize) with keys in the order the manifests list them.
"""

from __future__ import annotations

from typing import Any

Object = dict[str, Any]

TRAEFIK_API = "traefik.io/v1alpha1"
VPA_API = "autoscaling.k8s.io/v1"


def metadata(name: str, namespace: str | None, labels: dict[str, str] | None,
             annotations: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels}
    if annotations:
        out["annotations"] = annotations
    return out


# External Secrets Operator --------------------------------------------------------------------
def external_secret(*, api_version: str, metadata: dict[str, Any], refresh_interval: str, store_kind: str,
                    store_name: str, target: str, data: list[dict[str, Any]] | None = None,
                    extract_key: str | None = None, template_data: dict[str, str] | None = None) -> Object:
    """An ExternalSecret writing Secret `target`: `data` (secretKey/remoteRef items), or every key of the
    remote secret `extract_key`; `template_data` renders files next to the plain keys (merge policy)."""
    target_spec: dict[str, Any] = {"name": target, "creationPolicy": "Owner"}
    spec: dict[str, Any] = {
        "refreshInterval": refresh_interval,
        "secretStoreRef": {"kind": store_kind, "name": store_name},
        "target": target_spec,
    }
    if data is not None:
        spec["data"] = data
    if template_data:
        target_spec["template"] = {
            "engineVersion": "v2",
            "mergePolicy": "Merge",  # keep the plain keys (env vars) next to the rendered files
            "data": template_data,
        }
    if extract_key is not None:
        spec["dataFrom"] = [{"extract": {"key": extract_key}}]
    return {"apiVersion": api_version, "kind": "ExternalSecret", "metadata": metadata, "spec": spec}


# Vertical Pod Autoscaler ----------------------------------------------------------------------
def vpa_container_policy(container: str, *, off: bool = False, min_allowed: dict[str, str] | None = None,
                         max_allowed: dict[str, str] | None = None) -> dict[str, Any]:
    policy: dict[str, Any] = {"containerName": container}
    if off:
        policy["mode"] = "Off"
    if min_allowed:
        policy["minAllowed"] = min_allowed
    if max_allowed:
        policy["maxAllowed"] = max_allowed
    return policy


def vertical_pod_autoscaler(*, metadata: dict[str, Any], target_kind: str, target_name: str, update_mode: str,
                            container_policies: list[dict[str, Any]]) -> Object:
    return {
        "apiVersion": VPA_API,
        "kind": "VerticalPodAutoscaler",
        "metadata": metadata,
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": target_kind, "name": target_name},
            "updatePolicy": {"updateMode": update_mode},
            "resourcePolicy": {"containerPolicies": container_policies},
        },
    }


# Traefik --------------------------------------------------------------------------------------
def ingress_route(*, metadata: dict[str, Any], routes: list[dict[str, Any]], entry_points: list[str] | None = None,
                  tls: dict[str, Any] | None = None) -> Object:
    spec: dict[str, Any] = {"routes": routes}
    if entry_points:
        spec["entryPoints"] = entry_points
    if tls is not None:
        spec["tls"] = tls
    return {"apiVersion": TRAEFIK_API, "kind": "IngressRoute", "metadata": metadata, "spec": spec}


def middleware(*, metadata: dict[str, Any], middleware_type: str, options: dict[str, Any]) -> Object:
    """A Traefik Middleware of one type (its spec field, e.g. `stripPrefix`) with its options."""
    return {"apiVersion": TRAEFIK_API, "kind": "Middleware", "metadata": metadata, "spec": {middleware_type: options}}
