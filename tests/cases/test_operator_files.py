"""Files the operator names (--var-file, --profile, nomad2k8s.yaml, --vault-token-file, intentions,
`diff` inputs) and VAULT_TOKEN: unreadable, non-UTF-8 or malformed -> one clear line naming the
file, the usual exit code, no traceback, and never the token."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nomad2k8s.cli import app

from ..support import FIXTURES

JOB = 'job "op" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config { image = "busybox:1.36" }\n    }\n  }\n}\n'
LATIN1 = "name = \"caf\xe9\"\n".encode("latin-1")
TOKEN = "s.tok\u00e9n-LEAKCHECK"


def _invoke(args: list[str], env: dict[str, str | None] | None = None):
    base: dict[str, str | None] = {"VAULT_ADDR": None, "VAULT_TOKEN": None}
    return CliRunner().invoke(app, args, env={**base, **(env or {})})


def _one_error_line(result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.output.splitlines() if "error" in line or any(f in line for f in fragments)]
    assert lines, result.output
    text = "\n".join(lines)
    for fragment in fragments:
        assert fragment in text, result.output
    assert "Traceback" not in result.output
    return text


@pytest.fixture
def job(tmp_path: Path) -> Path:
    path = tmp_path / "op.nomad.hcl"
    path.write_text(JOB)
    return path


# (id, file name, bytes, extra CLI args given the file, exit code, message fragment)
CASES = [
    ("var-file-not-utf8", "bad.vars.hcl", LATIN1, ["--var-file"], 1, "var file is not UTF-8 text"),
    ("var-file-directory", "vardir", None, ["--var-file"], 1, "it is a directory"),
    ("profile-not-utf8", "site.yaml", LATIN1, ["--profile"], 2, "profile file is not UTF-8 text"),
    ("token-file-not-utf8", "token", b"\xff\xfe" + TOKEN.encode(), ["--vault-addr", "http://127.0.0.1:1",
                                                                      "--vault-token-file"], 2, "not UTF-8 text"),
    ("token-file-not-ascii", "token", TOKEN.encode(), ["--vault-addr", "http://127.0.0.1:1", "--vault-token-file"],
     2, "not printable ASCII"),
    ("intentions-not-utf8", "x.intentions.hcl", LATIN1, ["--intentions"], 1, "intentions file is not UTF-8 text"),
]


@pytest.mark.parametrize("name, data, flags, code, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_operator_file_errors(job: Path, tmp_path: Path, name: str, data: bytes | None, flags: list[str],
                              code: int, fragment: str) -> None:
    target = tmp_path / name
    if data is None:
        target.mkdir()
    else:
        target.write_bytes(data)
    result = _invoke(["convert", str(job), *flags, str(target)])
    text = _one_error_line(result, code, fragment, name)
    assert "LEAKCHECK" not in result.output
    assert len(text.splitlines()) <= 2  # profile errors are a heading and one bullet


def test_nomad2k8s_yaml_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "op.nomad.hcl").write_text(JOB)
    (tmp_path / "nomad2k8s.yaml").write_bytes(LATIN1)
    result = _invoke(["convert", str(tmp_path)])
    _one_error_line(result, 2, "nomad2k8s.yaml", "not UTF-8 text")


def test_non_ascii_vault_token(job: Path) -> None:
    result = _invoke(["convert", str(job), "--vault-addr", "http://127.0.0.1:1"], {"VAULT_TOKEN": TOKEN})
    _one_error_line(result, 2, "VAULT_TOKEN", "not printable ASCII")
    assert "LEAKCHECK" not in result.output


def test_credentials_in_vault_addr_are_not_shown(job: Path) -> None:
    result = _invoke(["convert", str(job), "--vault-addr", "http://user:PW-LEAKCHECK@127.0.0.1:1"],
                     {"VAULT_TOKEN": "x"})
    assert result.exit_code == 0, result.output
    assert "unreachable" in result.output and "***@127.0.0.1:1" in result.output
    assert "PW-LEAKCHECK" not in result.output


# `diff` inputs ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("diff") / "out"
    result = CliRunner().invoke(app, ["convert", str(FIXTURES / "whoami"), "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _service(root: Path) -> Path:
    return next(root.rglob("ledger.json")).parent


DIFF_CASES = [
    ("yaml-malformed", "deployment-whoami.yaml", b"kind: [unclosed\n", "not valid YAML"),
    ("yaml-not-utf8", "deployment-whoami.yaml", b"kind: caf\xe9\n", "not UTF-8 text"),
    ("yaml-two-documents", "deployment-whoami.yaml", b"a: 1\n---\nb: 2\n", "not valid YAML"),
    ("ledger-malformed", "ledger.json", b"[{\"nomad_path\": ", "not valid JSON"),
    ("ledger-not-a-list", "ledger.json", b"{\"a\": 1}", "not a conversion ledger"),
    ("ledger-bad-entries", "ledger.json", b"[1, 2]", "not a conversion ledger"),
    ("ledger-not-utf8", "ledger.json", b"[\"\xff\"]", "not UTF-8 text"),
]


@pytest.mark.parametrize("name, data, fragment", [c[1:] for c in DIFF_CASES], ids=[c[0] for c in DIFF_CASES])
def test_diff_input_errors(output: Path, tmp_path: Path, name: str, data: bytes, fragment: str) -> None:
    new = tmp_path / "new"
    shutil.copytree(output, new)
    target = _service(new) / name
    assert target.is_file()  # an existing output file is spoiled
    target.write_bytes(data)
    result = _invoke(["diff", str(output), str(new)])
    text = _one_error_line(result, 2, fragment, target.name)
    assert len(text.splitlines()) == 1
    assert str(target) in text


def test_diff_still_works(output: Path, tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(output, new)
    ledger = _service(new) / "ledger.json"
    entries = json.loads(ledger.read_text())
    entries[0]["status"] = "needs-decision" if entries[0]["status"] != "needs-decision" else "mapped"
    ledger.write_text(json.dumps(entries))
    result = _invoke(["diff", str(output), str(new), "--exit-code"])
    assert result.exit_code == 1 and "Ledger:" in result.output
