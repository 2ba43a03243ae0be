"""The cluster kit's Vault policy (issue 18, item 1) against a real OpenBao dev server: written with
`bao policy write`, a token made with it can read every KV path the estate's ExternalSecrets name, and cannot
read a sibling path or write."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nomad2k8s.kit.secret_store import vault_paths
from tests.support import FIXTURES, run_cli
from tests.test_vault_live import bao  # noqa: F401  (the module-scoped dev server fixture)


def test_vault_paths_follow_external_secrets_rules() -> None:
    assert vault_paths("app/db", "secret", 2) == ["secret/data/app/db", "secret/metadata/app/db"]
    assert vault_paths("secret/app/db", "secret", 2) == ["secret/data/app/db", "secret/metadata/app/db"]
    assert vault_paths("app/db", "kv/", 1) == ["kv/app/db"]


def _bao(args: list[str], env: dict[str, str]) -> str:
    binary = shutil.which("bao") or str(Path(sys.executable).parent / "bao")
    proc = subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_generated_policy_reads_exactly_the_external_secrets_paths(tmp_path: Path, bao: dict) -> None:  # noqa: F811
    out = tmp_path / "out"
    proc = run_cli("convert", FIXTURES, "--output", out, "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    policy = out / "_cluster" / "vault-policy-external-secrets-vault.hcl"
    store = yaml.safe_load((out / "_cluster" / "clustersecretstore-vault.yaml").read_text())
    mount = store["spec"]["provider"]["vault"]["path"]
    keys = sorted({d["remoteRef"]["key"] for f in out.rglob("externalsecret-*.yaml")
                   for obj in [yaml.safe_load(f.read_text())]
                   if obj["spec"]["secretStoreRef"]["name"] == "vault" for d in obj["spec"].get("data", [])})
    assert keys, "the fixtures read Vault through the `vault` store"
    env = {**os.environ, "VAULT_ADDR": bao["addr"], "BAO_ADDR": bao["addr"], "BAO_TOKEN": bao["token"],
           "VAULT_TOKEN": bao["token"]}
    _bao(["policy", "write", "kit-test", str(policy)], env)
    token = _bao(["token", "create", "-policy=kit-test", "-field=token"], env)
    for key in keys:
        data = f"{mount}/data/{key.removeprefix(mount + '/')}"
        caps = _bao(["token", "capabilities", token, data], env)
        assert caps == "read", (data, caps)
        sibling = data + "-other"
        assert _bao(["token", "capabilities", token, sibling], env) == "deny", sibling
    assert _bao(["token", "capabilities", token, f"{mount}/data"], env) == "deny"
    assert "create" not in policy.read_text() and "update" not in policy.read_text() and "*" not in policy.read_text()


def test_the_vault_read_action_names_the_kit_that_prepares_it(tmp_path: Path) -> None:
    import json

    out = tmp_path / "out"
    assert run_cli("convert", FIXTURES / "overseerr", "--output", out).returncode == 0
    report = json.loads((out / "report.json").read_text())
    (action,) = [a for a in report["actions"] if a["kind"] == "vault-read"]
    assert action["kit"] and all((out / k).is_file() for k in action["kit"])
    assert "Prepared by the cluster kit" in (out / "SUMMARY.md").read_text()
    assert all(not s["name"].startswith("_cluster") for s in report["services"])
