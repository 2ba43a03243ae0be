"""Env template values read as Nomad reads them (hashicorp/go-envparse)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nomad2k8s.convert import convert_file
from nomad2k8s.lang.envparse import EnvValueError, parse_value
from nomad2k8s.lang.consul_template import Lit, RuntimeRef

REF = RuntimeRef("env", "X", '{{ env "X" }}')


@pytest.mark.parametrize("value, parsed", [
    ([Lit(' "v"')], [Lit("v")]),
    ([Lit(" 'a b' ")], [Lit("a b")]),
    ([Lit('" keep "')], [Lit(" keep ")]),
    ([Lit("x # comment")], [Lit("x")]),
    ([Lit("x#y")], [Lit("x")]),
    ([Lit('"a#b"')], [Lit("a#b")]),
    ([Lit('a "b\\n" c')], [Lit("a b\n c")]),
    ([Lit("'\\n'")], [Lit("\\n")]),
    ([Lit('"a""b"')], [Lit("ab")]),
    ([Lit('"'), REF, Lit('"')], [REF]),
    ([Lit("pre "), REF, Lit(" # c")], [Lit("pre "), REF]),
    ([Lit("")], []),
])
def test_parse_value(value: list, parsed: list) -> None:
    assert parse_value(value) == parsed


@pytest.mark.parametrize("value", [[Lit('" x')], [Lit("'x")], [Lit('"\\q"')]])
def test_parse_value_rejects_what_nomad_rejects(value: list) -> None:
    with pytest.raises(EnvValueError):
        parse_value(value)


JOB = '''
job "j" {
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "busybox:1.36" }
      template {
        destination = "local/a.env"
        env         = true
        data        = <<EOF
# a comment line
INFLUX_DB = "metrics"
export MODE='fast lane'
LEVEL=info # trailing comment
BROKEN="unterminated
EOF
      }
    }
  }
}
'''


def test_env_template_lines_are_trimmed_and_unquoted(tmp_path: Path) -> None:
    path = tmp_path / "j.nomad.hcl"
    path.write_text(JOB)
    (result,) = convert_file(path)
    (deploy,) = [o for o in result.objects if o["kind"] == "Deployment"]
    env = {e["name"]: e.get("value") for e in deploy["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env == {"INFLUX_DB": "metrics", "MODE": "fast lane", "LEVEL": "info"}
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].data")]
    assert entry.status.value == "needs-decision" and "BROKEN (unmatched quote" in entry.message
