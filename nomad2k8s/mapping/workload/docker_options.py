"""Docker driver options -> container securityContext, pod DNS/hosts/hostname/labels, pull secrets.

Container-scoped options (privileged, capabilities, read-only root, tty, hard limits) land on
the task's container; pod-scoped ones (dnsConfig, hostAliases, hostname, sysctls, hostIPC/PID,
imagePullSecrets, labels) are merged across the group's tasks, with a `changed` entry when
tasks disagree. Storage options (volumes, mounts, shm_size, devices, runtime) are not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.k8s.names import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
)
from nomad2k8s.ledger import Status, Target
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import as_int, has_interpolation
from nomad2k8s.mapping.workload.tasks import IMAGE_DRIVERS
from nomad2k8s.model import Task, paths

# Sysctls Kubernetes treats as safe (namespaced, allowed by every kubelet by default).
SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
})


def _where(gctx: GroupContext, container: k8s.V1Container) -> Target:
    return Target(gctx.kind, gctx.workload_name, container=container.name)


def _security(container: k8s.V1Container) -> k8s.V1SecurityContext:
    container.security_context = container.security_context or k8s.V1SecurityContext()
    return container.security_context


def _pod_security(gctx: GroupContext) -> k8s.V1PodSecurityContext:
    gctx.pod_spec.security_context = gctx.pod_spec.security_context or k8s.V1PodSecurityContext()
    return gctx.pod_spec.security_context


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [value]
    return None


class _Opts:
    """The options of one task, with the path and ledger helpers every handler needs."""

    def __init__(self, gctx: GroupContext, task: Task, container: k8s.V1Container) -> None:
        self.gctx, self.task, self.container = gctx, task, container
        self.config = task.docker
        self.ledger = gctx.ledger
        self.where = _where(gctx, container)
        self.pod = Target(gctx.kind, gctx.workload_name)  # pod-wide settings

    def path(self, key: str) -> str:
        return paths.join(self.task.path_of("config"), key)

    def literal_list(self, key: str, value: Any, code: str, what: str, suggestion: str) -> list[str] | None:
        """`value` as a list of literal strings; else a decision for `key` and None."""
        items = _strings(value)
        if items is None or any(has_interpolation(i) for i in items):
            self.ledger.decide(code, self.path(key), f"{what} not a literal list", target=self.where,
                               suggestion=suggestion)
            return None
        return items


def _privileged(o: _Opts, key: str, value: Any) -> None:
    target = o.where.at(f"securityContext.privileged: {value is True}")
    if value is not True:  # privileged = false is the default: nothing escalates
        o.ledger.mapped("N2K-PRIVILEGED", o.path(key), "not privileged (the default)", target=target)
        return
    _security(o.container).privileged = True
    # Carried over as Nomad ran it, but a security escalation is a reviewer's decision, never ✅.
    o.ledger.decide("N2K-PRIVILEGED", o.path(key),
                    "privileged container (security: every capability and every host device; a policy of "
                    "Pod Security 'baseline' or stricter refuses it)", target=target,
                    suggestion="Keep it only if the workload needs it; prefer the specific capabilities "
                               "(cap_add) or devices it uses.")


def _capability(name: str) -> str:
    text = name.strip().upper()
    return text[4:] if text.startswith("CAP_") else text


def _caps(o: _Opts, key: str, value: Any) -> None:
    names = o.literal_list(key, value, "N2K-CAPABILITIES", "capabilities are",
                           "Set securityContext.capabilities by hand.")
    if names is None:
        return
    caps = [_capability(n) for n in names]
    security = _security(o.container)
    security.capabilities = security.capabilities or k8s.V1Capabilities()
    field = "add" if key == "cap_add" else "drop"
    setattr(security.capabilities, field, sorted(set((getattr(security.capabilities, field) or []) + caps)))
    o.ledger.mapped("N2K-CAPABILITIES", o.path(key), "Linux capabilities (upper case, without CAP_)",
                    target=o.where.at(f"securityContext.capabilities.{field}: {caps}"))


def _readonly_rootfs(o: _Opts, key: str, value: Any) -> None:
    _security(o.container).read_only_root_filesystem = value is True
    o.ledger.mapped("N2K-READONLY-ROOTFS", o.path(key), "read-only root filesystem",
                    target=o.where.at(f"securityContext.readOnlyRootFilesystem: {value is True}"))


def _tty(o: _Opts, key: str, value: Any) -> None:
    field = "tty" if key == "tty" else "stdin"
    setattr(o.container, field, value is True)
    o.ledger.mapped("N2K-TTY", o.path(key), "terminal / open stdin", target=o.where.at(f"{field}: {value is True}"))


def _memory_hard_limit(o: _Opts, key: str, value: Any) -> None:
    mb = as_int(value)
    if mb is None or mb <= 0:
        o.ledger.decide("N2K-MEMORY-HARD-LIMIT", o.path(key), "memory_hard_limit is not a number", target=o.where)
        return
    resources = o.container.resources or k8s.V1ResourceRequirements()
    resources.limits = dict(resources.limits or {})
    resources.limits["memory"] = f"{mb}Mi"
    o.container.resources = resources
    o.ledger.changed("N2K-MEMORY-HARD-LIMIT", o.path(key),
                     "docker memory_hard_limit replaces the memory limit (deprecated in Nomad for memory_max)",
                     target=o.where.at(f"limits.memory: {mb}Mi"))


def _cpu_hard_limit(o: _Opts, key: str, value: Any) -> None:
    resources = o.container.resources
    cpu = ((resources.requests if resources is not None else None) or {}).get("cpu")
    if value is True and resources is not None and cpu:
        # the model copies an assigned dict: fill it before assigning
        limits = dict(resources.limits or {})
        limits["cpu"] = cpu
        resources.limits = limits
        o.ledger.mapped("N2K-CPU-HARD-LIMIT", o.path(key), "Nomad caps CPU at the reservation: limit = request",
                        target=o.where.at(f"limits.cpu: {cpu}"))
    else:
        o.ledger.mapped("N2K-CPU-HARD-LIMIT", o.path(key), "no CPU cap", target=o.where)


def _ulimit(o: _Opts, key: str, value: Any) -> None:
    o.ledger.decide("N2K-ULIMIT", o.path(key), "Kubernetes has no per-container ulimits", target=o.where,
                    suggestion="Raise the limits in the container runtime's defaults (containerd LimitNOFILE etc.) "
                    "or with `ulimit` in the entrypoint.")


def _init(o: _Opts, key: str, value: Any) -> None:
    if value is not True:
        o.ledger.mapped("N2K-DOCKER-INIT", o.path(key), "no init process", target=o.where)
        return
    o.ledger.decide("N2K-DOCKER-INIT", o.path(key), "docker --init (tini as PID 1) has no Kubernetes field",
                    target=o.where, suggestion="Add tini to the image entrypoint, or set shareProcessNamespace: true "
                    "so the pause container reaps zombies (containers then see each other's processes).")


def _security_opt(o: _Opts, key: str, value: Any) -> None:
    opts = _strings(value) or []
    security, done, rest = None, [], []
    for opt in opts:
        text = opt.replace(":", "=", 1) if "=" not in opt else opt
        if text in ("no-new-privileges", "no-new-privileges=true"):
            security = _security(o.container)
            security.allow_privilege_escalation = False
            done.append("allowPrivilegeEscalation: false")
        elif text == "seccomp=unconfined":
            security = _security(o.container)
            security.seccomp_profile = k8s.V1SeccompProfile(type="Unconfined")
            done.append("seccompProfile: Unconfined")
        elif text == "apparmor=unconfined":
            security = _security(o.container)
            security.app_armor_profile = k8s.V1AppArmorProfile(type="Unconfined")
            done.append("appArmorProfile: Unconfined")
        else:
            rest.append(opt)
    if rest or not opts:
        o.ledger.decide("N2K-SECURITY-OPT", o.path(key), f"security options without a direct field: {rest or value}",
                        target=o.where.at(f"securityContext ({', '.join(done) or 'nothing set'})"),
                        suggestion="Express SELinux labels/profiles in securityContext.seLinuxOptions / "
                        "seccompProfile Localhost by hand.")
    else:
        o.ledger.mapped("N2K-SECURITY-OPT", o.path(key), "security options", target=o.where.at(f"{', '.join(done)}"))


def _host_namespace(o: _Opts, key: str, value: Any) -> None:
    field = "host_ipc" if key == "ipc_mode" else "host_pid"
    shown = "hostIPC" if key == "ipc_mode" else "hostPID"
    if value == "host":
        setattr(o.gctx.pod_spec, field, True)
        o.ledger.mapped("N2K-HOST-NAMESPACE", o.path(key), "host namespace (pod-wide in Kubernetes)",
                        target=o.pod.at(f"{shown}: true"))
    elif value in ("", "private", "none", "shareable"):
        o.ledger.mapped("N2K-HOST-NAMESPACE", o.path(key), "private namespace (the Kubernetes default)", target=o.where)
    else:
        o.ledger.decide("N2K-HOST-NAMESPACE", o.path(key), f"{key} {value!r} has no Kubernetes equivalent",
                        target=o.where, suggestion="Containers of one pod share IPC; shareProcessNamespace shares PIDs.")


def _logging(o: _Opts, key: str, value: Any) -> None:
    o.ledger.dropped("N2K-DROP-LOGGING", o.path(key), "docker log driver: the cluster's log collector reads "
                     "container stdout/stderr", k8s="-", suggestion="Configure log shipping cluster-wide (e.g. a "
                     "Fluent Bit/Vector/Promtail DaemonSet).")


def _auth(o: _Opts, key: str, value: Any) -> None:
    secrets = o.gctx.profile.image_pull_secrets
    if key == "auth_soft_fail":
        o.ledger.dropped("N2K-AUTH-SOFT-FAIL", o.path(key), "the kubelet tries every pull secret and then an "
                         "anonymous pull; there is no soft-fail switch", k8s="-")
        return
    if secrets:
        _add_pull_secrets(o.gctx, secrets)
        o.ledger.mapped("N2K-REGISTRY-AUTH", o.path(key), "registry credentials -> the profile's image pull secrets",
                        target=o.pod.at(f"imagePullSecrets: {secrets}"))
    else:
        o.ledger.decide("N2K-REGISTRY-AUTH", o.path(key), "registry credentials; no image pull secret is configured",
                        target=o.where, suggestion="Create a kubernetes.io/dockerconfigjson Secret (from Vault via an "
                        "ExternalSecret) and name it in the profile's image_pull_secrets.")


def _add_pull_secrets(gctx: GroupContext, names: list[str]) -> None:
    existing = [s.name for s in (gctx.pod_spec.image_pull_secrets or [])]
    for name in names:
        if name not in existing:
            existing.append(name)
    gctx.pod_spec.image_pull_secrets = [k8s.V1LocalObjectReference(name=n) for n in existing]


def _dns(o: _Opts, key: str, value: Any) -> None:
    items = o.literal_list(key, value, "N2K-DNS", "DNS setting is", "Set dnsConfig by hand.")
    if items is None:
        return
    pod = o.gctx.pod_spec
    config = pod.dns_config or k8s.V1PodDNSConfig()
    field = {"dns_servers": "nameservers", "dns_search_domains": "searches", "dns_options": "options"}[key]
    if field == "options":
        new = [k8s.V1PodDNSConfigOption(name=i.split(":", 1)[0],
                                        value=i.split(":", 1)[1] if ":" in i else None) for i in items]
        have = {opt.name for opt in (config.options or [])}
        config.options = (config.options or []) + [opt for opt in new if opt.name not in have]
    else:
        current = getattr(config, field) or []
        setattr(config, field, current + [i for i in items if i not in current])
    pod.dns_config = config
    # The dnsPolicy stays ClusterFirst: the pod's Consul names were rewritten to cluster DNS names, which
    # only the cluster DNS answers. The servers are appended after it (docker --dns replaced the resolver).
    if field == "nameservers" and pod.dns_policy is None:
        pod.dns_policy = "ClusterFirst"  # written out: a reviewer sees the resolver was kept on purpose
    shown = o.pod.at(f"dnsConfig.{field}")
    if field == "nameservers" and any(i.startswith("127.") or i.startswith("172.17.") for i in items):
        o.ledger.decide("N2K-DNS", o.path(key), "DNS server is a node-local address (Consul DNS on the host?)",
                        target=shown, suggestion="Use cluster DNS (remove dnsConfig) unless the "
                        "address is reachable from pods.")
    elif field == "nameservers":
        o.ledger.changed("N2K-DNS", o.path(key), "DNS servers added after the cluster DNS (dnsPolicy stays "
                         "ClusterFirst, so cluster DNS names keep resolving); docker used only these servers, and a "
                         "name the cluster DNS answers NXDOMAIN for is not asked of them",
                         target=shown, suggestion="If some names resolve only on these servers, forward their zone "
                         "to them in the cluster DNS (CoreDNS forward/stub domain).")
    else:
        o.ledger.mapped("N2K-DNS", o.path(key), "pod DNS configuration (pod-wide in Kubernetes)", target=shown)


def _extra_hosts(o: _Opts, key: str, value: Any) -> None:
    items = _strings(value)
    parsed: list[tuple[str, str]] = []
    for item in items or []:
        host, sep, ip = item.partition(":")
        if not sep or not host or not ip or has_interpolation(item):
            parsed = []
            break
        parsed.append((host, ip))
    if not parsed:
        o.ledger.decide("N2K-EXTRA-HOSTS", o.path(key), "extra_hosts entries are not literal host:ip pairs",
                        target=o.where, suggestion="Add hostAliases by hand (a Service name may replace the IP).")
        return
    by_ip: dict[str, list[str]] = {a.ip: list(a.hostnames or []) for a in (o.gctx.pod_spec.host_aliases or [])}
    for host, ip in parsed:
        names = by_ip.setdefault(ip, [])
        if host not in names:
            names.append(host)
    o.gctx.pod_spec.host_aliases = [k8s.V1HostAlias(ip=ip, hostnames=names) for ip, names in by_ip.items()]
    o.ledger.mapped("N2K-EXTRA-HOSTS", o.path(key), "/etc/hosts entries (pod-wide in Kubernetes)",
                    target=o.pod.at("hostAliases"))


def _hostname(o: _Opts, key: str, value: Any) -> None:
    text = str(value)
    pod = o.gctx.pod_spec
    first, _, rest = text.partition(".")
    if has_interpolation(text) or not is_dns1123_label(first) or (rest and not is_dns1123_subdomain(rest)):
        o.ledger.decide("N2K-HOSTNAME", o.path(key), f"hostname {text!r} is not a literal DNS name", target=o.where,
                        suggestion="Set spec.hostname by hand, or drop it (the pod name is the hostname).")
        return
    if pod.hostname not in (None, first):
        o.ledger.changed("N2K-HOSTNAME", o.path(key), f"the pod has one hostname; {pod.hostname!r} is kept",
                         target=o.pod.at(f"hostname: {pod.hostname}"))
        return
    pod.hostname = first
    if rest:
        pod.subdomain = rest.split(".")[0]
        o.ledger.changed("N2K-HOSTNAME", o.path(key), "FQDN hostname -> hostname + subdomain (the domain comes "
                         "from the governing Service)", target=o.pod.at(f"hostname: {first}, "
                         f"subdomain: {pod.subdomain}"))
    elif o.gctx.kind in ("Deployment", "StatefulSet", "DaemonSet") and _replicas(o.gctx) != 1:
        o.ledger.changed("N2K-HOSTNAME", o.path(key), "every replica gets the same hostname (as in Nomad)",
                         target=o.pod.at(f"hostname: {first}"))
    else:
        o.ledger.mapped("N2K-HOSTNAME", o.path(key), "pod hostname (pod-wide in Kubernetes)",
                        target=o.pod.at(f"hostname: {first}"))


def _replicas(gctx: GroupContext) -> int | None:
    if gctx.workload_spec.is_set("replicas"):
        return gctx.workload_spec.replicas
    return 1 if gctx.kind != "DaemonSet" else None


def _valid_label(key: str, value: str) -> bool:
    return is_qualified_name(key) and is_label_value(value)


def _labels(o: _Opts, key: str, value: Any) -> None:
    items = o.config.map_at(key)
    if items is None:
        o.ledger.decide("N2K-DOCKER-LABELS", o.path(key), "labels are not a literal map", target=o.where,
                        suggestion="Copy them to pod labels/annotations by hand.")
        return
    as_labels, as_annotations = [], []
    for name, raw in items.items():
        text = str(raw).lower() if isinstance(raw, bool) else str(raw)
        if _valid_label(str(name), text) and str(name) not in o.gctx.labels:
            o.gctx.labels[str(name)] = text
            as_labels.append(str(name))
        elif str(name) not in o.gctx.labels:
            o.gctx.pod_annotations[str(name)] = text
            as_annotations.append(str(name))
    shown = f"pod labels: {as_labels}"
    if as_annotations:
        o.ledger.changed("N2K-DOCKER-LABELS", o.path(key),
                         "container labels -> pod labels; keys/values Kubernetes rejects as labels -> annotations",
                         target=o.pod.at(f"{shown}, annotations: {as_annotations}"))
    else:
        o.ledger.mapped("N2K-DOCKER-LABELS", o.path(key), "container labels -> pod labels", target=o.pod.at(shown))


def _sysctl(o: _Opts, key: str, value: Any) -> None:
    items = o.config.map_at(key)
    if items is None or (isinstance(value, list) and len(value) != 1):
        o.ledger.decide("N2K-SYSCTL", o.path(key), "sysctls are not a literal map", target=o.where,
                        suggestion="Set securityContext.sysctls by hand.")
        return
    security = _pod_security(o.gctx)
    for name, raw in items.items():
        path = paths.join(o.path(key), str(name))
        if name in SAFE_SYSCTLS:
            current = [s for s in (security.sysctls or []) if s.name != name]
            security.sysctls = current + [k8s.V1Sysctl(name=str(name), value=str(raw))]
            o.ledger.mapped("N2K-SYSCTL", path, "safe sysctl (pod-wide in Kubernetes)",
                            target=o.pod.at(f"securityContext.sysctls {name}"))
        else:
            o.ledger.decide("N2K-SYSCTL-UNSAFE", path, f"{name} is not a safe sysctl; the kubelet rejects pods "
                            "that set it unless allowed", k8s="not set",
                            suggestion="Allow it on the nodes (kubelet --allowed-unsafe-sysctls) and add it to "
                            "securityContext.sysctls, or set it on the node.")


def _group_add(o: _Opts, key: str, value: Any) -> None:
    """Numeric group ids -> the pod's supplementalGroups (Kubernetes has no per-container list); names
    are looked up in the image's /etc/group, which the tool cannot read."""
    names = o.literal_list(key, value, "N2K-DOCKER-GROUP-ADD", "extra groups are",
                           "Set securityContext.supplementalGroups with the numeric group ids.")
    if names is None:
        return
    gids = [as_int(n) for n in names]
    if any(g is None or g < 0 for g in gids):
        o.ledger.decide("N2K-DOCKER-GROUP-ADD", o.path(key), f"extra groups {names} are names, not group ids",
                        target=o.where, suggestion="Look up the gids in the image's /etc/group and set "
                        "securityContext.supplementalGroups.")
        return
    security = _pod_security(o.gctx)
    security.supplemental_groups = sorted(set((security.supplemental_groups or []) + [g for g in gids if g is not None]))
    alone = len(o.gctx.containers) == 1
    o.ledger.record(Status.MAPPED if alone else Status.CHANGED, "N2K-DOCKER-GROUP-ADD", o.path(key),
                    "extra groups of the container user" + ("" if alone else
                    " (pod-wide in Kubernetes: every container of the pod gets them)"),
                    target=o.pod.at(f"securityContext.supplementalGroups: {security.supplemental_groups}"))


def _userns(o: _Opts, key: str, value: Any) -> None:
    """Docker accepts only `host`: opt out of the daemon's user-namespace remapping. Pods already share
    the host's user namespace unless hostUsers: false, so `host` is the Kubernetes default."""
    if str(value).strip() == "host":
        o.ledger.mapped("N2K-DOCKER-USERNS", o.path(key), "host user namespace: the Kubernetes default",
                        target=o.pod.at("hostUsers: true (default)"))
        return
    o.ledger.decide("N2K-DOCKER-USERNS", o.path(key), f"docker user-namespace mode {value!r}", target=o.pod,
                    suggestion="Kubernetes >= 1.30: set hostUsers: false on the pod for a user namespace of its own.")


HANDLERS: dict[str, Callable[[_Opts, str, Any], None]] = {
    "userns_mode": _userns,
    "group_add": _group_add,
    "privileged": _privileged,
    "cap_add": _caps,
    "cap_drop": _caps,
    "readonly_rootfs": _readonly_rootfs,
    "tty": _tty,
    "interactive": _tty,
    "memory_hard_limit": _memory_hard_limit,
    "cpu_hard_limit": _cpu_hard_limit,
    "ulimit": _ulimit,
    "init": _init,
    "security_opt": _security_opt,
    "ipc_mode": _host_namespace,
    "pid_mode": _host_namespace,
    "logging": _logging,
    "auth": _auth,
    "auth_soft_fail": _auth,
    "dns_servers": _dns,
    "dns_search_domains": _dns,
    "dns_options": _dns,
    "extra_hosts": _extra_hosts,
    "hostname": _hostname,
    "labels": _labels,
    "sysctl": _sysctl,
}


def map_docker_options(gctx: GroupContext) -> None:
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is None or not isinstance(task.config, dict) or task.driver not in IMAGE_DRIVERS:
            continue  # other drivers' config is accounted for as a whole by the task mapper
        opts = _Opts(gctx, task, container)
        for key, handler in HANDLERS.items():
            if key in task.config:
                handler(opts, key, task.config[key])
