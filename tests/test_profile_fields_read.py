"""Every profile field must be read somewhere in the package: a field nobody reads is a
setting an operator changes without effect. The check walks the syntax tree of every module of the
package (sub-packages included) outside profile*.py: a field `section.field` counts as read on an
attribute access `profile.section.field`, or `name.field` where `name` is bound to `profile.section`
(or is a parameter annotated with the section's model). Top-level fields count on `profile.field`.
Comments and strings are not reads."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

import nomad2k8s
from nomad2k8s.profile import Profile

PACKAGE = Path(nomad2k8s.__file__).resolve().parent

# Fields that are deliberately documentation only (never read by a mapper). Each needs a
# comment saying why; keep this empty unless a field really is informational.
DOCUMENTATION_ONLY: dict[str, str] = {}


def _sources() -> dict[Path, str]:
    return {p: p.read_text() for p in sorted(PACKAGE.rglob("*.py")) if not p.name.startswith("profile")}


def _is_section(node: ast.expr, section: str) -> bool:
    """`<anything>.profile.section` or `profile.section`."""
    if not (isinstance(node, ast.Attribute) and node.attr == section):
        return False
    return _is_profile(node.value)


@lru_cache(maxsize=None)
def _aliases(text: str, section: str, model: type[BaseModel]) -> frozenset[str]:
    """Names bound to the section in one module: `x = ...profile.section` (also inside a tuple
    assignment) or a parameter annotated with the section's model."""
    names: set[str] = set()
    for node in ast.walk(_tree(text)):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (zip(target.elts, node.value.elts) if isinstance(target, ast.Tuple)
                         and isinstance(node.value, ast.Tuple) else [(target, node.value)])
                names |= {t.id for t, v in pairs if isinstance(t, ast.Name) and _is_section(v, section)}
        elif isinstance(node, ast.arg) and node.annotation is not None:
            if model.__name__ in ast.unparse(node.annotation):
                names.add(node.arg)
    return frozenset(names)


def _section_fields() -> list[tuple[str, str, type[BaseModel] | None]]:
    out: list[tuple[str, str, type[BaseModel] | None]] = []
    for section, info in Profile.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            out += [(section, name, model) for name in model.model_fields]
        else:
            out.append((section, "", None))
    return out


def _is_section_attr(node: ast.AST, section: str, name: str) -> bool:
    """`...profile.section.name`."""
    return isinstance(node, ast.Attribute) and node.attr == name and _is_section(node.value, section)


def _is_read(section: str, name: str, model: type[BaseModel] | None, sources: dict[Path, str]) -> bool:
    """An attribute access in the syntax tree reads the field; comments and strings never count."""
    for text in sources.values():
        attributes = _attributes(text)
        if model is None:
            if any(n.attr == section and _is_profile(n.value) for n in attributes):
                return True
            continue
        aliases = _aliases(text, section, model)
        for node in attributes:
            if _is_section_attr(node, section, name):
                return True
            if node.attr == name and isinstance(node.value, ast.Name) and node.value.id in aliases:
                return True
    return False


@lru_cache(maxsize=None)
def _tree(text: str) -> ast.Module:
    return ast.parse(text)


@lru_cache(maxsize=None)
def _attributes(text: str) -> tuple[ast.Attribute, ...]:
    return tuple(n for n in ast.walk(_tree(text)) if isinstance(n, ast.Attribute))


def _is_profile(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "profile") or (
        isinstance(node, ast.Name) and node.id == "profile")


def test_every_profile_field_is_read() -> None:
    sources = _sources()
    unread = [f"{s}.{n}" if n else s for s, n, m in _section_fields()
              if (f"{s}.{n}" if n else s) not in DOCUMENTATION_ONLY and not _is_read(s, n, m, sources)]
    assert unread == [], f"profile fields never read in nomad2k8s/: {unread}"


def _allow_list_problems(allowed: dict[str, str], sources: dict[Path, str]) -> list[str]:
    """Entries naming no profile field, or a field that is read after all (the entry is stale)."""
    fields = {(f"{s}.{n}" if n else s): (s, n, m) for s, n, m in _section_fields()}
    problems = [f"{key}: not a profile field" for key in allowed if key not in fields]
    problems += [f"{key}: is read, drop it from DOCUMENTATION_ONLY" for key in allowed
                 if key in fields and _is_read(*fields[key], sources)]
    return problems


def test_allow_list_names_real_unread_fields() -> None:
    assert _allow_list_problems(DOCUMENTATION_ONLY, _sources()) == []


def test_allow_list_check_catches_a_bad_entry() -> None:
    """Guard: with DOCUMENTATION_ONLY empty the check above is vacuous, so feed it entries that must fail."""
    section, name, _ = next(f for f in _section_fields() if f[1])
    problems = _allow_list_problems({"no_such_section.field": "x", f"{section}.{name}": "x"}, _sources())
    assert problems == ["no_such_section.field: not a profile field",
                        f"{section}.{name}: is read, drop it from DOCUMENTATION_ONLY"]


def test_the_check_catches_an_unread_field() -> None:
    # Guard against a matcher so loose that everything counts as read.
    class Probe(BaseModel):
        wired: int = 0
        never_read_anywhere: int = 0

    text = "settings = gctx.profile.probe\nvalue = settings.wired\n"
    sources = {Path("m.py"): text}
    assert _is_read("probe", "wired", Probe, sources)
    assert _is_read("probe", "wired", Probe, {Path("t.py"): "a, s = 1, ctx.profile.probe\ns.wired\n"})
    assert _is_read("probe", "wired", Probe, {Path("p.py"): "def f(p: Probe):\n    return p.wired\n"})
    assert not _is_read("probe", "never_read_anywhere", Probe, sources)
    assert not _is_read("other", "wired", Probe, sources)
    # comments and strings are not reads (the old textual check counted them)
    assert not _is_read("probe", "wired", Probe, {Path("c.py"): "# uses gctx.profile.probe.wired\n"})
    assert not _is_read("probe", "wired", Probe, {Path("s.py"): "HELP = 'set profile.probe.wired'\n"})
    assert not _is_read("probe", "", None, {Path("d.py"): '"""reads profile.probe"""\n'})
    assert _is_read("probe", "", None, {Path("e.py"): "x = ctx.profile.probe\n"})


def test_the_check_reads_sub_packages() -> None:
    """Guard: mapping/ has sub-packages; a module two levels down is among the sources."""
    assert any(len(p.relative_to(PACKAGE).parts) >= 3 for p in _sources())
