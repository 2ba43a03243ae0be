"""Base class of the typed Nomad model.

Every node remembers its Nomad path and source line, so a mapper can say exactly which
setting it consumed (`node.path_of("image")`). Unknown keys are kept (`extra="allow"`):
they must reach the ledger as dropped, never vanish.
"""

from __future__ import annotations

import types
import typing
from typing import Any, ClassVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from . import paths
from .docker import block_map


def _block_class(annotation: Any) -> tuple[type[NomadBlock] | None, bool]:
    """(block class, is_list) for a field annotation, or (None, False) for plain values."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            cls, many = _block_class(arg)
            if cls is not None:
                return cls, many
        return None, False
    if origin in (list, typing.List):
        (inner,) = get_args(annotation) or (Any,)
        cls, _ = _block_class(inner)
        return cls, cls is not None
    if isinstance(annotation, type) and issubclass(annotation, NomadBlock):
        return annotation, False
    return None, False


def merge_maps(value: Any) -> Any:
    """`env { A = "1" }` arrives as a list of block bodies, `env = { A = "1" }` as a dict; the
    bodies are merged by docker.block_map (an attribute map is kept as written)."""
    if isinstance(value, list):
        merged = block_map(value)
        if merged is not None or not value:
            return merged or {}
    return value


class NomadBlock(BaseModel):
    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)

    # Fields that are Nomad maps (merged from repeated blocks), not nested blocks.
    MAP_FIELDS: ClassVar[frozenset[str]] = frozenset()

    label: str | None = None
    line: int | None = None

    _path: str = PrivateAttr(default="")

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if paths.LABEL_KEY in data:
            data["label"] = str(data.pop(paths.LABEL_KEY))
        if paths.LINE_KEY in data:
            data["line"] = data.pop(paths.LINE_KEY)
        for name, field in cls.model_fields.items():
            if name not in data:
                continue
            if name in cls.MAP_FIELDS:
                data[name] = merge_maps(data[name])
                continue
            block_cls, many = _block_class(field.annotation)
            if block_cls is None:
                continue
            value = data[name]
            if isinstance(value, dict):
                value = [value]
            if not many and isinstance(value, list):
                # Nomad allows one such block; a second one would be rejected by Nomad itself.
                data[name] = value[0] if value else None
        return data

    @field_validator("*", mode="wrap")
    @classmethod
    def _lenient(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        """Real jobspecs put numbers where strings belong (`perms = 0644`) and unresolved
        `${var.x}` text where lists belong. Never reject them: keep what can be kept and let
        the mapper and the ledger say what happened."""
        try:
            return handler(value)
        except ValidationError:
            if info.field_name is None:  # a field validator always has a field name; be explicit for the checker
                raise
            annotation = cls.model_fields[info.field_name].annotation
            block_cls, many = _block_class(annotation)
            if block_cls is not None:
                return [] if many else None  # the raw leaves still reach the ledger's catch-all
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                try:
                    return handler(str(value))
                except ValidationError:
                    pass
            if not isinstance(value, list) and "list" in str(annotation):
                try:
                    return handler([value])
                except ValidationError:
                    pass
            return value

    @property
    def nomad_path(self) -> str:
        return self._path

    def path_of(self, field: str) -> str:
        return paths.join(self._path, field)

    def is_set(self, field: str) -> bool:
        return field in self.model_fields_set

    def assign_paths(self, path: str, raw: dict[str, Any] | None = None) -> None:
        """Give this node and its children the same paths `paths.iter_leaves` computes."""
        self._path = path
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, NomadBlock):
                value.assign_paths(paths.block_path(path, name, _raw_body(value), 0, 1))
            elif isinstance(value, list) and value and isinstance(value[0], NomadBlock):
                for i, child in enumerate(value):
                    child.assign_paths(paths.block_path(path, name, _raw_body(child), i, len(value)))

    def unknown_keys(self) -> list[str]:
        return sorted(self.model_extra or {})


def _raw_body(node: NomadBlock) -> dict[str, Any]:
    return {paths.LABEL_KEY: node.label} if node.label is not None else {}
