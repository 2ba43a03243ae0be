"""Secrets written in clear text in a jobspec (env values, template lines).

Two shapes: a whole value whose NAME says it is a secret (`DB_PASSWORD = "x"`), and a credential
INSIDE a value whatever its name: URL userinfo (`postgres://user:pw@db`) or a `password=pw` pair
of a connection string (libpq DSN, ODBC, URL query).

Choice: such a value is NOT copied into the manifests. The variable (or the file line)
becomes a reference to a Vault key the operator must create (a needs-decision security
finding names it), so generated files, reports and logs never hold it. A service converted
this way fails to start until the key exists, which the NO-GO verdict already says.
"""

from __future__ import annotations

import re
from typing import Any

from nomad2k8s.credentials import NOT_SECRET_NAME, NOT_SECRET_VALUES, SECRET_KEY_PATTERN, credentials, mask  # noqa: F401 (re-exported)

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
    if not SECRET_KEY_PATTERN.search(leaf) or NOT_SECRET_NAME.search(leaf):
        return False
    text = str(value).strip()
    if text.lower() in NOT_SECRET_VALUES or "${" in text or "{{" in text or "$(" in text:
        return False
    if len(text) < 4 or text in ("|", ">", "|-", ">-"):
        return False
    return not text.startswith(("/", "./", "../", "file:", "vault:", "env:", "http://", "https://"))


# The line's own name (`name = ...`, `name: ...`, `export NAME=...`), to name a credential found in it.
_LINE_NAME = re.compile(r"""^[ \t]*(?:export[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*[:=]""", re.M)


def split_value(name: str, text: str) -> tuple[str, list[tuple[str, str]]]:
    """An env value holding credentials -> (the value with each credential replaced by `$(HELPER)`,
    [(HELPER, credential)]). HELPER is `<NAME>_<KIND>`, numbered when one value holds several.
    The credential is returned for the caller to drop, never to print."""
    found = credentials(text)
    if not found:
        return text, []
    out, helpers, pos = [], [], 0
    for start, end, kind in found:
        helper = re.sub(r"[^A-Za-z0-9_]", "_", f"{name}_{kind}").upper()
        if helper == name.upper() or any(h == helper for h, _ in helpers):
            helper = f"{helper}_{len(helpers) + 1}"
        helpers.append((helper, text[start:end]))
        out += [text[pos:start].replace("$(", "$$("), f"$({helper})"]
        pos = end
    out.append(text[pos:].replace("$(", "$$("))
    return "".join(out), helpers


def find_in_text(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each clear-text secret value in a config file's text: values of secret
    names, and credentials inside any value (named after the line's key, e.g. `url_password`)."""
    found = []
    for match in _LINE.finditer(text):
        name, value = match.group("name"), match.group("value")
        if is_plaintext_secret(name, value):
            found.append((match.start("value"), match.end("value"), name))
    for start, end, kind in credentials(text):
        if any(s < end and start < e for s, e, _ in found):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        owner = _LINE_NAME.match(text, line_start)
        owner_name = owner.group(1) if owner and owner.end() <= start else ""
        name = kind if not owner_name or owner_name == kind else f"{owner_name}_{kind}"
        name = name.upper() if owner_name.isupper() else name  # DATABASE_URL -> DATABASE_URL_PASSWORD
        found.append((start, end, name))
    return sorted(found)
