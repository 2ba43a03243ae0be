"""Template edge cases: unresolved HCL references, run-time destinations, unused template objects,
hook files, and `range service` ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from nomad2k8s.convert import convert_file


def _convert(tmp_path: Path, text: str, variables: dict[str, str] | None = None):
    path = tmp_path / "j.nomad.hcl"
    path.write_text(text)
    return convert_file(path, variables=variables)


_UNRESOLVED_JOB = '''variable "domain" { type = string }
locals { url = "https://${var.domain}" }
job "j" {
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "busybox:1.36" }
      template {
        destination = "local/app.conf"
        env = %(env)s
        data = <<EOT
%(data)s
EOT
      }
    }
  }
}
'''


@pytest.mark.parametrize("env, data, code, name", [
    ("false", "host=${var.domain}", "N2K-TEMPLATE-CONFIGMAP", "var.domain"),
    ("true", "HOST=${var.domain}", "N2K-TEMPLATE-ENV", "var.domain"),
    ("false", "url=${local.url}", "N2K-TEMPLATE-CONFIGMAP", "local.url"),
    ("false", 'id=${uuidv5("dns", "${var.domain}.io")}', "N2K-TEMPLATE-CONFIGMAP", "var.domain"),
    ("false", "host=plain", "N2K-TEMPLATE-CONFIGMAP", None),
])
def test_unresolved_hcl_reference_in_template_is_a_decision(tmp_path: Path, env: str, data: str, code: str,
                                                            name: str | None) -> None:
    (result,) = _convert(tmp_path, _UNRESOLVED_JOB % {"env": env, "data": data})
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].data")]
    assert entry.code == code
    if name is None:
        assert entry.status.value == "mapped"
        return
    assert entry.status.value == "needs-decision"
    assert f"${{{name}}} is unresolved" in entry.message
    assert ("--var domain=VALUE" in entry.suggestion) is name.startswith("var.")


def test_template_with_resolved_variable_is_mapped(tmp_path: Path) -> None:
    (result,) = _convert(tmp_path, _UNRESOLVED_JOB % {"env": "false", "data": "host=${var.domain}"},
                         variables={"domain": "example.org"})
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].data")]
    assert entry.status.value == "mapped" and entry.value.startswith("host=example.org")


@pytest.mark.parametrize("destination, mount_path, status", [
    ("${NOMAD_ALLOC_DIR}/${NOMAD_TASK_NAME}.env", "/alloc/web.env", "changed"),
    ("local/${NOMAD_JOB_NAME}-${NOMAD_GROUP_NAME}.conf", "/local/j-g.conf", "changed"),
    ("${NOMAD_TASK_DIR}/app.conf", "/local/app.conf", "mapped"),
    ("local/app.conf", "/local/app.conf", "mapped"),
])
def test_template_destination_runtime_variables_are_filled(tmp_path: Path, destination: str, mount_path: str,
                                                           status: str) -> None:
    (result,) = _convert(tmp_path, 'job "j" {\n  group "g" {\n    task "web" {\n      driver = "docker"\n'
                         '      config { image = "busybox:1.36" }\n      template {\n'
                         f'        destination = "{destination}"\n        data = "x=1"\n      }}\n    }}\n  }}\n}}\n')
    (deploy,) = [o for o in result.objects if o["kind"] == "Deployment"]
    (container,) = deploy["spec"]["template"]["spec"]["containers"]
    paths = [m["mountPath"] for m in container["volumeMounts"]]
    assert mount_path in paths and not any("${" in p for p in paths)
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].destination")]
    assert entry.status.value == status and mount_path in entry.k8s
