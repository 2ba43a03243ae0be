"""Hostile inputs (issue 16): nesting limits (nomad2k8s/nesting.py and the Go-template parser), namespace
names in the profile, intention files that yield nothing, two templates with one destination, and the
paths the CLI writes to. Each is one clear line and an exit code, or a ledger row; never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nomad2k8s import nesting
from nomad2k8s.errors import ConversionError

from ..support import REPO, run_cli
from .harness import Case, check_case, convert_text

DEEP = 10_000
LIMIT = f"nesting deeper than {nesting.MAX_DEPTH} levels"
WHOAMI = REPO / "fixtures" / "nomad_jobs" / "whoami"


def job(task: str = "", top: str = "", name: str = "web") -> str:
    return f'''job "{name}" {{
  {top}
  group "app" {{
    task "srv" {{
      driver = "docker"
      config {{ image = "nginx:1" }}
      {task}
    }}
  }}
}}
'''


def template(data: str, destination: str = "local/a.conf") -> str:
    return f'template {{\n destination = "{destination}"\n data = <<EOF\n{data}\nEOF\n }}'


def deep_json_job() -> str:
    return '{"Job":{"ID":"x","Meta":' + '{"x":' * DEEP + '"v"' + "}" * DEEP + "}}"


# ---- 1. nesting limits ----------------------------------------------------------------------------

NESTED_JOBS = [
    ("json-jobspec", "job.json", deep_json_job(), 1),
    ("hcl-list-in-meta", "job.nomad.hcl", job(top="meta {\n a = " + "[" * DEEP + "1" + "]" * DEEP + "\n}"), 3),
    # A template's errors name its block's line (where its text sits in a heredoc is not recorded).
    ("template-if-blocks", "job.nomad.hcl", job(template("{{ if true }}" * 3000 + "x" + "{{ end }}" * 3000)), 7),
    ("template-parentheses", "job.nomad.hcl", job(template("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}")), 7),
    ("template-else-if-chain", "job.nomad.hcl",
     job(template("{{ if false }}" + "{{ else if false }}" * 3000 + "{{ end }}")), 7),
]


@pytest.mark.parametrize("name,file,text,line", NESTED_JOBS, ids=[r[0] for r in NESTED_JOBS])
def test_deep_nesting_is_one_line_with_file_and_line(tmp_path: Path, name: str, file: str, text: str,
                                                     line: int) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / file).write_text(text)
    (tmp_path / "in" / "ok.nomad.hcl").write_text(job(name="ok"))  # the other file of the batch still converts
    proc = run_cli("convert", tmp_path / "in", "--output", tmp_path / "out", "--jobs", "1")
    assert proc.returncode == 1, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if file in ln]
    assert len(errors) == 1 and LIMIT in errors[0], proc.stderr
    assert errors[0].startswith(f"{tmp_path / 'in' / file}:{line}:"), errors[0]
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr
    assert (tmp_path / "out" / "ok").is_dir()


def test_nesting_under_the_limit_converts() -> None:
    depth = nesting.MAX_DEPTH - 5
    nested = "[" * depth + '"a"' + "]" * depth
    result = convert_text("locals {\n l = " + nested + "\n}\n" + job('env { A = jsonencode(local.l) }'))
    assert result.object("Deployment")["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == nested
    blocks = convert_text(job(template("{{ if true }}" * depth + "x" + "{{ end }}" * depth)))
    assert "a.conf" in blocks.object("ConfigMap")["data"]  # run-time logic: kept verbatim, with its row


@pytest.mark.parametrize("text", [
    '"' + "[" * 500 + '"',  # brackets inside a string
    "# " + "{" * 500 + "\n",  # in a comment
    "/* " + "(" * 500 + " */",
    "x = <<EOF\n" + "{" * 500 + "\nEOF\n",  # heredoc text
    'x = "$${' + "[" * 500 + '"',  # an escaped interpolation is text
])
def test_brackets_in_text_do_not_count(text: str) -> None:
    assert nesting.hcl_depth_error(text) is None


def test_interpolations_in_strings_and_heredocs_count() -> None:
    assert nesting.hcl_depth_error('x = "' + "${" * 200 + '"') is not None
    assert nesting.hcl_depth_error("x = <<EOF\n" + "${(" * 60 + "\nEOF\n") is not None
    assert nesting.json_depth_error('{"a": "' + "[" * 500 + '"}') is None


def test_deep_intentions_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.intentions.json"
    path.write_text("[" * DEEP + "]" * DEEP)
    proc = run_cli("intentions", path)
    assert proc.returncode == 1 and proc.stderr.strip() == f"{path}:1: {nesting.message('JSON brackets')}"


@pytest.mark.parametrize("suffix,text", [
    (".json", '{"v": ' + "[" * DEEP + "]" * DEEP + "}"),
    (".hcl", "v = " + "[" * DEEP + "]" * DEEP + "\n"),
])
def test_deep_var_file_is_one_line(tmp_path: Path, suffix: str, text: str) -> None:
    var_file = tmp_path / f"vars{suffix}"
    var_file.write_text(text)
    spec = tmp_path / "job.nomad.hcl"
    spec.write_text('variable "v" {\n type = any\n}\n' + job())
    proc = run_cli("convert", spec, "--var-file", var_file, "--output", tmp_path / "out")
    assert proc.returncode == 1 and f"{var_file}:1: {LIMIT}" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_deep_variable_value_is_one_line() -> None:
    with pytest.raises(ConversionError, match=LIMIT):
        convert_text('variable "v" {\n type = list(any)\n}\n' + job(), variables={"v": "[" * DEEP + "]" * DEEP})


@pytest.mark.parametrize("args", [
    ("--set", "namespace.name=" + "[" * DEEP + "]" * DEEP),
    ("--profile", "deep.yaml"),
])
def test_deep_yaml_profile_is_an_invalid_profile(tmp_path: Path, args: tuple[str, str]) -> None:
    (tmp_path / "deep.yaml").write_text("namespace: " + "[" * DEEP + "]" * DEEP + "\n")
    flag, value = args
    value = str(tmp_path / value) if flag == "--profile" else value
    proc = run_cli("convert", WHOAMI, flag, value, "--output", tmp_path / "out")
    assert proc.returncode == 2 and LIMIT in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 2 and max(len(ln) for ln in proc.stderr.splitlines()) < 200
    assert not (tmp_path / "out").exists()


# ---- 2. namespace names --------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["set", "profile", "flag"])
@pytest.mark.parametrize("bad", ["../../Evil NS", "Evil", "a" * 64, "web\n", "-x"])
def test_bad_namespace_is_one_clear_error(tmp_path: Path, how: str, bad: str) -> None:
    if how == "set" and bad.endswith("\n"):
        pytest.skip("--set reads YAML: a trailing newline is not part of the value")
    args: list[str | Path]
    if how == "set":
        args = ["--set", f"namespace.name={bad}"]
    elif how == "profile":
        (tmp_path / "p.yaml").write_text(f"namespace:\n  name: {bad!r}\n".replace("'", '"'))
        args = ["--profile", tmp_path / "p.yaml"]
    else:
        args = ["-n", bad]
    proc = run_cli("convert", WHOAMI, *args, "--output", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr  # a bad site setting is a usage error (as every profile error)
    assert "is not a Kubernetes namespace name (RFC 1123 label" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_good_namespace_is_used(tmp_path: Path) -> None:
    proc = run_cli("convert", WHOAMI, "--set", "namespace.name=team-a")
    assert proc.returncode == 0 and "namespace: team-a" in proc.stdout


# ---- 4. intention files that yield nothing ------------------------------------------------------

@pytest.mark.parametrize("name,text", [
    ("empty.json", "[]"),
    ("defaults.json", '{"Kind": "service-defaults", "Name": "web", "Protocol": "http"}'),
    ("entries.hcl", 'Kind = "service-defaults"\nName = "web"\n'),
])
def test_intentions_that_yield_nothing_say_so(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    proc = run_cli("intentions", path, "--output", tmp_path / "out")
    assert proc.returncode == 1 and proc.stderr.splitlines() == [
        f"warning: {path}: no Consul intentions in it (no service-intentions config entry, consul_intention "
        "or consul_config_entry resource): nothing converted from it",
        f"error: no Consul intentions found in {path}; nothing written"]
    assert not (tmp_path / "out").exists()


def test_convert_with_an_empty_intentions_file_warns_and_converts(tmp_path: Path) -> None:
    path = tmp_path / "none.intentions.json"
    path.write_text("[]")
    proc = run_cli("convert", WHOAMI, "--intentions", path, "--output", tmp_path / "out")
    assert proc.returncode == 0 and f"warning: {path}: no Consul intentions in it" in proc.stderr
    assert (tmp_path / "out" / "whoami").is_dir()


def test_intentions_directory_without_files_is_an_error(tmp_path: Path) -> None:
    proc = run_cli("intentions", tmp_path)
    assert proc.returncode == 1 and "no Consul intentions found" in proc.stderr and "no intention files" in proc.stderr


# ---- 5. two templates with one destination -------------------------------------------------------

SAME_DESTINATION = Case(
    "same-destination",
    job('template {\n destination = "local/app.conf"\n data = "first"\n }\n'
        '      template {\n destination = "${NOMAD_TASK_DIR}/app.conf"\n data = "second"\n }'),
    objects={("ConfigMap", "web-config"): {"data": {"app.conf": "second"}}},
    rows={"job[web].group[app].task[srv].template[0]": ("changed", "N2K-TEMPLATE-SAME-DESTINATION"),
          "job[web].group[app].task[srv].template[1].data": ("mapped", "N2K-TEMPLATE-CONFIGMAP")},
)


def test_two_templates_with_one_destination_keep_the_last() -> None:
    result = check_case(SAME_DESTINATION)
    row = result.row("job[web].group[app].task[srv].template[0]", "N2K-TEMPLATE-SAME-DESTINATION")
    assert "template[0] (line 7) and template[1] (line 11) both render to /local/app.conf" in row.message
    config = result.object("ConfigMap", "web-config")["data"]
    keys = {e.target.field for e in result.entries if e.target is not None and getattr(e.target, "field", None)
            and e.target.kind == "ConfigMap"}
    assert keys == {"key app.conf"} and set(config) == {"app.conf"}  # the report names only keys that exist
    mounts = result.object("Deployment")["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert [m["mountPath"] for m in mounts].count("/local/app.conf") == 1


def test_templates_with_different_destinations_are_both_kept() -> None:
    result = convert_text(job(template("a", "local/a.conf") + "\n" + template("b", "local/b.conf")))
    assert result.object("ConfigMap")["data"] == {"a.conf": "a\n", "b.conf": "b\n"}
    assert not result.rows(code="N2K-TEMPLATE-SAME-DESTINATION")


BAD_DESTINATIONS = [
    ("escapes-the-alloc-dir", "../../etc/cron.d/x", "escapes the allocation directory"),
    ("escapes-through-local", "local/../../../x", "escapes the allocation directory"),
    ("nul", "local/a\\u0000b", "a control character (0x00)"),
    ("newline", "local/a\\nb", "a control character (0x0a)"),
]


@pytest.mark.parametrize("name,dest,message", BAD_DESTINATIONS, ids=[r[0] for r in BAD_DESTINATIONS])
def test_destination_nomad_rejects_is_one_line(name: str, dest: str, message: str) -> None:
    """Nomad's Template.Validate rejects a destination that escapes the allocation directory; no file system
    holds a NUL: one line with the template's file:line, never a mountPath with `..` or a NUL."""
    with pytest.raises(ConversionError) as caught:
        convert_text(job(template("x", dest)))
    assert message in caught.value.message and "template[0].destination" in caught.value.message
    assert caught.value.line == 7


@pytest.mark.parametrize("dest,mount", [("local/../secrets/k.pem", "/secrets/k.pem"),
                                        ("../alloc/shared.conf", "/alloc/shared.conf"),
                                        ("${NOMAD_SECRETS_DIR}/./t.env", "/secrets/t.env")])
def test_destination_inside_is_normalised(dest: str, mount: str) -> None:
    result = convert_text(job(template("x", dest)))
    mounts = result.object("Deployment")["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert mount in [m["mountPath"] for m in mounts] and not any(".." in m["mountPath"] for m in mounts)


def test_absolute_destination_under_docker_is_changed_not_mapped() -> None:
    """Under docker Nomad renders /etc/app/app.conf inside the task dir, where the container never saw it:
    mounting it at the path is a change of behaviour (review), not a mapped row."""
    path = "job[web].group[app].task[srv].template[0].destination"
    result = check_case(Case("absolute-destination", job(template("x", "/etc/app/app.conf")),
                             rows={path: ("changed", "N2K-TEMPLATE-DESTINATION-OUTSIDE")}))
    row = result.row(path, "N2K-TEMPLATE-DESTINATION-OUTSIDE")
    assert "outside the task dirs" in row.message
    assert not result.rows(code="N2K-TEMPLATE-DESTINATION")


# ---- 6. output paths -----------------------------------------------------------------------------

def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_output_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "d").symlink_to(tmp_path / "nonexistent")
    proc = run_cli("convert", WHOAMI, "--output", tmp_path / "d")
    assert proc.returncode == 2 and proc.stderr.strip() == (
        f"error: --output {tmp_path / 'd'} is a symbolic link to {tmp_path / 'nonexistent'}, which does not exist")
    assert _files(tmp_path) == ["d"]


@pytest.mark.parametrize("output, message", [
    ("file", "--output {t}/file exists and is not a directory"),
    ("file/sub", "--output {t}/file/sub: {t}/file is not a directory"),
])
def test_output_under_or_at_a_file(tmp_path: Path, output: str, message: str) -> None:
    (tmp_path / "file").write_text("mine\n")
    proc = run_cli("convert", WHOAMI, "--output", tmp_path / output)
    assert proc.returncode == 2 and proc.stderr.strip() == "error: " + message.format(t=tmp_path)
    assert _files(tmp_path) == ["file"] and (tmp_path / "file").read_text() == "mine\n"


def test_intentions_output_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "d").symlink_to(tmp_path / "nonexistent")
    proc = run_cli("intentions", REPO / "fixtures" / "nomad_jobs" / "echo-server" / "mesh.intentions.hcl",
                   "--output", tmp_path / "d")
    assert proc.returncode == 2 and "is a symbolic link" in proc.stderr and _files(tmp_path) == ["d"]


@pytest.mark.parametrize("force", [False, True])
def test_a_directory_where_a_generated_file_goes_is_kept(tmp_path: Path, force: bool) -> None:
    out = tmp_path / "repo"  # an input sub-directory named like an output file, converted into itself
    (out / "SUMMARY.md" / "notes").mkdir(parents=True)
    (out / "SUMMARY.md" / "notes" / "x.txt").write_text("mine\n")
    (out / "whoami.nomad.hcl").write_text((WHOAMI / "whoami.nomad.hcl").read_text())
    proc = run_cli("convert", out, "--output", out, *(["--force"] if force else []))
    assert proc.returncode == 1, proc.stderr
    assert f"error: {out / 'SUMMARY.md'}: is a directory where nomad2k8s writes a file; not written" in proc.stderr
    assert "Traceback" not in proc.stderr and (out / "SUMMARY.md" / "notes" / "x.txt").read_text() == "mine\n"
    assert (out / "whoami" / "deployment-whoami.yaml").is_file()
    assert not [p for p in out.rglob("*") if ".n2k-tmp-" in p.name]  # nothing half-written


@pytest.mark.parametrize("setup, message", [
    ("dir", "error: {t}/target is a directory; give a file name (e.g. {t}/target/nomad2k8s.yaml)"),
    ("dangling", "error: {t}/target is a symbolic link to {t}/nowhere, which does not exist"),
    ("no-parent", "error: {t}/missing does not exist"),
])
def test_init_output_problems(tmp_path: Path, setup: str, message: str) -> None:
    target = tmp_path / ("missing/x.yaml" if setup == "no-parent" else "target")
    if setup == "dir":
        target.mkdir()
    elif setup == "dangling":
        target.symlink_to(tmp_path / "nowhere")
    before = _files(tmp_path)
    proc = run_cli("init", "-o", target, "--force")
    assert proc.returncode == 2 and proc.stderr.strip() == message.format(t=tmp_path)
    assert _files(tmp_path) == before


def test_init_force_replaces_a_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "nomad2k8s.yaml"
    target.write_text("old\n")
    assert run_cli("init", "-o", target).returncode == 2 and target.read_text() == "old\n"
    proc = run_cli("init", "-o", target, "--force")
    assert proc.returncode == 0 and target.read_text() != "old\n" and os.listdir(tmp_path) == ["nomad2k8s.yaml"]


# ---- issue 16 section 2 re-check: an object the API server would refuse for its size ---------------

@pytest.mark.parametrize("name,text,message", [
    ("meta-value-5mb", job(top='meta { a = "' + "m" * 5_000_000 + '" }'),
     "Deployment/web: size: 5000"),
    ("annotation-300k", job(task='service {\n name = "s"\n port = 80\n meta { a = "' + "m" * 300_000 + '" } }'),
     "bytes"),
])
def test_too_large_object_is_one_line(name: str, text: str, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        convert_text(text)
    assert message in str(info.value) and "\n" not in str(info.value)
