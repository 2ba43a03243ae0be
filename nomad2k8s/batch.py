"""`convert` as a pipeline of phases: find the jobspecs, convert each, run the batch stage, name the
outputs, add the intentions' policies, write. The CLI builds the options, calls `run_batch` and turns
the outcome into output and an exit code; every message goes through `warn` (the CLI prints it), so
nothing here prints."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import fileaccess
from .convert import ServiceResult, convert_file, flag_name_clashes, link_batch
from .errors import ConversionError
from .intentions import runs as intention_runs
from .intentions.apply import apply_intentions
from .intentions.model import IntentionSet
from .intentions.parser import dedupe as dedupe_intentions
from .intentions.parser import load_file as load_intention_file
from .k8s.names import dns_label
from .output import write_root_module, write_service, write_summary
from .parse import discover, discover_jobspecs
from .parse.loader import prepare_parsers
from .profile import Profile
from .profile_load import discover_config, resolve_profile
from .vault_check import VaultChecker, VaultUnavailable, check_results

Warn = Callable[[str], None]
CACHE_DIR = Path(".nomad2k8s") / "cache"
POOL_MIN_FILES = 4  # below this, starting workers costs more than it saves


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
    jobs: int = 1  # processes converting files (the CLI's default: the machine's cores)
    cache: bool = True  # reuse unchanged conversions under output/.nomad2k8s/cache (with an output only)

    @property
    def is_dir(self) -> bool:
        return self.path.is_dir()


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

    @property
    def results(self) -> list[ServiceResult]:
        return [p.result for p in self.pending]


def find_jobspecs(options: BatchOptions) -> list[Path]:
    if not options.is_dir:
        return [options.path]
    files = discover_jobspecs(options.path)
    if not files:
        raise BatchError(f"{options.path}: no jobspec found (*.nomad, *.hcl, *.json, *.job)", 1)
    return files


def _var_files_by_dir(options: BatchOptions, files: list[Path]) -> dict[Path, list[Path]]:
    """The variable files beside the jobspecs, each directory listed once."""
    if not options.is_dir:
        return {}
    return {d: sorted(p for p in d.iterdir() if p.name.endswith(discover.VAR_FILE_SUFFIXES))
            for d in sorted({f.parent for f in files})}


@dataclass
class FileTask:
    """One jobspec to convert, with everything its conversion needs (sent to a worker process)."""

    file: Path
    profile: Profile
    variables: dict[str, str]
    var_files: list[Path]
    root: Path | None
    cache_dir: Path | None = None


@dataclass
class FileOutcome:
    results: list[ServiceResult] | None
    error: str | None = None
    no_job: bool = False  # the file holds no job block (skipped in a directory)
    cache_key: str | None = None  # the cache entry's name


def convert_one(task: FileTask) -> FileOutcome:
    """The per-file work, the same in a worker process and in-process (so output is identical for
    any --jobs): a cached conversion when nothing it depends on changed, else a conversion."""
    cache = key = None
    if task.cache_dir is not None:
        from .cache import Cache, entry_key

        cache = Cache(task.cache_dir)
        key = entry_key(task.file, task.profile.model_dump_json(), task.variables, task.var_files, task.root,
                        os.environ)
        cached = cache.load(key) if key is not None else None
        if isinstance(cached, list):
            return FileOutcome(cached, cache_key=key.name if key else None)
    with fileaccess.recording_reads() as looked_at:
        try:
            results = convert_file(task.file, task.profile, task.variables, task.var_files, root=task.root)
        except ConversionError as exc:
            return FileOutcome(None, str(exc), "no job block" in exc.message)
    if cache is not None and key is not None:
        cache.store(key, results, looked_at)
    return FileOutcome(results, cache_key=key.name if key else None)


def default_jobs() -> int:
    """The machine's cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the batch; workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _outcomes(tasks: list[FileTask], jobs: int) -> Iterator[FileOutcome]:
    """Outcomes in task order, whatever the number of processes."""
    if jobs <= 1 or len(tasks) < POOL_MIN_FILES:
        yield from map(convert_one, tasks)
        return
    prepare_parsers()  # built once here, inherited by forked workers
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=context, initializer=_ignore_sigint) as pool:
        try:
            yield from pool.map(convert_one, tasks, chunksize=max(1, min(8, len(tasks) // (4 * jobs))))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def convert_files(options: BatchOptions, files: list[Path], profiles: Profiles, checker: VaultChecker | None,
                  warn: Warn) -> tuple[list[ConvertedFile], int]:
    converted: list[ConvertedFile] = []
    failures = 0
    local_vars = _var_files_by_dir(options, files)
    cache_dir = options.output / CACHE_DIR if options.output is not None and options.cache else None
    tasks = [FileTask(file, profiles.for_file(file), options.variables,
                      local_vars.get(file.parent, []) + list(options.var_files),
                      options.path if options.is_dir else None, cache_dir) for file in files]
    used: set[str] = set()
    for task, outcome in zip(tasks, _outcomes(tasks, options.jobs)):
        if outcome.cache_key is not None:
            used.add(outcome.cache_key)
        if outcome.results is None:
            if options.is_dir and outcome.no_job:
                warn(f"skipped {task.file}: not a jobspec (no job block)")
                continue
            warn(outcome.error or f"{task.file}: not converted")
            failures += 1
            continue
        checker = _check_vault(outcome.results, checker, options.vault_required, warn)
        converted.append(ConvertedFile(task.file, task.profile, outcome.results))
    if cache_dir is not None and options.is_dir:
        from .cache import Cache

        Cache(cache_dir).prune(used)
    return converted, failures


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


def batch_stage(converted: list[ConvertedFile], warn: Warn) -> None:
    # Upstream ports resolve across every job converted together (e.g. a directory).
    link_batch([r for c in converted for r in c.results])
    # Name clashes only matter among jobs headed for the same site (one effective profile).
    by_site: dict[int, list[ServiceResult]] = {}
    for c in converted:
        by_site.setdefault(id(c.profile), []).extend(c.results)
    for batch in by_site.values():
        for warning in flag_name_clashes(batch):
            warn(f"warning: {warning}")


def assign_outputs(options: BatchOptions, converted: list[ConvertedFile], warn: Warn) -> list[Pending]:
    """Each service's output directory; two jobspecs with one job name are told apart by file name."""
    pending: list[Pending] = []
    taken: dict[Path, Path] = {}
    for c in converted:
        sub = c.file.parent.relative_to(options.path) if options.is_dir else Path(".")
        directory = (options.output or Path(".")) / sub
        for result in c.results:
            if options.output is not None:
                previous = taken.get(directory / result.name)
                if previous is not None:
                    base = dns_label(f"{result.name}-{c.file.name.split('.')[0]}")
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
            iset.extend(load_intention_file(file))
        except ConversionError as exc:
            warn(str(exc))
            failures += 1
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
            pending.append(Pending(policies, (options.output or Path(".")) / run.subdir, Path("."), site))
    return failures


def write_outputs(options: BatchOptions, pending: list[Pending], on_written: Callable[[ServiceResult], None]) -> None:
    output = options.output
    if output is None:
        return
    for item in pending:
        write_service(item.result, item.directory, options.fmt, item.profile)
        on_written(item.result)
    if pending:
        write_summary(output, [(p.result, p.directory) for p in pending])
    modules = [p.directory / p.result.name for p in pending if p.source.is_file()]
    if options.fmt == "terraform" and len(modules) > 1:
        write_root_module(output, modules)


def run_batch(options: BatchOptions, profiles: Profiles, checker: VaultChecker | None, warn: Warn,
              on_written: Callable[[ServiceResult], None] = lambda _: None) -> BatchOutcome:
    outcome = BatchOutcome(find_jobspecs(options))
    converted, outcome.failures = convert_files(options, outcome.files, profiles, checker, warn)
    batch_stage(converted, warn)
    outcome.pending = assign_outputs(options, converted, warn)
    outcome.failures += add_policies(options, outcome.pending, profiles.default, warn)
    write_outputs(options, outcome.pending, on_written)
    return outcome
