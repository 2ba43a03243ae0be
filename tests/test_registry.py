"""The mapper table: each concept package declares its rows, the registry orders them, and the order
satisfies every declared `after` dependency."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nomad2k8s.convert import convert_job
from nomad2k8s.mapping.core import registry
from nomad2k8s.mapping.core.registry import ORDER, PACKAGE_ROWS, TRANSFORMS, assemble
from nomad2k8s.mapping.core.transform import ALL, Transform, order_problems
from nomad2k8s.parse import load_text
from nomad2k8s.profile import Profile


def _noop(_ctx: object) -> None:
    return None


def test_the_registry_order_satisfies_every_declared_dependency() -> None:
    assert order_problems(TRANSFORMS) == []


def test_every_package_row_is_placed_once() -> None:
    declared = [row.concept for rows in PACKAGE_ROWS for row in rows]
    assert sorted(declared) == sorted(ORDER) == sorted(registry.concepts())


def test_the_rules_that_lived_in_comments_are_declared() -> None:
    rows = {t.concept: t for t in TRANSFORMS}
    assert "service" in rows["template"].after  # templates name Service DNS names and ports
    assert ALL in rows["vpa"].after  # reads the final container resources
    assert ALL in rows["pod-cleanup"].after  # last group step
    assert "template" in rows["docker-mounts"].after  # mounts rendered templates


@pytest.mark.parametrize("table, problem", [
    # A dependency that runs later.
    ([Transform("b", "group", _noop, after=("a",)), Transform("a", "group", _noop)], "b: runs before a"),
    # A dependency nobody declares.
    ([Transform("a", "group", _noop, after=("nope",))], "a: after unknown concept 'nope'"),
    # A "last" step that is not last in its scope.
    ([Transform("a", "group", _noop, after=(ALL,)), Transform("b", "group", _noop)],
     "a: must be the last group step, but b run after it"),
    # A job-scope row before a group-scope one.
    ([Transform("j", "job", _noop), Transform("g", "group", _noop)], "scopes out of order"),
    ([Transform("a", "group", _noop), Transform("a", "group", _noop)], "a: listed twice"),
])
def test_a_violating_table_is_reported(table: list[Transform], problem: str) -> None:
    assert any(problem in p for p in order_problems(table)), order_problems(table)


def test_moving_a_registry_row_is_reported() -> None:
    """Guard: the real table with templates moved ahead of services fails the check."""
    rows = list(TRANSFORMS)
    template = next(r for r in rows if r.concept == "template")
    rows.remove(template)
    rows.insert([r.concept for r in rows].index("service"), template)
    assert "template: runs before service, which it must run after" in order_problems(rows)


def test_assemble_rejects_unplaced_and_unknown_rows() -> None:
    rows = (Transform("a", "group", _noop), Transform("b", "group", _noop))
    assert [t.concept for t in assemble(["b", "a"], [rows])] == ["b", "a"]
    with pytest.raises(ValueError, match="not placed \\['b'\\]"):
        assemble(["a"], [rows])
    with pytest.raises(ValueError, match="no such transform \\['c'\\]"):
        assemble(["a", "b", "c"], [rows])
    with pytest.raises(ValueError, match="declared twice"):
        assemble(["a"], [rows[:1], rows[:1]])


def test_convert_job_runs_the_table_it_is_given() -> None:
    seen: list[str] = []
    hcl = 'job "x" {\n group "g" {\n  task "t" {\n   driver = "docker"\n   config { image = "nginx:1" }\n  }\n }\n}\n'
    parsed = load_text(hcl, Path("x.nomad.hcl"), env={})
    table = [replace(t, fn=lambda g, t=t: (seen.append(t.concept), t.fn(g))) if t.concept in ("task", "vpa") else t
             for t in TRANSFORMS]
    only_tasks = [t for t in TRANSFORMS if t.concept == "task"]
    convert_job(parsed.jobs[0], parsed, Profile(), transforms=table)
    assert seen == ["task", "vpa"]
    bare = convert_job(load_text(hcl, Path("x.nomad.hcl"), env={}).jobs[0], parsed, Profile(), transforms=only_tasks)
    full = convert_job(parsed.jobs[0], parsed, Profile())
    assert any(e.code == "N2K-JOB-TYPE" for e in full.ledger.entries)
    assert not any(e.code == "N2K-JOB-TYPE" for e in bare.ledger.entries)  # only the given rows ran
