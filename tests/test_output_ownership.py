"""A re-run never loses a user's file (OUT/.nomad2k8s/written.json), and Ctrl-C never leaves a half-written
service: issue 17, items 1 and 2. The ownership tests edit and add files between runs; the interrupt test
sends SIGINT to a real batch subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from nomad2k8s.emit.files import STAGING_MARK
from nomad2k8s.ownership import RECORD
from tests.support import FIXTURES, REPO, run_cli

WHOAMI = FIXTURES / "whoami" / "whoami.nomad.hcl"


def _jobs(tmp_path: Path, names: tuple[str, ...] = ("whoami", "web")) -> Path:
    """A directory of jobspecs: whoami renamed, one sub-directory each."""
    src = tmp_path / "jobs"
    for name in names:
        (src / name).mkdir(parents=True, exist_ok=True)
        (src / name / f"{name}.nomad.hcl").write_text(WHOAMI.read_text().replace('"whoami"', f'"{name}"'))
    return src


def _record(out: Path) -> dict:
    return json.loads((out / RECORD).read_text())


def _assert_record_matches_disk(out: Path) -> None:
    record = _record(out)
    for rel, sha in record["files"].items():
        path = out / rel
        assert path.is_file(), f"recorded {rel} is missing"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha, f"recorded {rel} has another hash"
    assert not [p for p in out.rglob("*") if STAGING_MARK in p.name], "a staging directory was left behind"


def test_record_lists_every_generated_file(tmp_path: Path) -> None:
    src, out = _jobs(tmp_path), tmp_path / "out"
    proc = run_cli("convert", src, "--output", out)
    assert proc.returncode == 0, proc.stderr
    record = _record(out)
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and RECORD.parts[0] not in p.parts}
    assert set(record["files"]) == written
    assert {"SUMMARY.md", "kustomization.yaml", "whoami/whoami/MIGRATION.md"} <= written
    assert record["services"] == ["web/web", "whoami/whoami"]
    _assert_record_matches_disk(out)


def test_rerun_keeps_user_files_and_refuses_to_overwrite_edits(tmp_path: Path) -> None:
    src, out = _jobs(tmp_path), tmp_path / "out"
    assert run_cli("convert", src, "--output", out).returncode == 0
    service = out / "whoami" / "whoami"
    (service / "notes.md").write_text("my notes\n")
    (service / "overlays" / "prod").mkdir(parents=True)
    (service / "overlays" / "prod" / "kustomization.yaml").write_text("resources: [../..]\n")
    deployment = service / "deployment-whoami.yaml"
    edited = deployment.read_text().replace("replicas: 1", "replicas: 3")
    assert edited != deployment.read_text()
    deployment.write_text(edited)
    (out / "SUMMARY.md").write_text("my summary\n")  # the estate files are covered by the record too

    # The re-run changes every generated file (another namespace), so each one is really rewritten.
    proc = run_cli("convert", src, "--output", out, "--namespace", "team-a")
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert sorted(errors) == sorted(
        f"error: {path}: changed since nomad2k8s wrote it (or not written by it); not overwritten (--force overwrites)"
        for path in (deployment, out / "SUMMARY.md"))
    assert (service / "notes.md").read_text() == "my notes\n"
    assert (service / "overlays" / "prod" / "kustomization.yaml").is_file()
    assert deployment.read_text() == edited and (out / "SUMMARY.md").read_text() == "my summary\n"
    assert "namespace: team-a" in (service / "service-whoami.yaml").read_text()  # unedited: replaced
    _assert_record_matches_disk_except(out, {"whoami/whoami/deployment-whoami.yaml", "SUMMARY.md"})

    # Still edited on the next run: still protected; --force overwrites, the user's own files stay.
    assert run_cli("convert", src, "--output", out, "--namespace", "team-a").returncode == 1
    proc = run_cli("convert", src, "--output", out, "--namespace", "team-a", "--force")
    assert proc.returncode == 0, proc.stderr
    assert "namespace: team-a" in deployment.read_text() and "replicas: 3" not in deployment.read_text()
    assert (service / "notes.md").read_text() == "my notes\n"
    assert (service / "overlays" / "prod" / "kustomization.yaml").is_file()
    _assert_record_matches_disk(out)


def _assert_record_matches_disk_except(out: Path, edited: set[str]) -> None:
    """The record keeps what the tool wrote: an edited file differs from it (and so stays protected)."""
    record = _record(out)
    for rel, sha in record["files"].items():
        same = hashlib.sha256((out / rel).read_bytes()).hexdigest() == sha
        assert same == (rel not in edited), rel


def test_a_file_the_tool_never_wrote_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "whoami").mkdir(parents=True)
    (out / "whoami" / "MIGRATION.md").write_text("mine\n")
    proc = run_cli("convert", WHOAMI, "--output", out)
    assert proc.returncode == 1 and f"{out / 'whoami' / 'MIGRATION.md'}: changed since" in proc.stderr
    assert (out / "whoami" / "MIGRATION.md").read_text() == "mine\n"
    assert (out / "whoami" / "deployment-whoami.yaml").is_file()
    assert "whoami/MIGRATION.md" not in _record(out)["files"]


def test_service_of_a_job_no_longer_converted(tmp_path: Path) -> None:
    src, out = _jobs(tmp_path, ("whoami", "web", "api")), tmp_path / "out"
    assert run_cli("convert", src, "--output", out).returncode == 0
    (out / "api" / "api" / "notes.md").write_text("keep me\n")
    shutil.rmtree(src / "web")
    shutil.rmtree(src / "api")
    proc = run_cli("convert", src, "--output", out)
    assert proc.returncode == 0, proc.stderr
    # web held only unedited generated files: removed, and said so; api holds a user file: kept, reported.
    assert not (out / "web").exists()
    assert f"removed {out / 'web' / 'web'}: its job is no longer converted" in proc.stderr
    assert (out / "api" / "api" / "notes.md").is_file() and (out / "api" / "api" / "deployment-api.yaml").is_file()
    assert f"warning: kept {out / 'api' / 'api'}: its job is no longer converted" in proc.stderr
    assert "api/api/notes.md" in proc.stderr
    estate = yaml.safe_load((out / "kustomization.yaml").read_text())
    assert estate["resources"] == ["whoami/whoami"]
    assert "web/web" not in (out / "SUMMARY.md").read_text()
    _assert_record_matches_disk(out)
    # Once the user's file goes, the next run removes the rest.
    (out / "api" / "api" / "notes.md").unlink()
    proc = run_cli("convert", src, "--output", out)
    assert proc.returncode == 0 and not (out / "api").exists(), proc.stderr
    assert _record(out)["services"] == ["whoami/whoami"]


def test_a_generated_file_no_longer_produced_goes_unless_edited(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("convert", WHOAMI, "--output", out).returncode == 0
    stale, edited_stale = out / "whoami" / "old-object.yaml", out / "whoami" / "old-edited.yaml"
    for path in (stale, edited_stale):
        path.write_text("kind: Old\n")
    record = _record(out)  # as if an earlier version of the tool had written them
    for path in (stale, edited_stale):
        record["files"][path.relative_to(out).as_posix()] = hashlib.sha256(b"kind: Old\n").hexdigest()
    (out / RECORD).write_text(json.dumps(record))
    edited_stale.write_text("kind: Old\n# edited\n")
    assert run_cli("convert", WHOAMI, "--output", out).returncode == 0
    assert not stale.exists() and edited_stale.is_file()
    assert "whoami/old-edited.yaml" not in _record(out)["files"]  # now the user's
    _assert_record_matches_disk(out)


# ---- Ctrl-C -------------------------------------------------------------------------------------------------

def _many_jobs(tmp_path: Path, n: int) -> Path:
    src = tmp_path / "jobs"
    text = WHOAMI.read_text()
    for i in range(n):
        (src / f"team{i:03d}").mkdir(parents=True)
        (src / f"team{i:03d}" / "svc.nomad.hcl").write_text(text.replace('"whoami"', f'"svc{i:03d}"'))
    return src


def _interrupt_when(cmd: list[str], ready: Callable[[int], bool]) -> subprocess.CompletedProcess:
    """Start `cmd`, send it SIGINT once `ready(pid)`, and collect what it did."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 120
    while not ready(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _loaded(pid: int, library: str) -> bool:
    """The process has mapped `library` (Linux /proc; elsewhere: assumed, the test's timing decides)."""
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except FileNotFoundError:
        return not Path("/proc/self/maps").is_file()
    except OSError:
        return False


def _services_whole(out: Path) -> dict[str, str]:
    """Each service directory on disk is complete, and all its objects are in one namespace: -> namespace."""
    namespaces = {}
    for kustomization in out.glob("*/*/kustomization.yaml"):
        service = kustomization.parent
        names = yaml.safe_load(kustomization.read_text())["resources"]
        assert (service / "MIGRATION.md").is_file() and (service / "ledger.json").is_file(), service
        found = {yaml.safe_load((service / n).read_text())["metadata"]["namespace"] for n in names}
        assert len(found) == 1, f"{service} is half old, half new: {found}"
        namespaces[service.relative_to(out).as_posix()] = found.pop()
    return namespaces


def test_ctrl_c_mid_batch_leaves_whole_services_and_a_true_record(tmp_path: Path) -> None:
    n = 60
    src, out = _many_jobs(tmp_path, n), tmp_path / "out"
    assert run_cli("convert", src, "--output", out).returncode == 0
    assert set(_services_whole(out).values()) == {"default"}
    # A re-run into another namespace rewrites every file; interrupt it once it has begun writing.
    first = out / "team000" / "svc000" / "service-svc000.yaml"
    cmd = [sys.executable, "-m", "nomad2k8s", "convert", str(src), "--output", str(out), "--namespace", "moved"]
    proc = _interrupt_when(cmd, lambda _: first.is_file() and "moved" in first.read_text())
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "interrupted" and "Traceback" not in proc.stderr
    namespaces = _services_whole(out)
    assert len(namespaces) == n
    moved = sum(ns == "moved" for ns in namespaces.values())
    assert 1 <= moved < n, "the interrupt did not land mid-batch"
    _assert_record_matches_disk(out)
    # And the next run picks up where it stopped, nothing reported as edited.
    proc = run_cli("convert", src, "--output", out, "--namespace", "moved")
    assert proc.returncode == 0, proc.stderr
    assert set(_services_whole(out).values()) == {"moved"}


def test_ctrl_c_before_writing_writes_nothing(tmp_path: Path) -> None:
    src, out = _many_jobs(tmp_path, 150), tmp_path / "out"
    cmd = [sys.executable, "-m", "nomad2k8s", "convert", str(src), "--output", str(out)]
    started = time.monotonic()
    # After 1.5 s, and never before the CLI's own code runs (pydantic's core loaded): a signal while the
    # interpreter itself starts is Python's default death (-2), which no program can catch (a loaded machine
    # once took that long to start).
    proc = _interrupt_when(cmd, lambda pid: time.monotonic() - started > 1.5 and _loaded(pid, "pydantic_core"))
    # 130, or (seen twice on a loaded machine, cause not found) a death by SIGINT after the one line, which a
    # shell also reports as 130; either way one line, no traceback, nothing half-written.
    assert proc.returncode in (130, -signal.SIGINT) and proc.stderr.strip().splitlines()[-1] == "interrupted", proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() or not [p for p in out.rglob("*") if STAGING_MARK in p.name]


def test_intentions_into_a_converted_directory_retires_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("convert", WHOAMI, "--output", out).returncode == 0
    proc = run_cli("intentions", FIXTURES / "echo-server" / "mesh.intentions.hcl", "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert (out / "whoami" / "deployment-whoami.yaml").is_file() and "removed" not in proc.stderr
    assert set(_record(out)["services"]) == {"whoami", "_policies"}
    _assert_record_matches_disk(out)


def test_an_unreadable_record_protects_every_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("convert", WHOAMI, "--output", out).returncode == 0
    (out / "whoami" / "MIGRATION.md").write_text("edited\n")
    (out / RECORD).write_text("{not json")
    proc = run_cli("convert", WHOAMI, "--output", out)
    assert "unreadable record of written files" in proc.stderr
    assert proc.returncode == 1 and (out / "whoami" / "MIGRATION.md").read_text() == "edited\n"
    _assert_record_matches_disk_except(out, set())  # rewritten: the unchanged files adopted, the edit not


def test_ctrl_c_while_the_cli_imports_is_one_line(tmp_path: Path) -> None:
    """The entry point catches it before the CLI module is loaded: signalled once the process has loaded
    pydantic's compiled core (in the middle of the CLI's imports, well after the interpreter's own start)."""
    if not Path("/proc/self/maps").is_file():
        pytest.skip("needs /proc to see which libraries the process has loaded")

    proc = _interrupt_when([sys.executable, "-m", "nomad2k8s", "convert", str(WHOAMI)],
                           lambda pid: _loaded(pid, "pydantic_core"))
    assert (proc.returncode, proc.stderr, proc.stdout) == (130, "interrupted\n", ""), proc.stderr


def test_a_killed_swap_is_undone_on_the_next_run(tmp_path: Path) -> None:
    """SIGKILL between moving the old directory aside and moving the new one in: the next run puts the
    user's directory back first (nothing lost), then writes as usual; a stray staging directory goes."""
    out = tmp_path / "out"
    assert run_cli("convert", WHOAMI, "--output", out).returncode == 0
    service = out / "whoami"
    (service / "notes.md").write_text("mine\n")
    os.replace(service, out / f".whoami{STAGING_MARK}old")  # the state a kill mid-swap leaves
    (out / f".whoami{STAGING_MARK}new").mkdir()
    proc = run_cli("convert", WHOAMI, "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert (service / "notes.md").read_text() == "mine\n" and (service / "deployment-whoami.yaml").is_file()
    _assert_record_matches_disk(out)


def test_ctrl_c_is_deferred_even_when_another_thread_could_take_the_signal() -> None:
    """The bug a worker pool's helper thread exposed: SIGINT blocked in the main thread only went to the other
    thread, and Python raised KeyboardInterrupt in the middle of the deferred block."""
    import threading

    from nomad2k8s.ownership import interrupts_deferred

    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)  # a thread that does not block SIGINT, like a pool's
    helper.start()
    done: list[str] = []
    try:
        with pytest.raises(KeyboardInterrupt):
            with interrupts_deferred():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.2)  # long enough for a delivered signal's handler to run in the main thread
                done.append("block finished")
    finally:
        stop.set()
        helper.join()
    assert done == ["block finished"]
