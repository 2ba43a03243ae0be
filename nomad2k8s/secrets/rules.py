"""The detector's rules: which names hold secrets, and which value shapes are secrets wherever they are.

Three families, one table each:

- key-name rules (`is_secret_name`): the project's own name patterns (credentials.py, already used by
  the ledger and the clear-text mappers) plus detect-secrets' KeywordDetector denylist;
- value-shape rules (`find`): detect-secrets' regex plugins (cloud and SaaS token shapes, URL
  basic auth, private-key headers) used as a library — only their compiled `denylist` patterns, never
  `analyze_line`, which may call the provider's API to verify a secret — and a short table of shapes
  detect-secrets does not know (command-line flags, `Authorization:` headers, `requirepass`, whole PEM
  blocks, `key = value` lines of config files);
- an entropy check for long opaque tokens (detect-secrets' Shannon entropy, base64 charset).

Every rule yields spans of the VALUE only, so the text around it (the key, the flag) stays readable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.keyword import DENYLIST as KEYWORD_DENYLIST
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

from ..credentials import (
    NOT_SECRET_NAME,
    NOT_SECRET_VALUES,
    SECRET_KEY_PATTERN,
    credentials,
)
from .prefilter import Guard, Needs, needs
from .scan_cache import ScanCache, Scanned


class Span(NamedTuple):
    start: int
    end: int
    rule: str


# Key names ------------------------------------------------------------------------------------------
# detect-secrets' keyword list (api_?key, db_?pass, password, secret, ...), anchored to a whole name
# part so that `pwd` does not match `cwd`-like words inside longer names.
_KEYWORD = re.compile(r"(?:^|_)(?:" + "|".join(KEYWORD_DENYLIST) + r")(?:$|_)", re.I)
# Names that are references to a secret, not the secret (ExternalSecret `secretKey`, `property`, a
# secretKeyRef's `key`): the Kubernetes side of a value already moved behind a reference.
_REFERENCE_NAMES = frozenset({"key", "secretkey", "property", "secretname", "secretref", "secretkeyref",
                              "secretstoreref", "remoteref", "secretproviderclass"})
# Header names whose whole value is a credential.
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "x-auth-token", "cookie",
                                 "x-vault-token", "x-consul-token", "x-nomad-token"})


# More names that hold a setting, not the secret (`private-address`, `private_domain`, `usernameKey`).
_NOT_SECRET_PARTS = re.compile(r"(?:^|_)(?:address|domain|network|subnet|ip|interface|username|user)(?:$|_)", re.I)


def _snake(name: str) -> str:
    """`keyStorePassword` -> `key_Store_Password`, `db-password` -> `db_password`: one word separator."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace("-", "_").replace(".", "_")


@functools.lru_cache(maxsize=1 << 14)  # pure, and the same few thousand names come back in every service
def is_secret_name(name: str) -> bool:
    """A map key, env name, flag or header whose value is a secret."""
    if name.lower() in _CREDENTIAL_HEADERS:
        return True
    leaf = re.split(r"[./]", name)[-1]  # `nomad2k8s.x`, `meta.db_password`, an annotation prefix
    if leaf.lower() in _REFERENCE_NAMES:
        return False
    snake = _snake(leaf)
    if NOT_SECRET_NAME.search(snake) or NOT_SECRET_NAME.search(leaf) or _NOT_SECRET_PARTS.search(snake):
        return False
    return bool(SECRET_KEY_PATTERN.search(snake) or _KEYWORD.search(snake))


# A file path (`local/certs/key.pem`, `secrets/token`): where a secret is, not the secret.
_PATH_LIKE = re.compile(r"^(?:(?:local|secrets|alloc|etc|run|var|tmp|~)/[^\s]*|[\w.\-]+(?:/[\w.\-]+)+\.[A-Za-z]{2,5})$")


def is_literal(value: str) -> bool:
    """A value written out, not a reference resolved elsewhere, nor one of our own redactions."""
    text = value.strip()
    if text.lower() in NOT_SECRET_VALUES or text in ("|", ">", "|-", ">-", "-", "*"):
        return False
    if text.startswith(("$", "<", "«", "/", "./", "../", "file:", "vault:", "env:", "http://", "https://")):
        return False  # a reference, a path, or a URL (whose userinfo the credential rule finds)
    if _PATH_LIKE.match(text):
        return False
    return "${" not in text and "$(" not in text and "{{" not in text and "«redacted" not in text


# Value shapes from detect-secrets ---------------------------------------------------------------------
_PLUGINS = (AWSKeyDetector, AzureStorageKeyDetector, BasicAuthDetector, DiscordBotTokenDetector,
            GitHubTokenDetector, GitLabTokenDetector, JwtTokenDetector, MailchimpDetector, NpmDetector,
            OpenAIDetector, PypiTokenDetector, SendGridDetector, SlackDetector, SquareOAuthDetector,
            StripeDetector, TelegramBotTokenDetector, TwilioKeyDetector)
_SHAPES: list[tuple[str, re.Pattern[str]]] = [
    (plugin.secret_type, regex) for plugin in _PLUGINS for regex in plugin().denylist
]

# Shapes detect-secrets does not have (each with where it comes from) ------------------------------------
_VALUE = r"""(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"',;]+)"""
_OWN: list[tuple[str, re.Pattern[str]]] = [
    # `--db-password=x`, `-Djavax.net.ssl.keyStorePassword=x`, `--token=x` (GNU getopt long options, JVM -D).
    ("flag", re.compile(r"(?<![\w-])--?(?:D(?=[a-z]))?(?P<name>[A-Za-z_][\w.-]*)=" + _VALUE)),
    # `--token VALUE` / `--token, VALUE` inside one string (a shell line, a rendered list).
    ("flag-arg", re.compile(r"(?<![\w-])--?(?P<name>[A-Za-z_][\w.-]*),?[ \t]+(?P<value>[^\s\-\"',\]][^\s\"',\]]*)")),
    # RFC 7235 credentials: `Authorization: Bearer x`, `Authorization = ["Basic x"]`; a bare `Bearer x`.
    ("authorization", re.compile(r"(?i)\b(?:proxy-)?authorization[\"']?\s*[:=]\s*\[?\s*[\"']?"
                                 r"(?:(?:bearer|basic|token|digest|negotiate)\s+)?(?P<value>[^\s\"',;\]]+)")),
    ("bearer", re.compile(r"(?i)\b(?:bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=\-]{8,})")),
    # redis.conf `requirepass x` / `masterauth x` (no `=`: not a key = value line).
    ("redis", re.compile(r"(?im)^[ \t]*(?:requirepass|masterauth|masteruser-password)[ \t]+" + _VALUE)),
    # `key = value`, `key: value`, `"key": "value"`, `export KEY=value`, `key := value` (INI, YAML, JSON,
    # TOML, HCL, shell, Go): the shapes of detect-secrets' KeywordDetector, with our key-name rules.
    # A `:` separates only before a blank or a quote (YAML), so `image:tag` and `host:port` are not pairs;
    # a `$name :=` is a Go template variable, not a setting.
    ("keyword", re.compile(r"""(?<![?&\w.\-$])(?P<q1>["'`]?)(?<![\w.\-$])(?P<name>[A-Za-z_][\w.\-]*)(?P=q1)[ \t]*"""
                           r"""(?P<sep>:=|=|:(?=[ \t"']))[ \t]*""" + _VALUE)),
    # `password=x` pairs inside a connection string or a query (`?token=x&`), `user:pw@` in URLs.
]
# `Word: word more words` is a sentence with a heading (a report's "Secrets: store these values…"),
# not a setting: configuration keys are not Capitalized English words followed by prose.
_HEADING = re.compile(r"[A-Z][a-z]+")
_PROSE = re.compile(r"[a-z]+")
_PROSE_TAIL = re.compile(r"[ \t]+[A-Za-z]")
# The body of a PEM private key (detect-secrets flags the header line only): base64 lines up to the
# END line, or to the first character that cannot be in a body (a report's one-line rendering `⏎`).
_PEM = re.compile(r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----(?:[\s⏎]|\\n)*"
                  r"(?P<value>[A-Za-z0-9+/=](?:[A-Za-z0-9+/=\s⏎:,\\]|-(?!-))*[A-Za-z0-9+/=])")
# detect-secrets' JWT pattern ends lazily after the payload: the signature is part of the token.
_JWT_TAIL = re.compile(r"[A-Za-z0-9_\-+/=.]*")
_AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "negotiate"})
# Certificates and public keys are public: their base64 lines are not opaque secrets.
_PUBLIC_PEM = re.compile(r"-----BEGIN (?P<kind>CERTIFICATE|PUBLIC KEY|[A-Z ]*PUBLIC KEY BLOCK|X509 CRL)-----.*?"
                         r"(?:-----END (?P=kind)-----|\Z)", re.S)
_KEYED_RULES = frozenset({"flag", "flag-arg", "keyword"})
# What each expression needs in a text to match there (prefilter.py): most strings hold none of it.
_SHAPE_RULES: list[tuple[str, re.Pattern[str], Needs]] = [(rule, rx, needs(rx)) for rule, rx in _SHAPES]
_OWN_RULES: list[tuple[str, re.Pattern[str], Needs]] = [(rule, rx, needs(rx)) for rule, rx in _OWN]
_PEM_NEEDS = needs(_PEM)

# Entropy: long opaque tokens with no name or shape to tell (detect-secrets' base64 Shannon entropy).
_TOKEN = re.compile(r"(?<![\w+/=\-.])[A-Za-z0-9+/_\-]{24,}={0,2}(?![\w+/=\-.])")
_TOKEN_NEEDS = needs(_TOKEN)
# Every guard above, checked in one pass per text: _scan reads its answers by position.
_GUARD = Guard([n for _, _, n in _SHAPE_RULES] + [n for _, _, n in _OWN_RULES] + [_PEM_NEEDS, _TOKEN_NEEDS])
_ALL_PASS = (True,) * (len(_SHAPE_RULES) + len(_OWN_RULES) + 2)
_ENTROPY = Base64HighEntropyString()
ENTROPY_LIMIT = 4.3
_HEX_OR_UUID = re.compile(r"^[0-9a-fA-F\-]+$")


def _opaque(token: str) -> bool:
    """Random-looking: high entropy, mixed letters and digits, and not hex (digests, ids, UUIDs)."""
    if _HEX_OR_UUID.match(token) or not re.search(r"\d", token) or not re.search(r"[A-Z]", token) \
            or not re.search(r"[a-z]", token):
        return False
    return _ENTROPY.calculate_shannon_entropy(token) > ENTROPY_LIMIT


_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9._-]*$")


def _opaque_token(token: str) -> bool:
    """`_opaque`, except that a path (`/` mixed with `-`/`_`, which standard base64 never mixes: it has `+/`,
    URL-safe base64 `-_`) is judged segment by segment: `out/SJWyatt__nomad-jobs/covid19-grafana` is no secret."""
    segments = token.split("/")
    if len(segments) > 1 and ("-" in token or "_" in token) and all(_PATH_SEGMENT.match(p) for p in segments):
        return any(len(p) >= 24 and _opaque(p) for p in segments)
    return _opaque(token)


def _redacted(text: str) -> bool:
    return "«redacted" in text or "<redacted" in text or "<secret moved" in text


def _value_span(match: re.Match[str]) -> tuple[int, int]:
    start, end = match.span("value")
    text = match.group("value")
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return start + 1, end - 1
    return start, end


# The same short strings come back in every service of a batch (labels, image names, field values): they
# are cached. The caches are bounded by size, not only by count: a whole file (a service's MIGRATION.md,
# a template) is one string, unique to its service, and 65,536 of them held a batch's every document.
SHORT, MEDIUM = 256, 8192  # characters: at most 16 MiB of short keys, 32 MiB of medium ones


def find(text: str, *, keyed: bool = True, remember: bool = True) -> list[Span]:
    """Spans of secret values in `text`, sorted and without overlaps. `keyed=False` leaves out the
    rules that judge by a name before the value (for text whose keys are Kubernetes field names).
    `remember=False`: a text scanned once (a whole file: a service's MIGRATION.md is ~8 KiB and unique, and
    kept, 4,096 of them filled the medium cache with 32 MiB that no later scan asked for)."""
    if len(text) <= SHORT:
        return list(_SHORT_SCANS(text, keyed))
    if len(text) <= MEDIUM and remember:
        return list(_MEDIUM_SCANS(text, keyed))
    return list(_scan(text, keyed, prefilter=True))


def _guarded_scan(text: str, keyed: bool) -> tuple[Span, ...]:
    return _scan(text, keyed, prefilter=True)


_SHORT_SCANS: ScanCache[tuple[Span, ...]] = ScanCache(_guarded_scan, 1 << 16)
_MEDIUM_SCANS: ScanCache[tuple[Span, ...]] = ScanCache(_guarded_scan, 1 << 12)  # ledger messages, small templates: the estate pages scan them again


@contextmanager
def journal() -> Iterator[Scanned]:
    """The scans made (and kept) while open, to be given to another process's `remember`."""
    scanned: Scanned = []
    with _SHORT_SCANS.journal(scanned), _MEDIUM_SCANS.journal(scanned):
        yield scanned


def remember(scanned: Scanned) -> None:
    """Scans another process made (journal()), kept as if made here."""
    for text, keyed, found in scanned:
        (_SHORT_SCANS if len(text) <= SHORT else _MEDIUM_SCANS).remember(text, keyed, found)


def _scan(text: str, keyed: bool, *, prefilter: bool) -> tuple[Span, ...]:
    """`prefilter=False` runs every expression (the guards' test compares both)."""
    lowered = text.lower()
    passes = _GUARD.may_match(text, lowered) if prefilter else _ALL_PASS
    shapes, own = passes[:len(_SHAPE_RULES)], passes[len(_SHAPE_RULES):-2]
    spans: list[Span] = []
    if passes[-2]:
        for match in _PEM.finditer(text):
            spans.append(Span(match.start("value"), match.end("value"), "private-key"))
    for (rule, regex, _), may in zip(_SHAPE_RULES, shapes):
        if not may:
            continue
        for match in regex.finditer(text):
            # A plugin's group is the secret when it closes the match (`://u:(pw)@`, `aws…"(key)"`); a
            # group at the start is a prefix alternative (`(ghp|gho)_…`) and the whole match is the token.
            group = next((i for i in range(regex.groups, 0, -1)
                          if match.group(i) and match.end(i) >= match.end() - 1), 0)
            start, end = match.span(group)
            if group == 0:  # trim the boundary characters some plugins match (`(?:\s|=|"|^)…`)
                value = match.group(0)
                start += len(value) - len(value.lstrip(" \t=:\""))
                end -= len(value) - len(value.rstrip(" \t\""))
            if rule == JwtTokenDetector.secret_type:
                end = _JWT_TAIL.match(text, end).end()  # type: ignore[union-attr]
            spans.append(Span(start, end, rule))
    for start, end, kind in credentials(text, prefilter=prefilter):
        if keyed or kind == "password":  # URL userinfo is a shape; a `name=value` pair is judged by its name
            spans.append(Span(start, end, f"credential:{kind}"))
    for (rule, regex, _), may in zip(_OWN_RULES, own):
        if not may or (rule in _KEYED_RULES and not keyed):
            continue
        for match in regex.finditer(text):
            if "name" in regex.groupindex and not is_secret_name(match.group("name")):
                continue
            start, end = _value_span(match)
            if rule == "keyword" and match.group("sep") == ":" and _HEADING.fullmatch(match.group("name")) \
                    and _PROSE.fullmatch(text, start, end) and _PROSE_TAIL.match(text, end):
                continue  # `Secrets: store these values in…`: a heading and prose, not a YAML pair
            if rule in _KEYED_RULES and text[start:end].lower() in _AUTH_SCHEMES:
                continue  # `Authorization: Bearer x`: the authorization rule takes the credential
            if end > start and is_literal(text[start:end]):
                spans.append(Span(start, end, rule))
    public = [m.span() for m in _PUBLIC_PEM.finditer(text)] if "-----BEGIN" in text else []
    for match in _TOKEN.finditer(text) if passes[-1] else ():
        if _opaque_token(match.group(0)) and not any(s <= match.start() < e for s, e in public):
            spans.append(Span(match.start(), match.end(), "high-entropy"))
    return tuple(_merge([s for s in spans if not _redacted(text[s.start:s.end])]))


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in sorted(spans):
        if span.end <= span.start:
            continue
        if out and span.start < out[-1].end:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, span.end), last.rule)
        else:
            out.append(span)
    return out


def redaction(value: str) -> str:
    return f"«redacted: {len(value)} chars»"


def redact(text: str, *, whole: bool = False) -> str:
    """`text` with each secret found in it redacted (all of it with `whole`: the value of a secret name)."""
    if whole:
        return text if _redacted(text) else redaction(text)
    for start, end, _ in reversed(find(text)):
        text = text[:start] + redaction(text[start:end]) + text[end:]
    return text
