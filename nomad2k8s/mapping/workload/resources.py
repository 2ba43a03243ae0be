"""resources -> container requests/limits.

memory -> requests.memory, memory_max -> limits.memory (without it Nomad kills a task at
`memory`, so limit = request unless the profile's memory_limit_policy says none/factor).
cpu MHz -> requests.cpu millicores (profile cpu_factor); cores -> whole CPUs. Nomad's cpu
is a weighted share, not a cap, so no CPU limit is set unless the profile's
cpu_limit_policy asks for one (equal-to-request, or request x cpu_limit_factor).
"""

from __future__ import annotations

from kubernetes import client as k8s

from nomad2k8s.k8s.names import dns_label
from nomad2k8s.k8s.quantity import cpu_quantity as _cpu_quantity
from nomad2k8s.ledger import FieldRules, Target, rules
from nomad2k8s.mapping.core.context import GroupContext
from nomad2k8s.mapping.core.values import as_int
from nomad2k8s.model import Task

# resources fields Nomad itself no longer honours.
_IGNORED_BY_NOMAD = FieldRules(
    rules.dropped("disk", "N2K-DROP-DISK", "resources.disk is deprecated in Nomad; use ephemeral_disk"),
    rules.dropped("iops", "N2K-DROP-IOPS", "iops is ignored by Nomad itself"),
)


def map_resources(gctx: GroupContext) -> None:
    for task in gctx.group.task:
        container = gctx.containers.get(task.name)
        if container is not None:
            _map_task(gctx, task, container)


def _map_task(gctx: GroupContext, task: Task, container: k8s.V1Container) -> None:
    ledger, profile = gctx.ledger, gctx.profile
    res = task.resources
    target = Target(gctx.kind, gctx.workload_name, container=container.name)
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}

    memory = as_int(res.memory) if res is not None and res.is_set("memory") else None
    if res is not None and res.is_set("memory") and memory is None:
        ledger.decide("N2K-MEMORY-UNRESOLVED", res.path_of("memory"), "memory is not a literal number",
                      target=target, suggestion="Set the memory request by hand.")
    if memory is None:
        memory = profile.resources.nomad_default_memory
        ledger.changed("N2K-MEMORY-DEFAULT", task.path_of("resources"),
                       f"no memory set: Nomad's default of {memory} MB is used",
                       target=target.at(f"requests.memory: {memory}Mi"), claims=False)
    elif res is not None:
        ledger.mapped("N2K-MEMORY", res.path_of("memory"), "memory reservation",
                      target=target.at(f"requests.memory: {memory}Mi"))
    requests["memory"] = f"{memory}Mi"

    memory_max = as_int(res.memory_max) if res is not None and res.is_set("memory_max") else None
    if memory_max is not None and memory_max > 0 and res is not None:
        limits["memory"] = f"{max(memory_max, memory)}Mi"
        ledger.mapped("N2K-MEMORY-MAX", res.path_of("memory_max"), "memory oversubscription cap",
                      target=target.at(f"limits.memory: {limits['memory']}"))
    else:
        policy = profile.resources.memory_limit_policy
        if policy == "factor":
            limits["memory"] = f"{round(memory * profile.resources.memory_limit_factor)}Mi"
        elif policy == "equal-to-request":
            limits["memory"] = f"{memory}Mi"
        shown = limits.get("memory", "none")
        if res is not None and res.is_set("memory_max"):
            ledger.decide("N2K-MEMORY-MAX-UNRESOLVED", res.path_of("memory_max"),
                          f"memory_max is not a usable number; limit per profile memory_limit_policy ({policy})",
                          target=target.at(f"limits.memory: {shown}"))
        elif policy == "equal-to-request":
            ledger.mapped("N2K-MEMORY-LIMIT", task.path_of("resources"),
                          "no memory_max: Nomad caps memory at the reservation, so limit = request",
                          target=target.at(f"limits.memory: {shown}"), claims=False)
        else:
            ledger.changed("N2K-MEMORY-LIMIT", task.path_of("resources"),
                           "no memory_max: Nomad caps memory at the reservation; the profile's memory_limit_policy "
                           f"({policy}) sets {'no limit' if policy == 'none' else 'a higher limit'}",
                           target=target.at(f"limits.memory: {shown}"), claims=False)

    cores = as_int(res.cores) if res is not None and res.is_set("cores") else None
    cpu = as_int(res.cpu) if res is not None and res.is_set("cpu") else None
    if cores and res is not None:  # (cores is only read from a resources block)
        requests["cpu"] = str(cores)
        limits["cpu"] = str(cores)  # reserved cores are exclusive in Nomad: a hard cap is faithful
        ledger.mapped("N2K-CPU-CORES", res.path_of("cores"), "reserved cores -> whole CPUs",
                      target=target.at(f"requests/limits.cpu: {cores}"))
        if res.is_set("cpu"):
            ledger.dropped("N2K-CPU-WITH-CORES", res.path_of("cpu"), "cpu is ignored when cores is set", target=target)
    else:
        if res is not None and res.is_set("cpu") and cpu is None:
            ledger.decide("N2K-CPU-UNRESOLVED", res.path_of("cpu"), "cpu is not a literal number", target=target)
        mhz = cpu if cpu is not None else profile.resources.nomad_default_cpu
        millicores = max(1, round(mhz * profile.resources.cpu_factor))
        requests["cpu"] = _cpu_quantity(millicores)
        if cpu is not None and res is not None:
            ledger.mapped("N2K-CPU", res.path_of("cpu"),
                          f"{mhz} MHz x {profile.resources.cpu_factor:g} -> {requests['cpu']} (a share, not a cap)",
                          target=target.at(f"requests.cpu: {requests['cpu']}"))
        else:
            ledger.changed("N2K-CPU-DEFAULT", task.path_of("resources"),
                           f"no cpu set: Nomad's default of {mhz} MHz is used",
                           target=target.at(f"requests.cpu: {requests['cpu']}"), claims=False)
        policy = profile.resources.cpu_limit_policy
        if policy == "equal-to-request":
            limits["cpu"] = requests["cpu"]
        elif policy == "factor":
            limits["cpu"] = _cpu_quantity(max(1, round(millicores * profile.resources.cpu_limit_factor)))
        if policy == "none":
            ledger.mapped("N2K-CPU-NO-LIMIT", task.path_of("resources"),
                          "Nomad cpu is a weighted share, never a cap: no CPU limit (profile cpu_limit_policy)",
                          target=target, claims=False)
        else:
            ledger.changed("N2K-CPU-LIMIT", task.path_of("resources"),
                           f"Nomad cpu is a share, not a cap; the profile's cpu_limit_policy ({policy}) adds a cap",
                           target=target.at(f"limits.cpu: {limits['cpu']}"), claims=False)
    if res is not None:
        _IGNORED_BY_NOMAD.apply(ledger, res)
    container.resources = k8s.V1ResourceRequirements(requests=requests, limits=limits)


def container_name(task: Task) -> str:
    return dns_label(task.name)
