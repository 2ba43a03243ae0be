"""`nomad2k8s init`: a commented starter nomad2k8s.yaml generated from the Profile model, so
the comments are the field descriptions and never drift from the code.

Layout: `## ` lines are prose; `# key: value` lines are settings at their current value,
commented out so the file changes nothing until a line is uncommented (removing one `# `
from every setting line gives a valid profile equal to the base).
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml
from pydantic import BaseModel

from .profile import Profile
from .profile_load import CONFIG_NAME, _section, allowed_values, builtin_names

WIDTH = 100


def _value(name: str, value: Any) -> str:
    # Dumped inside a one-item flow list so scalars, lists and maps all come out on one line.
    flow = yaml.safe_dump([value], default_flow_style=True, sort_keys=False, width=1000).strip()
    return f"{name}: {flow[1:-1]}"


def _describe(indent: str, text: str, allowed: list[str]) -> list[str]:
    if allowed:
        text = f"{text} One of: {', '.join(allowed)}."
    if not indent:  # a top-level setting reads like a section: blank line, prose
        return ["", *(f"## {line}" for line in textwrap.wrap(text, WIDTH - 3))]
    return [f"# {indent}## {line}" for line in textwrap.wrap(text, WIDTH - len(indent) - 5)]


def _fields(model: BaseModel, indent: str) -> list[str]:
    lines: list[str] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        section = _section(field.annotation)
        if section is not None:
            lines.append("")
            lines += [f"## {line}" for line in textwrap.wrap(field.description or name, WIDTH - 3)]
            lines.append(f"# {name}:")
            lines += _fields(value, indent + "  ")
            continue
        lines += _describe(indent, field.description or name, allowed_values(field.annotation))
        lines.append(f"# {indent}{_value(name, value if not isinstance(value, BaseModel) else value.model_dump())}")
    return lines


def starter_yaml(base: str = "vanilla", profile: Profile | None = None) -> str:
    """The starter file; commented values are those of `profile` (the base by default)."""
    profile = profile or Profile()
    header = [
        f"## {CONFIG_NAME}: nomad2k8s site settings for every jobspec in this directory and below",
        "## (the nearest one wins; the search stops at the repository root).",
        "## Precedence: built-in defaults < --profile < this file < --set dotted.key=value.",
        "## Uncomment a setting to change it; `nomad2k8s profile show PATH` prints the result.",
        "",
        f"## Base profile: a built-in name ({', '.join(builtin_names())}) or a YAML file path",
        "## relative to this file. The settings below override it.",
        f"profile: {base}",
    ]
    return "\n".join(header + _fields(profile, "")) + "\n"
