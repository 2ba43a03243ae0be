"""Where converted services go: stdout, or one directory per service."""

from __future__ import annotations

import json
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .convert import ServiceResult
from .emit import bundle, estate, json_text, terraform, yaml_out
from .emit.doc import Doc
from .emit.files import write_file, write_pieces, write_tree
from .emit_cache import EmitCache, Emitted, fingerprint, summary_fingerprint
from .ownership import Ownership
from .profile import Profile
from .report import markdown, summary
from .review import report as review
from .secrets.scrub import learned, scrub_files, scrubber_for


def repo_root(path: Path) -> Path:
    """Where `Source:` paths start: the git repository holding `path`, else the converted directory (or the
    jobspec's own), so that reports name the jobspec the same way wherever the repo is checked out."""
    start = (path if path.is_dir() else path.parent).resolve()
    return next((d for d in (start, *start.parents) if (d / ".git").exists()), start)


def source_text(source: Path, root: Path | None) -> str:
    if root is None or source == Path("."):
        return source.as_posix()
    try:
        return source.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:  # a jobspec outside the repository (e.g. a --var-file's jobspec given absolutely)
        return source.as_posix()


def service_files(result: ServiceResult, fmt: str, profile: Profile | None = None,
                  source_root: Path | None = None, known: set[str] | None = None) -> dict[str, str]:
    """`known`: what the scrubber learned from `result` (secrets.scrub.learned), when taken already."""
    files: dict[str, str | Doc]
    if fmt == "terraform":
        files = dict(terraform.module_files(result.objects, profile, result.extra.get("terraform_providers"),
                                            frozenset(result.extra.get("terraform_raw_kinds") or ())))
        files.update(result.extra.get("terraform_files") or {})  # e.g. the cluster kit's vault.tf
        object_names = list(files)
    else:
        files = bundle.manifest_docs(result.objects, fmt)  # cleaned as data, then serialized
        object_names = [n for n in files if n != "kustomization.yaml"]
    rows = review.review_rows(result, profile.verdict if profile else None)
    files["MIGRATION.md"] = markdown.render(result.name, source_text(result.source, source_root), rows, object_names)
    files.update(result.extra.get("files") or {})  # e.g. the cluster kit's Vault policy and install script
    rows_data = [e.as_dict() for e in result.ledger.entries]
    files["ledger.json"] = (Doc(rows_data, _json_text) if json_text.json_native(rows_data)  # else as text
                            else _json_text(rows_data))
    return scrub_files(files, [result], known)  # the one secret boundary of a service's files


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_service(result: ServiceResult, directory: Path, fmt: str, profile: Profile | None = None, *,
                  owner: Ownership | None = None, source_root: Path | None = None, cache: EmitCache | None = None,
                  profile_json: str = "", learned_into: set[str] | None = None,
                  emitted: Emitted | None = None) -> Path:
    """directory/<service>/ gets the service's files; with `owner`, only where the record allows. With
    `cache`, the files come from it when unchanged (emit_service); `learned_into` gets what the scrubber
    learned from the service (for the estate pages' scrubber). `emitted`: the files, emitted already
    (emit_pool.py)."""
    target = directory / result.name
    if emitted is None:
        emitted = emit_service(result, fmt, profile, source_root, cache, profile_json)
    files = emitted.files
    if learned_into is not None:
        learned_into |= emitted.known
    if owner is None:
        write_tree(target, files)
    else:
        owner.write_service(target, files)
    return target


def emit_service(result: ServiceResult, fmt: str, profile: Profile | None, source_root: Path | None,
                 cache: EmitCache | None = None, profile_json: str = "") -> Emitted:
    """A service's files and what the scrubber learned from it: from `cache` when nothing they depend on
    changed since a run stored them, else serialized and scrubbed (and stored)."""
    digest, hit = cached_service(result, fmt, profile, source_root, cache, profile_json)
    if hit is not None:
        return hit
    return emit_fresh(result, fmt, profile, source_root, cache, digest, learned([result]))


def cached_service(result: ServiceResult, fmt: str, profile: Profile | None, source_root: Path | None,
                   cache: EmitCache | None, profile_json: str) -> tuple[bytes | None, Emitted | None]:
    """The service's cache digest (None without `cache`, or when it cannot be taken) and its cached files."""
    digest = fingerprint(result, fmt, profile, source_root, profile_json) if cache is not None else None
    return digest, cache.load(digest) if cache is not None and digest is not None else None


def emit_fresh(result: ServiceResult, fmt: str, profile: Profile | None, source_root: Path | None,
               cache: EmitCache | None, digest: bytes | None, known: set[str]) -> Emitted:
    """The service's files serialized and scrubbed (`known`: what the scrubber learns from `result`, taken
    already: learned()), stored in `cache` under `digest`."""
    emitted = Emitted(service_files(result, fmt, profile, source_root, known), known)
    if cache is not None and digest is not None:
        cache.store(digest, emitted)
    return emitted


def _write(path: Path, text: str, owner: Ownership | None) -> None:
    if owner is None:
        write_file(path, text)
    else:
        owner.write_file(path, text)


def _write_pieces(path: Path, pieces: Iterable[str], owner: Ownership | None) -> str:
    return write_pieces(path, pieces) if owner is None else owner.write_pieces(path, pieces)


def estate_report(output: Path, written: list[tuple[ServiceResult, Path, Profile | None]], root: Path | None,
                  run: dict[str, str], not_converted: list[tuple[Path, str]] | None = None) -> dict:
    """The report.json document of services written (or printed) under `output` (each with its directory
    and profile); jobspec paths are shown relative to `root` (the repository, see repo_root)."""
    services = [review.ServiceReview(result, (directory / result.name).relative_to(output).as_posix(),
                                     review.relative(result.source, root),
                                     review.review_rows(result, profile.verdict if profile else None),
                                     profile.cluster_domain if profile else "cluster.local")
                for result, directory, profile in written]
    return review.build(services, run, root, not_converted)


Pages = list[tuple[str, Iterable[str]]]  # the estate pages: file name -> text in pieces


SummaryPlan = tuple[bytes | None, bool]  # the pages' cache digest, and whether the pages on disk are kept


def plan_summary(output: Path, report: dict, owner: Ownership | None, known: set[str] | None,
                 cache: EmitCache | None) -> SummaryPlan:
    """With `cache`: the pages' digest, and True when the files on disk still hold the pages a run stored
    for it (then recorded as written, and nothing is rendered or written)."""
    digest = summary_fingerprint(report, known) if cache is not None and known is not None else None
    hit = cache.load(digest) if cache is not None and digest is not None else None
    # The entry holds the pages' digests only (an estate's pages are large).
    kept = hit is not None and owner is not None and owner.keep_files({output / n: d for n, d in hit.files.items()})
    return digest, kept


def write_summary(output: Path, written: list[tuple[ServiceResult, Path]], report: dict | None = None,
                  owner: Ownership | None = None, known: set[str] | None = None,
                  cache: EmitCache | None = None, render: Callable[[dict], Pages] | None = None,
                  plan: SummaryPlan | None = None) -> dict:
    """The estate's review for the services written under `output`: report.json, estate.json (its `graph`,
    nomad2k8s/estate_graph.py), report.html (with the code catalogue it links to, CODES.md) and SUMMARY.md
    (the agenda). `known`: what the scrubber learned from the services already (each one's, united); with
    `cache`, the pages come from it when the report and those values are the same as a run's that stored them.
    `render`: how the pages are made from the report (default: estate_pages here; emit_pool.py: in a worker);
    `plan`: plan_summary's answer, taken already."""
    from .ledger.codes import render_markdown

    if report is None:
        report = estate_report(output, [(r, d, None) for r, d in written], None,
                               {"source": ".", "profile": "vanilla", "format": "yaml"})
    digest, kept = plan if plan is not None else plan_summary(output, report, owner, known, cache)
    if kept:
        _write(output / "CODES.md", render_markdown(), owner)
        return report
    pages = render(report) if render is not None else estate_pages([r for r, _ in written], report, known)
    # Page by page, each written as it is made: an estate's report.json and report.html are large.
    digests = {name: _write_pieces(output / name, pieces, owner) for name, pieces in pages}
    if cache is not None and digest is not None:
        cache.store(digest, Emitted(digests, set()))
    _write(output / "CODES.md", render_markdown(), owner)
    return report


def estate_pages(results: list[ServiceResult], report: dict, known: set[str] | None) -> Pages:
    """report.json, estate.json, SUMMARY.md and report.html, scrubbed; each page's pieces are made as they
    are consumed (so a page is never held whole)."""
    from .report import html

    scrubber = scrubber_for(results, known)  # the pages quote rows
    cleaned: list[Any] = []  # the scrubbed report, made by report.json's pieces, read by report.html's (after)

    def report_json() -> Iterator[str]:
        cleaned.append(scrubber.clean(report))
        yield from json_text.pieces(cleaned[0])
        yield "\n"

    def report_html() -> Iterator[str]:
        # Rendered from the scrubbed data, not scrubbed as text: its CSP hashes look like tokens. The data
        # itself when json.loads would give it back unchanged (else that round trip).
        data = cleaned[0]
        if not json_text.json_native(data):
            data = json.loads(json_text.dumps(data))
        yield from html.render_pieces(data, codes_href="CODES.md")

    return [("report.json", report_json()),
            ("estate.json", _made(lambda: json_text.dumps(scrubber.clean(report.get("graph", {}))) + "\n")),
            ("SUMMARY.md", _made(lambda: scrubber.file("SUMMARY.md", summary.render(report)))),
            ("report.html", report_html())]


def _made(make: Callable[[], str]) -> Iterator[str]:
    yield make()


def write_estate(output: Path, services: list[tuple[Path, list[dict[str, Any]]]], fmt: str,
                 owner: Ownership | None = None) -> list[str]:
    """output/kustomization.yaml over every service directory; returns the warnings (directories left out)."""
    text, warnings = estate.kustomization(output, services, fmt)
    if text is not None:
        _write(output / "kustomization.yaml", text, owner)
    return warnings


def write_root_module(output: Path, services: list[Path], owner: Ownership | None = None) -> None:
    """With several service modules under `output`, output/main.tf wires them all (source = "./<path>")."""
    taken: set[str] = set()
    modules = []
    for path in sorted(services, key=lambda p: p.relative_to(output).as_posix()):
        rel = path.relative_to(output)
        modules.append((terraform.module_name(path.name, taken, prefix=rel.parent.as_posix()), f"./{rel.as_posix()}"))
    _write(output / "main.tf", terraform.root_module(modules), owner)


def stdout_refusal(results: list[ServiceResult], fmt: str) -> str | None:
    """Why stdout cannot hold this run completely (the CLI prints it and exits 2), or None. Several Terraform
    modules do not make one configuration (each declares var.namespace, the providers...)."""
    if fmt != "terraform" or len(results) == 1:
        return None
    return (f"--format terraform prints one service's configuration to stdout, and this run has {len(results)} "
            f"({', '.join(r.name for r in results)}); use --output DIR (one module per service, and DIR/main.tf "
            "wiring them)")


def stdout_text(results: list[ServiceResult], fmt: str, profile: Profile | None = None) -> str:
    """Every object, complete: YAML documents, one JSON List, or one self-contained Terraform configuration
    (the service's module files one after the other: resources, variables, outputs, providers)."""
    suffix = {"terraform": "tf", "json": "json"}.get(fmt, "yaml")
    return scrub_files({f"stdout.{suffix}": _stdout_text(results, fmt, profile)}, results)[f"stdout.{suffix}"]


def _stdout_text(results: list[ServiceResult], fmt: str, profile: Profile | None = None) -> str:
    if fmt == "terraform":
        if len(results) != 1:
            raise ValueError(stdout_refusal(results, fmt))
        files = terraform.module_files(results[0].objects, profile)
        return "\n".join(f"# ---- {name}\n{text}" for name, text in files.items())
    objects = [o for r in results for o in r.objects]
    if fmt == "json":
        return yaml_out.dump_json(objects)
    return yaml_out.dump_documents(objects)
