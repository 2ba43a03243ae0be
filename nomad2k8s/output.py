"""Where converted services go: stdout, or one directory per service."""

from __future__ import annotations

import json
from pathlib import Path

from .convert import ServiceResult
from .emit import bundle, yaml_out
from .emit.files import write_tree
from .report import markdown


def service_files(result: ServiceResult, fmt: str) -> dict[str, str]:
    files = bundle.manifest_files(result.objects, fmt)
    object_names = [n for n in files if n != "kustomization.yaml"]
    files["MIGRATION.md"] = markdown.render(result.name, result.source.as_posix(), result.ledger.entries,
                                            object_names)
    files["ledger.json"] = json.dumps([e.as_dict() for e in result.ledger.entries], indent=2,
                                      ensure_ascii=False) + "\n"
    return files


def write_service(result: ServiceResult, directory: Path, fmt: str) -> Path:
    target = directory / result.name
    write_tree(target, service_files(result, fmt))
    return target


def stdout_text(results: list[ServiceResult], fmt: str) -> str:
    objects = [o for r in results for o in r.objects]
    if fmt == "json":
        return yaml_out.dump_json(objects)
    return yaml_out.dump_documents(objects)
