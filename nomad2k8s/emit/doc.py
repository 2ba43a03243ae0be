"""A file's content before serialization, so that the scrubber cleans the data rather than serializing it,
parsing the text back and cleaning that (secrets/scrub.py): the same text, without the round trip."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Doc:
    data: Any  # as the serialized text would parse back (keys in the written order)
    dump: Callable[[Any], str]

    def text(self) -> str:
        return self.dump(self.data)
