"""Kubernetes resource quantities ("500m", "256Mi", "1e3", "2Pi"), read and written one way.

Reading is `kubernetes.utils.quantity.parse_quantity` behind a check of apimachinery's grammar
(the client alone also takes "NaN", "Infinity", " 5", "1K" and "1e3Mi", which the API server
rejects). Writing picks our canonical unit and renders it with the client's `format_quantity`:
cpu as whole cores ("2") or millicores ("1500m"), sizes in the largest binary unit up to Gi that
holds the value exactly ("2Gi", "1536Mi"). Values are rounded up (a request never shrinks).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from kubernetes.utils.quantity import format_quantity, parse_quantity

# apimachinery resource.Quantity: <sign>?<number><binarySI | decimalExponent | decimalSI>?
_GRAMMAR = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$")
SYNTAX = ("a Kubernetes quantity: a number with an optional suffix Ki Mi Gi Ti Pi Ei (binary), "
          "n u m k M G T P E (decimal) or an exponent (1e3)")
MIB = 1 << 20
# Largest first; Ti and up are never written (a 1 TiB claim reads "1024Gi", as it always has).
_BINARY_UNITS = (("Gi", 1 << 30), ("Mi", MIB), ("Ki", 1 << 10))


class QuantityError(ValueError):
    """Text that is not a Kubernetes quantity; the message says why and what is expected."""


def parse(text: Any) -> Decimal:
    """The quantity's value in base units (cores, bytes) as an exact Decimal."""
    raw = str(text)
    if not _GRAMMAR.match(raw):
        raise QuantityError(f"{raw!r} is not {SYNTAX}")
    return parse_quantity(raw)


def is_quantity(text: Any) -> bool:
    try:
        parse(text)
    except QuantityError:
        return False
    return True


def size(text: Any) -> str:
    """A storage size as written by the operator (stripped), checked: a quantity >= 0."""
    raw = str(text).strip()
    if parse(raw) < 0:
        raise QuantityError(f"{raw!r} is negative")
    return raw


# Byte units as people write them (go-humanize, which Nomad uses for CSI capacity_min/max).
_BYTE_UNITS = {"b": "", "kb": "k", "kib": "Ki", "mb": "M", "mib": "Mi", "gb": "G", "gib": "Gi",
               "tb": "T", "tib": "Ti", "pb": "P", "pib": "Pi", "eb": "E", "eib": "Ei"}
_BYTE_TEXT = re.compile(r"^([0-9.]+)([A-Za-z]+)$")


def from_byte_units(text: str) -> str | None:
    """A size in byte units ("10GiB", "1.5 GB") as a quantity ("10Gi", "1.5G"); a quantity
    already is one ("10Gi", "500M": kept as written); None when it is neither."""
    compact = text.strip().replace(" ", "")
    if is_quantity(compact):
        return compact
    match = _BYTE_TEXT.match(compact)
    unit = _BYTE_UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None or not is_quantity(match.group(1) + unit):
        return None
    return match.group(1) + unit


def cpu_millis(quantity: Any) -> float | None:
    """Millicores of a cpu quantity ("1.5" -> 1500.0); None when it is not a quantity."""
    try:
        return float(parse(quantity) * 1000)
    except QuantityError:
        return None


def memory_mi(quantity: Any) -> float | None:
    """MiB of a memory quantity ("1Gi" -> 1024.0, "100M" -> 95.37...); None when not a quantity."""
    try:
        return float(parse(quantity) / MIB)
    except QuantityError:
        return None


def cpu_quantity(millis: float) -> str:
    """Canonical cpu: whole cores when exact, else millicores; at least 1m, rounded up."""
    whole = max(1, math.ceil(millis))
    if whole % 1000 == 0:
        return format_quantity(Decimal(whole // 1000), "")
    return format_quantity(Decimal(whole) / 1000, "m", quantize=Decimal(1))


def bytes_quantity(count: int) -> str:
    """Canonical size of a byte count: the largest of Gi/Mi/Ki that holds it exactly, else bytes."""
    for unit, factor in _BINARY_UNITS:
        if count >= factor and count % factor == 0:
            return format_quantity(Decimal(count), unit, quantize=Decimal(1))
    return format_quantity(Decimal(count), "")


def mib_quantity(mb: int) -> str:
    """Nomad sizes are MB (really MiB) -> Gi when whole, else Mi."""
    return bytes_quantity(mb * MIB)


def memory_quantity(mi: float) -> str:
    """Canonical memory from MiB: at least 1Mi, rounded up to whole MiB."""
    return mib_quantity(max(1, math.ceil(mi)))
