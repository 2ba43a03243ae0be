"""File access from a jobspec (`file()`, template `source`) stays inside the repository being
converted; operator-given files are read capped and as UTF-8; every refusal is one clear line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nomad2k8s import fileaccess
from nomad2k8s.cli import app
from nomad2k8s.errors import ConversionError

from .harness import convert_text

OUTSIDE_TEXT = "OUTSIDE-LEAKCHECK"


def _job(task_body: str) -> str:
    return ('job "fa" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
            '      config { image = "busybox:1.36" }\n' + task_body + "\n    }\n  }\n}\n")


def _template_source(source: str) -> str:
    return _job(f'      template {{\n        source      = "{source}"\n        destination = "local/app.conf"\n      }}')


def _meta_file(name: str) -> str:
    return _job(f'      meta {{\n        a = file("{name}")\n      }}')


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """tmp/repo (the root) with an inside file and a symlink out; tmp/outside.tpl beyond it."""
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "outside.tpl").write_text(OUTSIDE_TEXT)
    (root / "inside.tpl").write_text("inside = 1\n")
    (root / "sub" / "nested.txt").write_text("nested\n")
    (root / "link.tpl").symlink_to(tmp_path / "outside.tpl")
    (root / "dirlink").symlink_to(tmp_path)
    (root / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    with (root / "big.txt").open("wb") as handle:
        handle.truncate(fileaccess.MAX_BYTES + 1)  # sparse: large without using the disk
    return root


# (id, jobspec, message fragment): every one is refused with one line at jobspec:line.
REFUSED = [
    ("template-parent", _template_source("../outside.tpl"), "outside the repository"),
    ("template-absolute", _template_source("/etc/passwd"), "outside the repository"),
    ("template-symlink-out", _template_source("link.tpl"), "outside the repository"),
    ("template-through-dir-symlink", _template_source("dirlink/outside.tpl"), "outside the repository"),
    ("template-proc", _template_source("/proc/self/environ"), "kernel or device file"),
    ("template-not-utf8", _template_source("latin1.txt"), "not UTF-8 text"),
    ("file-proc-environ", _meta_file("/proc/self/environ"), "kernel or device file"),
    ("file-dev-zero", _meta_file("/dev/zero"), "kernel or device file"),
    ("file-sys", _meta_file("/sys/kernel/hostname"), "kernel or device file"),
    ("file-parent", _meta_file("../outside.tpl"), "outside the repository"),
    ("file-symlink-out", _meta_file("link.tpl"), "outside the repository"),
    ("file-too-large", _meta_file("big.txt"), "larger than 4 MiB"),
    ("file-not-utf8", _meta_file("latin1.txt"), "not UTF-8 text"),
    ("file-directory", _meta_file("sub"), "it is a directory"),
]


@pytest.mark.parametrize("hcl, fragment", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_jobspec_file_access_is_refused(repo: Path, hcl: str, fragment: str) -> None:
    job = repo / "job.nomad.hcl"
    with pytest.raises(ConversionError) as info:
        convert_text(hcl, path=str(job))
    line = str(info.value)
    assert fragment in line
    assert "\n" not in line and OUTSIDE_TEXT not in line
    assert line.startswith(f"{job}:"), line  # located in the jobspec
    assert info.value.line is not None


ALLOWED = [
    ("template-inside", _template_source("inside.tpl"), "inside = 1"),
    ("file-inside", _meta_file("inside.tpl"), "inside = 1"),
    ("file-nested", _meta_file("sub/nested.txt"), "nested"),
]


@pytest.mark.parametrize("hcl, text", [c[1:] for c in ALLOWED], ids=[c[0] for c in ALLOWED])
def test_files_inside_the_repository_are_read(repo: Path, hcl: str, text: str) -> None:
    result = convert_text(hcl, path=str(repo / "job.nomad.hcl"))
    assert any(text in str(obj) for obj in result.objects)


def test_missing_files_stay_as_before(repo: Path) -> None:
    """A missing file() is left as text (one decision naming where it was looked for, tests/cases/
    test_base_dir.py); a missing template source is read on the client."""
    result = convert_text(_meta_file("nope.txt"), path=str(repo / "job.nomad.hcl"))
    assert "N2K-FILE-NOT-FOUND" in result.codes()
    result = convert_text(_template_source("nope.tpl"), path=str(repo / "job.nomad.hcl"))
    assert any("content is unknown here" in e.message for e in result.entries)


def test_directory_run_confines_to_the_directory_converted(repo: Path, tmp_path: Path) -> None:
    """Converting the repository: a jobspec in sub/ may read ../inside.tpl (still inside it);
    converting sub/job.nomad.hcl alone, the root is sub/ and the same read is refused."""
    job = repo / "sub" / "job.nomad.hcl"
    job.write_text(_template_source("../inside.tpl"))
    whole = CliRunner().invoke(app, ["convert", str(repo / "sub"), "--output", str(tmp_path / "a")])
    assert whole.exit_code == 1 and "outside the repository" in whole.output
    for name in ("link.tpl", "big.txt", "latin1.txt"):  # other files the directory run would not like
        (repo / name).unlink()
    run = CliRunner().invoke(app, ["convert", str(repo), "--output", str(tmp_path / "b")])
    assert run.exit_code == 0, run.output
    assert "inside = 1" in "".join(p.read_text() for p in (tmp_path / "b").rglob("*.yaml"))


def test_fifo_is_never_opened(repo: Path) -> None:
    os.mkfifo(repo / "pipe.txt")  # opening it would block the conversion forever
    with pytest.raises(ConversionError, match="not a regular file"):
        convert_text(_meta_file("pipe.txt"), path=str(repo / "job.nomad.hcl"))
