"""nomad-pack packs and Levant templates rendered before parsing (nomad2k8s/packs, lang/gotext).

Three tables: the template language on its own (each supported function and construct, both dialects),
whole packs/Levant files in a temporary repo converted like the CLI does (define/template, range over a
list and a map, with, else-if, --var / --var-file overrides), and the errors (unsupported function,
depth/step/size limits, a required variable, a missing helper), each one ConversionError at file:line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nomad2k8s.convert import convert_file
from nomad2k8s.errors import ConversionError
from nomad2k8s.lang.gotext import (
    Dialect,
    Limits,
    Renderer,
    RenderFailure,
    Source,
    compile_text,
    functions,
)
from nomad2k8s.packs.render import render_templated
from nomad2k8s.parse.discover import discover

DATA: dict[str, Any] = {
    "s": "  Hello World  ", "e": "", "n": 3, "l": [1, "a"], "names": ["web", "db"],
    "m": {"b": 2, "a": "x"}, "t": True, "f": False, "z": 0, "path": "/etc/app/config.yml",
}


def render(text: str, data: Any = None, levant: bool = False, limits: Limits | None = None) -> str:
    funcs = functions.levant_table({}) if levant else functions.pack_table({})
    dialect = Dialect("Levant" if levant else "nomad-pack", funcs, missing_is_error=levant)
    renderer = Renderer(dialect, limits or Limits())
    compiled = compile_text(text)
    source = Source(Path("t.tpl"), text)
    renderer.add(compiled, source)
    return renderer.render(compiled, source, DATA if data is None else data)


LANGUAGE = [
    # (id, template, expected output) -- nomad-pack dialect (Go built-ins + Sprig subset)
    ("field-and-go-printing", "[[ .n ]] [[ .l ]] [[ .m ]] [[ .t ]]", "3 [1 a] map[a:x b:2] true"),
    ("quote", '[[ "a\\"b" | quote ]] [[ quote .n "x" ]]', '"a\\"b" "3" "x"'),
    ("squote", "[[ .names | first | squote ]]", "'web'"),
    ("toJson", "[[ .l | toJson ]] [[ .m | toJson ]]", '[1,"a"] {"a":"x","b":2}'),
    ("toPrettyJson", "[[ .m | toPrettyJson ]]", '{\n  "a": "x",\n  "b": 2\n}'),
    ("default-empty", '[[ .e | default "dflt" ]] [[ .n | default 9 ]] [[ .missing | default "m" ]]', "dflt 3 m"),
    ("empty", "[[ if empty .e ]]E[[ end ]][[ if empty .z ]]Z[[ end ]][[ if not (empty .l) ]]L[[ end ]]", "EZL"),
    ("printf", '[[ printf "%s-%d-%v-%q-%5s|%-3d|%.2f" "a" .n .t "b" "r" 7 1.5 ]]', 'a-3-true-"b"-    r|7  |1.50'),
    ("trim-family", '[[ trim .s ]]|[[ "xxaxx" | trimAll "x" ]]|[[ "v1.2" | trimPrefix "v" ]]|'
                    '[[ "a.tpl" | trimSuffix ".tpl" ]]', "Hello World|a|1.2|a"),
    ("upper-lower-title", "[[ trim .s | upper ]] [[ trim .s | lower ]] [[ title \"ab cd\" ]]", "HELLO WORLD hello world Ab Cd"),
    ("replace", '[[ "a-b-c" | replace "-" "_" ]]', "a_b_c"),
    ("join-split", '[[ .names | join "," ]] [[ (split "," "x,y")._1 ]] [[ splitList ":" "p:q" | toJson ]]',
     'web,db y ["p","q"]'),
    ("indent-nindent", '[[ "a\\nb" | indent 2 ]]|[[ "c" | nindent 4 ]]', "  a\n  b|\n    c"),
    ("toYaml", "[[ .m | toYaml ]]", "a: x\nb: 2"),
    ("toStringList", "[[ .names | toStringList ]] [[ \"one\" | toStringList ]]", '["web", "db"] ["one"]'),
    ("comparisons", "[[ eq .n 3 ]] [[ eq .n 1 2 3 ]] [[ ne .e \"\" ]] [[ lt 1 2 ]] [[ ge .n 4 ]]",
     "true true false true false"),
    ("and-or-not", "[[ and .t .n ]] [[ or .e .z \"last\" ]] [[ not .f ]]", "3 last true"),
    ("len-index-slice", "[[ len .names ]] [[ index .names 1 ]] [[ index .m \"a\" ]] [[ slice .names 1 ]]", "2 db x [db]"),
    ("keys-dict-list", '[[ keys .m | toJson ]] [[ (dict "k" 1).k ]] [[ list 1 2 | len ]]', '["a","b"] 1 2'),
    ("hasKey-contains", '[[ hasKey .m "a" ]] [[ contains "ell" .s ]] [[ hasPrefix "/etc" .path ]]', "true true true"),
    ("path-helpers", "[[ base .path ]] [[ dir .path ]] [[ ext .path ]]", "config.yml /etc/app .yml"),
    ("arithmetic", "[[ add 1 2 3 ]] [[ sub 5 2 ]] [[ mul 2 3 ]] [[ div 7 2 ]] [[ mod 7 2 ]] [[ add1 .n ]]",
     "6 3 6 3 1 4"),
    ("coalesce-ternary", '[[ coalesce .e .z "c" ]] [[ ternary "y" "n" .t ]]', "c y"),
    ("variables", "[[ $x := .n ]][[ $x ]] [[ $x = 5 ]][[ $x ]] [[ $.n ]]", "3 5 3"),
    ("parenthesized-field", '[[ (dict "a" (dict "b" "deep")).a.b ]]', "deep"),
    ("with-else", "[[ with .m.a ]]<[[ . ]]>[[ end ]][[ with .e ]]no[[ else ]]empty[[ end ]]", "<x>empty"),
    ("with-declaration", "[[ with $v := .n ]][[ $v ]][[ end ]]", "3"),
    ("if-else-if", '[[ range $t := list "s" "l" "m" ]][[ if eq $t "s" ]]S[[ else if eq $t "l" ]]L[[ else ]]M[[ end ]][[ end ]]',
     "SLM"),
    ("range-list", "[[ range $i, $v := .names ]][[ $i ]]=[[ $v ]];[[ end ]][[ range .names ]]<[[ . ]]>[[ end ]]",
     "0=web;1=db;<web><db>"),
    ("range-map-sorted", "[[ range $k, $v := .m ]][[ $k ]]:[[ $v ]],[[ end ]]", "a:x,b:2,"),
    ("range-else-break", "[[ range list ]]x[[ else ]]none[[ end ]] [[ range .names ]][[ . ]][[ break ]][[ end ]]",
     "none web"),
    ("range-int", "[[ range 3 ]][[ . ]][[ end ]]", "012"),
    ("define-template-block", '[[ define "t" ]]<[[ . ]]>[[ end ]][[ template "t" .n ]][[ block "b" .e ]]B[[ end ]]',
     "<3>B"),
    ("trim-markers-comments", "a  [[- /* gone */ -]]  b [[- \" c\" ]]", "ab c"),
    ("missing-key-zero", "[[ .nope ]]|[[ if .nope ]]y[[ else ]]n[[ end ]]", "|n"),
]


@pytest.mark.parametrize("tpl,expected", [c[1:] for c in LANGUAGE], ids=[c[0] for c in LANGUAGE])
def test_language(tpl: str, expected: str) -> None:
    assert render(tpl) == expected


LEVANT_LANGUAGE = [
    ("replace-levant-order", '[[ replace "Batman and Robin" "Robin" "Catwoman" ]]', "Batman and Catwoman"),
    ("toUpper-toLower", '[[ "q" | toUpper ]][[ "Q" | toLower ]]', "Qq"),
    ("loop", "[[ range $i := loop 2 5 ]][[ $i ]][[ end ]]", "234"),
    ("parse", '[[ "12" | parseInt | add 1 ]] [[ if "true" | parseBool ]]yes[[ end ]] [[ (parseJSON "{\\"a\\":1}").a ]]',
     "13 yes 1"),
    ("sprig-prefix", '[[ .names | sprigJoin "-" ]] [[ sprigUpper "x" ]]', "web-db X"),
    ("varExists", '[[ varExists . "n" ]] [[ varExists . "nope" ]]', "true false"),
    ("levant-arithmetic", "[[ subtract 2 5 ]] [[ divide 2 6 ]] [[ multiply 4 4 ]] [[ modulo 2 5 ]]", "3 3 16 1"),
]


@pytest.mark.parametrize("tpl,expected", [c[1:] for c in LEVANT_LANGUAGE], ids=[c[0] for c in LEVANT_LANGUAGE])
def test_levant_language(tpl: str, expected: str) -> None:
    assert render(tpl, levant=True) == expected


ERRORS = [
    ("unsupported-function", "a\n[[ nosuch 1 ]]", "unsupported template function 'nosuch'"),
    ("non-function-argument", "[[ .n 1 ]]", "can't give argument to non-function"),
    ("undefined-variable", "[[ $nope ]]", "undefined variable: $nope"),
    ("undefined-template", '[[ template "nope" . ]]', 'template "nope" is not defined'),
    ("field-of-string", "[[ .path.x ]]", "can't evaluate field x in string"),
    ("fail", '[[ fail "stop here" ]]', "template called fail: stop here"),
    ("required", '[[ required "need e" .e ]]', "required value missing: need e"),
    ("range-over-bool", "[[ range .t ]][[ end ]]", "range can't iterate over true"),
    ("printf-width", '[[ printf "%99999d" 1 ]]', "format width too large"),
    ("repeat-bomb", '[[ repeat 100000000 "xxxxxxxxxx" ]]', "result exceeds"),
]


@pytest.mark.parametrize("tpl,message", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(tpl: str, message: str) -> None:
    with pytest.raises(RenderFailure) as info:
        render(tpl)
    assert message in info.value.message


def test_limits_stop_hostile_templates() -> None:
    recursion = '[[ define "r" ]][[ template "r" . ]][[ end ]][[ template "r" . ]]'
    with pytest.raises(RenderFailure, match="nesting exceeds depth 100"):
        render(recursion)
    with pytest.raises(RenderFailure, match="1000 steps"):
        render("[[ range 100000 ]]x[[ end ]]", limits=Limits(steps=1000))
    with pytest.raises(RenderFailure, match="exceeds 1000 characters"):
        render("[[ range 2000 ]]x[[ end ]]", limits=Limits(output=1000))
    # Doubling through nested ranges would be 2**40 characters: the size limit stops it early.
    bomb = "[[ range 1024 ]][[ range 1024 ]][[ range 1024 ]][[ range 1024 ]]xx[[ end ]][[ end ]][[ end ]][[ end ]]"
    with pytest.raises(RenderFailure, match="exceed"):
        render(bomb)


# ---------------------------------------------------------------------------- packs, end to end

METADATA = 'app {\n  url = "https://example.org"\n}\npack {\n  name = "shop"\n  version = "1.2.0"\n}\n'
VARIABLES = """
variable "job_name" {
  type    = string
  default = ""
}
variable "count" {
  type    = number
  default = 1
}
variable "image" {
  type = string
}
variable "ports" {
  default = [{ name = "http", port = 8080 }, { name = "admin", port = 9000 }]
}
variable "env" {
  default = { B = "2", A = "1" }
}
variable "size" {
  default = "large"
}
variable "check" {
  default = { path = "/health" }
}
"""
HELPERS = """[[- define "job_name" -]]
[[- if eq .my.job_name "" ]][[ .nomad_pack.pack.name | quote ]][[ else ]][[ .my.job_name | quote ]][[ end -]]
[[- end -]]
[[- define "res" -]]
[[- if eq (var "size" .) "small" ]]cpu = 100[[ else if eq (var "size" .) "large" ]]cpu = 800[[ else ]]cpu = 400[[ end -]]
[[- end -]]
"""
JOB = """job [[ template "job_name" . ]] {
  datacenters = ["dc1"]
  meta {
    pack = "[[ meta "pack.version" . ]]"
  }
  group "app" {
    count = [[ var "count" . ]]
    network {
      [[- range $p := var "ports" . ]]
      port [[ $p.name | quote ]] {
        to = [[ $p.port ]]
      }
      [[- end ]]
    }
    task "app" {
      driver = "docker"
      config {
        image = [[ var "image" . | quote ]]
      }
      env {
        [[- range $k, $v := var "env" . ]]
        [[ $k ]] = [[ $v | quote ]]
        [[- end ]]
        [[- with .my.check ]]
        CHECK_PATH = [[ .path | quote ]]
        [[- end ]]
      }
      resources {
        [[ template "res" . ]]
        memory = 128
      }
    }
  }
}
"""


def make_pack(root: Path, job: str = JOB, variables: str = VARIABLES, helpers: str = HELPERS) -> Path:
    pack = root / "shop"
    (pack / "templates").mkdir(parents=True)
    (pack / "metadata.hcl").write_text(METADATA)
    (pack / "variables.hcl").write_text(variables)
    (pack / "templates" / "_helpers.tpl").write_text(helpers)
    (pack / "templates" / "shop.nomad.tpl").write_text(job)
    return pack / "templates" / "shop.nomad.tpl"


def convert(path: Path, root: Path, variables: dict[str, str] | None = None,
            var_files: list[Path] | None = None) -> dict[str, Any]:
    results = convert_file(path, variables=variables, var_files=var_files, root=root)
    assert len(results) == 1
    result = results[0]
    objects = {(o["kind"], o["metadata"]["name"]): o for o in result.objects}
    return {"name": result.name, "objects": objects, "codes": {e.code for e in result.ledger.entries},
            "entries": result.ledger.entries}


def _container(converted: dict[str, Any], name: str) -> dict[str, Any]:
    return converted["objects"][("Deployment", name)]["spec"]["template"]["spec"]["containers"][0]


def test_pack_renders_with_defaults_and_overrides(tmp_path: Path) -> None:
    job = make_pack(tmp_path)
    out = convert(job, tmp_path, {"image": "nginx:1.27"})
    assert out["name"] == "shop"  # define/template + .nomad_pack.pack.name
    deployment = out["objects"][("Deployment", "shop")]
    assert deployment["spec"]["replicas"] == 1
    container = _container(out, "shop")
    assert container["image"] == "nginx:1.27"
    assert [p["containerPort"] for p in container["ports"]] == [8080, 9000]  # range over a list
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["A"] == "1" and env["B"] == "2" and env["CHECK_PATH"] == "/health"  # range over a map, with
    assert env["NOMAD_META_pack"] == "1.2.0"  # meta
    assert container["resources"]["requests"]["cpu"] == "800m"  # else if

    # --var: `<pack>.name` or plain; typed by the declaration; a --var-file (HCL) in between.
    var_file = tmp_path / "prod.vars.hcl"
    var_file.write_text('count = 4\nsize = "small"\njob_name = "shop-prod"\n')
    out = convert(job, tmp_path, {"shop.image": "nginx:2", "count": "6"}, [var_file])
    assert out["name"] == "shop-prod"
    assert out["objects"][("Deployment", "shop-prod")]["spec"]["replicas"] == 6
    assert _container(out, "shop-prod")["resources"]["requests"]["cpu"] == "100m"
    out = convert(job, tmp_path, {"image": "x:1", "size": "medium", "check.path": "/ready"})
    env = {e["name"]: e.get("value") for e in _container(out, "shop")["env"]}
    assert env["CHECK_PATH"] == "/ready"  # a nested --var key sets one field of an object variable
    assert _container(out, "shop")["resources"]["requests"]["cpu"] == "400m"


PACK_ERRORS = [
    # (id, job template or None for JOB, helpers or None, variables, expected message, line)
    ("required-variable", None, None, {}, "pack variable 'image' is required: declared without a default", 18),
    ("undeclared-variable", JOB.replace('var "count" .', 'var "replicas" .'), None, {"image": "x"},
     "pack variable 'replicas' is not declared in", 7),
    ("unsupported-function", JOB.replace('| quote ]]\n      }', '| shout ]]\n      }'), None, {"image": "x"},
     "unsupported template function 'shout'", 18),
    ("missing-helper", None, "", {"image": "x"},
     'template "job_name" is not defined; no helper template in', 1),
    ("depth-limit", None, HELPERS + '[[ define "res" ]][[ template "res" . ]][[ end ]]', {"image": "x"},
     "template nesting exceeds depth", None),
    ("syntax", JOB.replace("[[- end ]]\n    }", "\n    }", 1), None, {"image": "x"}, "template syntax error", None),
]


@pytest.mark.parametrize("job,helpers,variables,message,line", [c[1:] for c in PACK_ERRORS],
                         ids=[c[0] for c in PACK_ERRORS])
def test_pack_errors(tmp_path: Path, job: str | None, helpers: str | None, variables: dict[str, str],
                     message: str, line: int | None) -> None:
    path = make_pack(tmp_path, job or JOB, helpers=HELPERS if helpers is None else helpers)
    with pytest.raises(ConversionError) as info:
        convert(path, tmp_path, variables)
    assert message in info.value.message
    assert info.value.file is not None and info.value.file.endswith(".tpl")
    if line is not None:
        assert info.value.line == line, str(info.value)


def test_pack_template_switched_off_renders_to_nothing(tmp_path: Path) -> None:
    path = make_pack(tmp_path, '[[- if var "image" . ]]job "x" {}[[- end ]]')
    with pytest.raises(ConversionError, match="no job block found: the nomad-pack template renders to nothing"):
        convert(path, tmp_path, {"image": ""})


def test_pack_template_outside_its_pack(tmp_path: Path) -> None:
    """A pack template without its pack names the missing pack files; --var values let it render."""
    lone = tmp_path / "lone.nomad.tpl"
    lone.write_text('job "lone" {\n  region = [[ var "region" . | quote ]]\n  group "g" {\n    task "t" {\n'
                    '      driver = "docker"\n      config {\n        image = "busybox:1"\n      }\n    }\n  }\n}\n')
    with pytest.raises(ConversionError, match=r"pack variable 'region' has no value: this template is not inside"):
        convert(lone, tmp_path)
    assert convert(lone, tmp_path, {"region": "eu"})["name"] == "lone"


# ---------------------------------------------------------------------------- Levant

LEVANT_JOB = """job "[[ .name ]]" {
  datacenters = ["dc1"]
  group "g" {
    count = [[ .count ]]
    task "t" {
      driver = "docker"
      config {
        image = "[[ .image ]]"
      }
      env {
        DOMAIN = "[[ .domain ]]"
      }
    }
  }
}
"""


def test_levant_var_file_and_kept_missing_key(tmp_path: Path) -> None:
    job = tmp_path / "app.nomad"
    job.write_text(LEVANT_JOB)
    (tmp_path / "levant.yaml").write_text("name: api\ncount: 2\nimage: api:3\n")
    out = convert(job, tmp_path)
    assert out["objects"][("Deployment", "api")]["spec"]["replicas"] == 2
    env = {e["name"]: e.get("value") for e in _container(out, "api")["env"]}
    assert env["DOMAIN"] == "[[ .domain ]]"  # kept as written ...
    kept = [e for e in out["entries"] if e.code == "N2K-PARSE-UNRESOLVED"]
    assert len(kept) == 1 and "Levant variable 'domain' has no value" in kept[0].message  # ... and reported
    assert kept[0].line == 11
    out = convert(job, tmp_path, {"domain": "api.example.org", "count": "5"})
    assert out["objects"][("Deployment", "api")]["spec"]["replicas"] == 5
    assert "N2K-PARSE-UNRESOLVED" not in out["codes"]


def test_levant_missing_key_outside_a_string_names_it(tmp_path: Path) -> None:
    job = tmp_path / "app.nomad"
    job.write_text(LEVANT_JOB)
    (tmp_path / "vars.json").write_text('{"name": "api", "image": "api:3", "domain": "d"}')
    with pytest.raises(ConversionError, match=r"Levant variable 'count' has no value"):
        convert(job, tmp_path, var_files=[tmp_path / "vars.json"])
    job.write_text(LEVANT_JOB.replace("count = [[ .count ]]", "[[ if .count ]]count = 1[[ end ]]"))
    with pytest.raises(ConversionError, match=r"app.nomad:4: Levant variable 'count' has no value"):
        convert(job, tmp_path, var_files=[tmp_path / "vars.json"])


NOT_TEMPLATES = [
    ("bash-test", 'job "a" {\n  x = <<EOF\nif [[ -f /x ]]; then echo; fi\nEOF\n}\n'),
    ("bash-string-test", 'job "a" {\n  x = <<EOF\n[[ "$A" == "b" ]] && exit\nEOF\n}\n'),
    ("nested-list", 'job "a" {\n  x = [[1, 2], [3]]\n  y = [["a","b"]]\n}\n'),
    ("consul-template-delims", 'job "a" {\n  template {\n    data = "[[ key \\"k\\" ]]"\n'
                               '    left_delimiter = "[["\n    right_delimiter = "]]"\n  }\n}\n'),
    ("literal-only", 'job "a" {\n  x = "[[ \\"text\\" ]]"\n}\n'),
]


@pytest.mark.parametrize("text", [c[1] for c in NOT_TEMPLATES], ids=[c[0] for c in NOT_TEMPLATES])
def test_plain_jobspecs_with_brackets_are_not_rendered(tmp_path: Path, text: str) -> None:
    path = tmp_path / "a.nomad"
    assert render_templated(path, text, {}, [], tmp_path) is None


def test_discovery_lists_what_it_does_not_convert(tmp_path: Path) -> None:
    make_pack(tmp_path)
    (tmp_path / "shop" / "templates" / "outputs.tpl").write_text("done")
    (tmp_path / "lev").mkdir()
    (tmp_path / "lev" / "app.nomad").write_text(LEVANT_JOB)
    (tmp_path / "lev" / "levant.yaml").write_text("name: x\n")
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "job.nomad.tpl").write_text('job "${name}" {}')
    found, skipped = discover(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["lev/app.nomad", "shop/templates/shop.nomad.tpl"]
    reasons = {p.relative_to(tmp_path).as_posix(): why for p, why in skipped}
    assert set(reasons) == {"lev/levant.yaml", "shop/metadata.hcl", "shop/variables.hcl",
                            "shop/templates/_helpers.tpl", "shop/templates/outputs.tpl", "tf/job.nomad.tpl"}
    assert "helper template" in reasons["shop/templates/_helpers.tpl"]
    assert "outside a nomad-pack pack" in reasons["tf/job.nomad.tpl"]


def test_directory_conversion_reports_every_skipped_file(tmp_path: Path) -> None:
    """The batch's outcome lists each file discovery looked at and did not convert (one stderr line each)."""
    from nomad2k8s.batch import BatchOptions, Profiles, run_batch

    make_pack(tmp_path / "repo")
    off = tmp_path / "repo" / "shop" / "templates" / "off.nomad.tpl"
    off.write_text('[[ if eq (var "size" .) "tiny" ]]job "off" {}[[ end ]]')
    lines: list[str] = []
    options = BatchOptions(tmp_path / "repo", output=tmp_path / "out", variables={"image": "nginx:1"})
    outcome = run_batch(options, Profiles(None, [], lines.append), None, lines.append)
    assert outcome.failures == 0 and [r.name for r in outcome.results] == ["shop"]
    reasons = {p.name: why for p, why in outcome.skipped}
    assert set(reasons) == {"metadata.hcl", "variables.hcl", "_helpers.tpl", "off.nomad.tpl"}
    assert reasons["off.nomad.tpl"] == "not a jobspec (no job block)"
    assert sum(line.startswith("skipped ") for line in lines) == 4
    assert (tmp_path / "out" / "shop" / "shop" / "deployment-shop.yaml").is_file()  # beside the pack, not templates/
