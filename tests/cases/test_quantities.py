"""Kubernetes quantities (nomad2k8s/k8s/quantity.py): the volume-size hint, CSI capacities and VPA
bounds end to end, then the module's parse/format rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nomad2k8s.errors import ConversionError
from nomad2k8s.k8s import quantity as q

from .harness import Case, check_case, convert_text

HINT = 'job[shop].meta["nomad2k8s.volume-size"]'


def _job(volume_extra: str = "", cpu: int = 500, memory: int = 256) -> str:
    return f'''
job "shop" {{
  group "db" {{
    volume "data" {{
      type        = "csi"
      source      = "pg-data"
      access_mode = "single-node-writer"
      {volume_extra}
    }}
    task "pg" {{
      driver = "docker"
      config {{ image = "postgres:16" }}
      volume_mount {{
        volume      = "data"
        destination = "/var/lib/postgresql/data"
      }}
      resources {{
        cpu    = {cpu}
        memory = {memory}
      }}
    }}
  }}
}}
'''


def _claim(size: str) -> dict:
    return {("PersistentVolumeClaim", "pg-data"): {"spec": {"resources": {"requests": {"storage": size}}}}}


def _vpa(low: dict[str, str], high: dict[str, str]) -> dict:
    policy = {"containerName": "pg", "minAllowed": low, "maxAllowed": high}
    return {("VerticalPodAutoscaler", "shop-vpa"): {"spec": {"resourcePolicy": {"containerPolicies": [policy]}}}}


CASES = [
    # The hint's text is the claim's size, exactly as written; the old regex rejected the last four.
    *[Case(f"hint-{size}", _job(), objects=_claim(size), rows={HINT: ("mapped", "N2K-HINT")},
           hints={"volume_size": size})
      for size in ("5Gi", "1.5Gi", "1e3", "2Pi", "1Ei", "+5Gi")],
    # CSI capacities in byte units become quantities; the jobspec's size wins over the hint.
    Case("capacity-gib", _job('capacity_min = "10 GiB"'), objects=_claim("10Gi")),
    Case("capacity-mb", _job('capacity_max = "500MB"'), objects=_claim("500M")),
    Case("capacity-tib-fraction", _job('capacity_min = "1.5TiB"'), objects=_claim("1.5Ti")),
    Case("capacity-quantity-kept", _job('capacity_min = "2Gi"'), objects=_claim("2Gi")),
    Case("capacity-over-hint", _job('capacity_min = "10GiB"'), objects=_claim("10Gi"), hints={"volume_size": "2Pi"}),
    # VPA bounds: request x 0.5 .. limit x 4 (profile defaults), in our canonical units.
    Case("vpa-bounds", _job(), objects=_vpa({"cpu": "250m", "memory": "128Mi"}, {"cpu": "2", "memory": "1Gi"})),
    Case("vpa-bounds-round-up", _job(cpu=333, memory=1001),
         objects=_vpa({"cpu": "167m", "memory": "501Mi"}, {"cpu": "1332m", "memory": "4004Mi"})),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_quantity_cases(case: Case) -> None:
    check_case(case)


@pytest.mark.parametrize("value, why", [
    ("5 gigs", "is not a Kubernetes quantity"),
    ("1K", "is not a Kubernetes quantity"),       # upper-case K is not a suffix (Ki, k are)
    ("1e3Mi", "is not a Kubernetes quantity"),    # an exponent and a suffix
    ("NaN", "is not a Kubernetes quantity"),      # Decimal reads it; the API server does not
    ("Gi", "is not a Kubernetes quantity"),
    ("-1Gi", "is negative"),
])
def test_invalid_volume_size_hint_is_rejected_with_the_reason(value: str, why: str) -> None:
    with pytest.raises(ConversionError, match="invalid value") as info:
        convert_text(_job(), volume_size=value)
    message = info.value.message
    assert "expected a quantity such as 5Gi" in message and why in message, message


# ---- the module ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("500m", Decimal("0.5")), ("2", Decimal(2)), ("1e3", Decimal(1000)), ("1E3", Decimal(1000)),
    ("256Mi", Decimal(256 << 20)), ("2Pi", Decimal(2 << 50)), ("1Ei", Decimal(1 << 60)),
    ("1E", Decimal(10**18)), ("100n", Decimal("1E-7")), (".5", Decimal("0.5")), ("-1k", Decimal(-1000)),
])
def test_parse(text: str, value: Decimal) -> None:
    assert q.parse(text) == value
    assert q.is_quantity(text)


@pytest.mark.parametrize("text", ["", " 5", "5 ", "1K", "1ki", "1e3Mi", "Infinity", "1.2.3", "5Gb", "1e"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(q.QuantityError, match="is not a Kubernetes quantity"):
        q.parse(text)
    assert not q.is_quantity(text)


@pytest.mark.parametrize("text, millis", [("500m", 500.0), ("1", 1000.0), ("1.5", 1500.0), ("0.25", 250.0),
                                          ("x", None)])
def test_cpu_millis(text: str, millis: float | None) -> None:
    assert q.cpu_millis(text) == millis


@pytest.mark.parametrize("text, mi", [("256Mi", 256.0), ("1Gi", 1024.0), ("1.5Gi", 1536.0), ("512Ki", 0.5),
                                      ("100M", 10**8 / 2**20), ("x", None)])
def test_memory_mi(text: str, mi: float | None) -> None:
    assert q.memory_mi(text) == mi


@pytest.mark.parametrize("fn, value, text", [
    (q.cpu_quantity, 1500, "1500m"), (q.cpu_quantity, 2000, "2"), (q.cpu_quantity, 0.2, "1m"),
    (q.cpu_quantity, 999.1, "1"), (q.cpu_quantity, 12000, "12"),
    (q.memory_quantity, 1024, "1Gi"), (q.memory_quantity, 1000.5, "1001Mi"), (q.memory_quantity, 0.1, "1Mi"),
    (q.mib_quantity, 300, "300Mi"), (q.mib_quantity, 2048, "2Gi"), (q.mib_quantity, 1 << 20, "1024Gi"),
    (q.bytes_quantity, 5, "5"), (q.bytes_quantity, 3072, "3Ki"), (q.bytes_quantity, 64 << 20, "64Mi"),
    (q.bytes_quantity, 3 << 30, "3Gi"), (q.bytes_quantity, 0, "0"),
])
def test_canonical_formatting(fn, value, text: str) -> None:
    assert fn(value) == text


@pytest.mark.parametrize("text, out", [
    ("10GiB", "10Gi"), ("10 GiB", "10Gi"), ("10GB", "10G"), ("1.5TiB", "1.5Ti"), ("100B", "100"),
    ("2mib", "2Mi"), ("10Gi", "10Gi"), ("500M", "500M"), ("5 gigs", None), ("GiB", None),
])
def test_from_byte_units(text: str, out: str | None) -> None:
    assert q.from_byte_units(text) == out


def test_size_strips_and_rejects_negative() -> None:
    assert q.size(" 5Gi ") == "5Gi"
    with pytest.raises(q.QuantityError, match="is negative"):
        q.size("-5Gi")
