"""Secrets written in clear text in a jobspec (env values, template lines).

Choice: such a value is NOT copied into the manifests. The variable (or the file line)
becomes a reference to a Vault key the operator must create (a needs-decision security
finding names it), so generated files, reports and logs never hold it. A service converted
this way fails to start until the key exists, which the NO-GO verdict already says.
"""

from __future__ import annotations

import re
from typing import Any

from ..ledger import SECRET_KEY_PATTERN

# Names that match the secret pattern but hold a location or a setting, not the secret.
_NOT_SECRET = re.compile(
    r"(_FILE|_PATH|_DIR|_URL|_URI|_ENDPOINT|_HEADER|_NAME|_USER|_USERNAME|_LENGTH|_TTL|_EXPIRY|_EXPIRES|"
    r"_ENABLED|_ENABLE|_TYPE|_MODE|_ID|_FORMAT|_ALGORITHM|_SIZE|_LIFETIME|_DURATION|_PREFIX|_REALM|_HOST|_PORT|_ADDR)$",
    re.I,
)
_NOT_SECRET_VALUES = frozenset({"", "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "0", "1"})

# `name = value`, `name: value`, `export NAME=value` on one line of a config file.
_LINE = re.compile(
    r"""^(?P<pre>[ \t]*(?:export[ \t]+)?["']?(?P<name>[A-Za-z_][\w.-]*)["']?[ \t]*[:=][ \t]*)
        (?P<q>["']?)(?P<value>[^"'\s#{}\[\]][^"'\n#{}]*?)(?P=q)[ \t]*$""",
    re.M | re.X,
)


def is_plaintext_secret(name: str, value: Any) -> bool:
    if value is None or isinstance(value, (bool, dict, list)):
        return False
    leaf = re.split(r"[.\-]", name)[-1]
    if not SECRET_KEY_PATTERN.search(leaf) or _NOT_SECRET.search(leaf):
        return False
    text = str(value).strip()
    if text.lower() in _NOT_SECRET_VALUES or "${" in text or "{{" in text or "$(" in text:
        return False
    if len(text) < 4 or text in ("|", ">", "|-", ">-"):
        return False
    return not text.startswith(("/", "./", "../", "file:", "vault:", "env:", "http://", "https://"))


def find_in_text(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each clear-text secret value in a config file's text."""
    found = []
    for match in _LINE.finditer(text):
        name, value = match.group("name"), match.group("value")
        if is_plaintext_secret(name, value):
            found.append((match.start("value"), match.end("value"), name))
    return found
