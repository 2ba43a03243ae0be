"""HCL2 reading: canonical shape, labels, lines, heredocs, escapes, errors."""

from pathlib import Path

import pytest

from nomad2k8s.errors import ConversionError
from nomad2k8s.parse import load_jobspec

BASIC = '''job "web" {
  datacenters = ["dc1"]
  group "g" {
    count = 2
    network {
      port "http" { to = 8080 }
    }
    task "t" {
      driver = "docker"
      config {
        image = "nginx:1"
        ports = ["http"]
      }
      env {
        A = "b"
      }
      service {
        port = "http"
      }
      service {
        port = "http"
        name = "two"
      }
    }
  }
}
'''


def write(tmp_path: Path, text: str, name: str = "job.nomad") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def load(tmp_path: Path, text: str, **kw):
    kw.setdefault("env", {})
    return load_jobspec(write(tmp_path, text), **kw)


def test_basic_shape(tmp_path):
    src = load(tmp_path, BASIC)
    assert src.syntax == "hcl2" and src.diagnostics == [] and src.text == BASIC
    [job] = src.jobs
    assert job["__label__"] == "web" and job["__line__"] == 1
    [group] = job["group"]
    assert group["__label__"] == "g" and group["__line__"] == 3 and group["count"] == 2
    assert group["network"][0]["port"] == [{"__label__": "http", "__line__": 6, "to": 8080}]
    [task] = group["task"]
    assert task["__line__"] == 8
    assert task["config"] == [{"__line__": 10, "image": "nginx:1", "ports": ["http"]}]
    assert task["env"] == [{"__line__": 14, "A": "b"}]
    assert [s["__line__"] for s in task["service"]] == [17, 20]
    assert "__is_block__" not in repr(job)


@pytest.mark.parametrize(
    "heredoc, expected",
    [
        ('<<EOH\nline ${NOMAD_TASK_DIR}\n  two\nEOH', "line ${NOMAD_TASK_DIR}\n  two\n"),
        ('<<-EOH\n    a\n      b\n    EOH', "a\n  b\n"),
        ('<< EOT\nspaced\nEOT   ', "spaced\n"),  # cosmetic variants are normalised
        ('"literal $${x} and %%{y}"', "literal ${x} and %{y}"),
        ('"{{ env \\"NOMAD_ADDR\\" }}"', '{{ env "NOMAD_ADDR" }}'),
    ],
)
def test_template_data(tmp_path, heredoc, expected):
    text = f'job "j" {{\n  group "g" {{\n    task "t" {{\n      template {{\n        data = {heredoc}\n      }}\n    }}\n  }}\n}}\n'
    src = load(tmp_path, text)
    assert src.jobs[0]["group"][0]["task"][0]["template"][0]["data"] == expected
    assert src.diagnostics == []


def test_runtime_interpolation_kept(tmp_path):
    src = load(tmp_path, 'job "j" {\n  meta {\n    a = "${NOMAD_PORT_http}"\n    b = "${attr.kernel.name}-${node.unique.id}"\n    c = "${env["HOME"]}"\n  }\n}\n')
    assert src.jobs[0]["meta"][0] == {
        "__line__": 2, "a": "${NOMAD_PORT_http}", "b": "${attr.kernel.name}-${node.unique.id}",
        "c": '${env["HOME"]}',
    }
    assert src.diagnostics == []


def test_no_job_block(tmp_path):
    with pytest.raises(ConversionError, match="no job block found"):
        load(tmp_path, 'variable "x" {}\n')


def test_syntax_error_has_line(tmp_path):
    with pytest.raises(ConversionError) as info:
        load(tmp_path, 'job "j" {\n  group "g" {\n    count = = 2\n  }\n}\n')
    err = info.value
    assert err.line == 3 and err.col and "HCL syntax error" in err.message
    assert "\n" not in str(err)


def test_hcl1_fallback(tmp_path):
    text = (
        'job "old" {\n'
        '  group "g" {\n'
        '    task "t" {\n'
        '      env { "MY_KEY" = "v" }\n'
        '      volume_mount { volume = "x" destination = "/y" }\n'
        '      resources {\n'
        '        cpu = 100,\n'
        '      }\n'
        '    }\n'
        '  }\n'
        '}\n'
    )
    src = load(tmp_path, text)
    assert src.syntax == "hcl1"
    task = src.jobs[0]["group"][0]["task"][0]
    assert src.jobs[0]["__label__"] == "old" and task["__label__"] == "t" and task["__line__"] == 3
    assert task["env"] == {"MY_KEY": "v"}
    assert task["volume_mount"] == [{"__line__": 5, "volume": "x", "destination": "/y"}]
    assert task["resources"][0]["cpu"] == 100


def test_hcl1_fallback_keeps_scaling_policy_labels(tmp_path):
    # A quoted meta key (the nomad2k8s.* hint form) is not HCL2: the whole file goes through the
    # HCL1 reader, which must still label policy checks and their strategies like the HCL2 reader.
    text = (
        'job "j" {\n'
        '  group "g" {\n'
        '    meta { "nomad2k8s.replicas" = "2" }\n'
        '    scaling {\n'
        '      max = 4\n'
        '      policy {\n'
        '        check "load" {\n'
        '          query = "avg_cpu-allocated"\n'
        '          strategy "target-value" { target = 70 }\n'
        '        }\n'
        '      }\n'
        '    }\n'
        '    task "t" {\n'
        '      service {\n'
        '        check { type = "tcp" }\n'
        '      }\n'
        '    }\n'
        '  }\n'
        '}\n'
    )
    src = load(tmp_path, text)
    assert src.syntax == "hcl1"
    group = src.jobs[0]["group"][0]
    (check,) = group["scaling"][0]["policy"][0]["check"]
    assert check["__label__"] == "load" and check["query"] == "avg_cpu-allocated"
    assert check["strategy"] == [{"__label__": "target-value", "__line__": 9, "target": 70}]
    (service_check,) = group["task"][0]["service"][0]["check"]
    assert "__label__" not in service_check and service_check["type"] == "tcp"


def test_the_transformer_binds_its_callbacks_once(monkeypatch) -> None:
    """lark's v_args wrapper made a new wrapper per tree node (functools.update_wrapper each time)."""
    import lark.visitors

    from nomad2k8s.parse import hcl2_reader

    hcl2_reader.parse_hcl2('job "warm" {}')  # the transformer made and bound
    made: list[object] = []
    real = lark.visitors.update_wrapper
    monkeypatch.setattr(lark.visitors, "update_wrapper", lambda *a, **k: made.append(a) or real(*a, **k))
    data = hcl2_reader.parse_hcl2('job "web" {\n  group "g" {\n    count = 2\n    task "t" { driver = "docker" }\n  }\n}')
    group = data["job"][0]["group"][0]
    assert (group["__label__"], group["count"], group["task"][0]["driver"]) == ("g", 2, "docker")
    assert made == []
