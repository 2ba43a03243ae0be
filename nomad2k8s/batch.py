"""`convert` as a pipeline of phases: find the jobspecs, convert each, run the batch stage, name the
outputs, add the intentions' policies, write. The CLI builds the options, calls `run_batch` and turns
the outcome into output and an exit code; every message goes through `warn` (the CLI prints it), so
nothing here prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import estate as estate_discovery
from . import fileaccess
from . import shared_volumes
from .batch_pool import FileTask, outcomes, unexpected
from .convert import ServiceResult, flag_name_clashes, link_batch
from .decisions import load as decisions_load
from .decisions.apply import apply_decisions, close_decisions, unconverted_services
from .decisions.model import DecisionsError
from .errors import ConversionError
from .estate import JobSource
from .estate_graph import EstateGraph
from .intentions import runs as intention_runs
from .intentions.apply import apply_intentions
from .intentions.model import IntentionSet
from .intentions.parser import dedupe as dedupe_intentions
from .intentions.parser import load_file as load_intention_file
from .k8s.names import dns_label
from .emit_cache import EmitCache
from .emit_pool import Emission, EmitJob
from .output import (
    Pages,
    SummaryPlan,
    estate_pages,
    estate_report,
    plan_summary,
    repo_root,
    write_estate,
    write_root_module,
    write_service,
    write_summary,
)
from .ownership import TOOL_DIR, Ownership
from .parse import discover
from .profile import Profile
from .profile_load import discover_config, resolve_profile
from .terraform import EstateFacts
from .terraform.variables_check import check_nomad_variables
from .vault_check import VaultChecker, VaultUnavailable, check_results

Warn = Callable[[str], None]
NOT_A_JOBSPEC = "not a jobspec (no job block)"
OnFile = Callable[[Path, int, int], None]  # the file about to be converted, files done, total
OnWritten = Callable[[ServiceResult, Path], None]  # a service and its directory (written, or bound for stdout)
CACHE_DIR = TOOL_DIR / "cache"


class BatchError(Exception):
    """The whole run stops (not one file): `exit_code` 1 (input) or 2 (usage)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message, self.exit_code = message, exit_code


@dataclass
class BatchOptions:
    path: Path
    output: Path | None = None
    fmt: str = "yaml"
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[Path] = field(default_factory=list)
    intentions: list[Path] = field(default_factory=list)
    policy_target: str | None = None
    default_policy: str | None = None
    any_port: bool = False
    vault_required: bool = False
    decisions: Path | None = None  # --decisions FILE; None: the nomad2k8s.decisions.yaml nearest each jobspec
    include_undeployed: bool = False  # convert jobspecs no Terraform root deploys too
    force: bool = False  # overwrite generated files edited since they were written
    jobs: int = 1  # processes converting files (the CLI's default: the machine's cores)
    cache: bool = True  # reuse unchanged conversions under output/.nomad2k8s/cache (with an output only)
    debug: bool = False  # --debug: an unexpected error in one file also prints its traceback
    base_dir: Path | None = None  # --base-dir: where file() & co. resolve, as `nomad job run` there (None: cwd)
    stdin_text: str | None = None  # `convert -`: the jobspec read from standard input (`path` names it)

    @property
    def is_dir(self) -> bool:
        return self.stdin_text is None and self.path.is_dir()


class Profiles:
    """Effective profile per discovered nomad2k8s.yaml, resolved once each (ProfileError propagates)."""

    def __init__(self, profile: str | None, sets: list[str], warn: Warn) -> None:
        self.profile, self.sets, self.warn = profile, sets, warn
        self.cache: dict[Path | None, Profile] = {None: resolve_profile(profile, None, sets)}

    @property
    def default(self) -> Profile:
        return self.cache[None]

    def for_file(self, file: Path) -> Profile:
        config = discover_config(file)
        if config not in self.cache:
            self.warn(f"site settings: {config}")
            self.cache[config] = resolve_profile(self.profile, config, self.sets)
        return self.cache[config]


@dataclass
class ConvertedFile:
    file: Path
    profile: Profile
    results: list[ServiceResult]
    module: str = ""  # the Terraform module deploying it (tells two deployments of one jobspec apart)


@dataclass
class Pending:
    """One service headed for `directory` (output/<sub-dir>, or . for stdout)."""

    result: ServiceResult
    directory: Path
    source: Path
    profile: Profile


@dataclass
class BatchOutcome:
    files: list[Path]
    pending: list[Pending] = field(default_factory=list)
    failures: int = 0
    # Files the discovery looked at and did not convert, with the reason ("not deployed by Terraform").
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    ownership: Ownership | None = None  # what the write phase kept, removed and refused to overwrite
    report: dict = field(default_factory=dict)  # the review (report.json), also when nothing is written
    # The estate graph of the run (estate_graph.py; report.json's `graph`, OUT/estate.json), set by run_batch.
    graph: EstateGraph | None = None

    @property
    def results(self) -> list[ServiceResult]:
        return [p.result for p in self.pending]


def find_jobspecs(options: BatchOptions, warn: Warn = lambda _: None) -> estate_discovery.Discovery:
    """The estate to convert: a file is itself; a directory's jobspec files, or, when Terraform roots
    under it deploy Nomad jobs, the jobs they deploy (see estate.py)."""
    if options.stdin_text is not None:
        return estate_discovery.Discovery(sources=[JobSource(options.path, options.stdin_text, stdin=True)])
    if not options.is_dir:
        return estate_discovery.Discovery(sources=[JobSource(options.path)])
    found = estate_discovery.discover(options.path, options.include_undeployed, options.variables,
                                      options.var_files)
    for line in found.warnings:
        warn(line)
    for file, reason in found.skipped:
        warn(f"skipped {file}: {reason}")
    if not found.sources and not found.skipped:
        raise BatchError(f"{options.path}: no jobspec found (*.nomad, *.hcl, *.json, *.job, "
                         f"pack templates/*.nomad.tpl)", 1)
    return found


def _var_files_by_dir(options: BatchOptions, files: list[Path]) -> dict[Path, list[Path]]:
    """The variable files beside the jobspecs, each directory listed once."""
    if not options.is_dir:
        return {}
    return {d: sorted(p for p in d.iterdir() if p.name.endswith(discover.VAR_FILE_SUFFIXES))
            for d in sorted({f.parent for f in files})}


def convert_files(options: BatchOptions, sources: list[JobSource], profiles: Profiles, checker: VaultChecker | None,
                  warn: Warn, facts: EstateFacts | None = None, skipped: list[tuple[Path, str]] | None = None,
                  on_file: OnFile = lambda *_: None) -> tuple[list[ConvertedFile], int]:
    """Each source converted (in a process pool with --jobs > 1; identical output for any N), then its
    decisions applied in this process; `skipped` gets the files that turned out not to be jobspecs."""
    converted: list[ConvertedFile] = []
    failures = 0
    local_vars = _var_files_by_dir(options, [s.path for s in sources if s.text is None])
    decisions = decisions_load.Finder(options.decisions, warn)
    cache_dir = options.output / CACHE_DIR if options.output is not None and options.cache else None
    tasks = [FileTask(source, profiles.for_file(source.path), options.variables,
                      local_vars.get(source.path.parent, []) + list(options.var_files),
                      options.path if options.is_dir else None, facts, cache_dir, options.base_dir)
             for source in sources]
    try:  # every decisions file read before anything is converted or cached: a bad one stops the run
        for task in tasks:
            decisions.for_file(task.file)
    except DecisionsError as exc:
        raise BatchError(f"error: {exc}", 2) from None
    used: set[str] = set()
    for done, (task, outcome) in enumerate(zip(tasks, outcomes(tasks, options.jobs))):
        on_file(task.file, done, len(tasks))
        if outcome.cache_key is not None:
            used.add(outcome.cache_key)
        if outcome.results is None:
            if options.is_dir and outcome.no_job:
                warn(f"skipped {task.file}: {NOT_A_JOBSPEC}")
                if skipped is not None:
                    skipped.append((task.file, NOT_A_JOBSPEC))
                continue
            warn(outcome.error or f"{task.file}: not converted")
            if options.debug and outcome.trace:
                warn(outcome.trace)
            failures += 1
            continue
        try:  # an answered decision converts the source again, here, with its hints
            results = apply_decisions(task.file, outcome.results, decisions.for_file(task.file), task.convert, warn,
                                      close=False)
        except DecisionsError as exc:  # a bad decisions file stops the run: a usage error
            raise BatchError(f"error: {exc}", 2) from None
        except ConversionError as exc:
            warn(str(exc))
            failures += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a re-conversion with answered decisions: the same containment
            line, trace = unexpected(task.file, exc)
            warn(line)
            if options.debug:
                warn(trace)
            failures += 1
            continue
        checker = _check_vault(results, checker, options.vault_required, warn)
        converted.append(ConvertedFile(task.file, task.profile, results, task.source.module))
    if cache_dir is not None and options.is_dir:
        from .cache import Cache

        Cache(cache_dir).prune(used)
    _unconverted_decisions(options, decisions, converted, warn)
    return converted, failures


def _unconverted_decisions(options: BatchOptions, decisions: decisions_load.Finder, converted: list[ConvertedFile],
                           warn: Warn) -> None:
    """Decisions naming no converted service, for the decisions files whose every jobspec was converted
    (the file lies inside the converted directory)."""
    if not options.is_dir:
        return
    services = {r.ledger.service for c in converted for r in c.results}
    for dfile in decisions.cache.values():
        if dfile.path.resolve().is_relative_to(options.path.resolve()):
            unconverted_services(dfile, services, warn)


def _check_vault(results: list[ServiceResult], checker: VaultChecker | None, required: bool,
                 warn: Warn) -> VaultChecker | None:
    """The checker to use for the next files: none once Vault became unavailable."""
    if checker is None:
        return None
    try:
        check_results(results, checker)
    except VaultUnavailable as exc:
        if required:
            raise BatchError(f"error: {exc}", 1) from None
        warn(f"warning: {exc}; live Vault check skipped")
        return None
    return checker


def batch_stage(converted: list[ConvertedFile], warn: Warn,
                facts: EstateFacts | None = None) -> list[tuple[ServiceResult, Profile]]:
    """Cross-job work; returns the estate-level results (one claim per shared volume, OUT/_shared/)."""
    # Upstream ports resolve across every job converted together (e.g. a directory).
    link_batch([r for c in converted for r in c.results])
    check_nomad_variables([r for c in converted for r in c.results], facts or EstateFacts())
    # Name clashes only matter among jobs headed for the same site (one effective profile).
    by_site: dict[int, list[ServiceResult]] = {}
    profile_of: dict[int, Profile] = {}
    for c in converted:
        by_site.setdefault(id(c.profile), []).extend(c.results)
        profile_of[id(c.profile)] = c.profile
    shared: list[tuple[ServiceResult, Profile]] = []
    for site, batch in by_site.items():
        # Jobs mounting one volume share one claim: not a clash (shared_volumes.py).
        claim = shared_volumes.share_claims(batch)
        if claim is not None:
            if shared:  # one estate directory per site profile: _shared, _shared-2, ...
                claim.name = f"{claim.name}-{len(shared) + 1}"
            shared.append((claim, profile_of[site]))
        for warning in flag_name_clashes(batch):
            warn(f"warning: {warning}")
    _link_depends_on([r for c in converted for r in c.results])
    return shared


def _link_depends_on(results: list[ServiceResult]) -> None:
    """Terraform `depends_on` between deployed jobs, as data for the estate graph:
    `extra["tf_depends_on"]` lists the services (by name) of the nomad_job resources depended on."""
    by_address = {r.extra["terraform"]["address"]: r for r in results if "terraform" in r.extra}
    for result in by_address.values():
        names: list[str] = []
        for dep in result.extra["terraform"]["depends_on"]:
            for address, other in by_address.items():
                if other is not result and (address == dep or address.startswith(dep + ".")):
                    names.append(other.name)
        result.extra["tf_depends_on"] = sorted(set(names))


def assign_outputs(options: BatchOptions, converted: list[ConvertedFile], warn: Warn) -> list[Pending]:
    """Each service's output directory; two jobspecs with one job name are told apart by file name."""
    pending: list[Pending] = []
    taken: dict[Path, Path] = {}
    for c in converted:
        sub = discover.source_dir(c.file).relative_to(options.path) if options.is_dir else Path(".")
        directory = (options.output or Path(".")) / sub
        for result in c.results:
            if options.output is not None:
                previous = taken.get(directory / result.name)
                if previous is not None:
                    suffix = c.module or c.file.name.split('.')[0]
                    # A module instance already named after the job (`svc-green` for job svc) is the name.
                    base = dns_label(suffix if suffix.startswith(f"{result.name}-") else f"{result.name}-{suffix}")
                    result.name, n = base, 2
                    while directory / result.name in taken:
                        result.name, n = f"{base}-{n}", n + 1
                    warn(f"warning: {c.file}: job also defined in {previous}; written as {result.name}")
                taken[directory / result.name] = c.file
            pending.append(Pending(result, directory, c.file, c.profile))
    return pending


def load_intentions(files: list[Path], warn: Warn) -> tuple[IntentionSet, int]:
    """Every file parses or fails with one line; the others still count."""
    iset, failures = IntentionSet(), 0
    for file in files:
        try:
            found = load_intention_file(file)
        except ConversionError as exc:
            warn(str(exc))
            failures += 1
            continue
        if not found.intentions:  # `[]`, or only other config entries: say so, never silently nothing
            warn(f"warning: {file}: no Consul intentions in it (no service-intentions config entry, "
                 "consul_intention or consul_config_entry resource): nothing converted from it")
        iset.extend(found)
    dedupe_intentions(iset)
    return iset, failures


def add_policies(options: BatchOptions, pending: list[Pending], default: Profile, warn: Warn) -> int:
    """Network policies from Consul intentions, one bundle per run of intention files; returns failures."""
    failures = 0
    for run in intention_runs.runs(options.path, options.intentions, [p.source for p in pending]):
        iset, bad = load_intentions(run.files, warn)
        failures += bad
        members = [pending[i] for i in run.members]
        site = members[0].profile if members else default
        policies = apply_intentions(iset, [m.result for m in members], site, target=options.policy_target,
                                    default_policy=options.default_policy, any_port=options.any_port)
        if policies is not None:
            # The services these intentions govern (the estate graph matches their names among them only).
            policies.extra["intention_members"] = [[m.source.as_posix(), m.result.name] for m in members]
            pending.append(Pending(policies, (options.output or Path(".")) / run.subdir, Path("."), site))
    return failures


def _cluster_kit(pending: list[Pending], options: BatchOptions, report: dict, graph: object = None) -> list[Pending]:
    """OUT/_cluster/ (issue 18), per site profile: the secret store, the static volumes, the hybrid-period
    DNS pieces; each action of `report` they settle names them (kit/build.py)."""
    from .kit.build import build_kit, link, worth_writing

    output = options.output or Path(".")
    by_dir = {(p.directory / p.result.name).relative_to(output).as_posix(): p.result for p in pending}
    by_key = {s["name"]: by_dir[s["dir"]] for s in report.get("services", []) if s["dir"] in by_dir}
    kits: list[Pending] = []
    by_site: dict[int, list[Pending]] = {}
    for item in pending:
        by_site.setdefault(id(item.profile), []).append(item)
    for items in by_site.values():
        mine = {id(p.result) for p in items}
        site_keys = {k: r for k, r in by_key.items() if id(r) in mine}
        kit = build_kit([p.result for p in items], items[0].profile, report, site_keys, graph)
        if kit is None:
            continue
        if not worth_writing(kit):  # nothing to apply: the data actions still say what is missing
            link(report, kit, "", options.fmt, site_keys)
            continue
        if kits:  # one kit directory per site profile: _cluster, _cluster-2, ...
            kit.name = f"{kit.name}-{len(kits) + 1}"
        kits.append(Pending(kit, output, Path("."), items[0].profile))
        link(report, kit, kit.name, options.fmt, site_keys)
    return kits


def review_run(options: BatchOptions, pending: list[Pending], profile_name: str | None,
               not_converted: list[tuple[Path, str]] | None = None) -> dict:
    """The run's review (verdicts, actions, waves): the report.json document."""
    source = options.path.as_posix() if not options.path.is_absolute() else options.path.name
    run = {"source": source, "profile": profile_name or "vanilla", "format": options.fmt}
    from .kit.secret_store import SYNTAX as KIT

    services = [p for p in pending if p.result.syntax != KIT]  # the kit is what settles actions, not a service
    return estate_report(options.output or Path("."), [(p.result, p.directory, p.profile) for p in services],
                         repo_root(options.path), run, not_converted)


def write_outputs(options: BatchOptions, pending: list[Pending], on_written: OnWritten,
                  warn: Warn = lambda _: None, report: dict | None = None) -> Ownership | None:
    """Every service, SUMMARY.md, the estate kustomization (or Terraform root module), as far as the record
    of written files (ownership.py) allows. Interrupted, the record still matches the disk."""
    output = options.output
    if output is None:
        for item in pending:
            on_written(item.result, item.directory / item.result.name)
        return None
    owner = Ownership.load(output, options.force)
    for line in owner.warnings:
        warn(line)
    root = repo_root(options.path)
    cache = EmitCache(output / CACHE_DIR) if options.cache else None
    profile_json: dict[int, str] = {}  # per site profile, taken once
    known: set[str] = set()
    for item in pending:
        if id(item.profile) not in profile_json:
            profile_json[id(item.profile)] = item.profile.model_dump_json()
    jobs = [EmitJob(p.result, options.fmt, p.profile, root, profile_json[id(p.profile)]) for p in pending]
    plan: SummaryPlan | None = None
    render: Callable[[dict], Pages] | None = None
    try:
        with Emission(jobs, cache, options.jobs) as emission:
            for item, emitted in zip(pending, emission.services()):
                target = write_service(item.result, item.directory, options.fmt, item.profile, owner=owner,
                                       source_root=root, cache=cache, profile_json=profile_json[id(item.profile)],
                                       learned_into=known, emitted=emitted)
                on_written(item.result, target)
                if plan is None and report is not None:
                    plan, render = _pages_started(emission, output, pending, report, owner, cache)
            if pending:
                write_summary(output, [(p.result, p.directory) for p in pending], report, owner, known, cache,
                              render, plan)
        if cache is not None and options.is_dir:  # a one-file run leaves the other services' entries
            cache.prune()
        # The services' modules and the estate's shared claims (OUT/_shared/) are wired by the root module.
        modules = [p.directory / p.result.name for p in pending
                   if p.source.is_file() or p.result.syntax == shared_volumes.SYNTAX]
        if options.fmt == "terraform" and len(modules) > 1:
            write_root_module(output, modules, owner)
        elif options.fmt != "terraform":
            services = [(p.directory / p.result.name, p.result.objects) for p in pending]
            for line in write_estate(output, services, options.fmt, owner):
                warn(line)
    except BaseException:
        owner.save(keep_unseen=True)
        raise
    owner.finish()
    for rel in owner.removed:
        warn(f"removed {output / rel}: its job is no longer converted (it held only unedited generated files)")
    for kept in owner.kept:
        warn(f"warning: kept {output / kept.directory}: its job is no longer converted, but it holds files "
             f"nomad2k8s did not write or that were edited: {', '.join(kept.files)}")
    return owner


def _pages_started(emission: Emission, output: Path, pending: list[Pending], report: dict, owner: Ownership,
                   cache: EmitCache | None) -> tuple[SummaryPlan | None, Callable[[dict], Pages] | None]:
    """Once every service is emitted by the workers (their learned secrets known), the estate pages: kept
    as they are on disk, or rendered in a worker while this process goes on writing services."""
    known = emission.all_known()
    if known is None:
        return None, None
    plan = plan_summary(output, report, owner, known, cache)
    if plan[1]:
        return plan, None
    results = [p.result for p in pending]
    return plan, emission.pages_in_worker(lambda: estate_pages(results, report, known), output / TOOL_DIR)


def run_batch(options: BatchOptions, profiles: Profiles, checker: VaultChecker | None, warn: Warn,
              on_written: OnWritten = lambda _r, _p: None,
              on_file: OnFile = lambda *_: None) -> BatchOutcome:
    if options.base_dir is not None:  # a --base-dir neither holding nor inside the input is a usage error
        try:
            fileaccess.jobspec_places(options.path if not options.is_dir else options.path / "-",
                                      options.path if options.is_dir else None, options.base_dir)
        except ConversionError as exc:
            raise BatchError(f"error: {exc.message}", 2) from None
    found = find_jobspecs(options, warn)
    outcome = BatchOutcome([s.path for s in found.sources], skipped=found.skipped)
    converted, outcome.failures = convert_files(options, found.sources, profiles, checker, warn, found.facts,
                                                outcome.skipped, on_file)
    shared = batch_stage(converted, warn, found.facts)
    outcome.pending = assign_outputs(options, converted, warn)
    outcome.pending += [Pending(r, options.output or Path("."), Path("."), site) for r, site in shared]
    outcome.failures += add_policies(options, outcome.pending, profiles.default, warn)
    close_decisions(outcome.results, warn)  # after every stage that adds rows, before the reports
    outcome.report = review_run(options, outcome.pending, profiles.profile, outcome.skipped)
    outcome.graph = EstateGraph.from_json(outcome.report["graph"])
    if options.output is not None:  # cluster pieces go to a directory, not into a service's stdout stream
        outcome.pending += _cluster_kit(outcome.pending, options, outcome.report, outcome.graph)
    outcome.ownership = write_outputs(options, outcome.pending, on_written, warn, outcome.report)
    return outcome
