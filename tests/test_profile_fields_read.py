"""Every profile field must be read somewhere in the package: a field nobody reads is a
setting an operator changes without effect. The check is textual: a field `section.field`
counts as read when a module outside profile*.py writes `profile.section.field`, or binds
`profile.section` (or a `SectionSettings` parameter) to a name and reads `name.field`.
Top-level fields count when `profile.field` appears."""

from __future__ import annotations

import ast
import re
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
    owner = node.value
    return (isinstance(owner, ast.Attribute) and owner.attr == "profile") or (
        isinstance(owner, ast.Name) and owner.id == "profile")


def _aliases(text: str, section: str, model: type[BaseModel]) -> set[str]:
    """Names bound to the section in one module: `x = ...profile.section` (also inside a tuple
    assignment) or a parameter annotated with the section's model."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (zip(target.elts, node.value.elts) if isinstance(target, ast.Tuple)
                         and isinstance(node.value, ast.Tuple) else [(target, node.value)])
                names |= {t.id for t, v in pairs if isinstance(t, ast.Name) and _is_section(v, section)}
        elif isinstance(node, ast.arg) and node.annotation is not None:
            if model.__name__ in ast.unparse(node.annotation):
                names.add(node.arg)
    return names


def _section_fields() -> list[tuple[str, str, type[BaseModel] | None]]:
    out: list[tuple[str, str, type[BaseModel] | None]] = []
    for section, info in Profile.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            out += [(section, name, model) for name in model.model_fields]
        else:
            out.append((section, "", None))
    return out


def _is_read(section: str, name: str, model: type[BaseModel] | None, sources: dict[Path, str]) -> bool:
    for text in sources.values():
        if model is None:
            if re.search(rf"\bprofile\.{section}\b", text):
                return True
            continue
        if re.search(rf"\bprofile\.{section}\.{name}\b", text):
            return True
        for alias in _aliases(text, section, model):
            if re.search(rf"\b{re.escape(alias)}\.{name}\b", text):
                return True
    return False


def test_every_profile_field_is_read() -> None:
    sources = _sources()
    unread = [f"{s}.{n}" if n else s for s, n, m in _section_fields()
              if (f"{s}.{n}" if n else s) not in DOCUMENTATION_ONLY and not _is_read(s, n, m, sources)]
    assert unread == [], f"profile fields never read in nomad2k8s/: {unread}"


def test_allow_list_names_real_fields() -> None:
    known = {f"{s}.{n}" if n else s for s, n, _ in _section_fields()}
    assert set(DOCUMENTATION_ONLY) <= known


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
