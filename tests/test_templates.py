"""Template language and mapping: tokenizer, translation, ExternalSecret shapes, no value leaks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nomad2k8s.convert import convert_file
from nomad2k8s.mapping.externalsecrets import remote_key
from nomad2k8s.mapping.tpltranslate import Kept, Lit, RuntimeRef, SecretRange, SecretRef, translate
from nomad2k8s.parse.gotemplate import Action, TemplateError, tokenize
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


JOB = """
job "j" {
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "busybox:1.36" }
      env { DB_PASSWORD = "hunter2-VALUE" }
      template {
        destination = "secrets/a.env"
        env         = true
        data        = <<EOF
STATIC=1
ADMIN_PASSWORD=clear-VALUE-42
URL=https://u:{{ with secret "kv/data/app" }}{{ .Data.data.pw }}{{ end }}@h/$(literal)
EOF
      }
      template {
        destination = "local/x.conf"
        data        = "a={{ with secret \\"kv/data/app\\" }}{{ .Data.data.pw }}{{ end }}\\nsecret_token: inline-VALUE-7\\n"
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
    for value in ("hunter2-VALUE", "clear-VALUE-42", "inline-VALUE-7"):
        assert value not in dumped
    (es,) = [o for o in result.objects if o["kind"] == "ExternalSecret"]
    validate_object(es)
    assert es["apiVersion"] == api_version
    assert es["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "vault-backend"}
    keys = {d["secretKey"]: d["remoteRef"] for d in es["spec"]["data"]}
    assert keys["pw"] == {"key": "app", "property": "pw"}
    assert {"DB_PASSWORD", "ADMIN_PASSWORD", "secret_token"} <= set(keys)
    assert "{{ .pw }}" in es["spec"]["target"]["template"]["data"]["x.conf"]
    (deploy,) = [o for o in result.objects if o["kind"] == "Deployment"]
    env = {e["name"]: e for e in deploy["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["STATIC"]["value"] == "1"
    assert env["URL"]["value"] == "https://u:$(pw)@h/$$(literal)"
    names = [e["name"] for e in deploy["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert names.index("pw") < names.index("URL")  # $(VAR) only expands vars defined earlier
    assert env["DB_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "j-secrets"
    security = [e for e in result.ledger.entries if e.code == "N2K-SECURITY-PLAINTEXT-SECRET"]
    assert len(security) == 3 and all(e.status.value == "needs-decision" for e in security)


def test_rendered_files_are_registered_for_bind_mounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nomad2k8s.mapping import templates

    seen: dict = {}
    original = templates._emit

    def spy(gt) -> None:
        original(gt)
        seen.update(gt.gctx.rendered_files)

    path = tmp_path / "j.nomad.hcl"
    path.write_text(JOB)
    monkeypatch.setattr(templates, "_emit", spy)
    convert_file(path)
    assert seen[("t", "/local/x.conf")] == ("tpl-j-secrets", "x.conf")
