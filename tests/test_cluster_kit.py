"""The cluster kit's static volumes and hybrid-period pieces (issue 18, items 2 and 3), its placeholders in the
action plan, and its Terraform form: on a small repository written into tmp_path, strictly validated."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from nomad2k8s.convert import ServiceResult
from nomad2k8s.kit.hybrid import hybrid_pieces, server_block
from nomad2k8s.ledger import Ledger
from nomad2k8s.profile import Profile
from tests.support import FIXTURES, REPO, run_cli, validate_object
from tests.test_terraform import _terraform
from tests.tf_inverse import module_objects, parse

JOB = """
job "app" {
  group "app" {
    volume "data" {
      type            = "csi"
      source          = "app-data"
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
    }
    volume "media" {
      type            = "csi"
      source          = "media"
      access_mode     = "multi-node-multi-writer"
      attachment_mode = "file-system"
    }
    volume "cache" {
      type   = "host"
      source = "app-cache"
    }
    volume "logs" {
      type   = "host"
      source = "app-logs"
    }
    volume "scratch" {
      type            = "csi"
      source          = "scratch"
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
    }
    task "app" {
      driver = "docker"
      config {
        image = "app:1.0"
      }
      env {
        DB_HOST = "db.service.consul"
      }
MOUNTS
    }
  }
}
""".replace("MOUNTS", "\n".join(f'      volume_mount {{\n        volume      = "{v}"\n        destination = "/{v}"\n      }}'
                                for v in ("data", "media", "cache", "logs", "scratch")))
DATA_SPEC = """
id           = "app-data"
name         = "app-data"
type         = "csi"
plugin_id    = "gluster"
external_id  = "vol-app-01"
capacity_min = "20GiB"
capability {
  access_mode     = "single-node-writer"
  attachment_mode = "file-system"
}
context = {
  endpoint = "gluster.lan"
  path     = "/app"
}
"""
MEDIA_SPEC = """
id        = "media"
name      = "media"
type      = "csi"
plugin_id = "nfs"
capability {
  access_mode     = "multi-node-multi-writer"
  attachment_mode = "file-system"
}
context = {
  server = "nas.lan"
  share  = "/export/media"
}
"""
SITE: dict[str, Any] = {
    "storage": {"host_volumes_as": "pvc", "host_volumes": {"app-cache": "/srv/cache"}},
    "cluster_kit": {"csi_drivers": {"gluster": "org.gluster.glusterfs"}, "host_volume_nodes": {"app-cache": "node-1"},
                    "consul_dns_servers": ["10.0.0.2:8600"]},
}
SCHEMA = json.loads((REPO / "docs" / "report.schema.json").read_text())


def _repo(tmp_path: Path, site: dict[str, Any] | None = None) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.nomad.hcl").write_text(JOB)
    (repo / "data.volume.hcl").write_text(DATA_SPEC)
    (repo / "media.volume.hcl").write_text(MEDIA_SPEC)
    (repo / "nomad2k8s.yaml").write_text(yaml.safe_dump(SITE if site is None else site))
    return repo


def _convert(tmp_path: Path, site: dict[str, Any] | None = None, *args: str) -> Path:
    out = tmp_path / "out"
    proc = run_cli("convert", _repo(tmp_path, site), "--output", out, "--jobs", "1", *args)
    assert proc.returncode == 0, proc.stderr
    return out


def _objects(directory: Path) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for file in sorted(directory.glob("*.yaml")):
        obj = yaml.safe_load(file.read_text())
        if obj.get("kind") != "Kustomization":
            validate_object(obj)
            found[(obj["kind"], obj["metadata"]["name"])] = obj
    return found


def _report(out: Path) -> dict[str, Any]:
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, SCHEMA)
    return report


def test_static_volumes_bind_the_claims_whose_data_is_located(tmp_path: Path) -> None:
    out = _convert(tmp_path)
    kit, app = _objects(out / "_cluster"), _objects(out / "app")
    csi = kit[("PersistentVolume", "default-app-data")]["spec"]
    assert csi["csi"] == {"driver": "org.gluster.glusterfs", "volumeHandle": "vol-app-01",
                          "volumeAttributes": {"endpoint": "gluster.lan", "path": "/app"}}
    assert csi["claimRef"] == {"namespace": "default", "name": "app-data"}
    assert csi["persistentVolumeReclaimPolicy"] == "Retain"
    assert csi["capacity"] == {"storage": "20Gi"} and csi["accessModes"] == ["ReadWriteOnce"]
    nfs = kit[("PersistentVolume", "default-media")]["spec"]
    assert nfs["nfs"] == {"server": "nas.lan", "path": "/export/media"} and nfs["accessModes"] == ["ReadWriteMany"]
    host = kit[("PersistentVolume", "default-app-cache")]["spec"]
    assert host["hostPath"] == {"path": "/srv/cache", "type": "Directory"}
    assert host["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}]
    for claim, pv in (("app-data", "default-app-data"), ("media", "default-media"), ("app-cache", "default-app-cache")):
        spec = app[("PersistentVolumeClaim", claim)]["spec"]
        assert spec["volumeName"] == pv
        assert spec.get("storageClassName", "") == kit[("PersistentVolume", pv)]["spec"]["storageClassName"]
    for claim in ("app-logs", "scratch"):  # location unknown: no PV, the claim is left to its class
        assert "volumeName" not in app[("PersistentVolumeClaim", claim)]["spec"]
    (data,) = [a for a in _report(out)["actions"] if a["kind"] == "data"]
    items = {i["detail"]: i for i in data["items"]}
    assert items["PersistentVolumeClaim/app-data"]["kit"] == "_cluster/persistentvolume-default-app-data.yaml"
    assert "the host path of 'app-logs' (storage.host_volumes)" in items["PersistentVolumeClaim/app-logs"]["missing"]
    assert "host_volume_nodes[app-logs]" in items["PersistentVolumeClaim/app-logs"]["missing"]
    assert "the declaration of CSI volume 'scratch'" in items["PersistentVolumeClaim/scratch"]["missing"]
    assert sorted(data["kit"]) == [f"_cluster/persistentvolume-default-{n}.yaml" for n in ("app-cache", "app-data",
                                                                                           "media")]
    summary = (out / "SUMMARY.md").read_text()
    assert "prepared by the kit: `_cluster/persistentvolume-default-media.yaml`" in summary
    assert "kit: missing the declaration of CSI volume 'scratch'" in summary


def test_a_csi_volume_without_driver_names_what_is_missing(tmp_path: Path) -> None:
    out = _convert(tmp_path, {"cluster_kit": {"consul_dns_servers": ["10.0.0.2:8600"]}})
    (data,) = [a for a in _report(out)["actions"] if a["kind"] == "data"]
    items = {i["detail"]: i for i in data["items"]}
    assert "the Kubernetes CSI driver for plugin 'gluster' (cluster_kit.csi_drivers)" in \
        items["PersistentVolumeClaim/app-data"]["missing"]
    ledger = json.loads((out / "_cluster" / "ledger.json").read_text())
    assert {e["code"] for e in ledger} >= {"N2K-KIT-VOLUME-LOCATION", "N2K-KIT-STATIC-VOLUME"}


def test_copy_jobs_take_the_copy_route_suspended(tmp_path: Path) -> None:
    site = {**SITE, "cluster_kit": {**SITE["cluster_kit"], "copy_jobs": True}}
    out = _convert(tmp_path, site)
    kit, app = _objects(out / "_cluster"), _objects(out / "app")
    job = kit[("Job", "copy-app-data")]
    assert job["spec"]["suspend"] is True
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never" and "rsync -a" in pod["containers"][0]["command"][-1]
    assert {v["name"]: v["persistentVolumeClaim"] for v in pod["volumes"]} == {
        "from": {"claimName": "app-data-nomad-data", "readOnly": True}, "to": {"claimName": "app-data"}}
    source = kit[("PersistentVolumeClaim", "app-data-nomad-data")]["spec"]
    assert source["volumeName"] == "nomad-default-app-data"
    assert kit[("PersistentVolume", "nomad-default-app-data")]["spec"]["claimRef"]["name"] == "app-data-nomad-data"
    assert "volumeName" not in app[("PersistentVolumeClaim", "app-data")]["spec"]  # the new claim is provisioned
    ledger = json.loads((out / "_cluster" / "ledger.json").read_text())
    assert "N2K-KIT-COPY-JOB" in {e["code"] for e in ledger}


# ---- the hybrid period -----------------------------------------------------------------------------------

def corefile_blocks(text: str) -> dict[str, list[list[str]]]:
    """A tiny Corefile reader: server blocks `zone:port { directive args... }` (one directive a line,
    `#` comments) -> {"zone:port": [[directive, *args], ...]}."""
    blocks: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if current is None:
            match = re.fullmatch(r"([A-Za-z0-9.-]+):(\d+)\s*\{", line)
            assert match, f"not a server block opening: {raw!r}"
            current = blocks.setdefault(f"{match.group(1)}:{match.group(2)}", [])
        elif line == "}":
            current = None
        else:
            assert "{" not in line and "}" not in line, f"nested blocks are not expected here: {raw!r}"
            current.append(line.split())
    assert current is None, "unclosed server block"
    return blocks


def _assert_consul_forward(text: str, servers: list[str]) -> None:
    blocks = corefile_blocks(text)
    assert list(blocks) == ["consul:53"]
    directives = {d[0]: d[1:] for d in blocks["consul:53"]}
    assert directives["forward"] == [".", *servers]
    assert "errors" in directives and directives["cache"] == ["30"]


def test_vanilla_forward_is_a_corefile_server_block(tmp_path: Path) -> None:
    out = _convert(tmp_path)
    _assert_consul_forward((out / "_cluster" / "coredns-consul.server").read_text(), ["10.0.0.2:8600"])
    service = _objects(out / "_cluster")[("Service", "db")]
    assert service["spec"] == {"type": "ExternalName", "externalName": "db.service.consul"}
    assert service["metadata"]["namespace"] == "default"
    report = _report(out)
    later = {p["piece"]: p["when"] for p in report["kit_remove_later"]}
    assert "once db runs in Kubernetes" in later["_cluster/service-db.yaml"]
    assert "_cluster/coredns-consul.server" in later
    assert "Hybrid-period pieces of the cluster kit to remove later" in (out / "SUMMARY.md").read_text()
    (consul,) = [a for a in report["actions"] if a["kind"] == "consul-dns"]  # the names the pods keep
    assert [i.get("kit") for i in consul["items"]] == ["_cluster/service-db.yaml"]
    assert consul["kit"] == ["_cluster/coredns-consul.server", "_cluster/service-db.yaml"]
    html = (out / "report.html").read_text()
    assert "when to remove them" in html and "kit: missing the declaration of CSI volume" in html


def test_k3s_forward_is_the_coredns_custom_configmap(tmp_path: Path) -> None:
    site = {**SITE, "cluster_kit": {**SITE["cluster_kit"], "dns_flavor": "k3s",
                                    "consul_dns_servers": ["10.0.0.2:8600", "10.0.0.3:8600"]}}
    out = _convert(tmp_path, site)
    cm = _objects(out / "_cluster")[("ConfigMap", "coredns-custom")]
    assert cm["metadata"]["namespace"] == "kube-system" and list(cm["data"]) == ["consul.server"]
    _assert_consul_forward(cm["data"]["consul.server"], ["10.0.0.2:8600", "10.0.0.3:8600"])
    assert not (out / "_cluster" / "coredns-consul.server").exists()


def test_k3s_profile_defaults_to_the_k3s_form() -> None:
    from nomad2k8s.profile_load import resolve_profile

    assert resolve_profile("k3s-traefik-cilium", None, []).cluster_kit.dns_flavor == "k3s"
    assert Profile().cluster_kit.dns_flavor == "vanilla"


def test_without_consul_dns_servers_the_forward_is_an_open_kit_action(tmp_path: Path) -> None:
    site = {**SITE, "cluster_kit": {**SITE["cluster_kit"], "consul_dns_servers": []}}
    out = _convert(tmp_path, site)
    assert not (out / "_cluster" / "coredns-consul.server").exists()
    (action,) = [a for a in _report(out)["actions"] if a["kind"] == "kit-placeholder"]
    assert any(i["detail"].startswith("cluster_kit.consul_dns_servers: no CoreDNS forward") for i in action["items"])


def test_external_names_none_leaves_an_action(tmp_path: Path) -> None:
    site = {**SITE, "cluster_kit": {**SITE["cluster_kit"], "external_names": "none"}}
    out = _convert(tmp_path, site)
    assert ("Service", "db") not in _objects(out / "_cluster")
    (action,) = [a for a in _report(out)["actions"] if a["kind"] == "hybrid-dns"]
    assert "db.service.consul (called by app) still runs on Nomad" in action["items"][0]["detail"]


def test_consul_dns_servers_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        Profile.model_validate({"cluster_kit": {"consul_dns_servers": ["consul.lan:8600"]}})
    with pytest.raises(ValueError, match="port"):
        Profile.model_validate({"cluster_kit": {"consul_dns_servers": ["10.0.0.2:99999"]}})
    assert Profile.model_validate({"cluster_kit": {"consul_dns_servers": ["[fd00::2]:8600", "10.0.0.2"]}})


def test_each_piece_is_removable_after_the_wave_that_moves_what_it_stands_for() -> None:
    """An ExternalName for a Consul service a wave moves goes with that wave; the forward after the last wave."""
    profile = Profile.model_validate({"cluster_kit": {"consul_dns_servers": ["10.0.0.2:8600"]}})
    web = ServiceResult(name="web", source=Path("web.nomad.hcl"), syntax="hcl2", ledger=Ledger(service="web"),
                        objects=[{"apiVersion": "apps/v1", "kind": "Deployment",
                                  "metadata": {"name": "web", "namespace": "shop"},
                                  "spec": {"x": "http://api.shop.svc.cluster.local:80"}}])
    report = {"services": [{"name": "web", "external": ["api.service.consul"]}],
              "waves": [{"wave": 1, "services": ["api"]}, {"wave": 2, "services": ["web"]}]}
    ledger = Ledger(service="_cluster")
    hybrid = hybrid_pieces({"web": web}, report, profile, ledger)
    by_kind = {(p.obj or {}).get("kind", p.file): p for p in hybrid.pieces}
    assert by_kind["Service"].wave == 1 and by_kind["Service"].obj["metadata"]["namespace"] == "shop"
    assert by_kind["coredns-consul.server"].wave == 2
    assert server_block(["10.0.0.2:8600"]) in hybrid.files["coredns-consul.server"]


# ---- the Terraform form ----------------------------------------------------------------------------------

def test_terraform_form_of_the_kit(tmp_path: Path) -> None:
    terraform = _terraform()
    site = {**SITE, "cluster_kit": {**SITE["cluster_kit"], "dns_flavor": "k3s"}}
    out = _convert(tmp_path, site, "--format", "terraform")
    kit = out / "_cluster"
    proc = subprocess.run([terraform, "fmt", "-check", "-diff", str(kit)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shutil.move(str(out), str(tmp_path / "tf"))
    (tmp_path / "repo").rename(tmp_path / "repo-tf")
    yaml_kit = _objects(_convert(tmp_path, site) / "_cluster")  # the same kit as YAML
    objects_only = tmp_path / "objects"
    objects_only.mkdir()
    for tf in (tmp_path / "tf" / "_cluster").glob("*.tf"):
        if tf.name != "vault.tf":
            shutil.copy(tf, objects_only)
    back = {(o["kind"], o["metadata"]["name"]): o for o in module_objects(objects_only)}
    assert back == yaml_kit


def test_terraform_form_has_the_vault_resources(tmp_path: Path) -> None:
    terraform = _terraform()
    out = tmp_path / "out"
    assert run_cli("convert", FIXTURES / "overseerr", "--format", "terraform", "--output", out).returncode == 0
    kit = out / "_cluster"
    proc = subprocess.run([terraform, "fmt", "-check", "-diff", str(kit)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    vault = parse((kit / "vault.tf").read_text())
    resources = {rtype: body for block in vault["resource"] for rtype, named in block.items()
                 for body in named.values()}
    policy_file = next(kit.glob("vault-policy-*.hcl")).name
    assert resources["vault_policy"]["policy"] == f'${{file("${{path.module}}/{policy_file}")}}'
    role = resources["vault_kubernetes_auth_backend_role"]
    assert role["backend"] == "kubernetes" and role["role_name"] == "external-secrets"
    assert role["bound_service_account_names"] == ["external-secrets"]
    versions = parse((kit / "versions.tf").read_text())
    providers = versions["terraform"][0]["required_providers"][0]
    assert providers["vault"]["source"] == "hashicorp/vault"


def test_terraform_copy_jobs_stay_suspended_manifests(tmp_path: Path) -> None:
    site = {**SITE, "cluster_kit": {**SITE["cluster_kit"], "copy_jobs": True}}
    out = _convert(tmp_path, site, "--format", "terraform")
    main = parse((out / "_cluster" / "main.tf").read_text())
    manifests = [body["yaml_body"] for block in main["resource"] for rtype, named in block.items()
                 if rtype == "kubectl_manifest" for body in named.values()]
    jobs = [m for m in manifests if m["kind"] == "Job"]
    assert jobs and all(j["spec"]["suspend"] is True for j in jobs)
    assert "kubernetes_job_v1" not in (out / "_cluster" / "main.tf").read_text()
