"""Templated jobspecs rendered before parsing: nomad-pack packs and Levant files (`[[ ]]` Go templates)."""

from .render import Rendered, render_templated

__all__ = ["Rendered", "render_templated"]
