"""Command line. The only place that prints and chooses exit codes:
0 converted (warnings allowed), 1 conversion error (bad input), 2 usage error."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from . import __version__
from .convert import ServiceResult, convert_file, link_batch
from .errors import ConversionError
from .intentions import runs as intention_runs
from .intentions.apply import apply_intentions
from .intentions.parser import dedupe as dedupe_intentions
from .intentions.parser import load_file as load_intention_file
from .intentions.model import IntentionSet
from .ledger import Status
from .mapping.names import dns_label
from .output import stdout_text, write_root_module, write_service
from .parse import discover, discover_jobspecs
from .profile import load_profile

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Convert HashiCorp Nomad jobspecs to Kubernetes manifests, with a migration report per service.",
)

VAR_FILE_SUFFIXES = discover.VAR_FILE_SUFFIXES  # re-exported for scripts and tests


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
        help="Write DIR/<service>/ (one file per object, kustomization.yaml, MIGRATION.md, ledger.json; "
        "with --format terraform a module of *.tf files, and DIR/main.tf wiring several). "
        "Without it, print the manifests (or main.tf) to stdout.",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.yaml, "--format", "-f", help="Manifest format: yaml, json, or terraform (one module per service)."),
    var: list[str] = typer.Option([], "--var", help="Set a jobspec variable: KEY=VALUE (repeatable)."),
    var_file: list[Path] = typer.Option([], "--var-file", help="HCL or JSON variables file (repeatable)."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Site profile: a name in mappings/ or a YAML file."),
    intentions: list[Path] = typer.Option(
        [], "--intentions", exists=True,
        help="Consul intentions (file or directory, repeatable): network policies + upstream cross-check."),
    policy_target: Optional[PolicyTarget] = typer.Option(None, "--policy-target", help="Policy kind (profile default: cilium)."),
    default_policy: Optional[DefaultPolicy] = typer.Option(None, "--default-policy", help="Consul ACL default policy."),
    any_port: bool = typer.Option(False, "--any-port", help="Allow unconverted destinations on any port."),
) -> None:
    """Convert one jobspec, or every jobspec under a directory.

    In a directory, files named *.vars.hcl are variable files for the jobspecs beside them,
    files named *.intentions.hcl/.json/.tf are Consul intentions for the jobs in their directory,
    and each job's output keeps the jobspec's sub-directory: DIR/<sub-dir>/<service>/.
    """
    variables = _parse_vars(var)
    try:
        site = load_profile(profile)
    except ConversionError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    failures = 0
    results: list[ServiceResult] = []
    if path.is_dir():
        files = discover_jobspecs(path)
    else:
        files = [path]
    written: dict[Path, Path] = {}
    converted_files: list[tuple[Path, list[ServiceResult]]] = []
    pending: list[tuple[ServiceResult, Path, Path]] = []  # written once intentions are applied
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
        converted_files.append((file, converted))
    # Upstream ports resolve across every job converted together (e.g. a directory).
    link_batch([r for _, converted in converted_files for r in converted])
    for file, converted in converted_files:
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
            pending.append((result, output / sub if output is not None else Path("."), file))
            results.append(result)
    for run in intention_runs.runs(path, intentions, [f for _, _, f in pending]):
        iset, bad = _load_intentions(run.files)
        failures += bad
        policies = apply_intentions(iset, [pending[i][0] for i in run.members], site,
                                    target=policy_target.value if policy_target else None,
                                    default_policy=default_policy.value if default_policy else None,
                                    any_port=any_port)
        if policies is not None:
            pending.append((policies, (output or Path(".")) / run.subdir, Path(".")))
            results.append(policies)
    for result, target, _ in pending:
        if output is not None:
            write_service(result, target, fmt.value, site)
            _err(_summary(result))
    if output is not None and fmt is OutputFormat.terraform and len(written) > 1:
        write_root_module(output, list(written))
    if output is None and results:
        sys.stdout.write(stdout_text(results, fmt.value, site))
    if failures:
        if path.is_dir():
            _err(f"{failures} of {len(files)} file(s) failed to convert")
        raise typer.Exit(1)


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
    except ConversionError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None
    sys.stdout.write(render_markdown(result))
    changed = bool(result.added_services or result.removed_services or result.services)
    if fail_on_change and changed:
        raise typer.Exit(3)


def _load_intentions(files: list[Path]) -> tuple[IntentionSet, int]:
    """Every file parses or fails with one line; the others still count."""
    iset, failures = IntentionSet(), 0
    for file in files:
        try:
            iset.extend(load_intention_file(file))
        except ConversionError as exc:
            _err(str(exc))
            failures += 1
    dedupe_intentions(iset)
    return iset, failures


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
        site = load_profile(profile)
    except ConversionError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    iset, failures = _load_intentions(intention_runs.expand(paths))
    policies = apply_intentions(iset, [], site, target=policy_target.value if policy_target else None,
                                default_policy=default_policy.value if default_policy else None, any_port=any_port)
    if policies is not None:
        if output is not None:
            write_service(policies, output, fmt.value)
            _err(_summary(policies))
        elif policies.objects:
            sys.stdout.write(stdout_text([policies], fmt.value))
    if failures:
        raise typer.Exit(1)


def run() -> None:
    try:
        app()
    except ConversionError as exc:  # a mapper raised on bad input: still one clean line
        _err(str(exc))
        sys.exit(1)


if __name__ == "__main__":
    run()
