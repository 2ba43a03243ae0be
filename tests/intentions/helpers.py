"""Build small jobs and intention files, run the intentions pipeline, and look at its output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nomad2k8s.convert import ServiceResult, convert_file
from nomad2k8s.intentions.apply import apply_intentions
from nomad2k8s.intentions.parser import load_intentions
from nomad2k8s.profile import Profile
from tests.support import validate_object


def jobspec(name: str, port: int = 8080, upstreams: tuple[str, ...] = ()) -> str:
    ups = "".join(
        f'            upstreams {{\n              destination_name = "{u}"\n'
        f"              local_bind_port  = {9000 + i}\n            }}\n" for i, u in enumerate(upstreams))
    connect = f"      connect {{\n        sidecar_service {{\n          proxy {{\n{ups}          }}\n        }}\n      }}\n"
    return (f'job "{name}" {{\n  group "{name}" {{\n    network {{\n      mode = "bridge"\n'
            f'      port "http" {{\n        to = {port}\n      }}\n    }}\n'
            f'    service {{\n      name = "{name}"\n      port = "http"\n{connect}    }}\n'
            f'    task "{name}" {{\n      driver = "docker"\n      config {{\n        image = "example/{name}:1"\n'
            f'        ports = ["http"]\n      }}\n    }}\n  }}\n}}\n')


def jobs(tmp_path: Path, **specs: dict[str, Any]) -> list[ServiceResult]:
    results = []
    for name, kw in specs.items():
        path = tmp_path / f"{name}.nomad.hcl"
        path.write_text(jobspec(name.replace("_", "-"), **kw))
        results += convert_file(path)
    return results


def run(tmp_path: Path, intentions: str, results: list[ServiceResult] | None = None, *, suffix: str = ".hcl",
        **kw: Any) -> tuple[list[ServiceResult], ServiceResult | None]:
    path = tmp_path / f"test.intentions{suffix}"
    path.write_text(intentions)
    results = results if results is not None else []
    policies = apply_intentions(load_intentions([path]), results, Profile(), **kw)
    for result in results + ([policies] if policies else []):
        for obj in result.objects:
            validate_object(obj)
    return results, policies


POLICY_KINDS = {"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "NetworkPolicy", "AuthorizationPolicy",
                "Server", "MeshTLSAuthentication"}


def objects(results: list[ServiceResult], policies: ServiceResult | None, kind: str | None = None) -> dict[str, dict]:
    """Policy objects by name (the converted workloads are left out)."""
    found = {}
    for result in results + ([policies] if policies else []):
        for obj in result.objects:
            if obj["kind"] in POLICY_KINDS and (kind is None or obj["kind"] == kind):
                found[obj["metadata"]["name"]] = obj
    return found


def entries(results: list[ServiceResult], policies: ServiceResult | None) -> list:
    return [e for r in results + ([policies] if policies else []) for e in r.ledger.entries
            if e.nomad_path.startswith(("intention[", "config_entry[")) or e.code.startswith("N2K-INTENTION")]


def by_path(results, policies) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for e in entries(results, policies):
        if e.claims:
            assert e.nomad_path not in out, f"{e.nomad_path} claimed twice"
            out[e.nomad_path] = e
    return out
