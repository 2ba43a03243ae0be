"""Template language and mapping: tokenizer, translation, ExternalSecret shapes, no value leaks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nomad2k8s.convert import convert_file
from nomad2k8s.mapping.config.externalsecrets import remote_key
from nomad2k8s.lang.consul_template import Kept, Lit, RuntimeRef, SecretRange, SecretRef, translate
from nomad2k8s.lang.gotemplate import Action, TemplateError, tokenize
from nomad2k8s.profile import Profile, SecretSettings
from tests.support import validate_object


def _t(text: str, left: str | None = None, right: str | None = None):
    return translate(text, left, right, lambda name: {"NOMAD_TASK_DIR": ("/local", "")}.get(name)).segments


def test_tokenizer_trim_markers_strings_and_comments() -> None:
    toks = tokenize('a  {{- "}}" -}}  b{{/* }} */}}c')
    assert [t.text if not isinstance(t, Action) else t.body for t in toks] == ["a", '"}}"', "b", "/* }} */", "c"]
    with pytest.raises(TemplateError):
        tokenize("x {{ .y")


def test_custom_delimiters_leave_braces_as_text() -> None:
    segs = _t('[[ with secret "kv/x" ]][[ .Data.y ]][[ end ]] {{ not an action }}', "[[", "]]")
    assert segs == [SecretRef("kv/x", "y", "vault-kv1", "[[ .Data.y ]]"), Lit(" {{ not an action }}")]


def test_secret_forms_kv2_kv1_and_inline() -> None:
    segs = _t('{{ with secret "s/data/a" }}{{ .Data.data.K }}{{ end }}{{ (secret "s/data/a").Data.data.L }}')
    assert [(s.path, s.key, s.source_kind) for s in segs] == [("s/data/a", "K", "vault-kv2"),
                                                               ("s/data/a", "L", "vault-kv2")]


def test_range_over_secret_and_service() -> None:
    (rng,) = _t('{{ range $k, $v := (secret "s/data/a").Data.data }}{{ $k }}={{ $v }}{{ end }}')
    assert isinstance(rng, SecretRange) and rng.path == "s/data/a"
    segs = _t('{{ range service "db" }}{{ .Address }}:{{ .Port }}{{ end }}')
    assert [type(s) for s in segs] == [RuntimeRef, Lit, RuntimeRef]
    assert segs[0].kind == "service-addr" and segs[2].kind == "service-port"


def test_consul_kv_and_logic_are_kept_verbatim() -> None:
    segs = _t('{{ key "a/b" }}|{{ if .x }}y{{ end }}|{{ env "NOMAD_TASK_DIR" }}')
    assert isinstance(segs[0], Kept) and segs[0].code == "N2K-TEMPLATE-CONSUL-KV"
    assert segs[0].source == '{{ key "a/b" }}'
    assert isinstance(segs[2], Kept) and segs[2].source == "{{ if .x }}y{{ end }}"
    assert segs[-1] == Lit("/local")


def test_remote_key_strips_mount_and_data_segment() -> None:
    profile = Profile(secrets=SecretSettings(kv_mount="nomad"))
    assert remote_key(profile, "nomad/data/default/x", "vault-kv2").key == "default/x"
    assert remote_key(profile, "nomad/data/default/x", "vault-kv2").problem is None
    other = remote_key(Profile(), "nomad/data/default/x", "vault-kv2")
    assert other.key == "default/x" and "not the store's mount" in other.problem
    assert remote_key(profile, "nomad/jobs/minio", "nomad-var").key == "nomad-vars/nomad/jobs/minio"


# Clear-text values in JOB: none may appear in any output.
LEAKS = ("hunter2-VALUE", "clear-VALUE-42", "inline-VALUE-7", "url-VALUE-9", "dsn-VALUE-8", "redis-VALUE-6",
         "mongo-VALUE-5")

JOB = """
job "j" {
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "busybox:1.36" }
      env {
        DB_PASSWORD   = "hunter2-VALUE"
        DATABASE_URL  = "postgres://app:url-VALUE-9@db.service.consul:5432/app"
        DB_CONNECTION = "host=db port=5432 user=postgres password=dsn-VALUE-8 dbname=x"
      }
      template {
        destination = "secrets/a.env"
        env         = true
        data        = <<EOF
STATIC=1
ADMIN_PASSWORD=clear-VALUE-42
URL=https://u:{{ with secret "kv/data/app" }}{{ .Data.data.pw }}{{ end }}@h/$(literal)
CACHE_URL = "redis://:redis-VALUE-6@cache:6379"
EOF
      }
      template {
        destination = "local/x.conf"
        data        = "a={{ with secret \\"kv/data/app\\" }}{{ .Data.data.pw }}{{ end }}\\nsecret_token: inline-VALUE-7\\nmongo: mongodb://u:mongo-VALUE-5@h/db\\n"
      }
    }
  }
}
"""


@pytest.mark.parametrize("api_version", ["external-secrets.io/v1", "external-secrets.io/v1beta1"])
def test_env_composite_file_and_clear_text(tmp_path: Path, api_version: str) -> None:
    path = tmp_path / "j.nomad.hcl"
    path.write_text(JOB)
    profile = Profile(secrets=SecretSettings(kv_mount="kv", api_version=api_version, store_name="vault-backend"))
    (result,) = convert_file(path, profile)
    dumped = yaml.safe_dump(result.objects) + "".join(str(e.as_dict()) for e in result.ledger.entries)
    for value in LEAKS:
        assert value not in dumped
    (es,) = [o for o in result.objects if o["kind"] == "ExternalSecret"]
    validate_object(es)
    assert es["apiVersion"] == api_version
    assert es["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "vault-backend"}
    keys = {d["secretKey"]: d["remoteRef"] for d in es["spec"]["data"]}
    assert keys["pw"] == {"key": "app", "property": "pw"}
    assert {"DB_PASSWORD", "ADMIN_PASSWORD", "secret_token", "DATABASE_URL_PASSWORD", "DB_CONNECTION_PASSWORD",
            "CACHE_URL_PASSWORD", "mongo_password"} <= set(keys)
    assert "{{ .pw }}" in es["spec"]["target"]["template"]["data"]["x.conf"]
    assert "mongo: mongodb://u:{{ .mongo_password }}@h/db" in es["spec"]["target"]["template"]["data"]["x.conf"]
    (deploy,) = [o for o in result.objects if o["kind"] == "Deployment"]
    env = {e["name"]: e for e in deploy["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["STATIC"]["value"] == "1"
    assert env["URL"]["value"] == "https://u:$(pw)@h/$$(literal)"
    names = [e["name"] for e in deploy["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert names.index("pw") < names.index("URL")  # $(VAR) only expands vars defined earlier
    assert env["DB_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "j-secrets"
    # a credential inside a value: its own secretKeyRef var, expanded in the rebuilt value (db is not in this
    # run: its Consul name stays, issue 13 family 13)
    assert env["DATABASE_URL"]["value"] == "postgres://app:$(DATABASE_URL_PASSWORD)@db.service.consul:5432/app"
    assert env["DB_CONNECTION"]["value"] == "host=db port=5432 user=postgres password=$(DB_CONNECTION_PASSWORD) dbname=x"
    assert env["CACHE_URL"]["value"] == "redis://:$(CACHE_URL_PASSWORD)@cache:6379"
    for var in ("DATABASE_URL", "DB_CONNECTION", "CACHE_URL"):
        assert names.index(f"{var}_PASSWORD") < names.index(var)
        assert env[f"{var}_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "j-secrets", "key": f"{var}_PASSWORD"}
    security = [e for e in result.ledger.entries if e.code == "N2K-SECURITY-PLAINTEXT-SECRET"]
    assert len(security) == 5 and all(e.status.value == "needs-decision" for e in security)
    assert {e.nomad_path.rsplit(".", 1)[-1] for e in security if e.claims} >= {"DB_CONNECTION", "DB_PASSWORD"}


def test_clear_text_never_reaches_reports_or_stdout(tmp_path: Path) -> None:
    """The CLI's manifests, ledger.json, MIGRATION.md, SUMMARY.md and stdout hold none of LEAKS."""
    from typer.testing import CliRunner

    from nomad2k8s.cli import app

    path = tmp_path / "jobs" / "j.nomad.hcl"
    path.parent.mkdir()
    path.write_text(JOB)
    out = tmp_path / "out"
    runs = [CliRunner().invoke(app, ["convert", str(path.parent), "--output", str(out)]),
            CliRunner().invoke(app, ["convert", str(path)])]
    assert all(r.exit_code == 0 for r in runs), [r.output for r in runs]
    texts = {"stdout": "".join(r.output for r in runs)}
    texts.update({str(p): p.read_text() for p in out.rglob("*") if p.is_file()})
    assert any(p.endswith("MIGRATION.md") for p in texts) and any(p.endswith("ledger.json") for p in texts)
    for where, text in texts.items():
        for value in LEAKS:
            assert value not in text, f"{value} leaked into {where}"


def test_rendered_files_are_registered_for_bind_mounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nomad2k8s.mapping.config import templates

    seen: dict = {}
    original = templates.emit

    def spy(gt) -> None:
        original(gt)
        seen.update(gt.gctx.rendered_files)

    path = tmp_path / "j.nomad.hcl"
    path.write_text(JOB)
    monkeypatch.setattr(templates, "emit", spy)
    convert_file(path)
    assert seen[("t", "/local/x.conf")] == ("tpl-j-secrets", "x.conf")


def _one_job(tmp_path: Path, templates: str, vault: bool = True) -> object:
    path = tmp_path / "p.nomad.hcl"
    path.write_text('job "p" {\n' + ('  vault { policies = ["p"] }\n' if vault else "") + '  group "g" {\n'
                    '    task "t" {\n      driver = "docker"\n      config { image = "busybox:1.36" }\n'
                    + templates + "    }\n  }\n}\n")
    (result,) = convert_file(path)
    return result


@pytest.mark.parametrize("data, code, path", [
    ('{{ with secret "pki/issue/web" "common_name=web.service.consul" }}{{ .Data.private_key }}{{ end }}',
     "N2K-TEMPLATE-PKI", "pki/issue/web"),
    ('{{ with pkiCert "pki/issue/web" "common_name=web" }}{{ .Key }}{{ end }}', "N2K-TEMPLATE-PKI", "pki/issue/web"),
    ('{{ (secret "database/creds/ro").Data }}', "N2K-TEMPLATE-SECRET-KEPT", "database/creds/ro"),
    ('{{ if true }}{{ with secret "kv/data/x" }}{{ .Data.data.a }}{{ end }}{{ end }}', "N2K-TEMPLATE-SECRET-KEPT",
     "kv/data/x"),
    ('{{ if true }}{{ with nomadVar "nomad/jobs/p" }}{{ .a }}{{ end }}{{ end }}', "N2K-TEMPLATE-SECRET-KEPT",
     "nomad/jobs/p"),
])
def test_secret_reads_nomad2k8s_cannot_express_write_no_file(tmp_path: Path, data: str, code: str, path: str) -> None:
    result = _one_job(tmp_path, f'      template {{\n        destination = "secrets/key.pem"\n        perms = "0400"\n'
                                f'        data = <<EOT\n{data}\nEOT\n      }}\n'
                                '      template {\n        destination = "local/plain.conf"\n        data = "x=1"\n'
                                '      }\n')
    config = [o for o in result.objects if o["kind"] == "ConfigMap"]
    assert [list(c["data"]) for c in config] == [["plain.conf"]]  # the other file is not written anywhere
    assert not [o for o in result.objects if o["kind"] == "ExternalSecret"]
    (deploy,) = [o for o in result.objects if o["kind"] == "Deployment"]
    mounts = [m["mountPath"] for m in deploy["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]]
    assert "/secrets/key.pem" not in mounts
    (entry,) = [e for e in result.ledger.entries if e.nomad_path.endswith("template[0].data")]
    assert (entry.code, entry.status.value, entry.k8s) == (code, "needs-decision", "-")
    assert ("cert-manager Certificate" in entry.suggestion) is (code == "N2K-TEMPLATE-PKI")
    dropped = {e.nomad_path.rsplit(".", 1)[-1] for e in result.ledger.entries if e.code == "N2K-TEMPLATE-NOT-WRITTEN"}
    assert dropped == {"destination", "perms"}
    if not path.startswith("nomad/"):
        (access,) = [e for e in result.ledger.entries if e.code == "N2K-VAULT-ACCESS"]
        assert path in access.suggestion and "No template here reads Vault" not in access.suggestion


@pytest.mark.parametrize("line", [
    '{{ env "NOMAD_ALLOC_ID" }}',  # unresolved in a file: ESO's Sprig `env` would read its own controller
    '{{ key "app/feature" }}',
    '{{ if eq (env "X") "y" }}debug{{ end }}',
    '{{ range service "db" }}{{ .Address }}{{ end }}{{ "}}" }}',
])
def test_eso_template_escapes_everything_but_secret_keys(tmp_path: Path, line: str) -> None:
    data = 'pw={{ with secret "kv/data/app" }}{{ .Data.data.pw }}{{ end }}\n' + line
    result = _one_job(tmp_path, f'      template {{\n        destination = "local/app.conf"\n'
                                f'        data = <<EOT\n{data}\nEOT\n      }}\n', vault=False)
    (es,) = [o for o in result.objects if o["kind"] == "ExternalSecret"]
    text = es["spec"]["target"]["template"]["data"]["app.conf"]
    # Every ESO action is a data key or prints a brace pair: ESO evaluates nothing from the Nomad template.
    rest = text.replace('{{ "{{" }}', "").replace('{{ "}}" }}', "").replace("{{ .pw }}", "")
    assert "{{" not in rest and "}}" not in rest, text
    printed = text.replace('{{ "{{" }}', "\x00").replace('{{ "}}" }}', "}}").replace("\x00", "{{")
    assert printed.splitlines()[0] == "pw={{ .pw }}"
