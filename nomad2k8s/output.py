"""Where converted services go: stdout, or one directory per service."""

from __future__ import annotations

import json
from pathlib import Path

from .convert import ServiceResult
from .emit import bundle, terraform, yaml_out
from .emit.files import write_file, write_tree
from .profile import Profile
from .report import markdown, summary
from .review import report as review


def service_files(result: ServiceResult, fmt: str, profile: Profile | None = None) -> dict[str, str]:
    if fmt == "terraform":
        files = terraform.module_files(result.objects, profile)
        object_names = list(files)
    else:
        files = bundle.manifest_files(result.objects, fmt)
        object_names = [n for n in files if n != "kustomization.yaml"]
    rows = review.review_rows(result, profile.verdict if profile else None)
    files["MIGRATION.md"] = markdown.render(result.name, result.source.as_posix(), rows, object_names)
    files["ledger.json"] = json.dumps([e.as_dict() for e in result.ledger.entries], indent=2,
                                      ensure_ascii=False) + "\n"
    return files


def write_service(result: ServiceResult, directory: Path, fmt: str, profile: Profile | None = None) -> Path:
    target = directory / result.name
    write_tree(target, service_files(result, fmt, profile))
    return target


def estate_report(output: Path, written: list[tuple[ServiceResult, Path, Profile | None]], root: Path | None,
                  run: dict[str, str]) -> dict:
    """The report.json document of services written (or printed) under `output` (each with its directory
    and profile); jobspec paths are shown relative to `root`, the converted directory."""
    services = [review.ServiceReview(result, (directory / result.name).relative_to(output).as_posix(),
                                     review.relative(result.source, root),
                                     review.review_rows(result, profile.verdict if profile else None),
                                     profile.cluster_domain if profile else "cluster.local")
                for result, directory, profile in written]
    return review.build(services, run, root)


def write_summary(output: Path, written: list[tuple[ServiceResult, Path]], report: dict | None = None) -> dict:
    """output/report.json and output/SUMMARY.md (its agenda) for the services written under `output`."""
    if report is None:
        report = estate_report(output, [(r, d, None) for r, d in written], None,
                               {"source": ".", "profile": "vanilla", "format": "yaml"})
    write_file(output / "report.json", json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    write_file(output / "SUMMARY.md", summary.render(report))
    return report


def write_root_module(output: Path, services: list[Path]) -> None:
    """With several service modules under `output`, output/main.tf wires them all (source = "./<path>")."""
    taken: set[str] = set()
    modules = []
    for path in sorted(services, key=lambda p: p.relative_to(output).as_posix()):
        rel = path.relative_to(output)
        modules.append((terraform.module_name(path.name, taken, prefix=rel.parent.as_posix()), f"./{rel.as_posix()}"))
    write_file(output / "main.tf", terraform.root_module(modules))


def stdout_text(results: list[ServiceResult], fmt: str, profile: Profile | None = None) -> str:
    if fmt == "terraform":
        texts = [terraform.module_files(r.objects, profile).get("main.tf", "") for r in results]
        if len(results) == 1:
            return texts[0]
        return "\n".join(f"# ---- {r.name}/main.tf\n{t}" for r, t in zip(results, texts))
    objects = [o for r in results for o in r.objects]
    if fmt == "json":
        return yaml_out.dump_json(objects)
    return yaml_out.dump_documents(objects)
