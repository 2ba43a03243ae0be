"""HCL2 variables, locals, functions, dynamic blocks and unresolved diagnostics."""

import json

import pytest

from nomad2k8s.parse import load_jobspec

VARS = '''variable "image" {
  type    = string
  default = "from-default"
}
variable "ports" {
  type    = list(number)
  default = [80, 443]
}
variable "replicas" {
  type    = number
  default = 1
}
locals {
  full  = "${local.repo}/${var.image}"
  repo  = "registry.local"
  count = var.replicas * 2
}
job "j" {
  group "g" {
    count = local.count
    task "t" {
      config {
        image = local.full
        ports = var.ports
        label = upper(format("%s-%d", var.image, var.replicas))
        pick  = var.replicas > 1 ? "many" : "one"
        joined = join(",", concat(["a"], ["b"]))
        first  = var.ports[0]
      }
    }
  }
}
'''


def config(src):
    return src.jobs[0]["group"][0]["task"][0]["config"][0]


def load(tmp_path, text, **kw):
    p = tmp_path / "job.nomad.hcl"
    p.write_text(text)
    kw.setdefault("env", {})
    return load_jobspec(p, **kw)


def test_defaults_locals_functions(tmp_path):
    src = load(tmp_path, VARS)
    cfg = config(src)
    assert cfg["image"] == "registry.local/from-default"
    assert cfg["ports"] == [80, 443]  # whole-value var keeps its list type
    assert cfg["label"] == "FROM-DEFAULT-1"
    assert cfg["pick"] == "one"
    assert cfg["joined"] == "a,b"
    assert cfg["first"] == 80
    assert src.jobs[0]["group"][0]["count"] == 2
    assert src.diagnostics == []


@pytest.mark.parametrize(
    "env, files, cli, expected",
    [
        ({}, [], {}, "from-default"),
        ({"NOMAD_VAR_image": "from-env"}, [], {}, "from-env"),
        ({"NOMAD_VAR_image": "from-env"}, ['image = "file1"', '{"image": "file2"}'], {}, "file2"),
        ({"NOMAD_VAR_image": "from-env"}, ['image = "file1"'], {"image": "from-cli"}, "from-cli"),
    ],
)
def test_precedence(tmp_path, env, files, cli, expected):
    paths = []
    for i, text in enumerate(files):
        p = tmp_path / f"vars{i}.{'json' if text.startswith('{') else 'hcl'}"
        p.write_text(text)
        paths.append(p)
    src = load(tmp_path, VARS, env=env, var_files=paths, variables=cli)
    assert config(src)["image"] == f"registry.local/{expected}"


def test_cli_values_are_coerced(tmp_path):
    src = load(tmp_path, VARS, variables={"replicas": "3", "ports": "[8080]"})
    assert src.jobs[0]["group"][0]["count"] == 6
    assert config(src)["ports"] == [8080]


def test_unresolved_kept_with_diagnostic(tmp_path):
    text = '''variable "missing" {}
job "j" {
  group "g" {
    task "t" {
      config {
        a = uuidv4()
        b = "x-${var.missing}"
        c = [for p in ["a"] : p]
        d = "$${literal}"
      }
    }
  }
}
'''
    src = load(tmp_path, text)
    cfg = config(src)
    assert cfg["a"] == "${uuidv4()}"
    assert cfg["b"] == "x-${var.missing}"
    assert cfg["c"].startswith("${[for")
    assert cfg["d"] == "${literal}"
    diags = {d.nomad_path: d for d in src.diagnostics}
    assert set(diags) == {f"job[j].group[g].task[t].config.{k}" for k in "abc"}
    assert all(d.code == "N2K-PARSE-UNRESOLVED" for d in diags.values())
    assert diags["job[j].group[g].task[t].config.a"].line == 6


def test_file_function(tmp_path):
    (tmp_path / "tpl.txt").write_text("hello\n")
    text = 'job "j" {\n  meta {\n    a = file("tpl.txt")\n    b = file("nope.txt")\n  }\n}\n'
    src = load(tmp_path, text, base_dir=tmp_path)  # run where the jobspec is: one place to look
    assert src.jobs[0]["meta"][0]["a"] == "hello\n"
    assert [(d.nomad_path, d.code) for d in src.diagnostics] == [
        ("job[j].meta.b", "N2K-FILE-NOT-FOUND"), ("job[j].meta.b", "N2K-PARSE-UNRESOLVED")]


def test_dynamic_blocks(tmp_path):
    text = '''locals {
  ports = { http = 80, admin = 9000 }
}
job "j" {
  group "g" {
    network {
      dynamic "port" {
        for_each = local.ports
        labels   = [port.key]
        content {
          to = port.value
        }
      }
    }
    dynamic "task" {
      for_each = var.unknown
      labels   = ["x"]
      content {}
    }
  }
}
'''
    src = load(tmp_path, text)
    ports = src.jobs[0]["group"][0]["network"][0]["port"]
    assert [(p["__label__"], p["to"]) for p in ports] == [("http", 80), ("admin", 9000)]
    assert "task" not in src.jobs[0]["group"][0]
    assert [d.code for d in src.diagnostics] == ["N2K-PARSE-DYNAMIC"]


def test_canonical_tree_is_json_serialisable(tmp_path):
    json.dumps(load(tmp_path, VARS).jobs)
