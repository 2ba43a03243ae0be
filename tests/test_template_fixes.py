"""Template edge cases: unresolved HCL references, run-time destinations, unused template objects,
hook files, and `range service` ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cases.harness import convert_text
from nomad2k8s.convert import convert_file


def _convert(text: str, variables: dict[str, str] | None = None):
    """The jobs of one jobspec converted in memory (tests/cases/harness.py), without the batch pass."""
    return convert_text(text, variables=variables, path="j.nomad.hcl", batch=False).services


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
def test_unresolved_hcl_reference_in_template_is_a_decision(env: str, data: str, code: str,
                                                            name: str | None) -> None:
    (result,) = _convert(_UNRESOLVED_JOB % {"env": env, "data": data})
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].data") and e.claims]
    assert entry.code == code
    if name is None:
        assert entry.status.value == "mapped"
        return
    assert entry.status.value == "needs-decision"
    assert f"${{{name}}} is unresolved" in entry.message
    assert ("--var domain=VALUE" in entry.suggestion) is name.startswith("var.")


def test_template_with_resolved_variable_is_mapped() -> None:
    (result,) = _convert(_UNRESOLVED_JOB % {"env": "false", "data": "host=${var.domain}"},
                         variables={"domain": "example.org"})
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].data") and e.claims]
    assert entry.status.value == "mapped" and entry.value.startswith("host=example.org")


@pytest.mark.parametrize("destination, mount_path, status", [
    ("${NOMAD_ALLOC_DIR}/${NOMAD_TASK_NAME}.env", "/alloc/web.env", "changed"),
    ("local/${NOMAD_JOB_NAME}-${NOMAD_GROUP_NAME}.conf", "/local/j-g.conf", "changed"),
    ("${NOMAD_TASK_DIR}/app.conf", "/local/app.conf", "mapped"),
    ("local/app.conf", "/local/app.conf", "mapped"),
])
def test_template_destination_runtime_variables_are_filled(destination: str, mount_path: str,
                                                           status: str) -> None:
    (result,) = _convert('job "j" {\n  group "g" {\n    task "web" {\n      driver = "docker"\n'
                         '      config { image = "busybox:1.36" }\n      template {\n'
                         f'        destination = "{destination}"\n        data = "x=1"\n      }}\n    }}\n  }}\n}}\n')
    (deploy,) = [o for o in result.objects if o["kind"] == "Deployment"]
    (container,) = deploy["spec"]["template"]["spec"]["containers"]
    paths = [m["mountPath"] for m in container["volumeMounts"]]
    assert mount_path in paths and not any("${" in p for p in paths)
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].destination")]
    assert entry.status.value == status and mount_path in entry.k8s


_RANGE_JOB = '''job "%(job)s" {
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "busybox:1.36" }
      template {
        destination = "local/app.env"
        env = true
        data = <<EOT
DB_HOST={{ range service "influxdb" }}{{ .Address }}{{ end }}
DB_PORT={{ range service "influxdb" }}{{ .Port }}{{ end }}
EOT
      }
    }
%(service)s  }
}
'''
_INFLUX_GROUP = '''  }
  group "db" {
    network { port "http" { to = 8086 } }
    service { name = "influxdb" port = "http" }
    task "influx" {
      driver = "docker"
      config { image = "influxdb:1.8" ports = ["http"] }
    }
'''


def _env(result) -> dict[str, str]:
    deploys = [o for o in result.objects if o["kind"] == "Deployment" and o["metadata"]["name"].endswith("-g")
               or o["kind"] == "Deployment" and o["metadata"]["name"] == "app"]
    env = {}
    for deploy in deploys:
        for container in deploy["spec"]["template"]["spec"]["containers"]:
            env.update({e["name"]: e.get("value") for e in container.get("env", [])})
    return env


@pytest.mark.parametrize("service, port, status", [
    ("", '{{ range service "influxdb" }}{{ .Port }}{{ end }}', "needs-decision"),  # another job: Nomad text kept
    (_INFLUX_GROUP, "8086", "changed"),  # same job: the Service's port
])
def test_range_service_port_is_the_service_port_or_the_whole_nomad_text(service: str, port: str,
                                                                        status: str) -> None:
    from nomad2k8s.convert import link_batch
    (result,) = _convert(_RANGE_JOB % {"job": "app", "service": service})
    link_batch([result])  # a run of this job alone: influxdb's address is its Service's, else its Consul name
    env = _env(result)
    assert env["DB_PORT"] == port and env["DB_PORT"] != "{{ .Port }}"
    assert env["DB_HOST"] == ("influxdb.default.svc.cluster.local" if service else "influxdb.service.consul")
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].data") and e.claims]
    assert entry.status.value == status


def test_range_service_port_is_linked_in_the_batch(tmp_path: Path) -> None:
    from nomad2k8s.convert import link_batch
    (app,) = _convert(_RANGE_JOB % {"job": "app", "service": ""})
    db_file = tmp_path / "db.nomad.hcl"
    db_file.write_text('job "influx" {\n  group "db" {\n    network { port "http" { to = 8086 } }\n'
                       '    service { name = "influxdb" port = "http" }\n    task "influx" {\n      driver = "docker"\n'
                       '      config { image = "influxdb:1.8" ports = ["http"] }\n    }\n  }\n}\n')
    (db,) = convert_file(db_file)
    link_batch([app, db])
    assert _env(app)["DB_PORT"] == "8086"
    (entry,) = [e for e in app.ledger.entries if e.nomad_path.endswith("template[0].data")]
    assert entry.status.value == "changed" and "port 8086 of Service influxdb" in entry.message


_HOOK_JOB = '''job "db" {
  group "g" {
    task "app" {
      driver = "docker"
      config { image = "postgres:16" }
      template {
        destination = "local/app.conf"
        data = "a=1"
      }
    }
    task "init" {
      lifecycle { hook = "poststart" }
      driver = "docker"
      config {
        image = "%(image)s"
        command = "/bin/sh"
        args = ["/local/init.sh"]
      }
      template {
        destination = "local/init.sh"
        perms = "0755"
        data = "%(data)s"
      }
    }
  }
}
'''


@pytest.mark.parametrize("data, volume", [
    ("psql -c 'select 1'", "nomad-templates"),
    ('psql -c {{ with secret \\"kv/data/db\\" }}{{ .Data.data.pw }}{{ end }}', "tpl-db-secrets"),
])
def test_hook_task_files_are_mounted_where_the_hook_runs(data: str, volume: str) -> None:
    (result,) = _convert(_HOOK_JOB % {"image": "postgres:16", "data": data})
    (deploy,) = [o for o in result.objects if o["kind"] == "Deployment"]
    (app,) = deploy["spec"]["template"]["spec"]["containers"]
    assert app["lifecycle"]["postStart"]["exec"]["command"] == ["/bin/sh", "/local/init.sh"]
    mounts = {m["mountPath"]: (m["name"], m.get("subPath")) for m in app["volumeMounts"]}
    assert mounts["/local/init.sh"] == (volume, "init.sh")
    volumes = {v["name"]: v for v in deploy["spec"]["template"]["spec"]["volumes"]}
    source = volumes[volume].get("configMap") or volumes[volume].get("secret")
    assert "init.sh" in [i["key"] for i in source["items"]]
    rows = {e.nomad_path.rsplit(".", 1)[-1]: e for e in result.ledger.entries
            if ".task[init].template[0]." in e.nomad_path}
    assert rows["destination"].status.value == "mapped" and "container app" in rows["destination"].k8s
    assert rows["data"].status.value != "dropped" and "container app" in rows["data"].k8s
    (hook,) = [e for e in result.ledger.entries if e.code == "N2K-LIFECYCLE-HOOK"]
    assert "/local/init.sh" in hook.message


_LEFT_OUT_JOB = '''job "gw" {
  group "g" {
    task "app" {
      driver = "docker"
      config { image = "envoy:1.30" }
%(app)s    }
    task "cleanup" {
      lifecycle { hook = "poststop" }
      driver = "docker"
      config {
        image = "consul:1.18"
        command = "consul"
        args = ["services", "deregister", "/local/svc.hcl"]
      }
      template {
        destination = "local/svc.hcl"
        data = "service { name = \\"gw\\" }"
      }
      template {
        destination = "secrets/token"
        data = "{{ with secret \\"kv/data/gw\\" }}{{ .Data.data.token }}{{ end }}"
      }
      template {
        destination = "local/env"
        env = true
        data = "TOKEN={{ with secret \\"kv/data/gw\\" }}{{ .Data.data.other }}{{ end }}"
      }
    }
  }
}
'''
_APP_TEMPLATES = '''      template {
        destination = "local/app.conf"
        data = "a=1"
      }
      template {
        destination = "local/env"
        env = true
        data = "PW={{ with secret \\"kv/data/gw\\" }}{{ .Data.data.pw }}{{ end }}"
      }
'''


@pytest.mark.parametrize("app, config_keys, secret_keys", [
    ("", None, None),  # only the left-out task had templates: no ConfigMap, no ExternalSecret
    (_APP_TEMPLATES, ["app.conf"], ["pw"]),  # the app's keys stay, the left-out task's are pruned
])
def test_template_objects_of_tasks_not_in_the_pod_are_pruned(app: str, config_keys, secret_keys) -> None:
    (result,) = _convert(_LEFT_OUT_JOB % {"app": app})
    (deploy,) = [o for o in result.objects if o["kind"] == "Deployment"]
    assert [c["name"] for c in deploy["spec"]["template"]["spec"]["containers"]] == ["app"]
    configs = [o for o in result.objects if o["kind"] == "ConfigMap"]
    secrets = [o for o in result.objects if o["kind"] == "ExternalSecret"]
    assert [sorted(c["data"]) for c in configs] == ([config_keys] if config_keys else [])
    assert [sorted(d["secretKey"] for d in s["spec"]["data"]) for s in secrets] == ([secret_keys] if secret_keys else [])
    assert all("template" not in s["spec"]["target"] for s in secrets)
    for volume in deploy["spec"]["template"]["spec"].get("volumes", []):
        if "configMap" in volume:
            assert [i["key"] for i in volume["configMap"]["items"]] == config_keys
    rows = [e for e in result.ledger.entries if ".task[cleanup].template[" in e.nomad_path
            and e.nomad_path.endswith(".data")]
    assert len(rows) == 3 and all(e.k8s in ("-", "not emitted: its task is not in the pod") for e in rows)
    assert any(e.k8s == "not emitted: its task is not in the pod" for e in rows)
