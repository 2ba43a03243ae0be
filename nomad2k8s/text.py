"""Identifier case conversion, one way for every reader and writer (Nomad API JSON keys,
Consul config entries, Kubernetes API fields <-> Terraform provider names).

Acronyms stay one word (`clusterIP` -> `cluster_ip`, `HTTPHeader` -> `http_header`, `hostIPC`
-> `host_ipc`) and digits stick to the word before them (`http2Options` -> `http2_options`),
which is why pydantic's alias generators (`i_pv_6`) are not used.
"""

from __future__ import annotations

import re

# A boundary before an upper-case letter that follows a lower-case letter or digit, and before
# the last capital of an acronym that starts a new word (HTTP|Header).
_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """camelCase / PascalCase -> snake_case; text already in snake_case is unchanged."""
    return _WORD_START.sub("_", name).lower()


def camel_case(name: str) -> str:
    """snake_case -> lowerCamelCase (`read_only` -> `readOnly`); the first word keeps its case."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
