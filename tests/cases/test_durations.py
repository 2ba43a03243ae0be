"""Go durations (durationpy behind mapping/core/values.duration_seconds and parse/json_reader.duration):
kill_timeout end to end, then the reader's and the JSON writer's rows."""

from __future__ import annotations

import pytest

from nomad2k8s.mapping.core.values import duration_seconds
from nomad2k8s.parse.json_reader import duration

from .harness import Case, check_case

KILL = "job[web].group[web].task[web].kill_timeout"


def _job(kill_timeout: str) -> str:
    return f'''
job "web" {{
  group "web" {{
    task "web" {{
      driver = "docker"
      config {{ image = "nginx:1.27" }}
      kill_timeout = {kill_timeout}
    }}
  }}
}}
'''


def _grace(seconds: int) -> dict:
    return {("Deployment", "web"): {"spec": {"template": {"spec": {"terminationGracePeriodSeconds": seconds}}}}}


CASES = [
    Case("hours-minutes", _job('"1h30m"'), objects=_grace(5400), rows={KILL: ("mapped", "N2K-KILL-TIMEOUT")}),
    Case("millis-round-up", _job('"500ms"'), objects=_grace(1), rows={KILL: ("mapped", "N2K-KILL-TIMEOUT")}),
    Case("zero", _job('"0"'), objects=_grace(0), rows={KILL: ("mapped", "N2K-KILL-TIMEOUT")}),  # Go reads "0"
    # Units Go does not know (durationpy reads days) and negative values are not durations here.
    Case("days", _job('"1d"'), rows={KILL: ("needs-decision", "N2K-KILL-TIMEOUT-UNRESOLVED")}),
    Case("negative", _job('"-5s"'), rows={KILL: ("needs-decision", "N2K-KILL-TIMEOUT-UNRESOLVED")}),
    Case("no-unit", _job('"30"'), rows={KILL: ("needs-decision", "N2K-KILL-TIMEOUT-UNRESOLVED")}),
    # The model keeps a bare HCL number as text ("45"), which has no unit: as before, not a duration.
    Case("bare-number", _job("45"), rows={KILL: ("needs-decision", "N2K-KILL-TIMEOUT-UNRESOLVED")}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_duration_cases(case: Case) -> None:
    check_case(case)


@pytest.mark.parametrize("value, seconds", [
    ("1h30m", 5400.0), ("1m30s", 90.0), ("30s1m", 90.0), ("500ms", 0.5), ("1.5h", 5400.0), ("0", 0.0),
    ("+45s", 45.0), (" 10s ", 10.0), ("250us", 0.00025), ("250µs", 0.00025), ("250μs", 0.00025),
    ("1h1m1s1ms", 3661.001), (".5s", 0.5), ("0s", 0.0),
    (30, 30.0), (2.5, 2.5),                      # numbers (HCL/JSON literals) are already seconds
])
def test_duration_seconds(value: object, seconds: float) -> None:
    assert duration_seconds(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [
    "", "   ", "30", "1d", "2w", "1y", "-5s", "1.2.3s", "s", "1s 2m", "5 s", "1e3s", "${var.timeout}",
    True, None, ["1s"],
])
def test_duration_seconds_rejects(value: object) -> None:
    assert duration_seconds(value) is None


@pytest.mark.parametrize("ns, text", [
    (0, "0s"), (90 * 10**9, "1m30s"), (5400 * 10**9, "1h30m"), (3600 * 10**9, "1h"), (25 * 3600 * 10**9 + 10**9, "25h1s"),
    (1_500_000_000, "1500ms"), (500_000_000, "500ms"), (1500, "1500ns"),
])
def test_json_duration_text(ns: int, text: str) -> None:
    assert duration(ns) == text
    assert duration_seconds(text) == pytest.approx(ns / 1e9, abs=1e-6)  # what the reader writes reads back
