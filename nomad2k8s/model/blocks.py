"""Typed Nomad jobspec blocks. Field names are the jobspec's own keys.

Values are typed leniently (`int | str`) because an unresolved `${var.x}` may stand
where a number belongs; mappers decide what to do with such text.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import field_validator, model_validator

from .base import NomadBlock
from .docker import DockerConfig

Scalar = str | int | float | bool
Num = int | float | str


class Port(NomadBlock):
    static: Num | None = None
    to: Num | None = None
    host_network: str | None = None


class Dns(NomadBlock):
    servers: list[str] | None = None
    searches: list[str] | None = None
    options: list[str] | None = None


class Network(NomadBlock):
    mode: str | None = None
    port: list[Port] = []
    dns: Dns | None = None
    hostname: str | None = None
    mbits: Num | None = None


class Device(NomadBlock):
    count: Num | None = None
    constraint: list[Constraint] = []
    affinity: list[Affinity] = []


class Resources(NomadBlock):
    cpu: Num | None = None
    cores: Num | None = None
    memory: Num | None = None
    memory_max: Num | None = None
    disk: Num | None = None
    iops: Num | None = None
    network: list[Network] = []
    device: list[Device] = []


class CheckRestart(NomadBlock):
    limit: Num | None = None
    grace: str | None = None
    ignore_warnings: bool | None = None


class Check(NomadBlock):
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset({"header"})
    name: str | None = None
    type: str | None = None
    path: str | None = None
    port: Num | None = None
    protocol: str | None = None
    method: str | None = None
    header: dict[str, Any] | None = None
    body: str | None = None
    command: str | None = None
    args: list[str] | None = None
    interval: str | None = None
    timeout: str | None = None
    check_restart: CheckRestart | None = None
    expose: bool | None = None
    grpc_service: str | None = None
    grpc_use_tls: bool | None = None
    tls_skip_verify: bool | None = None
    initial_status: str | None = None
    address_mode: str | None = None
    task: str | None = None
    success_before_passing: Num | None = None
    failures_before_critical: Num | None = None
    on_update: str | None = None


class Upstream(NomadBlock):
    destination_name: str | None = None
    destination_namespace: str | None = None
    local_bind_port: Num | None = None
    local_bind_address: str | None = None
    datacenter: str | None = None


class Proxy(NomadBlock):
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset({"config"})
    upstreams: list[Upstream] = []
    local_service_address: str | None = None
    local_service_port: Num | None = None
    config: dict[str, Any] | None = None


class SidecarService(NomadBlock):
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset({"meta"})
    port: str | None = None
    tags: list[str] | None = None
    proxy: Proxy | None = None
    meta: dict[str, Any] | None = None


class Connect(NomadBlock):
    native: bool | None = None
    sidecar_service: SidecarService | None = None
    sidecar_task: dict[str, Any] | list[Any] | None = None
    gateway: dict[str, Any] | list[Any] | None = None


class Service(NomadBlock):
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset({"meta", "canary_meta"})
    name: str | None = None
    port: Num | None = None
    tags: list[str] | None = None
    canary_tags: list[str] | None = None
    provider: str | None = None
    address_mode: str | None = None
    address: str | None = None
    task: str | None = None
    meta: dict[str, Any] | None = None
    canary_meta: dict[str, Any] | None = None
    enable_tag_override: bool | None = None
    on_update: str | None = None
    check: list[Check] = []
    check_restart: CheckRestart | None = None  # service-level: applies to every check of the service
    connect: Connect | None = None


class Volume(NomadBlock):
    type: str | None = None
    source: str | None = None
    read_only: bool | None = None
    access_mode: str | None = None
    attachment_mode: str | None = None
    per_alloc: bool | None = None
    mount_options: dict[str, Any] | list[Any] | None = None


class VolumeMount(NomadBlock):
    volume: str | None = None
    destination: str | None = None
    read_only: bool | None = None
    propagation_mode: str | None = None
    selinux_label: str | None = None


class Template(NomadBlock):
    data: str | None = None
    source: str | None = None
    destination: str | None = None
    env: bool | None = None
    change_mode: str | None = None
    change_signal: str | None = None
    change_script: dict[str, Any] | list[Any] | None = None
    perms: str | None = None
    uid: Num | None = None
    gid: Num | None = None
    left_delimiter: str | None = None
    right_delimiter: str | None = None
    splay: str | None = None
    wait: dict[str, Any] | list[Any] | None = None
    error_on_missing_key: bool | None = None
    vault_grace: str | None = None


def _operator_shorthand(data: Any, keys: tuple[str, ...]) -> Any:
    """Nomad's jobspec parsers (HCL1 and HCL2) read an operator written as a key -- `regexp = "^a$"`,
    `set_contains = "a,b"` -- as `operator = "regexp"`, `value = "^a$"`; the shorthand wins over an
    `operator`/`value` also written (a later key of `keys` over an earlier one, in Nomad's order)."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for key in keys:
        if key in data:
            value = data.pop(key)
            if value not in (None, ""):
                data["operator"], data["value"] = key, value
    return data


class Constraint(NomadBlock):
    SHORTHANDS: ClassVar[tuple[str, ...]] = ("version", "semver", "regexp", "set_contains")
    attribute: str | None = None
    operator: str | None = None
    value: Scalar | None = None
    distinct_hosts: bool | None = None
    distinct_property: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return _operator_shorthand(data, cls.SHORTHANDS)


class Affinity(NomadBlock):
    SHORTHANDS: ClassVar[tuple[str, ...]] = ("version", "semver", "regexp", "set_contains_all", "set_contains_any")
    attribute: str | None = None
    operator: str | None = None
    value: Scalar | None = None
    weight: Num | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return _operator_shorthand(data, cls.SHORTHANDS)


class SpreadTarget(NomadBlock):
    percent: Num | None = None


class Spread(NomadBlock):
    attribute: str | None = None
    weight: Num | None = None
    target: list[SpreadTarget] = []


class Lifecycle(NomadBlock):
    hook: str | None = None
    sidecar: bool | None = None


class Update(NomadBlock):
    max_parallel: Num | None = None
    health_check: str | None = None
    min_healthy_time: str | None = None
    healthy_deadline: str | None = None
    progress_deadline: str | None = None
    auto_revert: bool | None = None
    auto_promote: bool | None = None
    canary: Num | None = None
    stagger: str | None = None


class Restart(NomadBlock):
    attempts: Num | None = None
    interval: str | None = None
    delay: str | None = None
    mode: str | None = None
    render_templates: bool | None = None


class Reschedule(NomadBlock):
    attempts: Num | None = None
    interval: str | None = None
    delay: str | None = None
    delay_function: str | None = None
    max_delay: str | None = None
    unlimited: bool | None = None


class Periodic(NomadBlock):
    cron: str | None = None
    crons: list[str] | None = None
    prohibit_overlap: bool | None = None
    time_zone: str | None = None
    enabled: bool | None = None


class Parameterized(NomadBlock):
    payload: str | None = None
    meta_required: list[str] | None = None
    meta_optional: list[str] | None = None


class Vault(NomadBlock):
    policies: list[str] | None = None
    role: str | None = None
    change_mode: str | None = None
    change_signal: str | None = None
    env: bool | None = None
    namespace: str | None = None
    disable_file: bool | None = None
    cluster: str | None = None


class EphemeralDisk(NomadBlock):
    size: Num | None = None
    sticky: bool | None = None
    migrate: bool | None = None


class Artifact(NomadBlock):
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset({"options", "headers"})
    source: str | None = None
    destination: str | None = None
    mode: str | None = None
    options: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None


class Logs(NomadBlock):
    max_files: Num | None = None
    max_file_size: Num | None = None
    disabled: bool | None = None


class Scaling(NomadBlock):
    min: Num | None = None
    max: Num | None = None
    enabled: bool | None = None
    policy: dict[str, Any] | list[Any] | None = None


class Task(NomadBlock):
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset({"env", "meta", "config"})
    driver: str | None = None
    config: DockerConfig | None = None
    env: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    user: str | None = None
    resources: Resources | None = None
    service: list[Service] = []
    template: list[Template] = []
    artifact: list[Artifact] = []
    constraint: list[Constraint] = []
    affinity: list[Affinity] = []
    lifecycle: Lifecycle | None = None
    volume_mount: list[VolumeMount] = []
    vault: Vault | None = None
    logs: Logs | None = None
    restart: Restart | None = None
    scaling: list[Scaling] = []
    kill_timeout: str | None = None
    kill_signal: str | None = None
    shutdown_delay: str | None = None
    leader: bool | None = None
    kind: str | None = None

    @field_validator("config", mode="before")
    @classmethod
    def _typed_config(cls, value: Any) -> Any:
        return DockerConfig(value) if isinstance(value, dict) else value

    @property
    def name(self) -> str:
        return self.label or "task"

    @property
    def docker(self) -> DockerConfig:
        """The driver config, empty when the task has none."""
        return self.config if self.config is not None else DockerConfig()


class Group(NomadBlock):
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset({"meta"})
    count: Num | None = None
    meta: dict[str, Any] | None = None
    network: list[Network] = []
    service: list[Service] = []
    task: list[Task] = []
    volume: list[Volume] = []
    constraint: list[Constraint] = []
    affinity: list[Affinity] = []
    spread: list[Spread] = []
    ephemeral_disk: EphemeralDisk | None = None
    restart: Restart | None = None
    reschedule: Reschedule | None = None
    update: Update | None = None
    scaling: Scaling | None = None
    vault: Vault | None = None
    shutdown_delay: str | None = None

    @property
    def name(self) -> str:
        return self.label or "group"


class Job(NomadBlock):
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset({"meta"})
    type: str | None = None
    datacenters: list[str] | str | None = None
    region: str | None = None
    namespace: str | None = None
    priority: Num | None = None
    all_at_once: bool | None = None
    node_pool: str | None = None
    meta: dict[str, Any] | None = None
    constraint: list[Constraint] = []
    affinity: list[Affinity] = []
    spread: list[Spread] = []
    group: list[Group] = []
    update: Update | None = None
    periodic: Periodic | None = None
    parameterized: Parameterized | None = None
    vault: Vault | None = None
    reschedule: Reschedule | None = None

    @property
    def name(self) -> str:
        return self.label or "job"

    @property
    def job_type(self) -> str:
        return (self.type or "service") if isinstance(self.type, str) else "service"


for _model in list(globals().values()):
    if isinstance(_model, type) and issubclass(_model, NomadBlock):
        _model.model_rebuild()
