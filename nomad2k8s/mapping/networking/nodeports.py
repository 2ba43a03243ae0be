"""NodePort numbers for Nomad static ports, and the words the port's ledger entry uses for them.

NodePorts are cluster-wide. The group mapper (network.py, services.py) gives each static port its
preferred number: the static port itself inside the profile's range (`ports.node_port_range`), else a
stable number inside it. The batch pass (mapping/passes/batch_node_ports.py) then makes the numbers
unique over every job converted together and rewrites the entry's text with the same functions.
"""

from __future__ import annotations

from nomad2k8s.profile import Profile

Bounds = tuple[int, int]


def bounds(profile: Profile) -> Bounds:
    """The profile's ports.node_port_range (`LOW-HIGH`, validated by the profile) as (lowest, highest)."""
    low, _, high = profile.ports.node_port_range.partition("-")
    return int(low), int(high)


def preferred(static: int, bounds: Bounds) -> int:
    """The static port itself when it is in the NodePort range, else a stable number inside it."""
    low, high = bounds
    if low <= static <= high:
        return static
    return low + static % (high - low + 1)


def static_what(static: int, container_port: int, numbers: list[tuple[str, int | None]], bounds: Bounds,
                holder: str = "") -> str:
    """The entry's text for a static port exposed as NodePort(s): `numbers` is (Service name, nodePort)
    per Service exposing it (None: the API server picks one); `holder` who holds the number it preferred."""
    mapped_note = f" -> container port {container_port}" if container_port != static else ""
    finals = {n for _, n in numbers}
    low, high = bounds
    if finals == {static}:
        return f"static host port {static}{mapped_note} -> Service nodePort {static}"
    if len(numbers) == 1:
        where = f"nodePort {number_text(numbers[0][1])}"
    else:
        where = "nodePorts " + ", ".join(f"{number_text(n)} (Service/{name})" for name, n in numbers)
    if low <= static <= high:
        why = f"nodePort {static} is taken by {holder or 'another Service'} (nodePorts are cluster-wide)"
    else:
        why = f"outside the NodePort range {low}-{high}"
        if holder:
            where += f" ({preferred(static, bounds)} is taken by {holder})"
    return (f"static host port {static}{mapped_note}: {why}, exposed on nodes as {where}; inside the cluster "
            f"the Service keeps port {container_port}")


def suggestion(numbers: list[int | None]) -> str:
    shown = " / ".join(number_text(n) for n in dict.fromkeys(numbers))
    return (f"Tell clients outside the cluster to use node port {shown}, or use a LoadBalancer Service / hostPort "
            "(profile ports.static_port_policy).")


def number_text(n: int | None) -> str:
    return str(n) if n is not None else "(allocated by the API server)"
