"""Command line. The only place that prints and chooses exit codes:
0 converted (warnings allowed), 1 conversion error (bad input), 2 usage error,
3 `convert --fail-on LEVEL`: a service is at or past the gate (1 wins over 3)."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Protocol, runtime_checkable

import typer

# Only light modules at import: `--help` and `--version` must not pay for the converter (the kubernetes
# client, the pydantic models, lark); each command imports what it runs (see scripts/bench.py, help).
from . import __version__
from .errors import ConversionError
from .parse import discover
from .parse.discover import CONFIG_NAME

if TYPE_CHECKING:
    from .batch import BatchOutcome
    from .convert import ServiceResult

# -h as well as --help (kubectl's habit); plain click help: flags without <bool>/<list[str]> type placeholders.
CONTEXT = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=CONTEXT,
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

profile_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, context_settings=CONTEXT,
                          help="Inspect the effective site profile.")
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


class FailOn(str, Enum):
    no_go = "no-go"
    actions = "actions"
    review = "review"


def _gate(outcome: BatchOutcome, level: FailOn | None, destination: str | None, path: Path, quiet: bool) -> bool:
    """Print the run's one closing line (verdicts, where the report is, failures); True when the gate fails."""
    from .review.verdict import fails, summary_line

    services = outcome.report.get("services", [])
    failed = (f"{outcome.failures} of {len(outcome.files)} file(s) failed to convert"
              if outcome.failures and path.is_dir() else "")
    if services:
        line = summary_line([s["verdict"] for s in services], destination) + (f"; {failed}" if failed else "")
    else:  # nothing converted: the error lines say the rest
        line = failed
    if line and (not quiet or outcome.failures):
        _err(line)
    return level is not None and any(fails(level.value, s["verdict"], s["open"]) for s in services)


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
    from .secrets.scrub import scrub_text

    typer.echo(scrub_text(message), err=True)  # the one secret boundary of stderr


CONVERT_HELP = f"""Convert one jobspec, or every jobspec under a directory.

\b
In a directory, files named *.vars.hcl are variable files for the jobspecs beside them,
files named *.intentions.hcl/.json/.tf are Consul intentions for the jobs in their directory,
and each job's output keeps the jobspec's sub-directory: DIR/<sub-dir>/<service>/.
Site settings: --profile < the {CONFIG_NAME} nearest to each jobspec < --set < --namespace.

\b
With --output, DIR/.nomad2k8s/written.json records what was written: a re-run replaces only those
files, keeps every other file, and refuses (exit 1) to overwrite a generated file edited since
(--force overwrites it). Without --output, every object goes to stdout and every message to stderr.
"""


@app.command(help=CONVERT_HELP)
def convert(
    path: Optional[Path] = typer.Argument(None, metavar="PATH",
                                          help="A jobspec (HCL or API JSON), a directory of them, or - "
                                               "(the jobspec on standard input)."),
    filename: Optional[Path] = typer.Option(None, "--filename", "-f", metavar="PATH",
                                            help="The same as PATH (kubectl's and kompose's -f; -f - reads "
                                                 "standard input)."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", metavar="DIR",
        help="Write DIR/<service>/ (one file per object, kustomization.yaml, MIGRATION.md, ledger.json; "
        "with --format terraform a module of *.tf files), DIR/SUMMARY.md, and DIR/kustomization.yaml over "
        "every service (or DIR/main.tf wiring the modules). Without it, print every object to stdout.",
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.yaml, "--format", metavar="yaml|json|terraform",
        help="Manifest format: yaml, json, or terraform (one module per service; to stdout, one service only)."),
    namespace: Optional[str] = typer.Option(
        None, "--namespace", "-n", metavar="NS", help="Put every object in namespace NS (overrides the profile)."),
    var: list[str] = typer.Option([], "--var", metavar="KEY=VALUE", help="Set a jobspec variable (repeatable)."),
    var_file: list[Path] = typer.Option([], "--var-file", metavar="FILE",
                                        help="HCL or JSON variables file (repeatable)."),
    base_dir: Optional[Path] = typer.Option(
        None, "--base-dir", metavar="DIR", exists=True, file_okay=False,
        help="Where file()/fileset() & co. resolve relative names, as `nomad job run` run in DIR would "
        "(default: the current directory); then beside the jobspec, noted in the ledger."),
    profile: Optional[str] = typer.Option(None, "--profile", metavar="NAME|FILE", help=PROFILE_HELP),
    set_: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
    intentions: list[Path] = typer.Option(
        [], "--intentions", exists=True, metavar="PATH",
        help="Consul intentions (file or directory, repeatable): network policies + upstream cross-check."),
    policy_target: Optional[PolicyTarget] = typer.Option(
        None, "--policy-target", metavar="cilium|kubernetes|istio|linkerd",
        help="Policy kind (profile default: cilium)."),
    default_policy: Optional[DefaultPolicy] = typer.Option(None, "--default-policy", metavar="allow|deny",
                                                           help="Consul ACL default policy."),
    any_port: bool = typer.Option(False, "--any-port", help="Allow unconverted destinations on any port."),
    vault_addr: Optional[str] = typer.Option(
        None, "--vault-addr", metavar="URL",
        help="Check the Vault paths templates read (key names only). Default: $VAULT_ADDR."),
    vault_token_file: Optional[Path] = typer.Option(
        None, "--vault-token-file", metavar="FILE", help="File holding the Vault token (default: $VAULT_TOKEN).",
        exists=True, dir_okay=False),
    vault_required: bool = typer.Option(False, "--vault-required", help="Fail (exit 1) when Vault cannot be checked."),
    decisions: Optional[Path] = typer.Option(
        None, "--decisions", exists=True, dir_okay=False, metavar="FILE",
        help="Decisions file for every jobspec (default: the nomad2k8s.decisions.yaml nearest to each)."),
    include_undeployed: bool = typer.Option(
        False, "--include-undeployed",
        help="When Terraform roots deploy the jobs, also convert the jobspec files no root deploys."),
    force: bool = typer.Option(False, "--force", help="Overwrite generated files edited since they were written."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only (no warnings, progress, summary)."),
    fail_on: Optional[FailOn] = typer.Option(
        None, "--fail-on", help="CI gate: exit 3 when a service is NO-GO (no-go), not GO (actions), or has open "
        "review rows too (review), after decisions. A conversion error (exit 1) wins."),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", min=1, metavar="N",
        help="Processes converting files (default: the machine's cores); the output is the same for any number."),
    debug: bool = typer.Option(False, "--debug", help="With an unexpected error in a file, also print its traceback."),
) -> None:
    from .batch import BatchError, BatchOptions, Profiles, run_batch
    from .batch_pool import default_jobs
    from .cli_lines import quiet_filter, report_edited, service_line
    from .output import stdout_refusal, stdout_text
    from .profile_load import ProfileError
    from .progress import BatchProgress

    warn = quiet_filter(quiet)
    path = _input_path(path, filename)
    stdin_text = _read_stdin() if path == STDIN else None
    if namespace is not None:
        from .profile import namespace_problem  # the profile's own check (also for --set and files)

        problem = namespace_problem(namespace)
        if problem is not None:
            raise typer.BadParameter(problem, param_hint="--namespace")
        set_ = [*set_, "namespace.mode=fixed", f"namespace.name={namespace}"]
    try:
        profiles = Profiles(profile, set_, warn)
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    from .cli_vault import vault_checker

    checker = vault_checker(vault_addr, vault_token_file, vault_required)
    from .outpaths import output_dir_problem

    problem = output_dir_problem(output) if output is not None else None
    if problem is not None:  # checked before anything is converted or written
        _err(f"error: {problem}")
        raise typer.Exit(2)
    options = BatchOptions(
        path=path, output=output, fmt=fmt.value, variables=_parse_vars(var), var_files=list(var_file),
        intentions=list(intentions), policy_target=policy_target.value if policy_target else None,
        default_policy=default_policy.value if default_policy else None, any_port=any_port,
        vault_required=vault_required, decisions=decisions, include_undeployed=include_undeployed,
        force=force, jobs=jobs or default_jobs(), debug=debug, base_dir=base_dir, stdin_text=stdin_text)
    progress = BatchProgress(enabled=not quiet and options.is_dir)

    def written(result: ServiceResult, target: Path) -> None:
        progress.converted()  # writing has begun: every file is converted
        if not quiet:
            _err(service_line(result, str(target)))  # the output directory (stdout: the sub-directory it would have)

    from .collector import tuned_for_batch

    try:
        with tuned_for_batch(), progress:
            outcome = run_batch(options, profiles, checker, warn, on_written=written, on_file=progress.on_file)
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    except BatchError as exc:
        _err(exc.message)
        raise typer.Exit(exc.exit_code) from None
    if output is None and outcome.pending:
        refusal = stdout_refusal(outcome.results, fmt.value)
        if refusal is not None:
            _err(f"error: {refusal}")
            raise typer.Exit(2)
        sys.stdout.write(stdout_text(outcome.results, fmt.value, outcome.pending[0].profile))
    edited = report_edited(outcome.ownership)
    # The estate report: report.html when it was written, else the SUMMARY.md agenda.
    pointer = next((output / n for n in ("report.html", "SUMMARY.md") if (output / n).is_file()), None) if output else None
    gate_failed = _gate(outcome, fail_on, pointer.as_posix() if pointer else "stdout", path, quiet)
    if outcome.failures or edited:
        raise typer.Exit(1)
    if gate_failed:
        raise typer.Exit(3)


def _input_path(path: Path | None, filename: Path | None) -> Path:
    if path is not None and filename is not None:
        raise typer.BadParameter("give the jobspec as PATH or as -f PATH, not both", param_hint="-f")
    if path is None and filename is None:
        raise typer.BadParameter("a jobspec or directory is required (PATH or -f PATH)", param_hint="PATH")
    given: Path = path if path is not None else filename  # type: ignore[assignment]  # (one of them is set)
    if str(given) == "-":
        return STDIN
    if not given.exists():
        raise typer.BadParameter(f"path '{given}' does not exist.", param_hint="PATH" if path else "-f")
    return given


# `-` (kubectl's `-f -`): the jobspec is read from standard input and named like this in messages.
STDIN = Path("<stdin>")


def _read_stdin() -> str:
    from .fileaccess import JOBSPEC_MAX_BYTES

    data = sys.stdin.buffer.read(JOBSPEC_MAX_BYTES + 1)
    if len(data) > JOBSPEC_MAX_BYTES:
        _err(f"error: {STDIN}: more than {JOBSPEC_MAX_BYTES} bytes on standard input")
        raise typer.Exit(2)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _err(f"error: {STDIN}: not UTF-8 text (byte {exc.start})")
        raise typer.Exit(1) from None


@app.command()
def decide(
    target: Path = typer.Argument(..., exists=True, help="The jobspec, a directory of jobspecs, or a convert --output directory."),
    service: str = typer.Argument(..., help="The service (job) name, as in its report."),
    code: str = typer.Argument(..., help="The ledger code of the row(s), e.g. N2K-VOLUME-DATA."),
    path: Optional[str] = typer.Option(None, "--path", help="The row's Nomad path (or a block holding it); default: every row of CODE."),
    done: bool = typer.Option(False, "--done", help="The step is done."),
    accept: bool = typer.Option(False, "--accept", help="The difference is accepted as it is."),
    answer: list[str] = typer.Option([], "--answer", help="Answer with a hint, HINT=VALUE (repeatable), applied as if in the block's meta."),
    reason: str = typer.Option(..., "--reason", help="Why: shown beside the closed row."),
    decisions: Optional[Path] = typer.Option(None, "--decisions", dir_okay=False, help="The decisions file to append to (default: the nearest one, else a new one at the repository root)."),
    profile: Optional[str] = typer.Option(None, "--profile", help=PROFILE_HELP),
    var: list[str] = typer.Option([], "--var", help="Set a jobspec variable: KEY=VALUE (repeatable)."),
    var_file: list[Path] = typer.Option([], "--var-file", help="HCL or JSON variables file (repeatable)."),
) -> None:
    """Record a decision on a service's row(s) in nomad2k8s.decisions.yaml; the next convert shows them closed."""
    from .decisions.model import DecisionsError
    from .decisions.record import DecideRequest, resolution_of
    from .decisions.record import decide as record
    from .profile_load import ProfileError

    try:
        resolution, answers = resolution_of(done, accept, answer)
        written, entry = record(DecideRequest(target, service, code, resolution, reason, path, answers, decisions,
                                              profile, _parse_vars(var), list(var_file)), _err)
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    except DecisionsError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    _err(f"recorded {entry.resolution}: {entry.describe()} in {written}")


@profile_app.command("show")
def profile_show(
    path: Optional[Path] = typer.Argument(
        None, exists=True, help=f"A jobspec or directory whose nearest {CONFIG_NAME} applies (default: none)."),
    profile: Optional[str] = typer.Option(None, "--profile", metavar="NAME|FILE", help=PROFILE_HELP),
    set_: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
) -> None:
    """Print the effective profile as YAML: defaults < --profile < nomad2k8s.yaml < --set."""
    from .profile_load import (
        ProfileError,
        discover_config,
        profile_yaml,
        resolve_profile,
    )


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
    output: Path = typer.Option(Path(CONFIG_NAME), "--output", "-o", metavar="FILE", help="Where to write it; - for stdout."),
    profile: str = typer.Option("vanilla", "--profile", metavar="NAME|FILE", help="Base profile the file starts from."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter nomad2k8s.yaml (every setting, described, commented out)."""
    from .profile_init import starter_yaml
    from .profile_load import ProfileError, resolve_profile


    try:
        text = starter_yaml(profile, resolve_profile(profile))
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    if str(output) == "-":
        sys.stdout.write(text)
        return
    from .emit.files import write_file
    from .outpaths import output_file_problem

    problem = output_file_problem(output)
    if problem is not None:  # a bad -o is a usage error, like an existing file without --force
        _err(f"error: {problem}")
        raise typer.Exit(2)
    if output.exists() and not force:
        _err(f"error: {output} exists; use --force to overwrite it")
        raise typer.Exit(2)
    try:
        write_file(output, text)  # atomic: an existing file is replaced whole or not at all
    except OSError as exc:
        _err(f"error: cannot write {output}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    _err(f"wrote {output}")


@app.command()
def mappings() -> None:
    """Print the Nomad -> Kubernetes concept table (Markdown), generated from the mappers."""
    from .report import concepts


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
    fail_on_change: bool = typer.Option(
        False, "--exit-code", help="Exit 1 when there are differences, 0 when none (like git diff --exit-code); "
        "2 on error."),
) -> None:
    """Compare two conversions: verdicts and open rows per service, objects and ledger rows (Markdown)."""
    from .report.diff import diff_outputs, render_markdown

    try:
        result = diff_outputs(old, new)
    except ConversionError as exc:  # unreadable or malformed output: an error, like diff(1)'s 2
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    sys.stdout.write(render_markdown(result))
    if fail_on_change and result.changed:
        raise typer.Exit(1)


@app.command("intentions")
def intentions_command(
    paths: list[Path] = typer.Argument(..., help="Consul intention files or directories.", exists=True),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="DIR",
                                          help="Write DIR/_policies/ (policies + report)."),
    fmt: OutputFormat = typer.Option(OutputFormat.yaml, "--format", metavar="yaml|json|terraform",
                                     help="Manifest format."),
    policy_target: Optional[PolicyTarget] = typer.Option(None, "--policy-target", metavar="cilium|kubernetes|istio|linkerd",
                                                         help="Policy kind (profile default: cilium)."),
    default_policy: Optional[DefaultPolicy] = typer.Option(None, "--default-policy", metavar="allow|deny",
                                                           help="Consul ACL default policy."),
    any_port: bool = typer.Option(False, "--any-port", help="Allow destinations on any port (their ports are unknown here)."),
    profile: Optional[str] = typer.Option(None, "--profile", metavar="NAME|FILE",
                                          help="Site profile: a name in mappings/ or a YAML file."),
) -> None:
    """Convert Consul intentions alone into network policies (see `convert --intentions` to use the jobs' ports)."""
    from .batch import Profiles, load_intentions
    from .cli_lines import report_edited, service_line
    from .intentions import runs as intention_runs
    from .intentions.apply import apply_intentions
    from .output import stdout_text, write_service, write_summary
    from .ownership import Ownership
    from .profile_load import ProfileError


    from .outpaths import output_dir_problem

    problem = output_dir_problem(output) if output is not None else None
    if problem is not None:
        _err(f"error: {problem}")
        raise typer.Exit(2)
    try:
        site = Profiles(profile, [], _err).default  # same loading and error format as `convert`
    except ProfileError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    files = intention_runs.expand(paths)
    iset, failures = load_intentions(files, _err)
    if not iset.intentions and not failures:  # as `convert` with no jobspec: nothing to do is an error
        where = ", ".join(str(p) for p in paths)
        _err(f"error: no Consul intentions found in {where}" + ("" if files else " (no intention files in it)")
             + "; nothing written")
        raise typer.Exit(1)
    policies = apply_intentions(iset, [], site, target=policy_target.value if policy_target else None,
                                default_policy=default_policy.value if default_policy else None, any_port=any_port)
    if policies is not None:
        if output is not None:
            owner = Ownership.load(output)
            target = write_service(policies, output, fmt.value, site, owner=owner)
            write_summary(output, [(policies, output)], owner=owner)
            owner.save(keep_unseen=True)  # the services of an earlier `convert` into DIR are not stale
            _err(service_line(policies, str(target)))
            if report_edited(owner):
                raise typer.Exit(1)
        elif policies.objects:
            sys.stdout.write(stdout_text([policies], fmt.value))
    if failures:
        raise typer.Exit(1)


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
    except ConversionError as exc:  # a mapper raised on bad input: still one clean line
        from .profile_load import (
            ProfileError,  # loaded already: a ProfileError comes from it
        )

        _err(str(exc))
        sys.exit(2 if isinstance(exc, ProfileError) else 1)  # bad site settings are a usage error
    except KeyboardInterrupt:  # Ctrl-C: writes are deferred past it (ownership.py), so nothing is half-written
        interrupted()
    except BrokenPipeError:  # `convert ... | head`: the reader left; say nothing more on a closed pipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    if code == 130:  # typer turns a KeyboardInterrupt inside a command into a silent Exit(130)
        interrupted()
    sys.exit(code if isinstance(code, int) else 0)


def interrupted() -> None:
    """Ctrl-C: one line and the shell's exit code for SIGINT (128 + 2), no traceback."""
    sys.stderr.write("interrupted\n")
    sys.exit(130)


if __name__ == "__main__":
    run()
