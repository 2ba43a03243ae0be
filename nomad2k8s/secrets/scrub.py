"""The one output boundary: every string the tool writes passes through a Scrubber.

Two passes, so that a secret found where its name tells (an env var, a meta key, the word after
`--token`) is also redacted where it travelled without its name (a ledger message, an annotation, a
Terraform string, a rendered argument list):

1. `learn`: walk the job as parsed (the typed model and the parser's leaf values), the Kubernetes
   objects and the ledger, structure-aware (map keys, `{name, value}` pairs, `--flag VALUE` in
   argument lists), plus the value-shape rules on every string. Each secret value found is KNOWN.
2. `clean`: YAML and JSON files are parsed and cleaned value by value (so that the redaction, which
   holds `: `, is re-quoted by the serializer and the file stays valid); Markdown and Terraform are
   cleaned as text. Known values are replaced wherever they occur; shapes wherever they match.

A known value is replaced everywhere only when it is distinctive (long and mixed); a short or plain
one (`changeme`, `postgres`) only where it stands as a whole string, so `postgres:16` stays an image.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from ..convert import ServiceResult
from ..emit import yaml_out
from ..emit.doc import Doc
from .rules import find, is_literal, is_secret_name, redaction

# libyaml's loader where installed: the files were written by our dumper, and the pure-Python one was most
# of the scrubber's cost; both build the same plain trees.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HINT_PREFIX = "nomad2k8s."  # per-job hints (meta `nomad2k8s.*`) are settings of this tool, never secrets
_FLAG = re.compile(r"^--?(?P<name>[A-Za-z_][\w.-]*)$")
_PATH_LEAF = re.compile(r"[.\[\]\"]+")
# Kubernetes maps whose keys are the user's names (meta, env files, template keys); elsewhere a key is
# a Kubernetes field name (`topologyKey`, `secretKeyRef.key`), which says nothing of its value.
_USER_MAPS = frozenset({"annotations", "labels", "data", "stringData"})
# A ledger row's own prose: written by the tool, so names in it (`ExternalSecret: rendered`) are not keys.
_PROSE = frozenset({"message", "k8s", "suggestion"})


def distinctive(value: str) -> bool:
    """Safe to replace wherever it occurs: long enough and mixed enough not to be an ordinary word."""
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return (len(value) >= 8 and classes >= 2) or (len(value) >= 5 and classes >= 3)


# A plain value that is also an ordinary name (`vault`, `admin`, `postgres`, `my-app`): redacted where its
# key says it is a secret, never elsewhere, where it is far more likely a name than the secret.
_NAME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")


def _replaceable(value: str) -> bool:
    return distinctive(value) or not _NAME_LIKE.match(value)


def _leaf(path: str) -> str:
    parts = [p for p in _PATH_LEAF.split(path.strip('."]')) if p]
    return parts[-1] if parts else ""


class Scrubber:
    def __init__(self) -> None:
        self.known: set[str] = set()
        self._nomad = False  # while walking the parsed job: every key is a Nomad or a user name
        self._pattern: re.Pattern[str] | None = None
        self._pattern_for = 0

    # Pass 1 ------------------------------------------------------------------------------------------
    def learn_results(self, results: Iterable[ServiceResult]) -> None:
        for result in results:
            self._nomad = True
            if result.view is not None:
                self.known |= result.view.secrets
            for path, value in result.ledger.values.items():
                self.learn(value, key=_leaf(path))
            self._nomad = False
            self.learn(result.objects)
            self.learn([e.as_dict() for e in result.ledger.entries])

    def learn(self, tree: Any, key: str | None = None) -> None:
        self.clean(tree, key, named=True)

    # Pass 2 ------------------------------------------------------------------------------------------
    def clean(self, tree: Any, key: str | None = None, named: bool = False) -> Any:
        """`tree` with every secret value redacted (the input is not changed: a container where something
        was redacted is a new one, others are the input's own; a tuple becomes a list).
        `named`: `key` is a user's name (a meta key, an env var), so the key-name rules apply."""
        if isinstance(tree, str):
            return self._string(tree, key, named or self._nomad)
        if isinstance(tree, dict):
            return self._dict(tree, key)
        if isinstance(tree, (list, tuple)):
            return self._list(tree, key, named)
        return tree

    def _secret(self, value: str) -> str:
        self.known.add(value)
        return redaction(value)

    def _string(self, text: str, key: str | None, named: bool) -> str:
        if named and key and not key.startswith(HINT_PREFIX) and is_secret_name(key) and is_literal(text):
            return self._secret(text)
        if text in self.known and _replaceable(text):
            return redaction(text)
        return self.text(text, keyed=key not in _PROSE)

    def _dict(self, tree: dict[Any, Any], key: str | None) -> dict[Any, Any]:
        name, value = tree.get("name"), tree.get("value")
        out: dict[Any, Any] = {}
        if isinstance(name, str) and isinstance(value, str) and is_secret_name(name) and is_literal(value):
            out = {"value": self._secret(value)}  # env var, header: {name: DB_PASSWORD, value: x}
        path, shown = tree.get("nomad_path"), tree.get("value")
        if isinstance(path, str) and isinstance(shown, str) and is_secret_name(_leaf(path)) and is_literal(shown):
            out = {"value": self._secret(shown)}  # a ledger row: the value column of a secret setting
        named = key in _USER_MAPS
        for k, v in tree.items():
            if k not in out:
                out[k] = self.clean(v, str(k), named)
        if all(out[k] is v for k, v in tree.items()):
            return tree  # nothing redacted: no copy (an estate report is large)
        return {k: out[k] for k in tree}

    def _list(self, original: list[Any] | tuple[Any, ...], key: str | None, named: bool) -> list[Any]:
        items = list(original)
        out: list[Any] = []
        for i, item in enumerate(items):
            previous = items[i - 1] if i else None
            flag = _FLAG.match(previous) if isinstance(previous, str) else None
            if isinstance(item, str) and flag and is_secret_name(flag.group("name")) and not item.startswith("-") \
                    and is_literal(item):
                out.append(self._secret(item))  # ["--token", "x"]
            else:
                out.append(self.clean(item, key, named))  # a header's values: {Authorization = ["Bearer x"]}
        if isinstance(original, list) and all(a is b for a, b in zip(out, original)):
            return original
        return out

    # Text --------------------------------------------------------------------------------------------
    def text(self, text: str, *, keyed: bool, remember: bool = True) -> str:
        """Shapes found in `text` become known and are redacted; then known values are replaced.
        `remember=False`: a whole file's text, scanned once, is not kept in the detector's (bounded) cache."""
        spans = find(text, keyed=keyed, remember=remember)
        for start, end, *_ in reversed(spans):
            text = text[:start] + self._secret(text[start:end]) + text[end:]
        return self._replace_known(text)

    def _replace_known(self, text: str) -> str:
        if not self.known:
            return text
        pattern = self._known_pattern()
        return pattern.sub(self._redact_match, text) if pattern else text

    def _known_pattern(self) -> re.Pattern[str] | None:
        if self._pattern_for != len(self.known):
            self._variants: dict[str, str] = {}
            for value in filter(_replaceable, self.known):
                for variant in _encodings(value):
                    # A plain value only as a whole quoted string; a distinctive one anywhere.
                    forms = [variant] if distinctive(value) else [f'"{variant}"', f"'{variant}'"]
                    for form in forms:
                        self._variants.setdefault(form, value)
            alternatives = sorted(self._variants, key=len, reverse=True)
            self._pattern = re.compile(
                r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![A-Za-z0-9])"
            ) if alternatives else None
            self._pattern_for = len(self.known)
        return self._pattern

    def _redact_match(self, match: re.Match[str]) -> str:
        found = match.group(0)
        value = self._variants[found]
        if found[:1] in "\"'" and found[:1] == found[-1:] and not value.startswith(found[:1]):
            return found[0] + redaction(value) + found[-1]  # a plain value matched as a whole quoted string
        return redaction(value)

    # Files -------------------------------------------------------------------------------------------
    def document(self, name: str, value: str | Doc) -> str:
        """A file's text, cleaned; a Doc (data not serialized yet) is cleaned as data, then serialized: the text
        a clean of its serialized text gives, without parsing it back."""
        if isinstance(value, Doc):
            return value.dump(self.clean(value.data))
        return self.file(name, value)

    def file(self, name: str, text: str) -> str:
        if name.endswith((".yaml", ".yml")):
            return self._yaml(text)
        if name.endswith(".json"):
            return self._json(text)
        # Terraform holds Kubernetes field names (`key = "DB_PASSWORD"` is a reference) and Markdown the
        # tool's prose: no name rules (the values they quote were cleaned at the source or are known).
        return self.text(text, keyed=not name.endswith((".tf", ".md")), remember=False)

    def _yaml(self, text: str) -> str:
        try:
            docs = list(yaml.load_all(text, Loader=_LOADER))
        except yaml.YAMLError:
            return self.text(text, keyed=False, remember=False)
        cleaned = [self.clean(d) for d in docs]
        if cleaned == docs:
            return text
        return "---\n".join(yaml_out.dump_object(d) if isinstance(d, dict)
                            else yaml.safe_dump(d, allow_unicode=True) for d in cleaned)

    def _json(self, text: str) -> str:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            return self.text(text, keyed=False, remember=False)
        cleaned = self.clean(doc)
        return text if cleaned == doc else json.dumps(cleaned, indent=2, ensure_ascii=False) + "\n"


def _encodings(value: str) -> set[str]:
    """How `value` may be spelled in an output: raw, JSON/HCL-escaped, Terraform template-escaped,
    YAML single-quoted, Markdown table cell."""
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    return {value, escaped, escaped.replace("${", "$${").replace("%{", "%%{"), value.replace("'", "''"),
            value.replace("|", "\\|")}


def job_secrets(job: dict[str, Any]) -> set[str]:
    """What pass 1 learns from a parsed job (its model dumped): taken when the job is converted
    (job_view.py), so its model need not be kept for the scrubber."""
    scrubber = Scrubber()
    scrubber._nomad = True
    scrubber.learn(job)
    return scrubber.known


def learned(results: Iterable[ServiceResult]) -> set[str]:
    """The secret values pass 1 finds in `results` (what scrub_files learns before cleaning)."""
    scrubber = Scrubber()
    scrubber.learn_results(results)
    return scrubber.known


def scrub_files(files: Mapping[str, str | Doc], results: Iterable[ServiceResult],
                known: Iterable[str] | None = None) -> dict[str, str]:
    """The files a service (or a run) writes, each with every secret redacted. Structured files
    first: what they reveal is redacted in the Markdown and Terraform too. `known`: what pass 1 learned
    from `results` already (learned(), per service), so it is not learned again."""
    scrubber = scrubber_for(results, known)
    order = sorted(files, key=lambda n: not n.endswith((".yaml", ".yml", ".json")))
    cleaned = {name: scrubber.document(name, files[name]) for name in order}
    return {name: cleaned[name] for name in files}


def scrubber_for(results: Iterable[ServiceResult], known: Iterable[str] | None = None) -> Scrubber:
    """A scrubber that learned `results` (or was given what it would learn: `known`, see learned())."""
    scrubber = Scrubber()
    if known is None:
        scrubber.learn_results(results)
    else:
        scrubber.known = set(known)
    return scrubber


def scrub_text(text: str, results: Iterable[ServiceResult] = (), name: str = "stderr.txt") -> str:
    """One text (stdout, a stderr line) with every secret redacted; `name`'s suffix tells its format."""
    return scrub_files({name: text}, results)[name]
