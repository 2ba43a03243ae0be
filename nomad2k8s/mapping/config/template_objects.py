"""The state one group's templates build up, and the objects it becomes.

GroupTemplates collects the ConfigMap keys, Secret files and mounts of every template of a group;
emit() turns them into the ConfigMap, the volumes and mounts, and the ExternalSecrets. A TemplateAccount
(a ledger account, ledger/account.py) folds what became of one template's content into its ledger entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.ledger import Account, Status, Target
from nomad2k8s.mapping.config.externalsecrets import ExternalSecrets, RemoteRef
from nomad2k8s.mapping.core import runtime
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.podspec import add_mount, add_volume

CHECKSUM_ANNOTATION = "checksum/config"


@dataclass
class TemplateAccount(Account):
    """The account of one template's content: what its parts became (notes: changed; decisions),
    where it went, and whether it reads secrets (which decides the entry's code)."""

    uses_secrets: bool = False
    hint: str = ""  # a specific way to settle the decisions, ahead of the generic one

    def apply(self, result: runtime.RewriteResult, unresolved: str) -> None:
        """A runtime rewrite: each rewrite listed (changed), what is left a decision; a bind port the
        batch pass may replace a pending decision."""
        for note in result.notes:
            if note.status is Status.NEEDS_DECISION:
                self.decide(note.message, pending=note.pending)
            else:
                self.note(Status.CHANGED, note.message)
        for expr in result.remaining:
            self.decide(unresolved.format(expr=expr))
        for item in result.pending:
            self.wait_for(item)
        for item in result.consul:
            self.wait_for_consul(item)


def new_account(gctx: GroupContext, path: str) -> TemplateAccount:
    """The code and message are chosen when the content is recorded (template_record.record_content);
    the text was rewritten either way, so once the batch settles the ports it is at least changed."""
    return TemplateAccount(gctx.ledger, path, "", floor=Status.CHANGED)


@dataclass
class GroupTemplates:
    gctx: GroupContext
    secrets: ExternalSecrets
    config: dict[str, str] = field(default_factory=dict)  # ConfigMap key -> text
    config_modes: dict[str, int] = field(default_factory=dict)
    secret_modes: dict[tuple[str, str], int] = field(default_factory=dict)
    config_mounts: list[tuple[k8s.V1Container, str, str]] = field(default_factory=list)
    secret_mounts: list[tuple[k8s.V1Container, str, str, str]] = field(default_factory=list)
    restart_on_config: bool = False
    refs: dict[tuple[str, str], dict] = field(default_factory=dict)  # (kind, path) -> live-check reference

    @property
    def configmap_name(self) -> str:
        return template_configmap(self.gctx)

    def note_ref(self, kind: str, path: str, nomad_path: str, key: str | None = None, whole: bool = False) -> None:
        ref = self.refs.setdefault((kind, path), {"kind": kind, "path": path, "keys": [], "range": False,
                                                  "nomad_paths": []})
        if key is not None and key not in ref["keys"]:
            ref["keys"].append(key)
        ref["range"] = ref["range"] or whole
        if nomad_path not in ref["nomad_paths"]:
            ref["nomad_paths"].append(nomad_path)


def template_configmap(gctx: GroupContext) -> str:
    """Name of the workload's ConfigMap of rendered template files."""
    return dns_label(f"{gctx.workload_name}-config", max_len=253)


def container_target(gctx: GroupContext, container: k8s.V1Container, field: str | None = None) -> Target:
    return Target(gctx.kind, gctx.workload_name, container=container.name, field=field)


def remote_problem(outcome: TemplateAccount, remote: RemoteRef) -> None:
    if remote.problem:
        outcome.decide(remote.problem)


def secret_env(name: str, secret_name: str, key: str) -> k8s.V1EnvVar:
    return k8s.V1EnvVar(name=name, value_from=k8s.V1EnvVarSource(
        secret_key_ref=k8s.V1SecretKeySelector(name=secret_name, key=key)))


def config_checksum(data: dict[str, str]) -> str:
    """The ConfigMap content digest that rolls the pods when a file changes."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def emit(gt: GroupTemplates) -> None:
    gctx = gt.gctx
    if gt.config:
        data = dict(sorted(gt.config.items()))
        gctx.add_object(k8s.V1ConfigMap(
            api_version="v1", kind="ConfigMap", data=data,
            metadata=k8s.V1ObjectMeta(name=gt.configmap_name, namespace=gctx.profile.namespace.name,
                                      labels=dict(gctx.labels))))
        items = [k8s.V1KeyToPath(key=k, path=k, mode=gt.config_modes.get(k)) for k in data]
        add_volume(gctx, k8s.V1Volume(name="nomad-templates", config_map=k8s.V1ConfigMapVolumeSource(
            name=gt.configmap_name, items=items)))
        for container, key, mount_path in gt.config_mounts:
            add_mount(container, k8s.V1VolumeMount(name="nomad-templates", mount_path=mount_path, sub_path=key,
                                                   read_only=True))
        if gt.restart_on_config:
            gctx.pod_annotations[CHECKSUM_ANNOTATION] = config_checksum(data)
    by_secret: dict[str, list[str]] = {}
    for _, secret_name, key, _ in gt.secret_mounts:
        by_secret.setdefault(secret_name, [])
        if key not in by_secret[secret_name]:
            by_secret[secret_name].append(key)
    for secret_name, keys in sorted(by_secret.items()):
        items = [k8s.V1KeyToPath(key=k, path=k, mode=gt.secret_modes.get((secret_name, k))) for k in sorted(keys)]
        add_volume(gctx, k8s.V1Volume(name=dns_label(f"tpl-{secret_name}"), secret=k8s.V1SecretVolumeSource(
            secret_name=secret_name, items=items)))
    for container, secret_name, key, mount_path in gt.secret_mounts:
        add_mount(container, k8s.V1VolumeMount(name=dns_label(f"tpl-{secret_name}"), mount_path=mount_path,
                                               sub_path=key, read_only=True))
    for obj in gt.secrets.objects():
        gctx.add_object(obj)
