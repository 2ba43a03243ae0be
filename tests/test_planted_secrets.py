"""Planted secrets: ≥ 30 secret shapes across env, args, meta, templates, checks, docker auth, variables
and both input formats (HCL2 and API JSON); every byte the CLI writes (all files under --output, stdout,
stderr) is searched for each planted value. Plus one table per shape family and false-positive guards.

The planted values are in tests/secrets/ (planted.nomad.hcl, planted_api.json); each holds a marker
word so that a partial leak (a truncated report cell) is caught too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nomad2k8s.secrets.rules import find, is_secret_name
from nomad2k8s.secrets.scrub import Scrubber, scrub_text

from .corpus_fixture import CorpusRun
from .support import run_cli

HERE = Path(__file__).parent / "secrets"

# (where it is planted, the secret value). Values are unique strings: none occurs in a converted output
# unless it leaked.
PLANTED: list[tuple[str, str]] = [
    ("variable default -> args --admin-password=${var.x}", "VarPw-Hotel8x"),
    ("variable default -> args [--upstream-key, var.x]", "VarAuth-Tango20q"),
    ("--var on the command line -> args", "CliVarPw-Kappa99"),
    ("meta db_password", "MetaPw-India9"),
    ("meta URL with userinfo", "MetaUrlPw-Juliet10"),
    ("meta Slack webhook (no secret name)", "PlantedSlackHookSecret1x"),
    ("meta AWS access key id (no secret name)", "AKIAPLANTEDEXAMPLE12"),
    ("meta GitHub token (no secret name)", "ghp_PlantedGitHubToken0123456789abcdefABCD"),
    ("meta short value under a secret name", "s#3$"),
    ("meta long opaque value (entropy)", "q8Z3vK9xP2mN7bL4wR6tY1uE5sA0dF3g"),
    ("check path ?token=", "ChkTok-Papa16"),
    ("check header Authorization: Bearer", "ChkBearer-Quebec17"),
    ("check header X-Api-Key", "ChkKey-Romeo18"),
    ("args --db-password=", "ArgPw-Delta4"),
    ("args -D...Password=", "KsPw-Echo5"),
    ("args --token VALUE", "TokVal-Foxtrot6"),
    ("docker auth password", "DockerPw-Sierra19"),
    ("env DB_PASSWORD", "EnvPw-Alpha1"),
    ("env URL with userinfo", "UrlPw-Bravo2"),
    ("env short value under a secret name, with $ and #", "p$#5w"),
    ("env password with $ and #", "Ch@rl$e#3xyz"),
    ("env JAVA_OPTS -D...password=", "JavaOptPw-Uniform21"),
    ("env JWT (no secret name)", "PlantedJwtSignature22abc"),
    ("env AWS_SECRET_ACCESS_KEY", "PlantedAwsSecretKey/0123456789abcdefghijKL"),
    ("template JSON line", "TplJsonPw-Kilo11"),
    ("template YAML line", "TplYamlPw-Lima12"),
    ("template INI line", "TplIniPw-Mike13"),
    ("template requirepass", "RedisPw-Oscar15"),
    ("template Authorization: Bearer", "TplBearer-November14abc"),
    ("template PEM private key body", "MIIEowIBAAKCAQEAplantedPemBodyLine23xyzPLANTEDpemBODYline23XYZ0"),
    ("args sh -c 'PGPASSWORD=... cmd'", "PgPw-Golf7"),
    ("API JSON meta vault_token", "hvs.ApiMetaVaultTok31xyz"),
    ("API JSON meta URL with userinfo", "ApiMetaUrlPw-Victor32"),
    ("API JSON check path ?access_token=", "ApiChkTok-Whiskey33"),
    ("API JSON check header Basic", "QXBpQ2hrQmFzaWMtWHJheTM0OnB3"),
    ("API JSON args --api-key VALUE", "ApiArgKey-Yankee35"),
    ("API JSON args --client-secret=", "ApiArgSecret-Zulu36"),
    ("API JSON docker auth password", "ApiDockerPw-Alpha37"),
    ("API JSON env Stripe key", "sk_live_ApiStripeKey38abcdefghijk"),
    ("API JSON env GitLab token (no secret name)", "glpat-ApiGitLabToken39abcdefgh"),
    ("API JSON env MYSQL_PWD with $ and #", "Api$Pw#40x"),
    ("API JSON template INI password", "ApiTplIniPw-Bravo41"),
    ("API JSON template JSON token", "ApiTplJsonTok-Charlie42"),
]

# Values that look a little like secrets and must stay as they are.
NOT_SECRETS = [
    "redis:7.2.4-alpine",  # an image tag
    "nginx@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",  # a digest
    "3f1c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f",  # a UUID in meta
    "https://example.com/docs?page=2",  # a plain URL
    "ghcr.io/example/api:1.4.2",
]


def _needles(value: str) -> list[str]:
    """The value and, for long ones, its first two thirds: a cell truncated by a report leaks too."""
    return [value] + ([value[: len(value) * 2 // 3]] if len(value) >= 12 else [])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every byte of every run: YAML and Terraform trees, stdout in yaml/json/terraform, all stderr."""
    root = tmp_path_factory.mktemp("planted")
    src = root / "in"
    src.mkdir()
    for name in ("planted.nomad.hcl", "planted_api.json"):
        shutil.copy(HERE / name, src / name)
    texts: dict[str, str] = {}
    runs = {
        "yaml": ["convert", src, "--output", root / "yaml", "--var", "upstream_auth=CliVarPw-Kappa99"],
        "tf": ["convert", src, "--format", "terraform", "--output", root / "tf"],
        "json": ["convert", src, "--format", "json", "--output", root / "json"],
        "stdout-yaml": ["convert", src / "planted.nomad.hcl"],
        "stdout-json": ["convert", src / "planted_api.json", "--format", "json"],
        "stdout-tf": ["convert", src / "planted.nomad.hcl", "--format", "terraform"],
    }
    for run, args in runs.items():
        proc = run_cli(*args)
        assert proc.returncode == 0, proc.stderr
        texts[f"{run}: stdout"], texts[f"{run}: stderr"] = proc.stdout, proc.stderr
    for tree in ("yaml", "tf", "json"):
        for path in sorted((root / tree).rglob("*")):
            if path.is_file():
                texts[f"{tree}: {path.relative_to(root / tree)}"] = path.read_bytes().decode("utf-8")
    assert any(k.endswith("MIGRATION.md") for k in texts) and any(k.endswith("ledger.json") for k in texts)
    assert any(k.endswith("main.tf") for k in texts) and any(k.endswith("SUMMARY.md") for k in texts)
    return texts


def test_at_least_30_shapes_are_planted() -> None:
    assert len(PLANTED) >= 30
    planted = (HERE / "planted.nomad.hcl").read_text() + (HERE / "planted_api.json").read_text()
    assert all(value in planted or value.startswith("CliVar") for _, value in PLANTED)


@pytest.mark.parametrize("where, value", PLANTED, ids=[w for w, _ in PLANTED])
def test_planted_secret_is_in_no_output_byte(outputs: dict[str, str], where: str, value: str) -> None:
    leaks = [name for name, text in outputs.items() for needle in _needles(value) if needle in text]
    assert not leaks, f"{where}: leaked into {sorted(set(leaks))}"  # the value itself is never printed


@pytest.mark.parametrize("value", NOT_SECRETS)
def test_false_positive_guard_is_kept(outputs: dict[str, str], value: str) -> None:
    assert any(value in text for text in outputs.values()), f"{value} was redacted"


def test_redactions_say_how_long_the_value_was(outputs: dict[str, str]) -> None:
    ledger = outputs["yaml: planted/ledger.json"]
    assert "«redacted: 13 chars»" in ledger  # meta db_password = "MetaPw-India9"
    assert "<redacted>" not in outputs["yaml: planted/deployment-planted.yaml"]


def test_moved_values_are_secret_references(outputs: dict[str, str]) -> None:
    """Env values in clear text are not redacted in place: they read the job's ExternalSecret."""
    deployment = outputs["yaml: planted/deployment-planted.yaml"]
    assert "key: DB_PASSWORD" in deployment and "key: REDIS_PASSWORD" in deployment


# One table per shape family: (text, the secret values found in it) --------------------------------------
FAMILIES = {
    "key names": [
        ('password = "hunter2-x"', ["hunter2-x"]),
        ("db_pass: pw-123", ["pw-123"]),
        ('{"client_secret": "cs-456", "user": "bob"}', ["cs-456"]),
        ("export API_KEY=ak-789", ["ak-789"]),
        ("secretName: my-tls", []),  # a Kubernetes reference
        ("password_file = /run/secrets/db", []),  # a path
        ('password = "${var.db_password}"', []),  # a reference resolved elsewhere
        ("token = {{ with secret \"kv/x\" }}{{ .Data.token }}{{ end }}", []),
    ],
    "command line": [
        ("--db-password=pa$$#1", ["pa$$#1"]),
        ("-Djavax.net.ssl.trustStorePassword=tsp-1", ["tsp-1"]),
        ("PGPASSWORD=pg-2 psql -h db", ["pg-2"]),
        ("app --token tok-3 --verbose", ["tok-3"]),
        ("--password-file /run/pw", []),
        ("--token-ttl 5m", []),
    ],
    "URLs": [
        ("postgres://app:url-pw-4@db:5432/app", ["url-pw-4"]),
        ("/health?token=q-5&verbose=1", ["q-5"]),
        ("https://example.com/docs?page=2", []),
        ("https://hooks.slack.com/services/T0AAAA/B0BBBB/cccccccccccccccccccccccc",
         ["https://hooks.slack.com/services/T0AAAA/B0BBBB/cccccccccccccccccccccccc"]),
    ],
    "headers and config files": [
        ("Authorization: Bearer abc.def-ghi", ["abc.def-ghi"]),
        ("proxy_set_header Authorization \"Basic dXNlcjpwYXNz\";", ["dXNlcjpwYXNz"]),
        ("requirepass redis-pw-6", ["redis-pw-6"]),
        ("masterauth redis-pw-7", ["redis-pw-7"]),
    ],
    "provider tokens": [
        ("AKIAIOSFODNN7EXAMPLE", ["AKIAIOSFODNN7EXAMPLE"]),
        ("ghp_" + "a1B2" * 9, ["ghp_" + "a1B2" * 9]),
        ("xoxb-123456789012-abcdefghij", ["xoxb-123456789012-abcdefghij"]),
        ("glpat-abcdefghij0123456789", ["glpat-abcdefghij0123456789"]),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"]),
    ],
    "private keys": [
        ("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE+/x=\nabc\n-----END EC PRIVATE KEY-----\n", ["MHcCAQEE+/x=\nabc"]),
        ("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgI\n-----END CERTIFICATE-----\n", []),  # public
    ],
    "entropy": [
        ("blob q8Z3vK9xP2mN7bL4wR6tY1uE5sA0dF3g end", ["q8Z3vK9xP2mN7bL4wR6tY1uE5sA0dF3g"]),
        ("sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", []),  # hex digest
        ("3f1c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", []),  # UUID
        ("kubernetes_horizontal_pod_autoscaler_v2", []),  # an identifier
        ("redis:7.2.4-alpine", []),
    ],
}
CASES = [(family, text, expected) for family, rows in FAMILIES.items() for text, expected in rows]


@pytest.mark.parametrize("family, text, expected", CASES, ids=[f"{f}: {t[:40]}" for f, t, _ in CASES])
def test_shape_family(family: str, text: str, expected: list[str]) -> None:
    assert [text[s.start:s.end] for s in find(text)] == expected


@pytest.mark.parametrize("name, secret", [
    ("DB_PASSWORD", True), ("keyStorePassword", True), ("api_key", True), ("Authorization", True),
    ("X-Api-Key", True), ("vault_token", True), ("db_pass", True),
    ("DB_PASSWORD_FILE", False), ("secretName", False), ("key", False), ("topologyKey", True),
    ("token_ttl", False), ("success_before_passing", False), ("passhostheader", False),
])
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_structure_rules_find_values_by_their_neighbours() -> None:
    """A value is a secret because of its key, its `{name, value}` pair or the flag before it; a short
    value found that way is redacted where it stands whole, but not inside ordinary words."""
    scrubber = Scrubber()
    cleaned = scrubber.clean({"env": [{"name": "API_TOKEN", "value": "k9"}],
                              "args": ["--token", "tk-1", "--port", "80"],
                              "annotations": {"db_password": "ab#1", "api_secret": "vault"},
                              "image": "ab#1-image"})
    assert cleaned == {"env": [{"name": "API_TOKEN", "value": "«redacted: 2 chars»"}],
                       "args": ["--token", "«redacted: 4 chars»", "--port", "80"],
                       "annotations": {"db_password": "«redacted: 4 chars»", "api_secret": "«redacted: 5 chars»"},
                       "image": "ab#1-image"}
    assert scrubber.text('x = "ab#1"\ny = ab#1-image', keyed=False) == 'x = "«redacted: 4 chars»"\ny = ab#1-image'
    # A plain name (`vault`) is redacted under its secret key only: elsewhere it is far more likely a name.
    assert scrubber.clean({"labels": {"app": "vault"}}) == {"labels": {"app": "vault"}}


def test_kubernetes_field_names_are_not_secret_names() -> None:
    """`topologyKey`, a secretKeyRef's `key`: Kubernetes field names say nothing of their values."""
    obj = {"spec": {"topologyKey": "kubernetes.io/hostname",
                    "env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "DB_PASSWORD"}}}]}}
    assert Scrubber().clean(obj) == obj


def test_stderr_is_scrubbed() -> None:
    line = "job.nomad.hcl:3: bad value 'postgres://u:pw-in-error@db/x'"
    assert "pw-in-error" not in scrub_text(line)


@pytest.mark.parametrize("unit", ["a=", "a-", '"a":', "a.b", "://a:", "A1b2", "//x/", "aws"])
def test_detector_is_linear_on_hostile_text(unit: str) -> None:
    """The detector's own patterns run on every output string: a 1 MiB run of one unit must not take
    quadratic time (a `\\b`-anchored scheme, overlapping `name=value` pairs, npm's `//.+/`)."""
    import time

    text = unit * (1024 * 1024 // len(unit))
    start = time.process_time()  # CPU time: a loaded machine does not make it fail
    find(text)
    assert time.process_time() - start < 15


def test_corpus_names_and_images_are_never_redacted(corpus_yaml: CorpusRun) -> None:
    """False-positive guard on real jobspecs: a redaction never lands in an object's name, a label, a
    container name, an image or a mount path (those are names, and a redacted one breaks the manifest)."""
    import re

    field = re.compile(r"^\s*-?\s*(name|app|app\.kubernetes\.io/[\w-]+|image|containerName|mountPath|"
                       r"claimName|serviceName|secretName):\s.*«redacted", re.M)
    hits = [f"{path}: {m.group(1)}" for path, text in corpus_yaml.files().items() if path.endswith(".yaml")
            for m in field.finditer(text)]
    assert not hits, hits[:20]


def test_a_path_is_not_an_opaque_token() -> None:
    """Output paths on stderr (`out/<repo>/<service>: 4 objects`) are judged segment by segment, not as one
    high-entropy token; a real opaque token inside a path still is one."""
    from nomad2k8s.secrets.scrub import scrub_text

    line = "/tmp/pc/SJWyatt__nomad-jobs/grafana-demo-covid19-us-grafana-grafana: 4 objects"
    assert scrub_text(line) == line
    assert "Xk9fQ2LmZ8vR4tN1pW6yB3cD7hJ0sAeG" not in scrub_text("/srv/app-data/Xk9fQ2LmZ8vR4tN1pW6yB3cD7hJ0sAeG")


@pytest.mark.parametrize("text, kept", [
    ("Secrets: store these values in the secret store", True),  # the report's action title
    ("password: hunter more", False),  # a lower-case key is a setting, whatever follows
    ("Password: hunter2 x", False),  # a value with a digit is not prose
    ("Password: hunter", False),  # nothing follows: a pair
])
def test_a_heading_and_prose_is_not_a_keyword_pair(text: str, kept: bool) -> None:
    assert (scrub_text(text) == text) is kept
