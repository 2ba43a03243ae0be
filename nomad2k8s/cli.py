"""Command line. The only place that prints and chooses exit codes:
0 converted (warnings allowed), 1 conversion error (bad input), 2 usage error."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional, Protocol, runtime_checkable

import typer

from . import __version__
from .batch import BatchError, BatchOptions, Profiles, load_intentions, run_batch
from .convert import ServiceResult
from .errors import ConversionError
from .intentions import runs as intention_runs
from .intentions.apply import apply_intentions
from .ledger import STATUS_ORDER
from .output import stdout_text, write_service, write_summary
from .parse import discover
from .profile_init import starter_yaml
from .profile_load import CONFIG_NAME, ProfileError, discover_config, profile_yaml, resolve_profile
from .report import concepts
from .secrets.scrub import scrub_text
from .vault_check import VaultChecker, VaultSettings, VaultSettingsError, VaultUnavailable

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Convert HashiCorp Nomad jobspecs to Kubernetes manifests, with a migration report per service.",
)


def _usage_error_class() -> type[Exception]:
    """The usage-error base class of whichever click typer runs on (typer >= 0.20 vendors its own)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError" and issubclass(c, Exception))


@runtime_checkable
class _FormatsMessage(Protocol):
    """What click's UsageError offers; either click's, so it is matched by shape, not by class."""

    def format_message(self) -> str: ...


UsageError = _usage_error_class()
VAR_FILE_SUFFIXES = discover.VAR_FILE_SUFFIXES  # re-exported for scripts and tests
PROFILE_HELP = "Site profile: a built-in name in mappings/ (vanilla, k3s-traefik-cilium) or a YAML file."
SET_HELP = "Override one profile setting: dotted.key=value, value parsed as YAML (repeatable)."

profile_app = typer.Typer(no_args_is_help=True, help="Inspect the effective site profile.")
app.add_typer(profile_app, name="profile")


class OutputFormat(str, Enum):
    yaml = "yaml"
    json = "json"
    terraform = "terraform"


class PolicyTarget(str, Enum):
    cilium = "cilium"
    kubernetes = "kubernetes"
    istio = "istio"
    linkerd = "linkerd"


class DefaultPolicy(str, Enum):
    allow = "allow"
    deny = "deny"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nomad2k8s {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """nomad2k8s: migrate a Nomad estate to Kubernetes, service by service."""


def _parse_vars(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise typer.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--var")
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def _err(message: str) -> None:
    typer.echo(scrub_text(message), err=True)  # the one secret boundary of stderr


def _summary(result: ServiceResult) -> str:
    counts = result.ledger.counts()
    parts = [f"{counts[s]} {s.value}" for s in reversed(STATUS_ORDER)]
    return f"{result.name}: {len(result.objects)} objects; " + ", ".join(parts)


@app.command()
def convert(
    path: Path = typer.Argument(..., help="A jobspec (HCL or API JSON) or a directory of them.", exists=True),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o",
        help="Write DIR/<service>/ (one file per object, kustomization.yaml, MIGRATION.md, ledger.json; "
        "with --format terraform a module of *.tf files, and DIR/main.tf wiring several). "
        "Without it, print the manifests (or main.tf) to stdout.",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.yaml, "--format", "-f", help="Manifest format: yaml, json, or terraform (one module per service)."),
    var: list[str] = typer.Option([], "--var", help="Set a jobspec variable: KEY=VALUE (repeatable)."),
    var_file: list[Path] = typer.Option([], "--var-file", help="HCL or JSON variables file (repeatable)."),
    profile: Optional[str] = typer.Option(None, "--profile", help=PROFILE_HELP),
    set_: list[str] = typer.Option([], "--set", help=SET_HELP),
    intentions: list[Path] = typer.Option(
        [], "--intentions", exists=True,
        help="Consul intentions (file or directory, repeatable): network policies + upstream cross-check."),
    policy_target: Optional[PolicyTarget] = typer.Option(None, "--policy-target", help="Policy kind (profile default: cilium)."),
    default_policy: Optional[DefaultPolicy] = typer.Option(None, "--default-policy", help="Consul ACL default policy."),
    any_port: bool = typer.Option(False, "--any-port", help="Allow unconverted destinations on any port."),
    vault_addr: Optional[str] = typer.Option(
        None, "--vault-addr", help="Check the Vault paths templates read (key names only). Default: $VAULT_ADDR."),
    vault_token_file: Optional[Path] = typer.Option(
        None, "--vault-token-file", help="File holding the Vault token (default: $VAULT_TOKEN).", exists=True,
        dir_okay=False),
    vault_required: bool = typer.Option(False, "--vault-required", help="Fail (exit 1) when Vault cannot be checked."),
) -> None:
    """Convert one jobspec, or every jobspec under a directory.

    In a directory, files named *.vars.hcl are variable files for the jobspecs beside them,
    files named *.intentions.hcl/.json/.tf are Consul intentions for the jobs in their directory,
    and each job's output keeps the jobspec's sub-directory: DIR/<sub-dir>/<service>/.
    Site settings: --profile < the {CONFIG_NAME} nearest to each jobspec < --set.
    """
    warn = _err
    try:
        profiles = Profiles(profile, set_, warn)
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    checker = _vault_checker(vault_addr, vault_token_file, vault_required)
    if output is not None and output.exists() and not output.is_dir():
        _err(f"error: --output {output} exists and is not a directory")
        raise typer.Exit(2)
    options = BatchOptions(
        path=path, output=output, fmt=fmt.value, variables=_parse_vars(var), var_files=list(var_file),
        intentions=list(intentions), policy_target=policy_target.value if policy_target else None,
        default_policy=default_policy.value if default_policy else None, any_port=any_port,
        vault_required=vault_required)
    try:
        outcome = run_batch(options, profiles, checker, warn, on_written=lambda r: _err(_summary(r)))
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    except BatchError as exc:
        _err(exc.message)
        raise typer.Exit(exc.exit_code) from None
    if output is None and outcome.pending:
        sys.stdout.write(stdout_text(outcome.results, fmt.value, outcome.pending[0].profile))
    if outcome.failures:
        if path.is_dir():
            _err(f"{outcome.failures} of {len(outcome.files)} file(s) failed to convert")
        raise typer.Exit(1)


@profile_app.command("show")
def profile_show(
    path: Optional[Path] = typer.Argument(
        None, exists=True, help=f"A jobspec or directory whose nearest {CONFIG_NAME} applies (default: none)."),
    profile: Optional[str] = typer.Option(None, "--profile", help=PROFILE_HELP),
    set_: list[str] = typer.Option([], "--set", help=SET_HELP),
) -> None:
    """Print the effective profile as YAML: defaults < --profile < nomad2k8s.yaml < --set."""
    config = discover_config(path) if path is not None else None
    if config is not None:
        _err(f"site settings: {config}")
    try:
        effective = resolve_profile(profile, config, set_)
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    sys.stdout.write(profile_yaml(effective))


@app.command()
def init(
    output: Path = typer.Option(Path(CONFIG_NAME), "--output", "-o", help="Where to write it; - for stdout."),
    profile: str = typer.Option("vanilla", "--profile", help="Base profile the file starts from."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter nomad2k8s.yaml (every setting, described, commented out)."""
    try:
        text = starter_yaml(profile, resolve_profile(profile))
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    if str(output) == "-":
        sys.stdout.write(text)
        return
    if output.exists() and not force:
        _err(f"error: {output} exists; use --force to overwrite it")
        raise typer.Exit(2)
    output.write_text(text)
    _err(f"wrote {output}")


@app.command()
def mappings() -> None:
    """Print the Nomad -> Kubernetes concept table (Markdown), generated from the mappers."""
    sys.stdout.write(concepts.render())


@app.command()
def codes() -> None:
    """Print the catalogue of ledger codes with severity, explanation and suggestion (docs/CODES.md)."""
    from .ledger.codes import render_markdown

    sys.stdout.write(render_markdown())


@app.command()
def diff(
    old: Path = typer.Argument(..., help="Earlier output directory (from convert --output)."),
    new: Path = typer.Argument(..., help="Later output directory."),
    fail_on_change: bool = typer.Option(False, "--exit-code", help="Exit 3 when there are differences."),
) -> None:
    """Compare two conversions: services, objects and ledger statuses that changed (Markdown)."""
    from .report.diff import diff_outputs, render_markdown

    try:
        result = diff_outputs(old, new)
    except ConversionError as exc:  # unreadable or malformed output: an error, like diff(1)'s 2
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    sys.stdout.write(render_markdown(result))
    changed = bool(result.added_services or result.removed_services or result.services)
    if fail_on_change and changed:
        raise typer.Exit(3)


@app.command("intentions")
def intentions_command(
    paths: list[Path] = typer.Argument(..., help="Consul intention files or directories.", exists=True),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write DIR/_policies/ (policies + report)."),
    fmt: OutputFormat = typer.Option(OutputFormat.yaml, "--format", "-f", help="Manifest format."),
    policy_target: Optional[PolicyTarget] = typer.Option(None, "--policy-target", help="Policy kind (profile default: cilium)."),
    default_policy: Optional[DefaultPolicy] = typer.Option(None, "--default-policy", help="Consul ACL default policy."),
    any_port: bool = typer.Option(False, "--any-port", help="Allow destinations on any port (their ports are unknown here)."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Site profile: a name in mappings/ or a YAML file."),
) -> None:
    """Convert Consul intentions alone into network policies (see `convert --intentions` to use the jobs' ports)."""
    try:
        site = Profiles(profile, [], _err).default  # same loading and error format as `convert`
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    iset, failures = load_intentions(intention_runs.expand(paths), _err)
    policies = apply_intentions(iset, [], site, target=policy_target.value if policy_target else None,
                                default_policy=default_policy.value if default_policy else None, any_port=any_port)
    if policies is not None:
        if output is not None:
            write_service(policies, output, fmt.value, site)
            write_summary(output, [(policies, output)])
            _err(_summary(policies))
        elif policies.objects:
            sys.stdout.write(stdout_text([policies], fmt.value))
    if failures:
        raise typer.Exit(1)


def _vault_checker(addr: str | None, token_file: Path | None, required: bool) -> VaultChecker | None:
    """The live Vault check is opt-in; an unusable Vault is one warning line (or exit 1 if required)."""
    try:
        settings = VaultSettings.from_env(addr, token_file)
    except VaultSettingsError as exc:  # unreadable token file, non-ASCII token: a usage error
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    if settings is None:
        if required:
            _err("error: --vault-required needs --vault-addr or VAULT_ADDR")
            raise typer.Exit(2)
        return None
    try:
        return VaultChecker(settings)
    except VaultUnavailable as exc:
        if required:
            _err(f"error: {exc}")
            raise typer.Exit(1) from None
        _err(f"warning: {exc}; live Vault check skipped")
        return None


def run() -> None:
    # Not standalone: click's usage errors come back here and are printed as one line, not a panel.
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        message = exc.format_message() if isinstance(exc, _FormatsMessage) else str(exc)
        if message:  # empty when the help was shown instead (no arguments)
            _err(f"error: {message}")
        sys.exit(2)
    except typer.Abort:
        _err("aborted")
        sys.exit(1)
    except ProfileError as exc:  # bad site settings are a usage error
        _err(str(exc))
        sys.exit(2)
    except ConversionError as exc:  # a mapper raised on bad input: still one clean line
        _err(str(exc))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    run()
