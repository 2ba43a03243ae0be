"""Site profiles: precedence, discovery, --set, validation messages, built-in profiles,
and the `profile show` / `init` commands."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from nomad2k8s.profile import MAPPINGS_DIR, Profile
from nomad2k8s.profile_init import starter_yaml
from nomad2k8s.profile_load import (
    CONFIG_NAME, ProfileError, discover_config, load_yaml, parse_set, resolve_profile,
)
from tests.support import REPO, run_cli


def _cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ---- precedence: default < --profile < discovered nomad2k8s.yaml < --set -------------------

@pytest.fixture
def layers(tmp_path: Path) -> dict[str, Path]:
    profile = _write(tmp_path / "site.yaml", "resources: {cpu_factor: 2.0}\nstorage: {default_class: from-profile}\n")
    config = _write(tmp_path / "repo" / CONFIG_NAME, "storage: {default_class: from-config}\n")
    return {"profile": profile, "config": config}


@pytest.mark.parametrize("use_profile, use_config, sets, factor, storage_class", [
    (False, False, [], 1.0, None),                                            # built-in default
    (True, False, [], 2.0, "from-profile"),                                   # --profile
    (True, True, [], 2.0, "from-config"),                                     # config beats --profile
    (False, True, [], 1.0, "from-config"),                                    # config alone
    (True, True, ["storage.default_class=from-set"], 2.0, "from-set"),        # --set beats config
    (True, True, ["resources.cpu_factor=0.5"], 0.5, "from-config"),           # --set beats --profile
    (False, False, ["storage.default_class=a", "storage.default_class=b"], 1.0, "b"),  # last --set wins
])
def test_precedence(layers, use_profile, use_config, sets, factor, storage_class) -> None:
    got = resolve_profile(str(layers["profile"]) if use_profile else None,
                          layers["config"] if use_config else None, sets)
    assert got.resources.cpu_factor == factor
    assert got.storage.default_class == storage_class


def test_config_base_profile_then_overrides(tmp_path: Path) -> None:
    config = _write(tmp_path / CONFIG_NAME, "profile: k3s-traefik-cilium\nstorage: {default_class: fast}\n")
    got = resolve_profile(None, config)
    assert got.storage.default_class == "fast"  # the file's own key beats its base
    assert got.secrets.store_name == "vault-backend"  # the rest comes from the base


def test_config_base_may_be_a_file_relative_to_it(tmp_path: Path) -> None:
    _write(tmp_path / "profiles" / "base.yaml", "labels: {team: a}\n")
    config = _write(tmp_path / "jobs" / CONFIG_NAME, "profile: ../profiles/base.yaml\nlabels: {tier: b}\n")
    assert resolve_profile(None, config).labels == {"team": "a", "tier": "b"}  # maps add up


def test_circular_base_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "a.yaml", "profile: b.yaml\n")
    _write(tmp_path / "b.yaml", "profile: a.yaml\n")
    with pytest.raises(ProfileError, match="invalid profile"):
        resolve_profile(str(tmp_path / "a.yaml"))


# ---- discovery -------------------------------------------------------------------------------

@pytest.mark.parametrize("config_at, git_at, start, expected", [
    ("repo/jobs/web", None, "repo/jobs/web/web.nomad.hcl", "repo/jobs/web"),   # beside the jobspec
    ("repo", None, "repo/jobs/web/web.nomad.hcl", "repo"),                     # in a parent
    ("repo/jobs", None, "repo/jobs", "repo/jobs"),                             # a directory as start
    ("above", "above/repo", "above/repo/jobs/web.nomad.hcl", None),            # not past the .git dir
    ("repo", "repo", "repo/jobs/web.nomad.hcl", "repo"),                       # the repo root itself
    (None, None, "repo/jobs/web.nomad.hcl", None),                             # nothing anywhere
])
def test_discovery(tmp_path: Path, config_at, git_at, start, expected) -> None:
    if config_at:
        _write(tmp_path / config_at / CONFIG_NAME, "labels: {a: b}\n")
    if git_at:
        (tmp_path / git_at / ".git").mkdir(parents=True)
    start_path = tmp_path / start
    if start_path.suffix:
        _write(start_path, 'job "web" {}\n')
    else:
        start_path.mkdir(parents=True, exist_ok=True)
    found = discover_config(start_path)
    if expected is None:
        assert found is None or not found.is_relative_to(tmp_path)
    else:
        assert found == (tmp_path / expected / CONFIG_NAME).resolve()


def test_repo_root_has_no_discovered_config() -> None:
    # A config at the root would apply to every fixture case and change all golden files.
    assert not (REPO / CONFIG_NAME).exists()


# ---- --set -----------------------------------------------------------------------------------

@pytest.mark.parametrize("expr, expected", [
    ("resources.cpu_factor=0.5", {"resources": {"cpu_factor": 0.5}}),
    ("vpa.update_mode=Off", {"vpa": {"update_mode": "Off"}}),              # YAML 1.2: Off is a string
    ("vpa.enabled=false", {"vpa": {"enabled": False}}),
    ("placement.default_arch=[amd64, arm64]", {"placement": {"default_arch": ["amd64", "arm64"]}}),
    ("image_pull_secrets=[regcred]", {"image_pull_secrets": ["regcred"]}),
    ("ingress.class_name=null", {"ingress": {"class_name": None}}),
    ("hosts.map.a.example.com=b.example.com", {"hosts": {"map": {"a.example.com": "b.example.com"}}}),
    ("labels.app.kubernetes.io/team=web", {"labels": {"app.kubernetes.io/team": "web"}}),
    ("hosts.suffix=-k8s", {"hosts": {"suffix": "-k8s"}}),
    ("hosts.suffix=", {"hosts": {"suffix": ""}}),
    ("kubernetes_version=1.29", {"kubernetes_version": 1.29}),  # YAML float; the model rejects it below
])
def test_set_parsing(expr: str, expected: dict) -> None:
    assert parse_set(expr) == expected


@pytest.mark.parametrize("expr, message", [
    ("resources.cpu_factor", "expected dotted.key=value"),
    ("=1", "expected dotted.key=value"),
    ("resources.cpu_limt=x", "resources.cpu_limt: unknown key; did you mean resources.cpu_limit_"),
    ("resourcs.cpu_factor=1", "resourcs: unknown key; did you mean resources?"),
    ("hosts.suffix.x=1", "hosts.suffix: is a single setting, not a section"),
])
def test_set_errors(expr: str, message: str) -> None:
    with pytest.raises(ProfileError) as info:
        parse_set(expr)
    assert message in info.value.bullets[0]


# ---- validation messages ---------------------------------------------------------------------

def test_validation_bullets_name_path_value_and_allowed_values(tmp_path: Path) -> None:
    config = _write(tmp_path / CONFIG_NAME, yaml.safe_dump({
        "resources": {"cpu_limit_policy": "sometimes", "cpu_factor": -1},
        "vpa": {"update_mode": "Always"},
        "namespace": {"mode": "nomad", "nmae": "x"},
        "ingres": {"class_name": "nginx"},
        "storage": {"read_write_once_pod": "perhaps"},
    }))
    with pytest.raises(ProfileError) as info:
        resolve_profile(None, config)
    text = str(info.value)
    assert text.startswith(f"error: invalid profile ({config.resolve()}):\n  - ")
    bullets = set(info.value.bullets)
    assert "resources.cpu_limit_policy: 'sometimes' is not allowed; allowed: none, equal-to-request, factor" in bullets
    assert "vpa.update_mode: 'Always' is not allowed; allowed: Off, Initial, Recreate, InPlaceOrRecreate, Auto" \
        in bullets
    assert "namespace.nmae: unknown key; did you mean namespace.name?" in bullets
    assert "ingres: unknown key; did you mean ingress?" in bullets
    assert "storage.read_write_once_pod: 'perhaps' is not allowed; allowed: true, false" in bullets
    assert any(b.startswith("resources.cpu_factor: -1: ") and "greater than 0" in b for b in bullets)


def test_set_value_errors_blame_the_set(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as info:
        resolve_profile(None, None, ["kubernetes_version=1.29"])
    assert info.value.source == "--set kubernetes_version=1.29"
    assert info.value.bullets[0].startswith("kubernetes_version: 1.29:")


def test_unknown_profile_lists_builtins_closest_first() -> None:
    with pytest.raises(ProfileError) as info:
        resolve_profile("k3s")
    assert "built-in: k3s-traefik-cilium, vanilla" in info.value.bullets[0]


# ---- built-in profiles -----------------------------------------------------------------------

def test_vanilla_yaml_spells_out_the_defaults() -> None:
    data = load_yaml((MAPPINGS_DIR / "vanilla.yaml").read_text())
    assert data == Profile().model_dump(mode="json")


def test_k3s_profile_has_the_seed_conventions() -> None:
    site = resolve_profile("k3s-traefik-cilium")
    assert site.ingress.class_name == "traefik"
    assert site.ingress.entrypoints == ["websecure"]
    assert site.ingress.tls_secret == "wildcard-brmartin-tls"
    assert site.ingress.annotations == {"traefik.ingress.kubernetes.io/router.tls": "true"}
    assert site.hosts.map == {"overseerr.brmartin.co.uk": "overseerr-k8s.brmartin.co.uk"}
    assert site.storage.default_class == "local-path"
    assert (site.secrets.store_name, site.secrets.store_kind, site.secrets.api_version) == (
        "vault-backend", "ClusterSecretStore", "external-secrets.io/v1beta1")
    # Vault path nomad/data/default/overseerr -> (mount and data/ stripped) default/overseerr -> key:
    assert site.secrets.kv_mount == "nomad"
    assert site.secrets.key_pattern.format(path="default/overseerr") == "nomad/default/overseerr"
    assert site.placement.default_arch == ["amd64", "arm64"]
    assert site.vpa.enabled and site.vpa.update_mode == "Off"
    assert site.vpa.max_allowed == {"cpu": "2", "memory": "2Gi"}
    assert site.policies.target == "cilium"


SEED_VALUES = ("brmartin", "wildcard-", "vault-backend", "local-path", "websecure", "-k8s")


def _seed_values_in(package: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(package.rglob("*.py")):  # recursive: mapping/ has concept sub-packages
        hits = [v for v in SEED_VALUES if v in path.read_text()]
        if hits:
            found[str(path.relative_to(package))] = hits
    return found


def test_no_seed_value_in_the_mappers() -> None:
    mapping_dir = REPO / "nomad2k8s" / "mapping"
    assert len(list(mapping_dir.rglob("*.py"))) > 30  # the walk sees the sub-packages
    assert _seed_values_in(mapping_dir) == {}


def test_seed_value_check_sees_sub_packages(tmp_path: Path) -> None:
    _write(tmp_path / "networking" / "deep" / "routes.py", 'ENTRY = "websecure"\n')
    assert _seed_values_in(tmp_path) == {"networking/deep/routes.py": ["websecure"]}


# ---- commands --------------------------------------------------------------------------------

def test_profile_show_prints_the_effective_profile(tmp_path: Path) -> None:
    _write(tmp_path / CONFIG_NAME, "profile: k3s-traefik-cilium\n")
    job = _write(tmp_path / "jobs" / "web.nomad.hcl", 'job "web" {}\n')
    proc = _cli("profile", "show", str(job), "--set", "resources.cpu_factor=0.25")
    assert proc.returncode == 0, proc.stderr
    shown = load_yaml(proc.stdout)
    assert shown["secrets"]["store_name"] == "vault-backend"
    assert shown["resources"]["cpu_factor"] == 0.25
    assert Profile.model_validate(shown) == resolve_profile(None, tmp_path / CONFIG_NAME,
                                                            ["resources.cpu_factor=0.25"])


def test_profile_errors_exit_2_with_bullets_and_no_traceback(tmp_path: Path) -> None:
    job = _write(tmp_path / "web.nomad.hcl", 'job "web" {\n  group "g" {\n    task "t" {\n'
                 '      driver = "docker"\n      config { image = "nginx:1" }\n    }\n  }\n}\n')
    for args in (["profile", "show", "--set", "vpa.update_mode=Always"],
                 ["convert", str(job), "--set", "vpa.update_mode=Always"],
                 ["convert", str(job), "--profile", "no-such-profile"]):
        proc = _cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert "\n  - " in proc.stderr
    _write(tmp_path / CONFIG_NAME, "resources: {cpu_limit_policy: sometimes}\n")
    proc = _cli("convert", str(job))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "  - resources.cpu_limit_policy: 'sometimes' is not allowed" in proc.stderr


@pytest.mark.parametrize("base", ["vanilla", "k3s-traefik-cilium"])
def test_init_starter_loads_back(tmp_path: Path, base: str) -> None:
    target = tmp_path / CONFIG_NAME
    proc = _cli("init", "--output", str(target), "--profile", base)
    assert proc.returncode == 0, proc.stderr
    text = target.read_text()
    expected = resolve_profile(base)
    assert resolve_profile(None, target) == expected  # as written: only the base applies
    # Every setting uncommented: still valid, and equal to the base (the comments show its values).
    uncommented = "\n".join(line[2:] if line.startswith("# ") else line for line in text.splitlines())
    _write(target, uncommented)
    assert resolve_profile(None, target) == expected
    assert _cli("init", "--output", str(target)).returncode == 2  # no silent overwrite


def test_init_describes_every_field() -> None:
    text = starter_yaml()
    for name, field in Profile.model_fields.items():
        assert field.description, name
        assert f"# {name}:" in text
        section = getattr(Profile(), name)
        for sub, sub_field in getattr(type(section), "model_fields", {}).items():
            assert sub_field.description, f"{name}.{sub}"
            assert f"#   {sub}:" in text
