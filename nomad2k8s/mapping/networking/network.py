"""Network ports -> containerPorts; network mode -> pod networking.

Which number each port gets, which container declares it and its name: portinfo.py. Here each port
gets its ledger entry and its containerPort(s).

Nomad publishes a port for TCP and UDP alike; Kubernetes ports are one protocol each. Ports
that are evidently UDP (portinfo.UDP_PORTS, a label or service tag saying udp/dns) get a TCP and a UDP
containerPort/Service port; every other port is TCP, and the report says so once per group.
"""

from __future__ import annotations

from dataclasses import replace

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.ledger import Account, FieldRules, Status, Target, rules
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.mapping.networking import nodeports
from nomad2k8s.mapping.networking.portinfo import (
    PortInfo,
    all_ports,
    group_ports,
    port_for,
    port_name,
    udp_port_name,
    uses_host_network,
)
from nomad2k8s.model import Network, Port, Task

__all__ = ["PortInfo", "all_ports", "map_network", "port_for", "port_name", "udp_port_name"]

BRIDGE_LIKE = frozenset({"bridge", "cni"})

# A task's legacy `resources { network { ... } }`: its ports are read with the group's (see _group_ports).
_MBITS = rules.dropped("mbits", "N2K-NETWORK-MBITS", "bandwidth reservation has no Kubernetes equivalent")
_LEGACY_TASK_NETWORK = FieldRules(
    rules.dropped("mode", "N2K-NETWORK-LEGACY-MODE", "legacy task network mode; the group's pod network applies",
                  k8s="pod network"),
    _MBITS,
)
_MBITS_ONLY = FieldRules(_MBITS)


def _record_port(gctx: GroupContext, port: Port, info: PortInfo) -> None:
    """One entry per port: how its number is reached, then what it shares, which containers, which protocols."""
    with gctx.ledger.account(port.nomad_path, "N2K-PORT", style="list") as acc:
        _record_number(gctx, port, info, acc)
        if info.shares is not None:
            # Same container port as an earlier label: one containerPort serves both names.
            acc.note(Status.CHANGED, f"same container port {info.container_port} as port {info.shares!r}: one "
                     f"containerPort named {info.name} serves both, Services/probes use that name")
        if info.udp and isinstance(acc.target, Target):
            acc.note(Status.MAPPED, f"exposed for TCP and UDP (containerPorts {info.name}, {info.udp_name})")
            acc.target = acc.target.at(f"+ UDP ({info.udp_name})")
        shared = [] if info.legacy else list(info.copies.values())  # a legacy copy has its own port block
        for copy in shared:  # the same group port in another task's `ports`
            acc.note(Status.MAPPED, f"also used by task {copy.tasks[0]}: its container declares it as {copy.name}")
    for each in (info, *shared):
        each.entry = acc.entry
    _same_number(gctx, port, info)


def _same_number(gctx: GroupContext, port: Port, info: PortInfo) -> None:
    """Two containers declaring one number: in Nomad each task may have had its own network namespace; in
    one pod only one process can listen on it."""
    others = [o for o in all_ports(gctx) if o.tasks and o.shares is None and not o.envoy_expose]
    for each in (info, *([] if info.legacy else info.copies.values())):
        tasks = sorted({o.tasks[0] for o in others if o.container_port == each.container_port})
        if each.tasks and len(tasks) > 1:
            gctx.ledger.decide(
                "N2K-PORT-SAME-NUMBER", port.nomad_path, f"containers {', '.join(tasks)} all declare port "
                f"{each.container_port}: they share the pod's network, so only one of them can listen on it",
                k8s=f"{gctx.kind}/{gctx.workload_name} containerPort {each.container_port}",
                suggestion="Make one task listen on another port, or put the tasks in separate workloads.",
                claims=False)
            return


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
    if (to and to > 0) or info.port_mapped:
        acc.what = "dynamic host port mapped to a fixed container port"
        return
    if info.host_dynamic:
        acc.code = "N2K-PORT-DYNAMIC-HOST-NETWORK"
        acc.what = (f"dynamic port on the host network: {info.container_port}, a number of its own in Nomad's "
                    f"dynamic range derived from job, group and label (host-network pods share the node's ports; "
                    f"a common 8080 would clash); the app must listen on {info.container_port}")
        acc.note(Status.CHANGED, suggestion=f"Make the app listen on {info.container_port} (Nomad told it "
                 f"through NOMAD_PORT_{info.label}), or give the port a static number.")
        return
    acc.code, acc.what = "N2K-PORT-DYNAMIC", f"dynamic port without `to`: the app must listen on {info.container_port}"
    acc.note(Status.CHANGED, suggestion=f"Make the app listen on {info.container_port} "
             f"(Nomad told it through NOMAD_PORT_{info.label}).")


def _record_static(gctx: GroupContext, info: PortInfo, static: int, target: Target, acc: Account) -> None:
    """Static host ports (`static` is info.static): on the node itself (host network), a hostPort, or a NodePort."""
    mapped_note = f" -> container port {info.container_port}" if info.container_port != static else ""
    if uses_host_network(gctx):
        acc.code = "N2K-PORT-STATIC-HOST"
        acc.what = f"static port {static} on the host network: the pod listens on the node's port"
        return
    if gctx.profile.ports.static_port_policy == "hostPort":
        info.host_port = True
        acc.code, acc.what = "N2K-PORT-STATIC-HOSTPORT", f"static host port {static}{mapped_note} -> hostPort {static}"
        acc.target = target.at(f"hostPort {static}")
        acc.suggest("hostPort pins one pod per node and port; consider a NodePort/LoadBalancer Service.")
        return
    bounds = nodeports.bounds(gctx.profile)
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
    ports = group_ports(gctx)
    gctx.ports = ports
    port_nodes: list[tuple[Port, Task | None]] = [(p, None) for n in gctx.group.network for p in n.port]
    for task in gctx.group.task:
        if task.resources is not None and task.name in gctx.containers:
            port_nodes += [(p, task) for n in task.resources.network for p in n.port]
    for port, owner in port_nodes:
        label = port.label or "port"
        info = port_for(gctx, label, owner)
        if info is None:
            continue
        _record_port(gctx, port, info)
        if port.host_network:
            ledger.decide("N2K-PORT-HOST-NETWORK", port.path_of("host_network"),
                          f"port bound to host network {port.host_network!r}", k8s="-",
                          suggestion="Expose through a Service of type LoadBalancer/NodePort on that network.",
                          claims=False)  # the port entry already accounts for the whole port block
    for task in gctx.group.task:
        config = task.docker
        if task.name not in gctx.containers:
            continue  # its config is accounted for with the driver
        mine = [i for i in all_ports(gctx) if task.name in i.tasks and not i.envoy_expose]
        if "ports" in config:
            ledger.mapped("N2K-DOCKER-PORTS", task.path_of("config") + ".ports", "ports exposed by this container",
                          k8s=f"containerPorts {', '.join(dict.fromkeys(i.name for i in mine)) or '-'}")
        if "port_map" in config:
            ledger.mapped("N2K-DOCKER-PORT-MAP", task.path_of("config") + ".port_map",
                          "legacy port_map gives the container-side port", k8s="containerPort")
    for info in all_ports(gctx):
        for name in info.tasks[:1]:
            _add_container_port(gctx, name, info)
    _tcp_note(gctx)
    _network_mode(gctx)


def _tcp_note(gctx: GroupContext) -> None:
    """Nomad published every port for TCP and UDP; say once which ones are TCP only here."""
    tcp_only = [i.name for i in all_ports(gctx) if not i.udp and i.shares is None and not i.envoy_expose]
    if tcp_only and gctx.containers:
        gctx.ledger.changed("N2K-PORT-TCP", gctx.group.nomad_path,
                            f"ports {', '.join(tcp_only)} are exposed as TCP; if the app speaks UDP, add "
                            "protocol: UDP", k8s=f"{gctx.kind}/{gctx.workload_name} containerPorts",
                            suggestion="Add a UDP containerPort and Service port for any port the app serves "
                            "over UDP.", claims=False)


def _add_container_port(gctx: GroupContext, task_name: str, info: PortInfo) -> None:
    container = gctx.containers.get(task_name)
    if container is None or info.envoy_expose:
        return
    # Two labels on one number share one containerPort (the pod has one network namespace).
    declared = [p for c in gctx.containers.values() for p in c.ports or []]
    if any(p.container_port == info.container_port and p.name == info.name for p in declared):
        return
    host_port = info.static if info.host_port else None
    added = [k8s.V1ContainerPort(name=info.name, container_port=info.container_port, host_port=host_port,
                                 protocol="TCP")]
    if info.udp:
        added.append(k8s.V1ContainerPort(name=info.udp_name, container_port=info.container_port,
                                         host_port=host_port, protocol="UDP"))
    container.ports = list(container.ports or []) + added


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
