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
