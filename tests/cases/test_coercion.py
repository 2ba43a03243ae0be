"""The typed-coercion layer (nomad2k8s/model/coerce.py): wrong value shapes are one ConversionError naming the
setting (never a traceback from a mapper), and Nomad's own string->bool/number coercion applies."""

from __future__ import annotations

import pytest

from nomad2k8s.errors import ConversionError

from .harness import convert_text


def job(task: str = "", group: str = "", top: str = "") -> str:
    return f'''job "web" {{
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
    ("env-list", job(task='env = ["A=1"]'), "job[web].group[app].task[srv].env: expected a map of strings, got a list"),
    ("config-list", job().replace('config { image = "nginx:1" }', 'config = ["a"]'),
     "task[srv].config: expected a map, got a list"),
    ("job-meta-list", job(top='meta = ["a"]'), "job[web].meta: expected a map of strings, got a list"),
    ("crons-bool", job(top='type = "batch"\n periodic { crons = true }'), "periodic.crons: expected a list of strings, got a bool"),
    ("time-zone-list", job(top='type = "batch"\n periodic {\n cron = "@daily"\n time_zone = ["x"] }'),
     "periodic.time_zone: expected a string, got a list"),
    ("network-mode-list", job(group='network { mode = ["bridge"] }'), "network.mode: expected a string, got a list"),
    ("dns-servers-bool", job(group='network {\n dns { servers = true } }'), "dns.servers: expected a list of strings, got a bool"),
    ("vault-policies-number", job(task='vault { policies = 5 }'), "vault.policies: expected a list of strings, got a number"),
    ("access-mode-list", job(group='volume "d" {\n type = "csi"\n source = "d"\n access_mode = ["single-node-writer"] }'),
     "volume[d].access_mode: expected a string, got a list"),
    ("script-check-args-number", job(task='service {\n name = "s"\n check {\n type = "script"\n command = "/x"\n args = 5 } }'),
     "check[0].args: expected a list of strings, got a number"),
    ("service-name-list", job(group='service { name = ["a", "b"] }'), "service[0].name: expected a string, got a list"),
    ("env-value-list", job(task='env { A = ["1"] }'), "task[srv].env.A: expected a string, got a list"),
    ("bool-word", job(task='leader = "yes"'), "task[srv].leader: expected a bool, got a string"),
]


@pytest.mark.parametrize("name,hcl,message", REJECTED, ids=[r[0] for r in REJECTED])
def test_wrong_shape_is_one_line_naming_the_setting(name: str, hcl: str, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        convert_text(hcl)
    text = str(info.value)
    assert message in text
    assert text.startswith("job.nomad.hcl:") and "\n" not in text


def test_force_pull_string_true_is_true() -> None:  # issue 13 family 14
    hcl = job().replace('config { image = "nginx:1" }', 'config {\n image = "nginx:1"\n force_pull = "true" }')
    result = convert_text(hcl)
    container = result.object("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "Always"


def test_numeric_string_and_bool_string_coerce() -> None:
    result = convert_text(job(group='count = "3"', task='leader = "true"'))
    assert result.object("Deployment", "web")["spec"]["replicas"] == 3


def test_cron_bool_becomes_text_not_a_crash() -> None:
    # cty turns a bool into the string "true"; the cron mapper then judges that text like any bad cron.
    try:
        convert_text(job(top='type = "batch"\n periodic { cron = true }'))
    except ConversionError as exc:
        assert "\n" not in str(exc)
