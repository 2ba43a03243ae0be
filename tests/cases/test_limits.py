"""The limits layer (nomad2k8s/k8s/limits.py): what the API server would refuse is never emitted with
exit 0 — it is changed with a ledger row (names) or rejected with one line naming the object and field."""

from __future__ import annotations

import pytest

from nomad2k8s.errors import ConversionError

from ..support import validate_object
from .harness import convert_text


def job(task: str = "", group: str = "", top: str = "", name: str = "web") -> str:
    return f'''job "{name}" {{
  {top}
  group "app" {{
    {group}
    task "srv" {{
      driver = "docker"
      config {{ image = "nginx:1" }}
      {task}
    }}
  }}
}}'''


REJECTED = [
    ("count-negative", job(group="count = -5"), "spec.replicas: -5 is not a count"),
    ("count-huge", job(group="count = 99999999999999999999999"), "is not a count"),
    ("memory-negative", job(task="resources { memory = -1 }"), "is negative"),
    ("port-to-70000", job(group='network {\n port "http" { to = 70000 } }'), "70000 is not a port"),
    ("static-negative", job(group='network {\n port "http" { static = -1 } }'), "-1 is not a port"),
]


@pytest.mark.parametrize("name,hcl,message", REJECTED, ids=[r[0] for r in REJECTED])
def test_refused_by_the_api_server_is_one_line(name: str, hcl: str, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        convert_text(hcl)
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("kind,limit,top", [
    ("CronJob", 52, 'type = "batch"\n periodic { cron = "@daily" }'),
])
def test_long_name_is_shortened_with_a_stable_hash(kind: str, limit: int, top: str) -> None:
    long = "a" * 63
    first = convert_text(job(top=top, name=long))
    again = convert_text(job(top=top, name=long))
    names = first.kinds()[kind]
    assert names == again.kinds()[kind] and all(len(n) <= limit for n in names)
    assert first.rows(code="N2K-LIMIT-NAME")
    for obj in first.objects:
        validate_object(obj)
