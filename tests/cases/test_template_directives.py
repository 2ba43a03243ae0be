"""HCL2 template directives in jobspec strings: `%{ for }` loops and `~` strip markers (shared with
Terraform's templatefile(), parse/template.py)."""

from __future__ import annotations

import pytest

from .harness import Case, check_case

HOSTS = '''
variable "hosts" {
  type    = list(string)
  default = ["a", "b"]
}
variable "ports" {
  default = { http = 80, admin = 81 }
}
job "loop" {
  group "g" {
    task "t" {
      driver = "docker"
      config {
        image = "busybox:1"
      }
      env {
        HOSTS = "%{ for h in var.hosts ~} ${h}, %{~ endfor }"
        PORTS = "%{ for name, port in var.ports }${name}=${port};%{ endfor }"
        NONE  = "x%{ for h in [] }${h}%{ endfor }y"
      }
    }
  }
}
'''

ENV = ("Deployment", "loop")


def _env(**values: str) -> dict:
    return {"spec": {"template": {"spec": {"containers": [
        {"env": [{"name": k, "value": v} for k, v in values.items()]}]}}}}


CASES = [
    # `~` strips the whitespace beside the directive; map iteration is in key order.
    Case("for-loops-and-strip-markers", HOSTS,
         objects={ENV: _env(HOSTS="a,b,", PORTS="admin=81;http=80;", NONE="xy")},
         rows={"job[loop].group[g].task[t].env.HOSTS": ("mapped", "N2K-ENV")}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_template_directive_case(case: Case) -> None:
    check_case(case)
