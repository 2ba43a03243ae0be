"""Where a ledger entry's setting went in Kubernetes, as data rather than text.

Later passes (podcleanup, lifecycle, autoscaling, served) ask "which volume / object does this
row name?" and re-point rows; they read the Target, never the rendered text. The text the
reports print is rendered from it, in the same words the mappers used to write by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """`kind` is an API kind ("Deployment", "HorizontalPodAutoscaler") or a pod part in lower case
    ("volume"); `name` the object's or part's name; `container` a container of that workload;
    `field` the rest of the description (a field and its value, free words)."""

    kind: str
    name: str = ""
    container: str | None = None
    field: str | None = None

    def render(self) -> str:
        # API kinds read "Kind/name", pod parts "volume name" (as the reports always printed them).
        sep = " " if self.kind[:1].islower() else "/"
        text = f"{self.kind}{sep}{self.name}" if self.name else self.kind
        if self.container is not None:
            text += f" container {self.container}"
        if self.field:
            text += f" {self.field}"
        return text
