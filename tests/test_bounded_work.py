"""Bounded work in HCL evaluation: huge format widths, catastrophic regular expressions and a local
doubled 64 times each end quickly — a one-line error (exit 1) where the value would be too large,
a normal result where RE2 simply matches in linear time."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from nomad2k8s.parse.functions import MAX_VALUE_CHARS

from .cases.harness import convert_text
from .support import run_cli

SECONDS = 10  # generous on a loaded 2-core machine; the unbounded versions take hours or exhaust memory


def _job(env_value: str, locals_block: str = "") -> str:
    return f"""{locals_block}
job "b" {{
  group "g" {{
    task "t" {{
      driver = "docker"
      config {{ image = "busybox:1.36" }}
      env {{ A = {env_value} }}
    }}
  }}
}}
"""


def _doubling(times: int) -> str:
    lines = ['  d0 = "xxxxxxxx"'] + [f'  d{i} = "${{local.d{i - 1}}}${{local.d{i - 1}}}"' for i in range(1, times + 1)]
    return "locals {\n" + "\n".join(lines) + "\n}"


def _convert(tmp_path: Path, text: str) -> tuple[int, str, float]:
    path = tmp_path / "job.nomad.hcl"
    path.write_text(text)
    start = _cpu()
    proc = run_cli("convert", path, "--output", tmp_path / "out")
    return proc.returncode, proc.stderr, _cpu() - start


def _cpu() -> float:
    """CPU seconds of this process (run_cli converts in-process) and its finished children: a guard
    against runaway work that other load on the machine does not trip (wall-clock time does)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + usage.ru_utime + usage.ru_stime


@pytest.mark.parametrize("what, text, message", [
    ("format width", _job('format("%999999999d", 1)'), "format(): width 999999999 would be 999,999,999 characters"),
    ("local doubled 64 times", _job("local.d64", _doubling(64)), "over the limit of 1,048,576"),
    ("join of a doubled list", _job('join(",", local.l20)', "locals {\n  l0 = [\"" + "y" * 1000 + "\"]\n" + "\n".join(
        f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})" for i in range(1, 21)) + "\n}"), "elements (limit"),
    ("replace that explodes", _job('replace("' + "a" * 2000 + '", "a", "' + "b" * 2000 + '")'), "replace() would be"),
])
def test_runaway_value_is_one_clear_error(tmp_path: Path, what: str, text: str, message: str) -> None:
    code, stderr, seconds = _convert(tmp_path, text)
    assert code == 1 and message in stderr, (what, stderr)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len([line for line in lines if "job.nomad.hcl" in line]) == 1 and "Traceback" not in stderr
    assert seconds < SECONDS, f"{what}: {seconds:.1f}s"
    assert not (tmp_path / "out" / "b").exists()  # nothing half-written for the failed job


@pytest.mark.parametrize("expr, expected", [
    # Catastrophic for a backtracking engine (2^n paths); RE2 answers in linear time.
    ('jsonencode(regexall("(x+x+)+y", "' + "x" * 20000 + '"))', "[]"),
    ('jsonencode(regexall("(a|aa)+$", "' + "a" * 20000 + 'b"))', "[]"),
    ('regex("^(([a-z])+.)+[A-Z]([a-z])+$", "' + "a" * 5000 + 'B")', None),  # no match: Nomad's own error
    ('jsonencode(regex("(?P<k>[a-z]+)=(?P<v>[0-9]+)", "x a=1"))', '{"k":"a","v":"1"}'),
    ('jsonencode(regex("a(b)(c)", "xabc"))', '["b","c"]'),
    ('replace("hello", "/l+/", "L")', "heLo"),
])
def test_regex_functions_run_in_linear_time(expr: str, expected: str | None) -> None:
    start = time.process_time()  # CPU time: other load on the machine does not count
    result = convert_text(_job(expr))
    seconds = time.process_time() - start
    env = result.object("Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]
    value = next(e["value"] for e in env if e["name"] == "A")
    if expected is None:
        assert value.startswith("${regex(") and any("did not match" in e.message for e in result.entries)
    else:
        assert value == expected
    assert seconds < SECONDS, f"{expr[:40]}: {seconds:.1f}s"


def test_invalid_regex_is_reported_not_raised() -> None:
    """RE2 has no backreferences (neither has Nomad's Go regexp): the call stays text, with a reason."""
    result = convert_text(_job('regex("(a)\\\\1", "aa")'))
    assert any("invalid regular expression" in e.message for e in result.entries)


def test_a_large_but_real_value_still_converts() -> None:
    """The limit is the ConfigMap's 1 MiB, not lower: a 2^16-doubled local (512 KiB) is fine."""
    result = convert_text(_job("local.d16", _doubling(16)))
    env = result.object("Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert len(env[0]["value"]) == 8 * 2 ** 16 <= MAX_VALUE_CHARS


# ---- text scans stay linear on hostile template text (issue 16): CPU-time ratio 512 KiB vs 64 KiB ----

def _scans() -> list[tuple[str, object, str]]:
    from nomad2k8s import nesting
    from nomad2k8s.credentials import credentials
    from nomad2k8s.mapping.config.template_record import _safe_value
    from nomad2k8s.mapping.core.interpolate import _INTERP
    from nomad2k8s.parse.heredoc import decode_heredoc
    from nomad2k8s.secrets.rules import find

    return [
        ("heredoc of blanks", lambda t: decode_heredoc("<<EOF\n" + t + "\nEOF"), " "),
        ("credentials in password= runs", credentials, "password="),
        ("template k=v scan of one long word", _safe_value, "aB3x"),
        ("unclosed ${ runs", lambda t: _INTERP.sub("", t), "$${"),
        ("secret detector on Bearer runs", find, "Authorization: Bearer "),
        ("secret detector on an opaque run", find, "aB3x"),
        ("nesting scan of unclosed strings", nesting.hcl_depth_error, '"${'),
        ("nesting scan of brackets", nesting.json_depth_error, "[]"),
    ]


@pytest.mark.parametrize("index", range(8))
def test_text_scans_are_linear(index: int) -> None:
    name, scan, unit = _scans()[index]

    def cpu(size: int) -> float:
        text = (unit * (size // len(unit) + 1))[:size]
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            scan(text)  # type: ignore[operator]
            best = min(best, time.process_time() - start)
        return best

    small, big = cpu(64 * 1024), cpu(512 * 1024)
    # 8x the text: linear is ~8x; a quadratic scan is ~64x. Generous for noise, with a floor for tiny times.
    assert big <= 20 * max(small, 0.005), f"{name}: {small:.3f}s -> {big:.3f}s"
