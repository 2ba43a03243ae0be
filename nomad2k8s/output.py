"""Where converted services go: stdout, or one directory per service."""

from __future__ import annotations

import json
from pathlib import Path

from .convert import ServiceResult
from .emit import bundle, terraform, yaml_out
from .emit.files import write_file, write_tree
from .profile import Profile
from .report import markdown, summary
from .secrets.scrub import scrub_files


def service_files(result: ServiceResult, fmt: str, profile: Profile | None = None) -> dict[str, str]:
    if fmt == "terraform":
        files = terraform.module_files(result.objects, profile)
        object_names = list(files)
    else:
        files = bundle.manifest_files(result.objects, fmt)
        object_names = [n for n in files if n != "kustomization.yaml"]
    files["MIGRATION.md"] = markdown.render(result.name, result.source.as_posix(), result.ledger.entries,
                                            object_names)
    files["ledger.json"] = json.dumps([e.as_dict() for e in result.ledger.entries], indent=2,
                                      ensure_ascii=False) + "\n"
    return scrub_files(files, [result])  # the one secret boundary of a service's files


def write_service(result: ServiceResult, directory: Path, fmt: str, profile: Profile | None = None) -> Path:
    target = directory / result.name
    write_tree(target, service_files(result, fmt, profile))
    return target


def write_summary(output: Path, written: list[tuple[ServiceResult, Path]]) -> None:
    """output/SUMMARY.md: one row per service written under `output` (its directory given)."""
    rows = [((directory / result.name / "MIGRATION.md").relative_to(output).as_posix(), result.source.as_posix(),
             len(result.objects), result.ledger.entries) for result, directory in written]
    text = scrub_files({"SUMMARY.md": summary.render(rows)}, [result for result, _ in written])["SUMMARY.md"]
    write_file(output / "SUMMARY.md", text)


def write_root_module(output: Path, services: list[Path]) -> None:
    """With several service modules under `output`, output/main.tf wires them all (source = "./<path>")."""
    taken: set[str] = set()
    modules = []
    for path in sorted(services, key=lambda p: p.relative_to(output).as_posix()):
        rel = path.relative_to(output)
        modules.append((terraform.module_name(path.name, taken, prefix=rel.parent.as_posix()), f"./{rel.as_posix()}"))
    write_file(output / "main.tf", terraform.root_module(modules))


def stdout_text(results: list[ServiceResult], fmt: str, profile: Profile | None = None) -> str:
    suffix = {"terraform": "tf", "json": "json"}.get(fmt, "yaml")
    return scrub_files({f"stdout.{suffix}": _stdout_text(results, fmt, profile)}, results)[f"stdout.{suffix}"]


def _stdout_text(results: list[ServiceResult], fmt: str, profile: Profile | None = None) -> str:
    if fmt == "terraform":
        texts = [terraform.module_files(r.objects, profile).get("main.tf", "") for r in results]
        if len(results) == 1:
            return texts[0]
        return "\n".join(f"# ---- {r.name}/main.tf\n{t}" for r, t in zip(results, texts))
    objects = [o for r in results for o in r.objects]
    if fmt == "json":
        return yaml_out.dump_json(objects)
    return yaml_out.dump_documents(objects)
