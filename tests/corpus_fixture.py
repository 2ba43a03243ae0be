"""The shared third-party corpus (../shared/corpus/jobs), converted ONCE per test session and shared by
every corpus test: parsing is most of a conversion's cost and the corpus has ~400 jobspecs.

`corpus_yaml`: `nomad2k8s convert ../shared/corpus/jobs --output DIR`, run in-process through the CLI's
entry point, with every ServiceResult the CLI wrote kept beside the written directory.
`corpus_terraform`: the same services written as Terraform modules by the CLI's own write path
(`output.write_service(..., "terraform")` + the root module), so no second conversion.
Both skip with the reason when ../shared is absent."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nomad2k8s import batch, output
from nomad2k8s.convert import ServiceResult
from nomad2k8s.profile import Profile
from tests.support import CORPUS_JOBS, require_shared, run_cli


@dataclass
class Written:
    result: ServiceResult
    directory: Path  # the service's parent directory (output/<sub-dir>)
    profile: Profile | None


@dataclass
class CorpusRun:
    output: Path
    proc: subprocess.CompletedProcess
    written: list[Written] = field(default_factory=list)

    @property
    def services(self) -> list[ServiceResult]:
        return [w.result for w in self.written]

    def by_file(self) -> dict[Path, list[ServiceResult]]:
        """Jobspec -> its services, in file order (policy bundles from intentions have no jobspec)."""
        out: dict[Path, list[ServiceResult]] = {}
        for result in self.services:
            if result.source.is_file():
                out.setdefault(result.source, []).append(result)
        return dict(sorted(out.items()))

    def files(self) -> dict[str, str]:
        """Every written file's text by path relative to the output directory."""
        return {p.relative_to(self.output).as_posix(): p.read_text() for p in sorted(self.output.rglob("*"))
                if p.is_file()}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS_JOBS.rglob("*") if p.is_file())


@pytest.fixture(scope="session")
def corpus_yaml(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusRun]:
    require_shared(CORPUS_JOBS)
    out = tmp_path_factory.mktemp("corpus-yaml")
    run = CorpusRun(out, subprocess.CompletedProcess([], 0))
    real_write = output.write_service

    def recording_write(result: ServiceResult, directory: Path, fmt: str, profile: Profile | None = None,
                        *args: object, **kwargs: object) -> Path:
        run.written.append(Written(result, directory, profile))
        return real_write(result, directory, fmt, profile, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "write_service", recording_write)
        run.proc = run_cli("convert", CORPUS_JOBS, "--output", out)
    yield run


@pytest.fixture(scope="session")
def corpus_terraform(corpus_yaml: CorpusRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus services as `--format terraform` writes them: DIR/<sub>/<service>/*.tf and DIR/main.tf."""
    out = tmp_path_factory.mktemp("corpus-terraform")
    modules = []
    for w in corpus_yaml.written:
        directory = out / w.directory.relative_to(corpus_yaml.output)
        modules.append(output.write_service(w.result, directory, "terraform", w.profile))
    output.write_summary(out, [(w.result, out / w.directory.relative_to(corpus_yaml.output))
                               for w in corpus_yaml.written])
    if len(modules) > 1:
        output.write_root_module(out, modules)
    return out
