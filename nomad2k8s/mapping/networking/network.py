"""Network ports -> containerPorts; network mode -> pod networking.

A port's container-side number is `to`, else the static port, else (dynamic, no `to`)
a number from the profile that the app must be told to listen on, skipping every number
another port of the group already uses. Two labels that really map to the same container
port share one containerPort (the first label's name).

Nomad publishes a port for TCP and UDP alike; Kubernetes ports are one protocol each. Ports
that are evidently UDP (UDP_PORTS, a label or service tag saying udp/dns) get a TCP and a UDP
containerPort/Service port; every other port is TCP, and the report says so once per group.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.lang import traefik
from nomad2k8s.ledger import Account, FieldRules, LedgerEntry, Status, Target, rules
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.mapping.networking import nodeports
from nomad2k8s.model import Network, Port, Task

BRIDGE_LIKE = frozenset({"bridge", "cni"})
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
    tasks: list[str] = field(default_factory=list)
    legacy: bool = False
    host_port: bool = False  # profile hostPort policy: expose the static port on the node
    name: str = ""  # the containerPort name (port_name(label), or the name of the port it shares)
    shares: str | None = None  # label of an earlier port with the same container port number
    udp: bool = False  # also exposed as UDP
    # `to = -1`: Envoy's expose listener for a check (Connect). Nothing in the pod listens there once the
    # kubelet probes the app itself, so it gets no containerPort and probes naming it use the app's port.
    envoy_expose: bool = False
    entry: LedgerEntry | None = None  # the port's ledger entry (the batch NodePort pass rewrites it)

    @property
    def udp_name(self) -> str:
        return udp_port_name(self.name)


def port_name(label: str) -> str:
    """Container port names are IANA_SVC_NAME: at most 15 chars, lower case, a letter inside."""
    name = dns_label(label, max_len=15)
    return name


def all_ports(gctx: GroupContext) -> list[PortInfo]:
    """Every declared port of the group."""
    return list(gctx.ports.values())


def udp_port_name(name: str) -> str:
    """The UDP twin of a port name, still IANA_SVC_NAME-sized."""
    return dns_label(f"{name[:11].rstrip('-')}-udp", max_len=15)


def _group_ports(gctx: GroupContext) -> dict[str, PortInfo]:
    """All declared ports (group network, then legacy task-level resources.network)."""
    declared: list[tuple[str, int | None, int | None, str, Task | None]] = []
    sources: list[tuple[Network, Task | None]] = [(n, None) for n in gctx.group.network]
    for legacy_task in gctx.group.task:
        if legacy_task.resources is not None:
            sources += [(n, legacy_task) for n in legacy_task.resources.network]
    envoy: set[str] = set()
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
    # Dynamic ports (no number of their own) in a second pass, so they never take a number
    # that a later static/`to` port of the group uses.
    used = {number for _, number, _, _, _ in declared if number and number > 0}
    next_dynamic = gctx.profile.ports.dynamic_port_base
    ports: dict[str, PortInfo] = {}
    by_number: dict[int, PortInfo] = {}
    udp_tags = _udp_tagged_labels(gctx)
    for label, number, static, path, task in declared:
        if path in envoy:
            ports.setdefault(label, PortInfo(label, 0, static, path, name=port_name(label), envoy_expose=True))
            continue
        if number is None:
            while next_dynamic in used:
                next_dynamic += 1
            number = next_dynamic
            used.add(number)
        info = PortInfo(label, number, static, path, legacy=task is not None, name=port_name(label))
        if task is not None:
            info.tasks.append(task.name)
        if label in ports:
            continue
        first = by_number.setdefault(number, info)
        if first is not info:
            info.name, info.shares = first.name, first.label
        info.udp = (number in UDP_PORTS or (static or 0) in UDP_PORTS or label in udp_tags
                    or any(word in label.lower() for word in UDP_WORDS))
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


# A task's legacy `resources { network { ... } }`: its ports are read with the group's (see _group_ports).
_MBITS = rules.dropped("mbits", "N2K-NETWORK-MBITS", "bandwidth reservation has no Kubernetes equivalent")
_LEGACY_TASK_NETWORK = FieldRules(
    rules.dropped("mode", "N2K-NETWORK-LEGACY-MODE", "legacy task network mode; the group's pod network applies",
                  k8s="pod network"),
    _MBITS,
)
_MBITS_ONLY = FieldRules(_MBITS)


def _host_network(gctx: GroupContext) -> bool:
    if any(n.mode == "host" for n in gctx.group.network if n.is_set("mode")):
        return True
    return any(t.docker.network_mode == "host" for t in gctx.group.task)


def _record_port(gctx: GroupContext, port: Port, info: PortInfo) -> None:
    """One entry per port: how its number is reached, then what it shares and which protocols."""
    with gctx.ledger.account(port.nomad_path, "N2K-PORT", style="list") as acc:
        _record_number(gctx, port, info, acc)
        if info.shares is not None:
            # Same container port as an earlier label: one containerPort serves both names.
            acc.note(Status.CHANGED, f"same container port {info.container_port} as port {info.shares!r}: one "
                     f"containerPort named {info.name} serves both, Services/probes use that name")
        if info.udp and isinstance(acc.target, Target):
            acc.note(Status.MAPPED, f"exposed for TCP and UDP (containerPorts {info.name}, {info.udp_name})")
            acc.target = acc.target.at(f"+ UDP ({info.udp_name})")
    info.entry = acc.entry


def _record_number(gctx: GroupContext, port: Port, info: PortInfo, acc: Account) -> None:
    target = Target(gctx.kind, gctx.workload_name, field=f"containerPort {info.container_port} ({info.name})")
    acc.target = target
    to = as_int(port.to)
    static = info.static
    if info.envoy_expose:
        acc.code, acc.target = "N2K-PORT-ENVOY-EXPOSE", None
        acc.what = ("`to = -1` is Envoy's listener for exposed checks: no containerPort; "
                    "the kubelet probes the app's port")
        acc.note(Status.DROPPED)
        return
    if static:
        return _record_static(gctx, info, static, target, acc)
    if to and to > 0:
        acc.what = "dynamic host port mapped to a fixed container port"
        return
    acc.code, acc.what = "N2K-PORT-DYNAMIC", f"dynamic port without `to`: the app must listen on {info.container_port}"
    acc.note(Status.CHANGED, suggestion=f"Make the app listen on {info.container_port} "
             f"(Nomad told it through NOMAD_PORT_{info.label}).")


def _record_static(gctx: GroupContext, info: PortInfo, static: int, target: Target, acc: Account) -> None:
    """Static host ports (`static` is info.static): on the node itself (host network), a hostPort, or a NodePort."""
    mapped_note = f" -> container port {info.container_port}" if info.container_port != static else ""
    if _host_network(gctx):
        acc.code = "N2K-PORT-STATIC-HOST"
        acc.what = f"static port {static} on the host network: the pod listens on the node's port"
        return
    if gctx.profile.ports.static_port_policy == "hostPort":
        info.host_port = True
        acc.code, acc.what = "N2K-PORT-STATIC-HOSTPORT", f"static host port {static}{mapped_note} -> hostPort {static}"
        acc.target = target.at(f"hostPort {static}")
        acc.suggest("hostPort pins one pod per node and port; consider a NodePort/LoadBalancer Service.")
        return
    bounds = gctx.profile.ports.node_ports
    number = nodeports.preferred(static, bounds)
    acc.code = "N2K-PORT-STATIC"
    acc.target = replace(target, field=f"{target.field}; NodePort {number}")
    acc.what = nodeports.static_what(static, info.container_port, [("", number)], bounds)
    # The batch pass may renumber it (nodePorts are unique over the run): it rewrites this text.
    acc.data = {"node_port": {"static": static, "container_port": info.container_port, "what": acc.what}}
    if number != static:
        acc.note(Status.CHANGED, suggestion=nodeports.suggestion([number]))


def map_network(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    ports = _group_ports(gctx)
    gctx.ports = ports
    port_nodes: list[Port] = [p for n in gctx.group.network for p in n.port]
    for task in gctx.group.task:
        if task.resources is not None and task.name in gctx.containers:
            port_nodes += [p for n in task.resources.network for p in n.port]
    for port in port_nodes:
        info = ports[port.label or "port"]
        _record_port(gctx, port, info)
        if port.host_network:
            ledger.decide("N2K-PORT-HOST-NETWORK", port.path_of("host_network"),
                          f"port bound to host network {port.host_network!r}", k8s="-",
                          suggestion="Expose through a Service of type LoadBalancer/NodePort on that network.",
                          claims=False)  # the port entry already accounts for the whole port block
    # Which containers expose which port: docker `ports`, legacy task networks, else the first main task.
    claimed_labels: set[str] = set()
    for task in gctx.group.task:
        config = task.docker
        wanted = config.ports
        wanted += [label for label, info in ports.items() if task.name in info.tasks]
        if task.name not in gctx.containers:
            continue  # its config is accounted for with the driver
        if "ports" in config:
            ledger.mapped("N2K-DOCKER-PORTS", task.path_of("config") + ".ports", "ports exposed by this container",
                          k8s=f"containerPorts {', '.join(wanted) or '-'}")
        if "port_map" in config:
            ledger.mapped("N2K-DOCKER-PORT-MAP", task.path_of("config") + ".port_map",
                          "legacy port_map gives the container-side port", k8s="containerPort")
        for label in wanted:
            if label in ports:
                _add_container_port(gctx, task, ports[label])
                claimed_labels.add(label)
    unassigned = [info for label, info in ports.items() if label not in claimed_labels]
    mains = gctx.main_tasks()
    if unassigned and mains:
        for info in unassigned:
            _add_container_port(gctx, mains[0], info)
    _tcp_note(gctx, ports)
    _network_mode(gctx)


def _tcp_note(gctx: GroupContext, ports: dict[str, PortInfo]) -> None:
    """Nomad published every port for TCP and UDP; say once which ones are TCP only here."""
    tcp_only = [info.name for info in ports.values() if not info.udp and info.shares is None and not info.envoy_expose]
    if tcp_only and gctx.containers:
        gctx.ledger.changed("N2K-PORT-TCP", gctx.group.nomad_path,
                            f"ports {', '.join(tcp_only)} are exposed as TCP; if the app speaks UDP, add "
                            "protocol: UDP", k8s=f"{gctx.kind}/{gctx.workload_name} containerPorts",
                            suggestion="Add a UDP containerPort and Service port for any port the app serves "
                            "over UDP.", claims=False)


def _add_container_port(gctx: GroupContext, task: Task, info: PortInfo) -> None:
    container = gctx.containers.get(task.name)
    if container is None or info.envoy_expose:
        return
    # Containers of a pod share one network namespace: a number is declared once in the pod.
    declared = [p for c in gctx.containers.values() for p in c.ports or []]
    if any(p.container_port == info.container_port for p in declared):
        return
    host_port = info.static if info.host_port else None
    added = [k8s.V1ContainerPort(name=info.name, container_port=info.container_port, host_port=host_port,
                                 protocol="TCP")]
    if info.udp:
        added.append(k8s.V1ContainerPort(name=info.udp_name, container_port=info.container_port,
                                         host_port=host_port, protocol="UDP"))
    container.ports = list(container.ports or []) + added
    if task.name not in info.tasks:
        info.tasks.append(task.name)


def _network_mode(gctx: GroupContext) -> None:
    ledger = gctx.ledger
    host = False
    for network in gctx.group.network:
        if network.is_set("mode"):
            mode = network.mode or "host"
            if mode == "host":
                host = True
                ledger.changed("N2K-NETWORK-HOST", network.path_of("mode"),
                               "host networking: the pod shares the node's network namespace",
                               k8s=f"{gctx.kind}/{gctx.workload_name} hostNetwork: true",
                               suggestion="Drop hostNetwork unless the app really needs the node's interfaces.")
            elif mode in BRIDGE_LIKE:
                ledger.mapped("N2K-NETWORK-BRIDGE", network.path_of("mode"),
                              "bridge networking: every pod has its own network namespace", k8s="pod network")
            else:
                ledger.decide("N2K-NETWORK-MODE", network.path_of("mode"), f"network mode {mode!r}",
                              k8s="pod network", suggestion="Check what the mode provided (e.g. a CNI network).")
        _MBITS_ONLY.apply(ledger, network)
    for task in gctx.group.task:
        config = task.docker
        if "network_mode" in config:
            mode = str(config["network_mode"])
            path = task.path_of("config") + ".network_mode"
            if mode == "host":
                host = True
                ledger.changed("N2K-DOCKER-NETWORK-HOST", path, "docker host networking",
                               k8s=f"{gctx.kind}/{gctx.workload_name} hostNetwork: true")
            elif mode in ("bridge", "default"):
                ledger.mapped("N2K-DOCKER-NETWORK-BRIDGE", path, "docker bridge network -> pod network",
                              k8s="pod network")
            else:
                ledger.decide("N2K-DOCKER-NETWORK-MODE", path, f"docker network_mode {mode!r}",
                              k8s="pod network", suggestion="Containers in one pod already share a network; "
                              "other docker networks have no equivalent.")
        if task.resources is not None and task.name in gctx.containers:
            for network in task.resources.network:
                _LEGACY_TASK_NETWORK.apply(ledger, network)
    if host:
        gctx.pod_spec.host_network = True
        gctx.pod_spec.dns_policy = "ClusterFirstWithHostNet"
    for network in gctx.group.network:
        _dns(gctx, network)
        _hostname(gctx, network)


def _dns(gctx: GroupContext, network: Network) -> None:
    """network.dns replaces the task's resolv.conf in Nomad -> pod dnsConfig (+ dnsPolicy None with servers)."""
    dns = network.dns
    if dns is None:
        return
    target = f"{gctx.kind}/{gctx.workload_name} dnsConfig"
    config = k8s.V1PodDNSConfig(nameservers=[str(s) for s in dns.servers or []] or None,
                                searches=[str(s) for s in dns.searches or []] or None)
    options = []
    for option in dns.options or []:
        name, _, value = str(option).partition(":")
        options.append(k8s.V1PodDNSConfigOption(name=name, value=value or None))
    config.options = options or None
    gctx.pod_spec.dns_config = config
    if dns.servers:
        gctx.pod_spec.dns_policy = "None"
        gctx.ledger.changed("N2K-NETWORK-DNS", dns.nomad_path,
                            "DNS servers replace the resolver (dnsPolicy None): cluster DNS names "
                            f"(*.svc.{gctx.profile.cluster_domain}) do not resolve unless a listed server forwards them",
                            k8s=target, suggestion="Drop the servers to keep cluster DNS, or add the cluster DNS "
                            "service IP first.")
    else:
        gctx.ledger.mapped("N2K-NETWORK-DNS", dns.nomad_path, "DNS search domains/options added to the pod resolver",
                           k8s=target)


def _hostname(gctx: GroupContext, network: Network) -> None:
    if not network.is_set("hostname"):
        return
    hostname = str(network.hostname or "")
    path = network.path_of("hostname")
    label = dns_label(hostname)
    if "${" in hostname:
        gctx.ledger.decide("N2K-NETWORK-HOSTNAME", path, "hostname uses runtime interpolation", k8s="-",
                           suggestion="StatefulSet pods get stable hostnames (<name>-<ordinal>); set hostname "
                           "by hand otherwise.")
        return
    gctx.pod_spec.hostname = label
    status = gctx.ledger.mapped if label == hostname else gctx.ledger.changed
    status("N2K-NETWORK-HOSTNAME", path, "pod hostname" + ("" if label == hostname else f" (made DNS-safe: {label})"),
           k8s=f"{gctx.kind}/{gctx.workload_name} hostname: {label}")
