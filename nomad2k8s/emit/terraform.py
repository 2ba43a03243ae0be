"""Terraform emitter: the mappers' Kubernetes objects as one Terraform module per service.

It never looks at Nomad. Like k2tf, a generic walker turns each object into a typed
`kubernetes_*_v1` resource (field-name and type exceptions: emit/tf_schema.py); custom
resources become `kubectl_manifest` with `yaml_body = yamlencode({...})` as an object literal,
so reviewers read values and `terraform plan` works before the CRD is installed.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..profile import Profile
from ..text import snake_case
from . import tf_schema as schema
from .hcl import Attr, Block, Call, Raw, is_identifier, quote, render_file
from .yaml_out import _ordered

MODULE_FILES = ("main.tf", "secrets.tf", "vpa.tf", "policies.tf", "variables.tf", "outputs.tf", "versions.tf")


def resource_label(text: str) -> str:
    label = re.sub(r"[^a-z0-9_]+", "_", snake_case(text)).strip("_") or "object"
    return label if label[0].isalpha() or label[0] == "_" else f"r_{label}"


# ---- variables: the values a reviewer is likely to change per environment -------------------

class Variables:
    """Module inputs and where they replace literal values in the objects."""

    def __init__(self, objects: list[dict[str, Any]], profile: Profile) -> None:
        namespaces = [o.get("metadata", {}).get("namespace") for o in objects]
        # kube-system holds the cluster's own configuration (the kit's CoreDNS ConfigMap), not the module's objects.
        self.namespace = next((n for n in namespaces if n and n != "kube-system"), profile.namespace.name)
        self.images: dict[str, tuple[str, str, str]] = {}  # image -> (variable, repository, tag)
        self.hosts: dict[str, str] = {}  # host -> variable
        if profile.terraform.image_tag_variables:
            self._collect_images(objects)
        for obj in objects:
            if obj.get("kind") == "Ingress":
                spec = obj.get("spec", {})
                hosts = [r.get("host") for r in spec.get("rules", [])]
                hosts += [h for t in spec.get("tls", []) for h in t.get("hosts", [])]
                for host in hosts:
                    if host and host not in self.hosts:
                        self.hosts[host] = "hostname" if not self.hosts else f"hostname_{len(self.hosts) + 1}"

    def _collect_images(self, objects: list[dict[str, Any]]) -> None:
        images: list[str] = []
        for obj in objects:
            for container in _containers(obj):
                image = container.get("image", "")
                if image not in images and re.search(r":[\w][\w.-]*$", image.rsplit("/", 1)[-1]) \
                        and "@" not in image:
                    images.append(image)
        single_repo = len({i.rsplit(":", 1)[0] for i in images}) == 1
        taken: set[str] = set()
        for image in images:
            repo, tag = image.rsplit(":", 1)
            name = "image_tag" if single_repo else resource_label(repo.rsplit("/", 1)[-1]) + "_image_tag"
            base, n = name, 2
            while name in taken:
                name, n = f"{base}_{n}", n + 1
            taken.add(name)
            self.images[image] = (name, repo, tag)

    def blocks(self) -> list[Block]:
        out = [_variable("namespace", "Kubernetes namespace of every object in this module", self.namespace)]
        for image, (name, repo, tag) in self.images.items():
            out.append(_variable(name, f"Tag of the container image {repo}", tag))
        for host, name in self.hosts.items():
            out.append(_variable(name, "External hostname served by the Ingress", host))
        return out

    def parametrize(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A copy of `obj` with Raw references where a variable stands for a literal."""
        obj = copy.deepcopy(obj)
        meta = obj.get("metadata", {})
        if meta.get("namespace") == self.namespace:
            meta["namespace"] = Raw("var.namespace")
        for container in _containers(obj):
            image = container.get("image")
            if image in self.images:
                name, repo, _ = self.images[image]
                container["image"] = Raw(quote(repo + ":")[:-1] + "${var." + name + '}"')
        if obj.get("kind") == "Ingress":
            spec = obj.get("spec", {})
            for rule in spec.get("rules", []):
                if rule.get("host") in self.hosts:
                    rule["host"] = Raw("var." + self.hosts[rule["host"]])
            for tls in spec.get("tls", []):
                tls["hosts"] = [Raw("var." + self.hosts[h]) if h in self.hosts else h for h in tls.get("hosts", [])]
        return obj


def _variable(name: str, description: str, default: str) -> Block:
    return Block("variable", [name], [Attr("description", description), Attr("type", Raw("string")),
                                      Attr("default", default)])


def _pod_specs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = obj.get("spec", {})
    if obj.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    pod = spec.get("template", {}).get("spec")
    return [pod] if isinstance(pod, dict) else []


def _containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for pod in _pod_specs(obj) for key in ("initContainers", "containers") for c in pod.get(key, [])]


# ---- the walker --------------------------------------------------------------------------------

def _attr_order(name: str) -> tuple[bool, bool, str]:
    return name != "name", name != "namespace", name


def _body(value: dict[str, Any], model: str | None) -> list[Attr | Block]:
    """A Kubernetes object (camelCase dict) as the provider's block body."""
    attrs: list[Attr] = []
    blocks: list[Block] = []
    for key, item in value.items():
        ftype = schema.field_type(model, key)
        name = schema.hcl_name(model, key)
        if ftype.kind == "map" or (isinstance(item, dict) and ftype.kind == "unknown"
                                   and any(not is_identifier(k) for k in item)):
            attrs.append(Attr(name, dict(sorted(item.items()))))
        elif isinstance(item, dict):
            blocks.append(Block(name, [], _body(item, ftype.model)))
        elif isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
            blocks += [Block(name, [], _body(i, ftype.model)) for i in item]
        elif isinstance(item, list):
            attrs.append(Attr(name, [schema.encode_scalar(model, key, i) for i in item]))
        else:
            attrs.append(Attr(name, schema.encode_scalar(model, key, item)))
    attrs.sort(key=lambda a: _attr_order(a.name))
    order = sorted({b.type for b in blocks}, key=lambda t: (t != "metadata", t != "spec", t))
    return attrs + [b for t in order for b in blocks if b.type == t]


def _typed(obj: dict[str, Any], raw: frozenset[str]) -> tuple[str, str] | None:
    return None if obj.get("kind") in raw else schema.resource_for(obj.get("apiVersion", ""), obj.get("kind", ""))


def resource_block(obj: dict[str, Any], label: str, raw: frozenset[str] = frozenset()) -> Block:
    """`raw`: kinds written as kubectl_manifest even where a typed resource exists."""
    typed = _typed(obj, raw)
    if typed is None:
        yaml_body = Call("yamlencode", _ordered(obj, top=True))
        return Block("resource", [schema.MANIFEST_TYPE, label], [Attr("yaml_body", yaml_body)])
    rtype, model = typed
    fields = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "status")}
    body = _body(fields, model)
    # metadata first, as in the provider's examples
    body.sort(key=lambda item: not (isinstance(item, Block) and item.type == "metadata"))
    return Block("resource", [rtype, label], body)


def _labels(objects: list[dict[str, Any]], raw: frozenset[str] = frozenset()) -> list[str]:
    """Unique resource names: snake_case object names (kind-prefixed for kubectl_manifest)."""
    used: set[tuple[str, str]] = set()
    labels = []
    for obj in objects:
        name = obj.get("metadata", {}).get("name", "object")
        typed = _typed(obj, raw)
        rtype = typed[0] if typed else schema.MANIFEST_TYPE
        label = resource_label(name if typed else f"{obj.get('kind', '')}_{name}")
        base, n = label, 2
        while (rtype, label) in used:
            label, n = f"{base}_{n}", n + 1
        used.add((rtype, label))
        labels.append(label)
    return labels


def module_files(objects: list[dict[str, Any]], profile: Profile | None = None,
                 providers: dict[str, dict[str, str]] | None = None,
                 raw: frozenset[str] = frozenset()) -> dict[str, str]:
    """DIR/<service>/*.tf for one service; files that would be empty are left out. `providers`: more
    required providers (the cluster kit's vault); `raw`: kinds written as kubectl_manifest."""
    profile = profile or Profile()
    variables = Variables(objects, profile)
    by_file: dict[str, list[Block]] = {}
    service_resource = None
    for obj, label in zip(objects, _labels(objects, raw)):
        block = resource_block(variables.parametrize(obj), label, raw)
        by_file.setdefault(schema.FILE_BY_KIND.get(obj.get("kind", ""), "main.tf"), []).append(block)
        if obj.get("kind") == "Service" and service_resource is None:
            service_resource = f"{block.labels[0]}.{label}"
    by_file["variables.tf"] = variables.blocks()
    by_file["outputs.tf"] = _outputs(service_resource, variables)
    by_file["versions.tf"] = [_versions(profile, providers or {})]
    return {name: render_file(by_file[name]) for name in MODULE_FILES if by_file.get(name)}


def _outputs(service_resource: str | None, variables: Variables) -> list[Block]:
    out = []
    if service_resource:
        out.append(Block("output", ["service_name"], [Attr("description", "Kubernetes Service name"),
                                                       Attr("value", Raw(f"{service_resource}.metadata[0].name"))]))
    if "hostname" in variables.hosts.values():
        out.append(Block("output", ["hostname"], [Attr("description", "External hostname"),
                                                   Attr("value", Raw("var.hostname"))]))
    out.append(Block("output", ["namespace"], [Attr("description", "Namespace the objects are deployed to"),
                                                Attr("value", Raw("var.namespace"))]))
    return out


def _versions(profile: Profile, more: dict[str, dict[str, str]]) -> Block:
    providers = {
        "kubectl": {"source": "alekc/kubectl", "version": profile.terraform.kubectl_provider_version},
        "kubernetes": {"source": "hashicorp/kubernetes", "version": profile.terraform.kubernetes_provider_version},
        **more,
    }
    return Block("terraform", [], [Block("required_providers", [], [Attr(k, v) for k, v in providers.items()])])


def root_module(modules: list[tuple[str, str]]) -> str:
    """DIR/main.tf wiring every service module: (module name, relative source path)."""
    return render_file([Block("module", [name], [Attr("source", source)]) for name, source in modules])


def module_name(service: str, taken: set[str], prefix: str = "") -> str:
    """A unique module name: the service name when it is an identifier, else a snake_case form."""
    name = service if is_identifier(service) else resource_label(service)
    if name in taken and prefix:
        name = resource_label(f"{prefix}_{service}")
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name
