"""The group's ports as the mappers see them: numbers, which container declares each, names.

A port's container-side number is `to`, else the static port, else (dynamic, no `to`) a number from
the profile that the app must be told to listen on, skipping every number another port of the group
already uses. Two labels that really map to the same container port share one containerPort (the
first label's name).

A port is declared on the container of the task that uses it: the task whose driver `ports` lists it or
whose legacy `resources.network` declares it; failing that, the task whose `port_map` names it or whose
service (or a group service's `task`) advertises or checks it; failing that, the first main task. A label used by
two tasks (HCL1: each task's own network and `port_map`; HCL2: one group port in two tasks' `ports`)
gives each task that binds it its own containerPort: the first task's is named after the label, the
others' after `<label>-<task>` (`copies`), and services and probes of a task use that task's port.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from nomad2k8s.lang import traefik
from nomad2k8s.ledger import LedgerEntry
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.mapping.networking.portnames import (
    port_name,
    udp_port_name,
    unique_names,
)
from nomad2k8s.model import Network, Service, Task

__all__ = ["PortInfo", "all_ports", "group_ports", "port_for", "port_name", "udp_port_name", "uses_host_network"]

# Nomad's default dynamic port range (client `min_dynamic_port`/`max_dynamic_port`): on the host network a
# dynamic port takes a number of its own here, not the profile's 8080+, which every host-network pod would share.
HOST_DYNAMIC_RANGE = (20000, 32000)

# Well-known ports of UDP protocols: DNS, DHCP, TFTP, NTP, SNMP/traps, syslog, OpenVPN, SSDP, STUN,
# mDNS, Source game servers, WireGuard. A small list on purpose: a wrong guess adds an unused port.
UDP_PORTS = frozenset({53, 67, 68, 69, 123, 161, 162, 514, 1194, 1900, 3478, 5353, 27015, 51820})
UDP_WORDS = ("udp", "dns")


@dataclass
class PortInfo:
    label: str
    container_port: int
    static: int | None
    nomad_path: str
    tasks: list[str] = field(default_factory=list)  # the task whose container declares it
    legacy: bool = False
    port_mapped: bool = False  # the number is the task's legacy `port_map` entry
    host_port: bool = False  # profile hostPort policy: expose the static port on the node
    name: str = ""  # the containerPort name (the label's, or the name of the port it shares)
    shares: str | None = None  # label of an earlier port with the same container port number
    udp: bool = False  # also exposed as UDP
    # `to = -1`: Envoy's expose listener for a check (Connect). Nothing in the pod listens there once the
    # kubelet probes the app itself, so it gets no containerPort and probes naming it use the app's port.
    envoy_expose: bool = False
    host_dynamic: bool = False  # a dynamic port on the host network: a number of its own (HOST_DYNAMIC_RANGE)
    entry: LedgerEntry | None = None  # the port's ledger entry (the batch NodePort pass rewrites it)
    # The same label used by other tasks: task name -> that task's own port (its own containerPort).
    copies: dict[str, PortInfo] = field(default_factory=dict)
    copy_of: PortInfo | None = field(default=None, repr=False)

    @property
    def udp_name(self) -> str:
        return udp_port_name(self.name)

    @property
    def naming_key(self) -> str:
        """What the name is made from: the label, or `<label>-<task>` for another task's copy."""
        return f"{self.label}-{self.tasks[0]}" if self.copy_of is not None and self.tasks else self.label


def all_ports(gctx: GroupContext) -> list[PortInfo]:
    """Every declared port of the group, other tasks' copies after their label's port."""
    return [p for info in gctx.ports.values() for p in (info, *info.copies.values())]


def port_for(gctx: GroupContext, label: str, task: Task | str | None = None) -> PortInfo | None:
    """The port `label` as task `task` sees it (its own copy when it has one)."""
    info = gctx.ports.get(label)
    name = task.name if isinstance(task, Task) else task
    if info is not None and name is not None and name in info.copies:
        return info.copies[name]
    return info


def uses_host_network(gctx: GroupContext) -> bool:
    if any(n.mode == "host" for n in gctx.group.network if n.is_set("mode")):
        return True
    return any(t.docker.network_mode == "host" for t in gctx.group.task)


def _host_dynamic_port(gctx: GroupContext, label: str, used: set[int]) -> int:
    """A stable number for (job, group, label) in Nomad's dynamic range: host-network pods of unrelated jobs
    on one node get different numbers (Nomad gave each a free one), and a re-run gives the same."""
    low, high = HOST_DYNAMIC_RANGE
    seed = f"{gctx.job_ctx.job.name}/{gctx.group.name}/{label}".encode()
    number = low + int(hashlib.sha256(seed).hexdigest()[:8], 16) % (high - low + 1)
    while number in used:
        number = low if number >= high else number + 1
    return number


def group_ports(gctx: GroupContext) -> dict[str, PortInfo]:
    """All declared ports (group network, then legacy task-level resources.network), placed and named."""
    ports = _declared_ports(gctx)
    _place(gctx, ports)
    _name(ports)
    return ports


def _declared_ports(gctx: GroupContext) -> dict[str, PortInfo]:
    declared: list[tuple[str, int | None, int | None, str, Task | None]] = []
    sources: list[tuple[Network, Task | None]] = [(n, None) for n in gctx.group.network]
    for legacy_task in gctx.group.task:
        if legacy_task.resources is not None:
            sources += [(n, legacy_task) for n in legacy_task.resources.network]
    envoy: set[str] = set()
    mapped: set[str] = set()
    for network, task in sources:
        port_map = task.docker.port_map if task is not None else {}
        for port in network.port:
            label = port.label or "port"
            to = as_int(port.to)
            static = as_int(port.static)
            mapped_to = as_int(port_map.get(label)) if port_map else None
            number = mapped_to or (to if to and to > 0 else None) or static or None
            if to == -1:  # Envoy's expose listener, not a port the app serves (a negative static is no such port)
                envoy.add(port.nomad_path)
            declared.append((label, number, static, port.nomad_path, task))
            if mapped_to:
                mapped.add(port.nomad_path)
    # Dynamic ports (no number of their own) in a second pass, so they never take a number
    # that a later static/`to` port of the group uses.
    used = {number for _, number, _, _, _ in declared if number and number > 0}
    next_dynamic = gctx.profile.ports.dynamic_port_base
    host = uses_host_network(gctx)
    ports: dict[str, PortInfo] = {}
    by_number: dict[int, PortInfo] = {}
    udp_tags = _udp_tagged_labels(gctx)
    for label, number, static, path, task in declared:
        if path in envoy:
            ports.setdefault(label, PortInfo(label, 0, static, path, envoy_expose=True))
            continue
        host_dynamic = number is None and host
        if number is None and host:
            number = _host_dynamic_port(gctx, label, used)
            used.add(number)
        elif number is None:
            while next_dynamic in used:
                next_dynamic += 1
            number = next_dynamic
            used.add(number)
        info = PortInfo(label, number, static, path, legacy=task is not None, port_mapped=path in mapped,
                        host_dynamic=host_dynamic)
        if task is not None:
            info.tasks.append(task.name)
        info.udp = (number in UDP_PORTS or (static or 0) in UDP_PORTS or label in udp_tags
                    or any(word in label.lower() for word in UDP_WORDS))
        first_of_label = ports.get(label)
        if first_of_label is not None:
            # HCL1: the same label in another task's own network is that task's port (its own port_map).
            if task is not None and first_of_label.legacy and task.name not in first_of_label.tasks:
                first_of_label.copies.setdefault(task.name, replace(info, copy_of=first_of_label))
            continue
        first = by_number.setdefault(number, info)
        if first is not info:
            info.shares = first.label
        first.udp = first.udp or info.udp
        ports[label] = info
    return ports


def _udp_tagged_labels(gctx: GroupContext) -> set[str]:
    """Port labels of services whose parsed tags route UDP (`traefik.udp.routers...`, a plain `udp` tag)."""
    services = list(gctx.group.service) + [s for t in gctx.group.task for s in t.service]
    labels = set()
    for service in services:
        tags = service.tags if isinstance(service.tags, list) else [service.tags] if service.tags else []
        if service.port is not None and traefik.parse_tags([str(t) for t in tags]).serves_udp:
            labels.add(str(service.port))
    return labels


def _users(gctx: GroupContext) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(label -> tasks that bind it: driver `ports`; label -> tasks that name it otherwise: `port_map`,
    their services, group services with `task`), over the tasks that become containers, in task order."""
    strong: dict[str, list[str]] = {}
    weak: dict[str, list[str]] = {}
    tasks = [t for t in gctx.group.task if t.name in gctx.containers]
    names = {t.name for t in tasks}
    for task in tasks:
        for label in task.docker.ports:
            strong.setdefault(label, []).append(task.name)
        labels = list(task.docker.port_map) + [label for s in task.service for label in _service_labels(s)]
        for label in labels:
            weak.setdefault(label, []).append(task.name)
    for service in gctx.group.service:
        if isinstance(service.task, str) and service.task in names:
            for label in _service_labels(service):
                weak.setdefault(label, []).append(service.task)
    return strong, weak


def _service_labels(service: Service) -> list[str]:
    """The port labels a service names: its port, and its checks' ports."""
    labels = [service.port] + [c.port for c in service.check if c.is_set("port")]
    return [str(label) for label in labels if label is not None]


def _place(gctx: GroupContext, ports: dict[str, PortInfo]) -> None:
    """Which task's container declares each port; another task using the same label gets a copy."""
    strong, weak = _users(gctx)
    mains = [t.name for t in gctx.main_tasks() if t.name in gctx.containers]
    for label, info in ports.items():
        if info.envoy_expose or info.legacy:  # a legacy port is its task's (copies: the other tasks')
            continue
        # Tasks that bind the label each get it; a task that only names it (port_map, a service) does not
        # listen on it for sure: the first such task gets it, the others use that containerPort.
        users = list(dict.fromkeys(strong.get(label) or weak.get(label, [])[:1] or mains[:1]))
        if not users:
            continue
        info.tasks = [users[0]]
        for other in users[1:]:
            info.copies[other] = replace(info, tasks=[other], copies={}, shares=None, copy_of=info)


def _name(ports: dict[str, PortInfo]) -> None:
    """Unique names: labels and copies' `<label>-<task>`; a port sharing a number takes the first's name."""
    infos = [p for info in ports.values() for p in (info, *info.copies.values())]
    names = unique_names(p.naming_key for p in infos if p.shares is None)
    for info in infos:
        info.name = names.get(info.naming_key, port_name(info.naming_key))
    for info in infos:
        if info.shares is not None:
            info.name = ports[info.shares].name
