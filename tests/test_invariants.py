"""Cross-object invariants over converted objects: every Service selects an emitted pod and targets
its named ports, routes name existing Services/ports, probes use declared named ports, mounts name
pod volumes, no duplicate env names/mountPaths/volumes, and ConfigMap/Secret volume items name keys
the emitted ConfigMap/Secret has. Checked on a table of hand-made objects (the checker itself), on
the committed goldens, and on the whole corpus (skipped when ../shared is absent).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.corpus_fixture import CorpusRun
from tests.support import CORPUS_JOBS, GENERATED

Violation = tuple[str, str, str]
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


def _pod(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(workload spec holding the template, pod template) of a workload object."""
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec, spec["template"]


def _containers(pod_spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind in ("initContainers", "containers"):
        for container in pod_spec.get(kind) or []:
            yield kind, container


def _serving(pod_spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Containers that run beside the app: main containers and native sidecars."""
    yield from pod_spec.get("containers") or []
    yield from (c for c in pod_spec.get("initContainers") or [] if c.get("restartPolicy") == "Always")


def _duplicates(values: list[Any]) -> list[Any]:
    return sorted((v for v, n in Counter(values).items() if n > 1), key=str)


def _secret_keys(by_kind: dict[str, dict[str, dict]]) -> dict[str, set[str] | None]:
    """Secret name -> its keys (None: unknown, e.g. ExternalSecret dataFrom)."""
    keys: dict[str, set[str] | None] = {}
    for name, obj in by_kind.get("Secret", {}).items():
        keys[name] = set(obj.get("data") or {}) | set(obj.get("stringData") or {})
    for name, obj in by_kind.get("ExternalSecret", {}).items():
        spec = obj["spec"]
        target = spec.get("target") or {}
        template = target.get("template") or {}
        found: set[str] | None = {d["secretKey"] for d in spec.get("data") or []}
        if template.get("data"):
            merged = template.get("mergePolicy") == "Merge"
            found = (found | set(template["data"])) if merged else set(template["data"])
        if spec.get("dataFrom"):
            found = None
        keys[target.get("name", name)] = found
    return keys


def _pod_checks(where: str, workload: dict[str, Any], by_kind: dict, secrets: dict) -> Iterator[Violation]:
    spec, template = _pod(workload)
    pod_spec = template["spec"]
    volumes = [v["name"] for v in pod_spec.get("volumes") or []]
    for name in _duplicates(volumes):
        yield "volume-defined-twice", where, name
    known = set(volumes) | {c["metadata"]["name"] for c in spec.get("volumeClaimTemplates") or []}
    for kind, container in _containers(pod_spec):
        at = f"{where} {kind}/{container['name']}"
        for name in _duplicates([e["name"] for e in container.get("env") or []]):
            yield "duplicate-env", at, name
        mounts = container.get("volumeMounts") or []
        for path in _duplicates([m["mountPath"] for m in mounts]):
            yield "duplicate-mountpath", at, path
        for mount in mounts:
            if mount["name"] not in known:
                yield "mount-without-volume", at, mount["name"]
        port_names = {p["name"] for p in container.get("ports") or [] if p.get("name")}
        for probe_kind in ("readinessProbe", "livenessProbe", "startupProbe"):
            probe = container.get(probe_kind) or {}
            for action in ("httpGet", "tcpSocket"):
                port = (probe.get(action) or {}).get("port")
                if isinstance(port, str) and port not in port_names:
                    yield "probe-port-name-missing", at, f"{probe_kind} {port} (ports: {sorted(port_names)})"
    configmaps = by_kind.get("ConfigMap", {})
    for volume in pod_spec.get("volumes") or []:
        source = volume.get("configMap")
        if source and source["name"] in configmaps:
            cm = configmaps[source["name"]]
            have = set(cm.get("data") or {}) | set(cm.get("binaryData") or {})
            for item in source.get("items") or []:
                if item["key"] not in have:
                    yield "configmap-item-key-missing", where, f"{source['name']}/{item['key']}"
        source = volume.get("secret")
        if source and secrets.get(source["secretName"]) is not None:
            for item in source.get("items") or []:
                if item["key"] not in secrets[source["secretName"]]:
                    yield "secret-item-key-missing", where, f"{source['secretName']}/{item['key']}"


def _service_checks(name: str, service: dict[str, Any], pods: list[dict[str, Any]]) -> Iterator[Violation]:
    where = f"Service/{name}"
    selector = service["spec"].get("selector")
    if not selector:
        return  # headless/external Services without a selector select nothing by design
    selected = [p for p in pods if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())]
    if not selected:
        yield "service-selects-no-pod", where, str(selector)
        return
    names = {p["name"] for pod in selected for c in _serving(pod["spec"]) for p in c.get("ports") or []
             if p.get("name")}
    for port in service["spec"].get("ports") or []:
        target = port.get("targetPort")
        if isinstance(target, str) and target not in names:
            yield "service-target-port-missing", where, f"{target} (pod ports: {sorted(names)})"


def _backend(services: dict[str, dict], where: str, name: str, port: Any) -> Iterator[Violation]:
    service = services.get(name)
    if service is None:
        yield "route-service-missing", where, name
        return
    ports = service["spec"].get("ports") or []
    if port not in [p["port"] for p in ports] + [p.get("name") for p in ports]:
        yield "route-port-missing", where, f"{name}:{port}"


def _route_checks(by_kind: dict[str, dict[str, dict]]) -> Iterator[Violation]:
    services = by_kind.get("Service", {})
    for name, ingress in by_kind.get("Ingress", {}).items():
        for rule in ingress["spec"].get("rules") or []:
            for path in (rule.get("http") or {}).get("paths") or []:
                backend = path["backend"]["service"]
                port = backend["port"].get("number", backend["port"].get("name"))
                yield from _backend(services, f"Ingress/{name}", backend["name"], port)
    for kind in ("IngressRoute", "IngressRouteTCP", "IngressRouteUDP"):
        for name, route_obj in by_kind.get(kind, {}).items():
            for route in route_obj["spec"].get("routes") or []:
                for target in route.get("services") or []:
                    if target.get("kind", "Service") == "Service":
                        yield from _backend(services, f"{kind}/{name}", target["name"], target.get("port"))


def violations(objects: list[dict[str, Any]]) -> list[Violation]:
    by_kind: dict[str, dict[str, dict]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
    secrets = _secret_keys(by_kind)
    found: list[Violation] = []
    pods = []
    for kind in WORKLOAD_KINDS:
        for name, workload in by_kind.get(kind, {}).items():
            found += _pod_checks(f"{kind}/{name}", workload, by_kind, secrets)
            pods.append(_pod(workload)[1])
    for name, service in by_kind.get("Service", {}).items():
        found += _service_checks(name, service, pods)
    found += _route_checks(by_kind)
    return found


# --- the checker, on hand-made objects -------------------------------------------------------------

def _deployment(ports=(("http", 80),), mounts=(("data", "/d"),), volumes=("data",), env=("A",),
                probe_port="http", labels=None) -> dict[str, Any]:
    container = {"name": "app", "image": "a:1",
                 "ports": [{"name": n, "containerPort": p} for n, p in ports],
                 "volumeMounts": [{"name": n, "mountPath": m} for n, m in mounts],
                 "env": [{"name": e, "value": "1"} for e in env],
                 "readinessProbe": {"tcpSocket": {"port": probe_port}}}
    pod = {"metadata": {"labels": labels or {"app": "x"}},
           "spec": {"containers": [container], "volumes": [{"name": v, "emptyDir": {}} for v in volumes]}}
    return {"kind": "Deployment", "metadata": {"name": "x"}, "spec": {"selector": {"matchLabels": {"app": "x"}},
                                                                      "template": pod}}


def _service(target: Any = "http", selector=None) -> dict[str, Any]:
    return {"kind": "Service", "metadata": {"name": "x"},
            "spec": {"selector": selector or {"app": "x"}, "ports": [{"port": 80, "targetPort": target}]}}


def _ingress(service: str = "x", port: int = 80) -> dict[str, Any]:
    backend = {"service": {"name": service, "port": {"number": port}}}
    return {"kind": "Ingress", "metadata": {"name": "x"},
            "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": backend}]}}]}}


def _with_configmap_volume(key: str) -> list[dict[str, Any]]:
    deployment = _deployment()
    deployment["spec"]["template"]["spec"]["volumes"].append(
        {"name": "cfg", "configMap": {"name": "cfg", "items": [{"key": key, "path": key}]}})
    return [deployment, {"kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a.conf": ""}}]


@pytest.mark.parametrize("objects, codes", [
    ([_deployment(), _service(), _ingress()], []),
    ([_deployment(), _service(80)], []),  # numeric targetPort: need not be declared
    ([_deployment(labels={"app": "y"}), _service()], ["service-selects-no-pod"]),
    ([_deployment(), _service("metrics")], ["service-target-port-missing"]),
    ([_deployment(), _service(), _ingress("other")], ["route-service-missing"]),
    ([_deployment(), _service(), _ingress(port=81)], ["route-port-missing"]),
    ([_deployment(probe_port="admin")], ["probe-port-name-missing"]),
    ([_deployment(volumes=())], ["mount-without-volume"]),
    ([_deployment(volumes=("data", "data"))], ["volume-defined-twice"]),
    ([_deployment(env=("A", "A"))], ["duplicate-env"]),
    ([_deployment(mounts=(("data", "/d"), ("data", "/d")))], ["duplicate-mountpath"]),
    (_with_configmap_volume("a.conf"), []),
    (_with_configmap_volume("b.conf"), ["configmap-item-key-missing"]),
])
def test_checker_finds_each_violation(objects, codes) -> None:
    assert [code for code, _, _ in violations(objects)] == codes


# --- the committed goldens and the corpus ------------------------------------------------------------

def _golden_dirs() -> list[Path]:
    return sorted(p.parent for p in GENERATED.rglob("kustomization.yaml") if "terraform" not in p.parts)


def test_goldens_hang_together() -> None:
    found = []
    for directory in _golden_dirs():
        objects = [o for f in sorted(directory.glob("*.yaml")) if f.name != "kustomization.yaml"
                   for o in yaml.safe_load_all(f.read_text()) if o]
        found += [f"{directory.relative_to(GENERATED)} {w}: {c} {d}" for c, w, d in violations(objects)]
    assert _golden_dirs() and not found, "\n".join(found)


def test_corpus_objects_hang_together(corpus_yaml: CorpusRun) -> None:
    found = []
    for path, results in corpus_yaml.by_file().items():  # failed files: test_corpus_sweep checks them
        rel = str(path.relative_to(CORPUS_JOBS))
        found += [f"{rel} [{r.name}] {w}: {c} {d}" for r in results for c, w, d in violations(r.objects)]
    assert corpus_yaml.services and not found, f"{len(found)} violations:\n" + "\n".join(found[:40])
