"""Issue 13, port families (4: NodePorts over the run; 17: one label in two tasks; 22: sidecar ports and
readable port names): one minimal jobspec per family. Each row failed on main before its fix."""

from __future__ import annotations

import pytest

from nomad2k8s.profile import PortSettings, Profile

from .harness import Case, check_case, convert_text

STATIC = '''
job "%(name)s" {
  group "%(name)s" {
    network {
      port "http" { static = %(static)d }
    }
    service {
      name = "%(name)s"
      port = "http"
    }
    task "app" {
      driver = "docker"
      config {
        image = "nginx:1"
        ports = ["http"]
      }
    }
  }
}
'''


def static_jobs(*jobs: tuple[str, int]) -> str:
    return "".join(STATIC % {"name": name, "static": static} for name, static in jobs)


def _node_port(nodeport: int, port: int) -> dict:
    return {"spec": {"type": "NodePort", "ports": [{"port": port, "nodePort": nodeport}]}}


def _port_path(job: str) -> str:
    return f"job[{job}].group[{job}].network.port[http]"


CASES = [
    # Two unrelated jobs with static 8080 both got nodePort 32544: the second apply failed.
    Case("f4-out-of-range-static-ports-get-distinct-node-ports", static_jobs(("alpha", 8080), ("beta", 8080)),
         objects={("Service", "alpha"): _node_port(32544, 8080), ("Service", "beta"): _node_port(32545, 8080)},
         rows={_port_path("beta"): ("changed", "N2K-PORT-STATIC")}),
    # Two Services asking for the same in-range static port: the first keeps it, both rows are decisions.
    Case("f4-in-range-clash-is-a-decision-naming-both", static_jobs(("gamma", 30080), ("delta", 30080)),
         objects={("Service", "delta"): _node_port(30080, 30080), ("Service", "gamma"): _node_port(30081, 30080)},
         rows={_port_path("delta"): ("needs-decision", "N2K-PORT-NODEPORT-CLASH"),
               _port_path("gamma"): ("needs-decision", "N2K-PORT-NODEPORT-CLASH")}),
    Case("f4-node-port-range-from-the-profile", static_jobs(("alpha", 8080)),
         profile=Profile(ports=PortSettings(node_port_range="31000-31999")),
         objects={("Service", "alpha"): _node_port(31080, 8080)},
         rows={_port_path("alpha"): ("changed", "N2K-PORT-STATIC")}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    check_case(case)


def _node_ports(hcl: str) -> dict[str, list[int]]:
    result = convert_text(hcl)
    return {o["metadata"]["name"]: [p.get("nodePort") for p in o["spec"]["ports"]]
            for o in result.objects if o["kind"] == "Service"}


def test_node_ports_do_not_depend_on_the_order_of_jobs() -> None:
    jobs = [("web", 8080), ("api", 8080), ("admin", 30080), ("metrics", 30080), ("db", 38312)]
    forward = _node_ports(static_jobs(*jobs))
    assert forward == _node_ports(static_jobs(*reversed(jobs)))
    numbers = [n for ports in forward.values() for n in ports]
    assert len(set(numbers)) == len(numbers), forward


def test_clash_rows_name_the_other_service() -> None:
    result = convert_text(static_jobs(("gamma", 30080), ("delta", 30080)))
    gamma = result.row(_port_path("gamma"), "N2K-PORT-NODEPORT-CLASH")
    assert "Service default/delta" in gamma.message and "30081" in gamma.message
    renumbered = result.row(_port_path("gamma"), "N2K-PORT-STATIC")
    assert "taken by Service default/delta" in renumbered.message and "30081" in renumbered.suggestion


def test_one_job_alone_keeps_its_preferred_node_port() -> None:
    assert _node_ports(static_jobs(("beta", 8080))) == {"beta": [32544]}


def test_node_port_range_is_validated() -> None:
    with pytest.raises(ValueError, match="port range"):
        PortSettings(node_port_range="32767-30000")


# Family 17: HCL1, one label per task (each task's own network and port_map).
HCL1_SAME_LABEL = '''
job "pair" {
  datacenters = ["dc1"]
  group "pair" {
    task "web" {
      driver = "docker"
      config {
        image = "nginx:1"
        port_map { http = 80 }
      }
      resources {
        network {
          port "http" {}
        }
      }
      service {
        name = "pair-web"
        port = "http"
        check {
          type     = "http"
          path     = "/"
          interval = "10s"
          timeout  = "2s"
        }
      }
    }
    task "api" {
      driver = "docker"
      config {
        image = "api:1"
        port_map { http = 9000 }
        args  = ["--listen", ":${NOMAD_PORT_http}"]
      }
      resources {
        network {
          port "http" {}
        }
      }
      service {
        name = "pair-api"
        port = "http"
        check {
          type     = "tcp"
          interval = "10s"
          timeout  = "2s"
        }
      }
    }
  }
}
'''

# Family 17: HCL2, one group port in two tasks' `ports`.
HCL2_SHARED_GROUP_PORT = '''
job "duo" {
  group "duo" {
    network {
      port "http" { to = 8080 }
    }
    task "main" {
      driver = "docker"
      config {
        image = "main:1"
        ports = ["http"]
      }
      service {
        name = "duo-main"
        port = "http"
      }
    }
    task "helper" {
      driver = "docker"
      config {
        image = "helper:1"
        ports = ["http"]
      }
      service {
        name = "duo-helper"
        port = "http"
      }
    }
  }
}
'''

# Family 22: the sidecar that serves a port (its own service / port_map) declares it; readable names.
SIDECAR_PORTS = '''
job "side" {
  group "side" {
    network {
      port "http" { to = 8080 }
      port "metrics_exporter_port" { to = 9100 }
      port "metrics_exporter_admin" { to = 9101 }
    }
    service {
      name = "side"
      port = "http"
    }
    task "app" {
      driver = "docker"
      config {
        image = "app:1"
      }
    }
    task "exporter" {
      driver = "docker"
      lifecycle {
        hook    = "prestart"
        sidecar = true
      }
      config {
        image = "exporter:1"
      }
      service {
        name = "side-metrics"
        port = "metrics_exporter_port"
      }
    }
    task "admin" {
      driver = "docker"
      lifecycle {
        hook    = "poststart"
        sidecar = true
      }
      config {
        image    = "admin:1"
        port_map { metrics_exporter_admin = 9101 }
      }
    }
  }
}
'''

_PAIR_PORTS = {"template": {"spec": {"containers": [
    {"name": "web", "ports": [{"name": "http", "containerPort": 80}]},
    {"name": "api", "ports": [{"name": "http-api", "containerPort": 9000}], "args": ["--listen", ":9000"],
     "readinessProbe": {"tcpSocket": {"port": "http-api"}}}]}}}

PORT_CASES = [
    Case("f17-hcl1-same-label-each-task-its-own-container-port", HCL1_SAME_LABEL,
         objects={("Deployment", "pair"): {"spec": _PAIR_PORTS},
                  ("Service", "pair-api"): {"spec": {"ports": [{"port": 9000, "targetPort": "http-api"}]}},
                  ("Service", "pair-web"): {"spec": {"ports": [{"port": 80, "targetPort": "http"}]}}},
         rows={"job[pair].group[pair].task[api].resources.network.port[http]": ("mapped", "N2K-PORT")}),
    Case("f17-hcl2-group-port-in-two-tasks", HCL2_SHARED_GROUP_PORT,
         objects={("Deployment", "duo"): {"spec": {"template": {"spec": {"containers": [
                      {"name": "main", "ports": [{"name": "http", "containerPort": 8080}]},
                      {"name": "helper", "ports": [{"name": "http-helper", "containerPort": 8080}]}]}}}},
                  ("Service", "duo-helper"): {"spec": {"ports": [{"targetPort": "http-helper"}]}},
                  ("Service", "duo-main"): {"spec": {"ports": [{"targetPort": "http"}]}}},
         # Both tasks bind 8080 in one network namespace: a person decides which one really listens.
         rows={"job[duo].group[duo].network.port[http]": ("needs-decision", "N2K-PORT-SAME-NUMBER")}),
    Case("f22-sidecar-ports-on-the-sidecar-with-readable-names", SIDECAR_PORTS,
         objects={("Deployment", "side"): {"spec": {"template": {"spec": {
             "containers": [{"name": "app", "ports": [{"name": "http", "containerPort": 8080}]},
                            {"name": "admin", "ports": [{"containerPort": 9101}]}],
             "initContainers": [{"name": "exporter", "ports": [{"containerPort": 9100}]}]}}}},
                  ("Service", "side-metrics"): {"spec": {"ports": [{"port": 9100}]}}}),
]


@pytest.mark.parametrize("case", PORT_CASES, ids=lambda c: c.id)
def test_port_case(case: Case) -> None:
    check_case(case)


def test_port_names_are_readable_and_unique() -> None:
    result = convert_text(SIDECAR_PORTS)
    pod = result.object("Deployment", "side")["spec"]["template"]["spec"]
    names = [p["name"] for c in pod["containers"] + pod["initContainers"] for p in c.get("ports", [])]
    assert len(names) == len(set(names)), names
    exporter, admin = pod["initContainers"][0]["ports"][0]["name"], pod["containers"][1]["ports"][0]["name"]
    # Both labels cut to `metrics-exporte`: each gets a short stable suffix, still readable.
    assert exporter.startswith("metrics-e") and admin.startswith("metrics-e") and exporter != admin
    assert result.object("Service", "side-metrics")["spec"]["ports"][0]["targetPort"] == exporter


@pytest.mark.parametrize("label, name", [
    ("metrics_exporter_port", "metrics-exporte"), ("HTTP", "http"), ("admin--ui_", "admin-ui"),
    ("8080", "n-8080"), ("9000-admin", "9000-admin"), ("a" * 14 + "-b", "a" * 14),
])
def test_port_name_is_an_iana_service_name(label: str, name: str) -> None:
    from nomad2k8s.mapping.networking.portnames import port_name

    assert port_name(label) == name


def test_only_colliding_labels_get_a_suffix() -> None:
    from nomad2k8s.mapping.networking.portnames import unique_names

    names = unique_names(["http", "HTTP", "grpc"])
    assert names["http"] == "http" and names["grpc"] == "grpc"
    assert names["HTTP"].startswith("http-") and len(names["HTTP"]) <= 15
    assert unique_names(["HTTP", "http"]) == {"HTTP": names["HTTP"], "http": "http"}


def test_a_group_service_naming_its_task_places_its_ports_there() -> None:
    hcl = '''
job "edge" {
  group "edge" {
    network {
      mode = "bridge"
      port "http" { to = 80 }
      port "https" { to = 443 }
    }
    service {
      name = "edge"
      port = "http"
      task = "proxy"
      check {
        type     = "tcp"
        port     = "https"
        interval = "10s"
        timeout  = "2s"
      }
    }
    task "advertise" {
      driver = "docker"
      config { image = "anycaster:1" }
    }
    task "proxy" {
      driver = "docker"
      config { image = "traefik:v2" }
    }
  }
}
'''
    pod = convert_text(hcl).object("Deployment", "edge")["spec"]["template"]["spec"]
    ports = {c["name"]: [p["name"] for p in c.get("ports", [])] for c in pod["containers"]}
    assert ports == {"advertise": [], "proxy": ["http", "https"]}
