"""The speed work changes no output: the C YAML emitter writes what the Python one writes, `--jobs N` gives
the same tree for any N, and the parse cache is invalidated by what changes a conversion. No timing here
(figures come from scripts/bench.py, never from a timed test)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nomad2k8s import batch
from nomad2k8s.convert import convert_file, flag_name_clashes
from nomad2k8s.emit import yaml_out
from tests.support import (
    FIXTURES,
    GENERATED,
    REPO,
    counted_convert,
    run_cli,
    written_tree,
)


def _python_text(obj: dict) -> str:
    return yaml_out.dump_object(obj, yaml_out._PyDumper)


def test_c_emitter_matches_python_on_the_goldens() -> None:
    docs = [d for p in sorted(GENERATED.rglob("*.yaml")) for d in yaml.safe_load_all(p.read_text())
            if isinstance(d, dict)]
    assert len(docs) > 100
    assert [yaml_out.dump_object(d) for d in docs] == [_python_text(d) for d in docs]
    assert any(yaml_out._c_emits_same(d) for d in docs)  # the C emitter is in use, not only the fallback


_ASCII = "ab :#-'\"\n|>{}[],&*!%@`\\~?="
_ALPHABET = "ab :#-'\"\n\t é|>{}[],&*!%@`\\~\x85\u2028\ufeff"


def _text(rng: random.Random, alphabet: str = _ALPHABET) -> str:
    size = rng.randrange(40) if rng.random() < 0.9 else rng.randrange(300)  # some past the 120 width
    return "".join(rng.choice(alphabet) for _ in range(size))


def _value(rng: random.Random, alphabet: str, depth: int = 0) -> object:
    pick = rng.randrange(6 if depth < 2 else 3)
    if pick < 2:
        return _text(rng, alphabet)
    if pick == 2:
        return rng.choice([1, True, None, 2.5])
    if pick == 3:
        return [_value(rng, alphabet, depth + 1) for _ in range(rng.randrange(3))]
    return {_text(rng, alphabet): _value(rng, alphabet, depth + 1) for _ in range(rng.randrange(3))}


def test_emitted_text_is_the_python_emitters_for_any_value() -> None:
    rng = random.Random(17)  # seeded: the same 3,000 objects every run
    by_c = 0
    for n in range(3000):
        alphabet = _ASCII if n % 2 else _ALPHABET  # half of them mostly within what the C emitter gets
        obj = {_text(rng, alphabet): _value(rng, alphabet) for _ in range(1 + rng.randrange(3))}
        assert yaml_out.dump_object(obj) == _python_text(obj), obj
        by_c += yaml_out._c_emits_same(obj)
    assert by_c > 200


def test_a_string_the_emitters_disagree_on_keeps_the_python_emitter() -> None:
    tricky = {"data": {"a": "line with trailing space \nnext\n", "b": "end\n\n"}}
    assert not yaml_out._c_emits_same(tricky)
    assert yaml_out.dump_object(tricky) == _python_text(tricky)
    assert yaml_out._c_emits_same({"data": {"a": "plain\nblock\n"}})


def test_name_clashes_give_one_warning_per_object_and_one_decision_per_service(tmp_path: Path) -> None:
    job = FIXTURES / "whoami" / "whoami.nomad.hcl"
    results = []
    for n in range(4):
        copy = tmp_path / f"c{n}" / job.name
        copy.parent.mkdir()
        copy.write_text(job.read_text())
        results += convert_file(copy)
    objects = {(o["kind"], o["metadata"]["name"]) for o in results[0].objects}
    warnings = flag_name_clashes(results)
    assert len(warnings) == len(objects)  # not one per pair of jobspecs (4 copies: 6 pairs)
    assert all(w.count("/whoami.nomad.hcl") == 4 and "produce the same object" in w for w in warnings)
    for result in results:
        decisions = [e for e in result.ledger.entries if e.code == "N2K-OBJECT-NAME-CLASH"]
        assert len(decisions) == 1
        assert f"{len(objects)} object(s) also produced by" in decisions[0].message
        assert result.source.as_posix() not in decisions[0].message


# Top-level packages `--help` must not load (`kubernetes` itself is registered unexecuted, see
# nomad2k8s/__init__.py; its submodules are the heavy part), and the project modules it may load.
_HEAVY = {"lark", "hcl2", "hcl", "rich", "yaml", "jsonschema", "markdown_it", "urllib3"}
_LIGHT = {"nomad2k8s", "nomad2k8s.cli", "nomad2k8s.errors", "nomad2k8s.parse", "nomad2k8s.parse.discover",
          "nomad2k8s.parse.model"}


def _modules_after(code: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('MODULES', *sys.modules)"],
                          capture_output=True, text=True, check=True, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    return set(proc.stdout.split("MODULES", 1)[1].split())  # after the command's own output


def test_help_and_version_import_nothing_heavy() -> None:
    for argv in (["--help"], ["--version"], ["convert", "--help"]):
        loaded = _modules_after(f"import sys; sys.argv = ['nomad2k8s', *{argv!r}]\n"
                                "from nomad2k8s.cli import run\ntry:\n    run()\nexcept SystemExit:\n    pass")
        assert {m for m in loaded if m.startswith("nomad2k8s")} == _LIGHT, argv
        assert not {m for m in loaded if m.split(".")[0] in _HEAVY or m.startswith("kubernetes.")}, argv
        if argv != ["convert", "--help"]:  # a command's help: typer's own parameter adapters load pydantic
            assert "pydantic" not in loaded, argv


def test_a_conversion_never_imports_kubernetes_config() -> None:
    job = FIXTURES / "whoami" / "whoami.nomad.hcl"
    loaded = _modules_after(f"from nomad2k8s.convert import convert_file\nconvert_file(__import__('pathlib').Path({str(job)!r}))")
    assert "kubernetes.client" in loaded and "lark" in loaded
    assert not {m for m in loaded if m.startswith(("kubernetes.config", "kubernetes.dynamic", "kubernetes.watch"))}


# Cases that exercise the batch stage across files (Connect upstreams, name clashes), several jobs in
# one file (multi-group), HCL1, API JSON and variables: what could differ between worker processes.
_MIXED = ["routing", "poc-k3s", "whoami", "echo-server", "hcl1-legacy", "api-json", "variables", "multi-group",
          "consul-kv"]


def _mixed_tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    for case in _MIXED:
        shutil.copytree(FIXTURES / case, src / case)
    shutil.copytree(FIXTURES / "whoami", src / "again" / "whoami")  # a clash across directories
    return src


def test_any_number_of_jobs_gives_the_same_tree(tmp_path: Path) -> None:
    src = _mixed_tree(tmp_path)
    runs = {}
    for jobs in (1, 2, 3):
        out = tmp_path / f"out{jobs}"
        proc = run_cli("convert", src, "--output", out, "--jobs", str(jobs))
        assert proc.returncode == 0, proc.stderr
        runs[jobs] = (written_tree(out), proc.stderr.replace(str(out), "OUT"))  # lines name the output directory
    assert len(runs[1][0]) > 50 and "produce the same object" in runs[1][1]
    assert runs[2] == runs[1] and runs[3] == runs[1]


def test_with_jobs_the_estate_pages_are_rendered_in_a_worker_and_the_same(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from nomad2k8s import emit_pool

    src = _mixed_tree(tmp_path)
    started: list[int] = []
    real = emit_pool.Emission.pages_in_worker

    def counting(self: emit_pool.Emission, make: object, staging: Path) -> object:
        started.append(len(self.jobs_list))
        assert staging.is_relative_to(tmp_path / "out2" / ".nomad2k8s")  # the tool's own directory
        return real(self, make, staging)  # type: ignore[arg-type]

    monkeypatch.setattr(emit_pool.Emission, "pages_in_worker", counting)
    trees = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        assert run_cli("convert", src, "--output", out, "--jobs", str(jobs)).returncode == 0
        trees[jobs] = written_tree(out)
    assert len(started) == 1 and started[0] >= emit_pool.POOL_MIN_FILES  # --jobs 2 only
    assert trees[2] == trees[1] and b"\"verdict\": " in trees[2]["report.json"]
    assert not list((tmp_path / "out2" / ".nomad2k8s").glob("pages-*"))  # the staged pages are gone


def test_a_failure_rendering_the_pages_in_a_worker_is_the_failure_in_process(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    src = _mixed_tree(tmp_path)

    def broken(*_: object) -> list:
        raise RuntimeError("pages broke")

    monkeypatch.setattr(batch, "estate_pages", broken)  # forked workers inherit the patch
    monkeypatch.setattr("nomad2k8s.output.estate_pages", broken)
    for jobs in (1, 2):  # the error a bug raises in the parent comes back from the worker (not a hang, not lost)
        with pytest.raises(RuntimeError, match="pages broke"):
            run_cli("convert", src, "--output", tmp_path / f"out{jobs}", "--jobs", str(jobs))


_FILE_JOB = """
job "files" {
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "nginx:1.27" }
      template {
        data        = file("conf.txt")
        destination = "local/app.conf"
      }
    }
  }
}
"""


def _cached_run(src: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[list[str], dict]:
    """convert SRC --output OUT (in-process, one process): the jobspecs actually converted, and the tree."""
    return counted_convert(monkeypatch, batch.FileTask, "convert", lambda task: task.file.name, src, out, *args)


def test_the_cache_serves_unchanged_files_and_misses_on_any_change(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    for case in ("variables", "whoami"):
        shutil.copytree(FIXTURES / case, src / case)
    (src / "files").mkdir()
    (src / "files" / "conf.txt").write_text("greeting = hello\n")
    (src / "files" / "app.nomad.hcl").write_text(_FILE_JOB)
    first, tree = _cached_run(src, out, monkeypatch)
    assert first == sorted(p.name for p in src.rglob("*.hcl") if not p.name.endswith(".vars.hcl"))
    assert _cached_run(src, out, monkeypatch) == ([], tree)  # unchanged: every file from the cache
    entries = list((out / ".nomad2k8s" / "cache").glob("*.entry"))
    assert len(entries) == len(first)
    for entry in entries:  # sealed: none of the jobspec's values (credentials included) in the output
        text = entry.read_text()
        assert "traefik/whoami" not in text and "greeting" not in text and "brmartin" not in text

    job = src / "whoami" / "whoami.nomad.hcl"
    job.write_text(job.read_text().replace("traefik/whoami", "traefik/whoami-edited"))
    again, edited = _cached_run(src, out, monkeypatch)
    assert again == ["whoami.nomad.hcl"] and edited != tree
    assert b"whoami-edited" in edited["whoami/whoami/deployment-whoami.yaml"]

    var_file = src / "variables" / "prod.vars.hcl"
    var_file.write_text(var_file.read_text().replace('"2.1.3"', '"2.1.4"'))
    assert _cached_run(src, out, monkeypatch)[0] == ["app.nomad.hcl"]  # a variable file it read

    changed, with_var = _cached_run(src, out, monkeypatch, "--var", "image_tag=9.9.9")
    assert changed == first  # --var is part of every key
    assert b"9.9.9" in b"".join(v for k, v in with_var.items() if k.startswith("variables/"))
    assert _cached_run(src, out, monkeypatch, "--var", "image_tag=9.9.9")[0] == []
    (src / "files" / "conf.txt").write_text("greeting = bye\n")  # a file() the jobspec read
    changed, tree = _cached_run(src, out, monkeypatch, "--var", "image_tag=9.9.9")
    assert changed == ["app.nomad.hcl"] and b"bye" in b"".join(tree.values())
    assert _cached_run(src, out, monkeypatch, "--set", "namespace.name=other")[0] == first  # the profile
    cache = out / ".nomad2k8s" / "cache"
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    assert len(list(cache.glob("*.entry"))) == len(first)  # entries of earlier runs pruned
