"""Where a secret hides in a value: the names that hold secrets, and credentials inside values.

Used by the ledger (what a report may print) and by mapping/config/plaintext.py (what is moved to Vault).
"""

from __future__ import annotations

import bisect
import re

from .secrets.prefilter import Guard, needs

# Names whose values must never be printed. PASS only as a whole token or at the end of a name
# (RABBITMQ_DEFAULT_PASS, DBPASS), so `success_before_passing` or `passhostheader` are not secrets.
SECRET_KEY_PATTERN = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|(?<!BY)(?<!COM)PASS(?=$|[_.\-])|TOKEN|SECRET|_KEY$|^KEY$|APIKEY|API_KEY|"
    r"CREDENTIAL|PRIVATE)",
    re.I,
)

# Names that match the secret pattern but hold a location or a setting, not the secret.
NOT_SECRET_NAME = re.compile(
    r"(_FILE|_PATH|_DIR|_URL|_URI|_ENDPOINT|_HEADER|_NAME|_USER|_USERNAME|_LENGTH|_TTL|_EXPIRY|_EXPIRES|"
    r"_ENABLED|_ENABLE|_TYPE|_MODE|_ID|_FORMAT|_ALGORITHM|_SIZE|_LIFETIME|_DURATION|_PREFIX|_REALM|_HOST|_PORT|_ADDR)$",
    re.I,
)
NOT_SECRET_VALUES = frozenset({"", "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "0", "1"})

# `scheme://user:password@`; the user may be empty (redis://:pw@host). The password is group `value`.
# The scheme starts where no scheme character precedes it: a `\b` start would rescan a long run of
# scheme characters from each of its letters (quadratic time on hostile input).
_URL_USERINFO = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s/:@\"'{}()]*:(?P<value>[^\s/@\"'{}]+)@")
# `name=value` inside a value, after a separator (libpq `k=v k=v`, ODBC `k=v;k=v`, URL `?k=v&k=v`).
# A lookahead, so that matches may overlap: in `DSN=password=x` both `DSN=` and `password=` are pairs.
# Names and values are capped (then the value is extended to its end, see credentials): matches
# overlap, so an uncapped value would be rescanned from every `=` of a long run (quadratic time).
_PAIR = re.compile(r"""(?=(?<![^\s;&?,"'=])(?P<name>[A-Za-z_][\w.-]{0,127})=
                      (?:(?P<q>['"])(?P<quoted>[^'"\n]{1,256})(?P=q)|(?P<value>[^\s;&'"\#]{1,256})))""", re.VERBOSE)
_GUARD = Guard([needs(_URL_USERINFO), needs(_PAIR)])
_VALUE_REST = re.compile(r"""[^\s;&'"\#]*""")
# Pair names that are passwords in connection strings but too short to be a variable-name rule.
_PAIR_SECRET_NAMES = frozenset({"pwd", "pw"})


def _is_literal(value: str) -> bool:
    """A value written out, not a reference resolved elsewhere ($VAR, ${VAR}, $(VAR), {{ }})."""
    text = value.strip()
    return (text.lower() not in NOT_SECRET_VALUES and not text.startswith("$")
            and "${" not in text and "$(" not in text and "{{" not in text)


def _is_secret_pair_name(name: str) -> bool:
    leaf = re.split(r"[.\-]", name)[-1]
    return leaf.lower() in _PAIR_SECRET_NAMES or (bool(SECRET_KEY_PATTERN.search(leaf)) and
                                                   not NOT_SECRET_NAME.search(leaf))


def credentials(text: str, *, prefilter: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each credential inside `text`: kind is "password" for URL userinfo,
    else the pair's own name. Only literal values count: a `$(VAR)` or `{{ }}` is already a reference.
    `prefilter`: skip an expression where the text lacks what it needs (secrets/prefilter.py)."""
    urls: list[tuple[int, int, str]] = []
    lowered = text.lower()
    may_url, may_pair = _GUARD.may_match(text, lowered) if prefilter else (True, True)
    for match in () if not may_url else _URL_USERINFO.finditer(text):
        if _is_literal(match.group("value")):
            urls.append((match.start("value"), match.end("value"), "password"))
    url_starts = [s for s, _, _ in urls]
    pairs: list[tuple[int, int, str]] = []
    reach = 0  # pairs come in start order: one overlaps an earlier pair iff it starts before `reach`
    for match in () if not may_pair else _PAIR.finditer(text):
        group = "quoted" if match.group("quoted") is not None else "value"
        start = match.start(group)
        if start < reach or not (_is_secret_pair_name(match.group("name")) and _is_literal(match.group(group))):
            continue  # checked before extending the value: each character is extended over once (linear)
        end = match.end(group)
        if group == "value":
            end = _VALUE_REST.match(text, end).end()  # type: ignore[union-attr]
        # URL spans are disjoint and in order: of those starting before `end`, the last reaches furthest.
        i = bisect.bisect_left(url_starts, end)
        if i and urls[i - 1][1] > start:
            continue
        pairs.append((start, end, match.group("name")))
        reach = end
    return sorted(urls + pairs)



def mask(text: str) -> str:
    """`text` with every credential (see credentials) replaced by `<redacted>`: safe for reports."""
    for start, end, _ in reversed(credentials(text)):
        text = text[:start] + "<redacted>" + text[end:]
    return text
