"""Nomad API JSON jobs -> canonical tree."""

import json

import pytest

from nomad2k8s.parse import load_jobspec

JOB = {
    "ID": "api", "Name": "api", "Type": "service", "Datacenters": ["dc1"],
    "Status": "running", "Version": 3, "CreateIndex": 10, "ModifyIndex": 12, "Stop": False,
    "Meta": None, "Priority": 50,
    "TaskGroups": [{
        "Name": "web", "Count": 1,
        "Networks": [{"Mode": "bridge", "MBits": 0,
                      "DynamicPorts": [{"Label": "http", "Value": 0, "To": 8080, "HostNetwork": "default"}],
                      "ReservedPorts": [{"Label": "dns", "Value": 53, "To": 0}]}],
        "RestartPolicy": {"Attempts": 2, "Interval": 1800000000000, "Delay": 15000000000, "Mode": "fail"},
        "Tasks": [{
            "Name": "server", "Driver": "docker", "KillTimeout": 5400000000000,
            "Config": {"image": "nginx", "port_map": [{"http": 80}]},
            "Env": {"LOG_LEVEL": "debug"},
            "Resources": {"CPU": 100, "MemoryMB": 64, "DiskMB": 0},
            "Templates": [{"EmbeddedTmpl": "x={{ env \"A\" }}\n", "DestPath": "local/x", "ChangeMode": "restart", "Splay": 5000000000}],
            "Services": [{"Name": "web", "PortLabel": "http",
                          "Checks": [{"Type": "http", "Path": "/", "Interval": 10000000000, "Timeout": 2000000000}]}],
            "Constraints": [{"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="}],
        }],
    }],
}


@pytest.mark.parametrize("wrapped", [True, False])
def test_api_json(tmp_path, wrapped):
    p = tmp_path / "job.nomad"  # extension does not matter: content decides
    p.write_text(json.dumps({"Job": JOB} if wrapped else JOB, indent=2))
    src = load_jobspec(p, env={})
    assert src.syntax == "json"
    [job] = src.jobs
    assert job["__label__"] == "api" and job["type"] == "service" and "status" not in job
    [group] = job["group"]
    assert group["__label__"] == "web" and group["count"] == 1
    assert group["restart"] == [{"attempts": 2, "interval": "30m", "delay": "15s", "mode": "fail"}]
    net = group["network"][0]
    assert net["mode"] == "bridge" and "mbits" not in net
    assert net["port"] == [{"__label__": "dns", "static": 53}, {"__label__": "http", "to": 8080}]
    [task] = group["task"]
    assert task["__label__"] == "server" and task["kill_timeout"] == "1h30m"
    assert task["config"] == {"image": "nginx", "port_map": [{"http": 80}]}
    assert task["env"] == {"LOG_LEVEL": "debug"}
    assert task["resources"] == [{"cpu": 100, "memory": 64}]
    assert task["template"] == [{"data": 'x={{ env "A" }}\n', "destination": "local/x",
                                 "change_mode": "restart", "splay": "5s"}]
    assert task["service"][0]["port"] == "http"
    assert task["service"][0]["check"][0]["interval"] == "10s"
    assert task["constraint"] == [{"attribute": "${attr.kernel.name}", "value": "linux", "operator": "="}]
    [diag] = src.diagnostics
    assert diag.code == "N2K-INFO-SERVER-STATE" and diag.nomad_path == "job[api]"
    assert "CreateIndex" in diag.message and "Status" in diag.message and "Stop" not in diag.message


def test_json_not_a_job(tmp_path):
    from nomad2k8s.errors import ConversionError

    p = tmp_path / "x.json"
    p.write_text('{"name": "package"}')
    with pytest.raises(ConversionError, match="no job block"):
        load_jobspec(p)
    p.write_text('{"Job": ')
    with pytest.raises(ConversionError) as info:
        load_jobspec(p)
    assert info.value.line == 1
