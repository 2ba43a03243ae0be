"""Command line. The only place that prints and chooses exit codes:
0 converted (warnings allowed), 1 conversion error (bad input), 2 usage error."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from . import __version__
from .convert import ServiceResult, convert_file
from .errors import ConversionError
from .ledger import Status
from .mapping.names import dns_label
from .output import stdout_text, write_service
from .parse import discover_jobspecs
from .profile import load_profile
from .vault_check import VaultChecker, VaultSettings, VaultUnavailable, check_results

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Convert HashiCorp Nomad jobspecs to Kubernetes manifests, with a migration report per service.",
)

VAR_FILE_SUFFIXES = (".vars.hcl", ".vars.json", ".auto.vars.hcl")


class OutputFormat(str, Enum):
    yaml = "yaml"
    json = "json"


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
    typer.echo(message, err=True)


def _summary(result: ServiceResult) -> str:
    counts = result.ledger.counts()
    parts = [f"{counts[s]} {s.value}" for s in (Status.MAPPED, Status.CHANGED, Status.DROPPED, Status.NEEDS_DECISION)]
    return f"{result.name}: {len(result.objects)} objects; " + ", ".join(parts)


@app.command()
def convert(
    path: Path = typer.Argument(..., help="A jobspec (HCL or API JSON) or a directory of them.", exists=True),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o",
        help="Write DIR/<service>/ (one file per object, kustomization.yaml, MIGRATION.md, ledger.json). "
        "Without it, print the manifests to stdout.",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.yaml, "--format", "-f", help="Manifest format."),
    var: list[str] = typer.Option([], "--var", help="Set a jobspec variable: KEY=VALUE (repeatable)."),
    var_file: list[Path] = typer.Option([], "--var-file", help="HCL or JSON variables file (repeatable)."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Site profile: a name in mappings/ or a YAML file."),
    vault_addr: Optional[str] = typer.Option(
        None, "--vault-addr", help="Check the Vault paths templates read (key names only). Default: $VAULT_ADDR."),
    vault_token_file: Optional[Path] = typer.Option(
        None, "--vault-token-file", help="File holding the Vault token (default: $VAULT_TOKEN).", exists=True,
        dir_okay=False),
    vault_required: bool = typer.Option(False, "--vault-required", help="Fail (exit 1) when Vault cannot be checked."),
) -> None:
    """Convert one jobspec, or every jobspec under a directory.

    In a directory, files named *.vars.hcl are variable files for the jobspecs beside them,
    and each job's output keeps the jobspec's sub-directory: DIR/<sub-dir>/<service>/.
    """
    variables = _parse_vars(var)
    try:
        site = load_profile(profile)
    except ConversionError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    checker = _vault_checker(vault_addr, vault_token_file, vault_required)
    failures = 0
    results: list[ServiceResult] = []
    if path.is_dir():
        files = [f for f in discover_jobspecs(path) if not f.name.endswith(VAR_FILE_SUFFIXES)]
    else:
        files = [path]
    written: dict[Path, Path] = {}
    for file in files:
        local_var_files = []
        if path.is_dir():
            local_var_files = sorted(p for p in file.parent.iterdir() if p.name.endswith(VAR_FILE_SUFFIXES))
        try:
            converted = convert_file(file, site, variables, local_var_files + list(var_file))
        except ConversionError as exc:
            if path.is_dir() and "no job block" in exc.message:
                _err(f"skipped {file}: not a jobspec (no job block)")
                continue
            _err(str(exc))
            failures += 1
            continue
        if checker is not None:
            try:
                check_results(converted, checker)
            except VaultUnavailable as exc:
                if vault_required:
                    _err(f"error: {exc}")
                    raise typer.Exit(1) from None
                _err(f"warning: {exc}; live Vault check skipped")
                checker = None
        for result in converted:
            if output is not None:
                sub = file.parent.relative_to(path) if path.is_dir() else Path(".")
                target = output / sub
                previous = written.get(target / result.name)
                if previous is not None:
                    # Two jobspecs with one job name: keep both, told apart by file name.
                    base = dns_label(f"{result.name}-{file.name.split('.')[0]}")
                    result.name, n = base, 2
                    while target / result.name in written:
                        result.name, n = f"{base}-{n}", n + 1
                    _err(f"{file}: job also defined in {previous}; written as {result.name}")
                written[target / result.name] = file
                write_service(result, target, fmt.value)
                _err(_summary(result))
            results.append(result)
    if output is None and results:
        sys.stdout.write(stdout_text(results, fmt.value))
    if failures:
        if path.is_dir():
            _err(f"{failures} of {len(files)} file(s) failed to convert")
        raise typer.Exit(1)


def _vault_checker(addr: str | None, token_file: Path | None, required: bool) -> VaultChecker | None:
    """The live Vault check is opt-in; an unusable Vault is one warning line (or exit 1 if required)."""
    settings = VaultSettings.from_env(addr, token_file)
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
    try:
        app()
    except ConversionError as exc:  # a mapper raised on bad input: still one clean line
        _err(str(exc))
        sys.exit(1)


if __name__ == "__main__":
    run()
