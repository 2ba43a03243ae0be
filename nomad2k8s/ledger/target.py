"""Where a ledger entry's setting went in Kubernetes, as data rather than text.

Later passes (podcleanup, lifecycle, autoscaling, served) ask "which volume / object / container does
this row name?" and re-point rows; they read the Target, never the rendered text. The text the
reports print is rendered from it, in the same words the mappers used to write by hand.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterator


@dataclass(frozen=True, slots=True)
class Target:
    """`kind` is an API kind ("Deployment", "HorizontalPodAutoscaler") or a pod part in lower case
    ("volume", "hostPath"); `name` the object's or part's name; `container` a container of that
    workload; `field` the rest of the description (a field and its value, free words); `into` where
    the object itself lands (a ConfigMap key -> the container that mounts it)."""

    kind: str
    name: str = ""
    container: str | None = None
    field: str | None = None
    into: Target | None = None

    def render(self) -> str:
        # API kinds read "Kind/name", pod parts "volume name" (as the reports always printed them).
        sep = " " if self.kind[:1].islower() else "/"
        text = f"{self.kind}{sep}{self.name}" if self.name else self.kind
        if self.container is not None:
            text += f" container {self.container}"
        if self.field:
            text += f" {self.field}"
        if self.into is not None:
            text += f" -> {self.into.render()}"
        return text

    def at(self, words: str) -> Target:
        """The same target, one field further ("... readOnly: true")."""
        return dataclasses.replace(self, field=f"{self.field} {words}" if self.field else words)

    @property
    def container_name(self) -> str | None:
        """The container this target names: its `container`, or its name when it is a bare container."""
        return self.container if self.container is not None else self.name if self.kind == "container" else None

    def parts(self) -> tuple[Target, ...]:
        return (self,)

    def chain(self) -> Iterator[Target]:
        """This target and every target it lands in."""
        here: Target | None = self
        while here is not None:
            yield here
            here = here.into

    def names_container(self, name: str) -> bool:
        return any(t.container_name == name for t in self.chain())

    def with_container(self, old: str, new: str) -> Target:
        """The same target with container `old` (anywhere in the chain) replaced by `new`."""
        into = self.into.with_container(old, new) if self.into is not None else None
        if self.kind == "container" and self.name == old:
            return dataclasses.replace(self, name=new, into=into)
        container = new if self.container == old else self.container
        return dataclasses.replace(self, container=container, into=into)


@dataclass(frozen=True, slots=True)
class Targets:
    """Several targets of one entry (the mounts of a `volumes` list, the objects of a tag list)."""

    items: tuple[Target, ...]
    sep: str = "; "

    def render(self) -> str:
        return self.sep.join(t.render() for t in self.items)

    def parts(self) -> tuple[Target, ...]:
        return self.items

    def names_container(self, name: str) -> bool:
        return any(t.names_container(name) for t in self.items)

    def with_container(self, old: str, new: str) -> Targets:
        return Targets(tuple(t.with_container(old, new) for t in self.items), self.sep)


def container_of(kind: str, workload: str, container: str, field: str | None = None) -> Target:
    """A container of a workload: `Deployment/web container app [field]`."""
    return Target(kind, workload, container=container, field=field)
