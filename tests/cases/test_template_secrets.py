"""Which template text reads a secret: asked of the parsed template tree (lang/gotemplate.py), never of
its text. Literal text (a word `secret` in prose, `{{ ... }}` under custom delimiters), a string
argument and a field named `secret` read nothing: the file is kept verbatim in the ConfigMap as a
decision. A real read inside logic, a PKI certificate or a dynamic secret writes nothing."""

from __future__ import annotations

import pytest

from nomad2k8s.lang import gotemplate
from nomad2k8s.lang.consul_template import secret_call

from .harness import Case, check_case

DATA = "job[t].group[g].task[app].template[0].data"
CONFIGMAP = ("ConfigMap", "t-config")


def _job(template: str, extra: str = "") -> str:
    return f'''
job "t" {{
  group "g" {{
    task "app" {{
      driver = "docker"
      config {{ image = "busybox:1.36" }}
      template {{
        data = <<EOT
{template}
EOT
        destination = "local/app.conf"
{extra}
      }}
    }}
  }}
}}
'''


CUSTOM = '        left_delimiter = "[["\n        right_delimiter = "]]"'
IF = '{{ if eq (env "NOMAD_META_mode") "a" }}'

CASES = [
    # Bugs (a regex over the kept text): each was taken for a Vault read and the file not written.
    Case("literal-word", _job(IF + 'use the secret "manual" from the vault{{ end }}'),
         objects={CONFIGMAP: {"data": {"app.conf": IF + 'use the secret "manual" from the vault{{ end }}\n'}}},
         rows={DATA: ("needs-decision", "N2K-TEMPLATE-CONFIGMAP")}),
    Case("custom-delimiters",
         _job('[[ if eq (env "NOMAD_META_mode") "a" ]]{{ with secret "kv/data/x" }}{{ .Data.data.k }}{{ end }}'
              '[[ end ]]', CUSTOM),
         objects={CONFIGMAP: {}}, rows={DATA: ("needs-decision", "N2K-TEMPLATE-CONFIGMAP")}),
    Case("string-argument", _job('{{ printf "secret %s" (env "HOME") }}'),
         objects={CONFIGMAP: {}}, rows={DATA: ("needs-decision", "N2K-TEMPLATE-CONFIGMAP")}),
    Case("field-named-secret", _job("{{ if .Data.secret }}x{{ end }}"),
         objects={CONFIGMAP: {}}, rows={DATA: ("needs-decision", "N2K-TEMPLATE-CONFIGMAP")}),
    # Reads that stay what they were.
    Case("read-inside-logic", _job(IF + '{{ with secret "kv/data/x" }}{{ .Data.data.k }}{{ end }}{{ end }}'),
         absent=(CONFIGMAP,), rows={DATA: ("needs-decision", "N2K-TEMPLATE-SECRET-KEPT")}),
    Case("read-inside-logic-custom-delimiters",
         _job('[[ if eq (env "NOMAD_META_mode") "a" ]][[ with secret "kv/data/x" ]][[ .Data.data.k ]][[ end ]]'
              '[[ end ]]', CUSTOM),
         absent=(CONFIGMAP,), rows={DATA: ("needs-decision", "N2K-TEMPLATE-SECRET-KEPT")}),
    Case("pki-certificate", _job('{{ with pkiCert "pki/issue/web" "common_name=a" }}{{ .Cert }}{{ end }}'),
         absent=(CONFIGMAP,), rows={DATA: ("needs-decision", "N2K-TEMPLATE-PKI")}),
    Case("dynamic-secret", _job('{{ with secret "database/creds/app" "ttl=1h" }}{{ .Data.password }}{{ end }}'),
         absent=(CONFIGMAP,), rows={DATA: ("needs-decision", "N2K-TEMPLATE-PKI")}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_template_secret_reads(case: Case) -> None:
    check_case(case)


@pytest.mark.parametrize("text, left, right, expected", [
    ('{{ with secret "kv/a" }}{{ .Data.k }}{{ end }}', None, None, ("secret", "kv/a", False)),
    ('{{ with secret $key }}{{ .Data.k }}{{ end }}', None, None, ("secret", "?", False)),
    ('{{ with secret "pki/issue/x" "common_name=a" }}{{ end }}', None, None, ("secret", "pki/issue/x", True)),
    ('{{ if true }}{{ nomadVar "nomad/jobs/t" }}{{ end }}', None, None, ("nomadVar", "nomad/jobs/t", False)),
    ('{{ if true }}the secret "x"{{ end }}', None, None, None),
    ('[[ if true ]]{{ secret "kv/a" }}[[ end ]]', "[[", "]]", None),
    ('{{ printf "secret %s" "x" }}', None, None, None),
])
def test_secret_call_reads_the_parsed_tree(text: str, left: str | None, right: str | None,
                                           expected: tuple[str, str, bool] | None) -> None:
    [node] = [n for n in gotemplate.parse(text, left, right) if not isinstance(n, gotemplate.Text)]
    assert secret_call(node) == expected
