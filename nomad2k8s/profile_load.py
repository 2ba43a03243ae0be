"""Where the effective profile comes from, lowest precedence first:

1. the built-in defaults (`Profile()`, spelled out in mappings/vanilla.yaml);
2. `--profile NAME|FILE` (a name in mappings/ or a YAML file);
3. the `nomad2k8s.yaml` nearest to the jobspec (its directory, then its parents, stopping at
   the directory holding `.git` or at the filesystem root);
4. `--set dotted.key=value` (repeatable; the value is parsed as YAML).

Any profile file (named, --profile, discovered) may start from another one with a top-level
`profile: NAME|FILE` key (a path is relative to the file); its own keys then override that
base. Layers merge key by key, so maps such as `labels` add up.

YAML is read with YAML 1.2 booleans (only true/false), so `update_mode: Off` stays a string.
Errors are ProfileError: one bullet per problem with the dotted path, the offending value,
the allowed values, and for an unknown key the closest valid one.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import fileaccess, nesting
from .errors import ConversionError
from .parse.discover import CONFIG_NAME  # defined with the file discovery: light for the CLI's help
from .profile import MAPPINGS_DIR, Profile

BASE_KEY = "profile"


class ProfileError(ConversionError):
    """Invalid site settings: a usage error (exit 2), printed as bullets."""

    def __init__(self, source: str, bullets: list[str]) -> None:
        super().__init__(f"invalid profile ({source})")
        self.source = source
        self.bullets = bullets

    def __str__(self) -> str:
        return "\n".join([f"error: invalid profile ({self.source}):", *(f"  - {b}" for b in self.bullets)])


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: `Off`, `on`, `yes` stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def load_yaml(text: str) -> Any:
    with nesting.yaml_guard(None):
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


# ---- model introspection -------------------------------------------------------------

def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _section(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _is_map(annotation: Any) -> bool:
    return get_origin(_unwrap(annotation)) in (dict, typing.Dict)


def allowed_values(annotation: Any) -> list[str]:
    """Spelled-out choices for a field: Literal members, booleans, null when optional."""
    out: list[str] = []
    args = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)
    for arg in args:
        if get_origin(arg) is Literal:
            out += [str(a) for a in get_args(arg)]
        elif arg is bool:
            out += ["true", "false"]
        elif arg is type(None) and out:
            out.append("null")
    return out


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The section model that holds the last element of `loc`."""
    model: type[BaseModel] | None = Profile
    for part in loc[:-1]:
        field = model.model_fields.get(str(part)) if model else None
        model = _section(field.annotation) if field else None
        if model is None:
            return None
    return model


def _suggest(name: str, choices: list[str], prefix: tuple[Any, ...] = ()) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    if close:
        return f"; did you mean {'.'.join([*map(str, prefix), close[0]])}?"
    return f"; valid keys: {', '.join(choices)}"


def _bullet(err: ErrorDetails, top_level_extra: tuple[str, ...] = ()) -> str:
    loc = tuple(err["loc"])
    path = ".".join(str(p) for p in loc)
    value = err.get("input")
    model = _model_at(loc)
    if err["type"] == "extra_forbidden":
        choices = list(model.model_fields) + (list(top_level_extra) if len(loc) == 1 else []) if model else []
        return f"{path}: unknown key{_suggest(str(loc[-1]), choices, loc[:-1])}"
    field = model.model_fields.get(str(loc[-1])) if model else None
    allowed = allowed_values(field.annotation) if field else []
    if allowed:
        return f"{path}: {value!r} is not allowed; allowed: {', '.join(allowed)}"
    return f"{path}: {value!r}: {err['msg']}"


def validate_layer(source: str, data: Any, top_level_extra: tuple[str, ...] = ()) -> Profile:
    if not isinstance(data, dict):
        raise ProfileError(source, [f"expected a mapping of settings, got {type(data).__name__}"])
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(source, [_bullet(e, top_level_extra) for e in exc.errors()]) from None


# ---- sources -------------------------------------------------------------------------

def builtin_names() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


def _locate(name_or_path: str, relative_to: Path | None) -> Path:
    for candidate in ([relative_to / name_or_path] if relative_to else []) + [Path(name_or_path)]:
        if candidate.is_file():
            return candidate
    builtin = MAPPINGS_DIR / f"{name_or_path}.yaml"
    if builtin.is_file():
        return builtin
    names = builtin_names()
    ranked = difflib.get_close_matches(name_or_path, names, n=len(names), cutoff=0) or names
    raise ProfileError(name_or_path, [f"no such profile file or built-in profile {name_or_path!r}; "
                                      f"built-in: {', '.join(ranked)}"])


def file_layers(name_or_path: str, relative_to: Path | None = None,
                _seen: tuple[Path, ...] = ()) -> list[tuple[str, dict[str, Any]]]:
    """(source, data) layers of a profile file, its `profile:` base chain first."""
    path = _locate(name_or_path, relative_to).resolve()
    source = str(path) if path.parent != MAPPINGS_DIR.resolve() else f"built-in profile {path.stem}"
    if path in _seen:
        raise ProfileError(source, [f"{BASE_KEY}: circular base profile chain through {path}"])
    try:
        data = load_yaml(fileaccess.read_operator_text(path, "profile file")) or {}
    except ConversionError as exc:  # unreadable, too large, not UTF-8
        raise ProfileError(source, [exc.message]) from None
    except yaml.YAMLError as exc:
        raise ProfileError(source, [f"not valid YAML: {' '.join(str(exc).split())}"]) from None
    if not isinstance(data, dict):
        raise ProfileError(source, [f"expected a mapping of settings, got {type(data).__name__}"])
    data = dict(data)
    base = data.pop(BASE_KEY, None)
    layers: list[tuple[str, dict[str, Any]]] = []
    if base is not None:
        if not isinstance(base, str):
            raise ProfileError(source, [f"{BASE_KEY}: {base!r} is not a profile name or file"])
        layers += file_layers(base, path.parent, (*_seen, path))
    return [*layers, (source, data)]


def discover_config(start: Path, name: str = CONFIG_NAME) -> Path | None:
    """The nearest nomad2k8s.yaml (or other `name`, e.g. the decisions file) from `start` (a jobspec or
    a directory) upwards, not past the directory that holds `.git`, nor past the filesystem root."""
    directory = (start if start.is_dir() else start.parent).resolve()
    while True:
        candidate = directory / name
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists() or directory.parent == directory:
            return None
        directory = directory.parent


def parse_set(expr: str) -> dict[str, Any]:
    """`resources.cpu_factor=0.5` -> {"resources": {"cpu_factor": 0.5}}. Keys below a map
    field (labels, hosts.map...) may contain dots: `hosts.map.a.example.com=b.example.com`."""
    source = f"--set {expr if len(expr) <= 80 else expr[:77] + '...'}"  # a huge value stays one short line
    key, sep, raw = expr.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ProfileError(source, ["expected dotted.key=value, e.g. resources.cpu_limit_policy=factor"])
    try:
        value = load_yaml(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    except ConversionError as exc:  # nested too deeply
        raise ProfileError(source, [exc.message]) from None
    parts = key.split(".")
    model: type[BaseModel] = Profile
    keys: list[str] = []
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            where = ".".join([*keys, part])
            raise ProfileError(source, [f"{where}: unknown key{_suggest(part, list(model.model_fields), tuple(keys))}"])
        keys.append(part)
        rest = parts[i + 1:]
        section = _section(field.annotation)
        if section is not None and rest:
            model = section
            continue
        if _is_map(field.annotation) and rest:
            keys.append(".".join(rest))
        elif rest:
            raise ProfileError(source, [f"{'.'.join(keys)}: is a single setting, not a section"])
        break
    out: dict[str, Any] = {}
    cursor = out
    for part in keys[:-1]:
        cursor = cursor.setdefault(part, {})
    cursor[keys[-1]] = value
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def resolve_profile(profile: str | None = None, config: Path | None = None, sets: tuple[str, ...] | list[str] = ()
                    ) -> Profile:
    """The effective profile: defaults < --profile < discovered config < --set."""
    layers: list[tuple[str, dict[str, Any]]] = []
    if profile:
        layers += file_layers(profile)
    if config is not None:
        layers += file_layers(str(config))
    layers += [(f"--set {expr}", parse_set(expr)) for expr in sets]
    merged: dict[str, Any] = {}
    for source, data in layers:
        validate_layer(source, data, (BASE_KEY,))  # blame the layer that brought the mistake
        merged = _merge(merged, data)
    return validate_layer("merged layers", merged)


def profile_yaml(profile: Profile) -> str:
    return yaml.safe_dump(profile.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=1000)
