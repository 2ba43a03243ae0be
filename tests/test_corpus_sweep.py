"""Every corpus jobspec converts (or fails with one clean line), with no traceback, and every
emitted core object passes strict Kubernetes validation. The corpus is converted once per session
(tests/corpus_fixture.py); CLI behaviour is checked in-process except two real subprocess runs."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.corpus_fixture import CorpusRun, corpus_files
from tests.support import CORPUS_JOBS, REPO, run_cli, validate_object


def test_corpus_converts_and_validates(corpus_yaml: CorpusRun) -> None:
    files = corpus_files()
    converted = corpus_yaml.by_file()
    kinds: Counter = Counter()
    invalid = []
    for path, results in converted.items():
        for result in results:
            for obj in result.objects:
                kinds[obj["kind"]] += 1
                try:
                    validate_object(obj)
                except Exception as exc:  # noqa: BLE001 - collect every invalid object
                    invalid.append(f"{path.name}: {obj['kind']}/{obj['metadata']['name']}: {str(exc)[:300]}")
    failed = _failure_lines(corpus_yaml)
    print(f"\ncorpus: {len(converted)} converted, {len(failed)} failed cleanly, objects: {dict(sorted(kinds.items()))}")
    for line in failed:
        print("  failed:", line)
    assert len(converted) >= 398, failed
    assert len(converted) + len(failed) + _skipped(corpus_yaml) == len(files), "a file neither converted nor failed"
    assert not invalid, "\n".join(invalid[:20])


def _skipped(run: CorpusRun) -> int:
    return sum(line.startswith("skipped ") for line in run.proc.stderr.splitlines())


def _failure_lines(run: CorpusRun) -> list[str]:
    """A failed jobspec is one stderr line naming it (`<path>:<line>: message`)."""
    return [line for line in run.proc.stderr.splitlines() if line.startswith(str(CORPUS_JOBS))]


def test_corpus_failures_are_one_clean_line_each(corpus_yaml: CorpusRun) -> None:
    proc = corpus_yaml.proc
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 1)
    failed = _failure_lines(corpus_yaml)
    if failed:
        # The run's one closing line: the verdicts, where the report is, and the failure count (issues 15, 17).
        last = proc.stderr.splitlines()[-1]
        assert " services: " in last and " GO after actions, " in last, last
        assert last.endswith(f"; {len(failed)} of {len(corpus_files())} file(s) failed to convert"), last
    assert len(list(corpus_yaml.output.rglob("MIGRATION.md"))) >= 398


def test_cli_failure_is_one_clean_line(tmp_path: Path) -> None:
    """A real subprocess on purpose: the installed entry point, exit code and stderr end to end."""
    bad = tmp_path / "bad.nomad"
    bad.write_text('job "x" {\n  group "g" {\n    task "t" {\n      config = = \n    }\n  }\n}\n')
    proc = subprocess.run([sys.executable, "-m", "nomad2k8s", "convert", str(bad)], capture_output=True,
                          text=True, cwd=REPO)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}:"), proc.stderr


def test_cli_usage_error_exit_code() -> None:
    """A real subprocess: a usage error exits 2 with one line, no panel."""
    proc = subprocess.run([sys.executable, "-m", "nomad2k8s", "convert"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "╭" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_cli_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("nomad2k8s ")


def test_cli_robustness(tmp_path: Path) -> None:
    job = REPO / "fixtures" / "nomad_jobs" / "whoami" / "whoami.nomad.hcl"
    not_dir = tmp_path / "file"
    not_dir.write_text("x")
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "bad.nomad"
    bad.write_text('job "x" {\n  group "g" {\n    task "t" {\n      config = = \n    }\n  }\n}\n')
    cases = [
        (["convert", str(tmp_path / "missing.hcl")], 2),
        (["convert", str(job), "--output", str(not_dir)], 2),
        (["convert", str(empty)], 1),
        (["convert", str(job), "--var", "novalue"], 2),
        (["convert", str(bad)], 1),
        (["convert"], 2),
        (["bogus-command"], 2),
    ]
    for args, code in cases:
        proc = run_cli(*args)
        assert proc.returncode == code, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and "╭" not in proc.stderr, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, (args, proc.stderr)


def test_same_objects_from_two_jobspecs_are_flagged(tmp_path: Path) -> None:
    src = tmp_path / "jobs"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    job = REPO / "fixtures" / "nomad_jobs" / "whoami" / "whoami.nomad.hcl"
    for sub in ("a", "b"):
        (src / sub / "whoami.nomad.hcl").write_text(job.read_text())
    proc = run_cli("convert", src, "--output", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "produce the same" in proc.stderr
    report = (tmp_path / "out" / "a" / "whoami" / "MIGRATION.md").read_text()
    assert "N2K-OBJECT-NAME-CLASH" in report and "Deployment default/whoami" in report


def _pod_specs(obj: dict) -> list[dict]:
    spec = obj.get("spec", {})
    if obj.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    template = spec.get("template") if isinstance(spec, dict) else None
    return [template.get("spec", {})] if isinstance(template, dict) else []


def test_corpus_pods_mount_what_they_declare_with_real_paths_and_images(corpus_yaml: CorpusRun) -> None:
    unused, images, paths = [], [], []
    for path, results in corpus_yaml.by_file().items():
        for result in results:
            for obj in result.objects:
                for pod in _pod_specs(obj):
                    containers = pod.get("containers", []) + pod.get("initContainers", [])
                    mounted = {m["name"] for c in containers for m in c.get("volumeMounts", [])}
                    mounted |= {d["name"] for c in containers for d in c.get("volumeDevices", [])}
                    unused += [f"{path.name}: {v['name']}" for v in pod.get("volumes", []) if v["name"] not in mounted]
                    images += [f"{path.name}: {c['image']}" for c in containers if "${" in c.get("image", "")]
                    paths += [(path.name, m["mountPath"]) for c in containers for m in c.get("volumeMounts", [])
                              if "${" in m["mountPath"] or not m["mountPath"].startswith("/")]
    assert not unused, unused
    assert not images, images
    assert not paths, sorted(set(paths))


# Independent of nomad2k8s/credentials.py on purpose: a literal `scheme://user:password@` or
# `password=value` (a `$VAR`, `$(VAR)`, `{{ }}`, `<redacted>` or `«redacted: N chars»` in its place is a
# reference or a redaction, not a leak).
_URL_CREDENTIAL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s/:@\"'{}()$]*:(?![$<{«])[^\s/@\"'{}]+@")
_PASSWORD_PAIR = re.compile(r"(?i)\b(?:password|passwd|pwd)=(?![$<{«\"'\s&;,\\]|$)[^\s\"'&;,]+")


def test_corpus_output_holds_no_credentials(corpus_yaml: CorpusRun) -> None:
    """No manifest, ledger.json, MIGRATION.md, SUMMARY.md or stdout of a converted corpus holds a credential."""
    proc = corpus_yaml.proc
    texts = {"stdout/stderr": proc.stdout + proc.stderr, **corpus_yaml.files()}
    assert any(p.endswith("MIGRATION.md") for p in texts) and any(p.endswith(".yaml") for p in texts)
    found = [f"{where}: at character {m.start()}" for where, text in texts.items()  # never print the value
             for m in [*_URL_CREDENTIAL.finditer(text), *_PASSWORD_PAIR.finditer(text)]]
    assert not found, "\n".join(found[:20])


def test_credential_patterns_catch_a_leak() -> None:
    """Guard: the two patterns above find a literal credential and pass a reference."""
    assert _URL_CREDENTIAL.search("postgres://app:s3cret@db:5432/x")
    assert _PASSWORD_PAIR.search("opts: password=s3cret")
    assert not _URL_CREDENTIAL.search("postgres://app:$(DB_PASSWORD)@db:5432/x")
    assert not _PASSWORD_PAIR.search("password=$DB_PASSWORD")
