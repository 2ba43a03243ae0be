"""Issue 13 family 18: Nomad's file functions (`file`, `filebase64`, `fileexists`, `fileset`) resolve relative
names from the directory `nomad job run` runs in (`--base-dir`, default the current directory), then beside the
jobspec (noted); neither is one decision naming both paths; `templatefile()` is Terraform's. Each row failed on
main before the fix (main read beside the jobspec only, and knew only file())."""

from __future__ import annotations

import base64
import contextlib
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nomad2k8s import fileaccess
from nomad2k8s.cli import app
from nomad2k8s.errors import ConversionError
from nomad2k8s.parse import load_text

from .harness import convert_text

JOB = '''
job "app" {
  group "app" {
    task "app" {
      driver = "docker"
      config { image = "nginx:1.27" }
      meta {
        %s
      }
    }
  }
}
'''
META = "job[app].group[app].task[app].meta"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository deployed from its root: jobs/app.nomad.hcl reads config/... (relative to the root)."""
    root = tmp_path / "repo"
    (root / "jobs").mkdir(parents=True)
    (root / "config" / "rules").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "config" / "app.conf").write_text("from-root\n")
    (root / "config" / "rules" / "a.yml").write_text("a\n")
    (root / "config" / "rules" / "b.yml").write_text("b\n")
    (root / "jobs" / "beside.conf").write_text("from-beside\n")
    return root


def _meta(repo: Path, body: str, base_dir: Path | None = None) -> tuple[dict, list]:
    jobspec = repo / "jobs" / "app.nomad.hcl"
    with contextlib.chdir(repo):  # the default base directory is the current one
        parsed = load_text(JOB % body, jobspec, env={}, base_dir=base_dir)
    meta = parsed.jobs[0]["group"][0]["task"][0]["meta"][0]
    return meta, parsed.diagnostics


ROWS = [
    # (id, meta body, key, expected value)
    ("file-from-the-base-dir", 'a = file("config/app.conf")', "a", "from-root\n"),
    ("filebase64-from-the-base-dir", 'a = filebase64("config/app.conf")', "a",
     base64.b64encode(b"from-root\n").decode()),
    ("fileexists-from-the-base-dir", 'a = fileexists("config/app.conf")', "a", True),
    ("fileset-from-the-base-dir", 'a = join(",", fileset("config/rules", "*.yml"))', "a", "a.yml,b.yml"),
]


@pytest.mark.parametrize("body, key, expected", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_file_functions_resolve_from_the_base_directory(repo: Path, body: str, key: str, expected: object) -> None:
    meta, diagnostics = _meta(repo, body)
    assert meta[key] == expected
    assert not diagnostics


def test_a_file_only_beside_the_jobspec_is_read_and_noted(repo: Path) -> None:
    meta, diagnostics = _meta(repo, 'a = file("beside.conf")')
    assert meta["a"] == "from-beside\n"
    [note] = diagnostics
    assert note.code == "N2K-FILE-BESIDE-JOBSPEC" and note.nomad_path == f"{META}.a" and note.line
    assert "jobs/beside.conf" in note.message and "(beside.conf" in note.message


def test_a_file_at_neither_place_is_one_decision_naming_both(repo: Path) -> None:
    _, diagnostics = _meta(repo, 'a = file("nope.conf")')
    [note] = [d for d in diagnostics if d.code == "N2K-FILE-NOT-FOUND"]
    assert "nope.conf (the base directory)" in note.message and "jobs/nope.conf (beside the jobspec)" in note.message
    assert note.line is not None


def test_an_explicit_base_dir_is_where_nomad_runs(repo: Path, tmp_path: Path) -> None:
    (repo / "jobs" / "config").mkdir()
    (repo / "jobs" / "config" / "app.conf").write_text("jobs-config\n")
    meta, _ = _meta(repo, 'a = file("config/app.conf")', base_dir=repo / "jobs")
    assert meta["a"] == "jobs-config\n"


def test_templatefile_is_terraform_s(repo: Path) -> None:
    with pytest.raises(ConversionError, match="templatefile\\(\\) is a Terraform function") as info:
        _meta(repo, 'a = templatefile("config/app.conf", {})')
    assert info.value.line is not None and str(info.value).startswith(str(repo / "jobs" / "app.nomad.hcl"))


def test_a_current_directory_outside_the_repository_widens_nothing(repo: Path, tmp_path: Path) -> None:
    """$HOME above a repository that is not a git work tree of its own: the default base directory is not read."""
    plain = tmp_path / "plain"
    (plain / "jobs").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("SECRET")
    jobspec = plain / "jobs" / "app.nomad.hcl"
    with contextlib.chdir(tmp_path):
        assert fileaccess.jobspec_places(jobspec, plain, None)[1] == plain
        with pytest.raises(ConversionError, match="outside the repository"):
            load_text(JOB % 'a = file("../../secret.txt")', jobspec, env={})
        parsed = load_text(JOB % 'a = file("secret.txt")', jobspec, env={})
    assert "SECRET" not in str(parsed.jobs)


def test_cli_base_dir(repo: Path, tmp_path: Path) -> None:
    (repo / "jobs" / "app.nomad.hcl").write_text(JOB % 'a = file("config/app.conf")')
    ok = CliRunner().invoke(app, ["convert", str(repo / "jobs" / "app.nomad.hcl"), "--base-dir", str(repo)])
    assert ok.exit_code == 0, ok.output
    assert "from-root" in ok.stdout
    (tmp_path / "elsewhere").mkdir()
    bad = CliRunner().invoke(app, ["convert", str(repo / "jobs"), "--base-dir", str(tmp_path / "elsewhere")])
    assert bad.exit_code == 2 and "--base-dir" in bad.output


def test_case_row_template_data_from_the_repo_root(repo: Path) -> None:
    """The case-table row: converting jobs/app.nomad.hcl from the repository root reads config/app.conf
    there, as `nomad job run jobs/app.nomad.hcl` does (main looked beside the jobspec and left it as text)."""
    hcl = JOB.replace("      meta {\n        %s\n      }\n",
                      '      template {\n        data = file("config/app.conf")\n'
                      '        destination = "local/app.conf"\n      }\n')
    with contextlib.chdir(repo):  # convert_text reads relative to the current directory, as the CLI does
        result = convert_text(hcl, path=str(repo / "jobs" / "app.nomad.hcl"))
    assert result.object("ConfigMap", "app-config")["data"]["app.conf"] == "from-root\n"
    assert result.row("job[app].group[app].task[app].template[0].data", "N2K-TEMPLATE-CONFIGMAP").status.value == "mapped"
    assert not {"N2K-FILE-BESIDE-JOBSPEC", "N2K-FILE-NOT-FOUND", "N2K-PARSE-UNRESOLVED"} & result.codes()
