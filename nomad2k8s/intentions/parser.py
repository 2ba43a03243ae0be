"""Consul intention files -> IntentionSet.

Formats (picked by content, not by file name):
- a config entry in HCL (`Kind = "service-intentions"`; HCL1-era `HTTP { }` blocks inside a
  list fall back to pyhcl) or JSON (one entry or a list of entries);
- an agent config with `config_entries { bootstrap { ... } }` (snake_case keys); its
  `acl { default_policy }` is reported;
- Terraform: `consul_config_entry` with `config_json = jsonencode({...})` (the literal is
  evaluated; references to variables/data sources/resources become needs-decision) and the
  legacy `consul_intention` (source_name, destination_name, action).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl

from .. import fileaccess, nesting
from ..errors import ConversionError
from ..parse.expr import Evaluator, Runtime, Unresolved, parse_expression
from ..parse.hcl2_reader import parse_hcl2
from ..parse.heredoc import normalise_text
from ..parse.loader import _syntax_error
from .model import (
    WILDCARD,
    HeaderMatch,
    HttpMatch,
    Intention,
    IntentionSet,
    Note,
    OtherEntry,
    Pattern,
    Permission,
    Source,
)
from .values import Ref, normalise, plain, unresolved

INTENTIONS_KIND = "service-intentions"
HTTP_KEYS = {"path_exact", "path_prefix", "path_regex", "methods", "header"}
HEADER_KEYS = {"name", "present", "exact", "prefix", "suffix", "regex", "invert"}


def load_intentions(paths: list[Path]) -> IntentionSet:
    out = IntentionSet()
    for path in paths:
        out.extend(load_file(Path(path)))
    dedupe(out)
    return out


def dedupe(iset: IntentionSet) -> None:
    """Two entries of one kind and name: Consul keeps only the last one written, which the files
    cannot tell. Both are kept under distinct paths (`...@<file>`) and reported."""
    seen: dict[str, str] = {}
    nodes: list[Intention | OtherEntry] = [*iset.intentions, *iset.others]
    for node in nodes:
        if node.path in seen and seen[node.path] != node.file:
            old = node.path
            new = f"{old}@{Path(node.file).name}"
            n = 2
            while new in seen:
                new, n = f"{old}@{Path(node.file).name}#{n}", n + 1
            node.path = new
            for source in node.sources if isinstance(node, Intention) else []:
                source.path = new + source.path[len(old):]
                for perm in source.permissions:
                    perm.path = new + perm.path[len(old):]
            iset.notes.append(Note(
                "N2K-INTENTION-DUPLICATE", new, f"{old} is also defined in {seen[old]}: Consul keeps only the "
                "entry written last; both are converted here", node.file, node.line, claims=False,
                suggestion="keep one definition"))
        seen.setdefault(node.path, node.file)


def load_file(path: Path) -> IntentionSet:
    text = fileaccess.read_operator_text(path, "intentions file")
    reader = _Reader(path, text)
    reader.read()
    return reader.result


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.file = path.as_posix()
        self.text = text
        self.lines = text.splitlines()
        self.result = IntentionSet(files=[self.file])

    # ------------------------------------------------------------------ formats
    def read(self) -> None:
        stripped = self.text.lstrip()
        if stripped.startswith(("{", "[")):
            nesting.check_json(self.text, self.path)
            try:
                data = json.loads(self.text)
            except json.JSONDecodeError as exc:
                raise ConversionError(f"JSON syntax error: {exc.msg}", self.path, exc.lineno, exc.colno) from None
            entries = data if isinstance(data, list) else [data]
            for entry in entries:
                self._top(normalise(entry) if isinstance(entry, dict) else entry)
            return
        self._top(normalise(self._parse_hcl()))

    def _parse_hcl(self) -> dict[str, Any]:
        nesting.check_hcl(self.text, self.path)
        norm = normalise_text(self.text)
        try:
            return parse_hcl2(norm)
        except Exception as hcl2_exc:  # lark raises several unrelated exception types
            try:
                return hcl.loads(norm)
            except Exception:  # pyhcl's errors are less precise; report python-hcl2's
                raise _syntax_error(self.path, hcl2_exc) from None

    def _top(self, tree: Any) -> None:
        if not isinstance(tree, dict):
            raise ConversionError("expected a config entry object", self.path)
        if "resource" in tree:
            self._terraform(tree["resource"])
        elif "config_entries" in tree:
            self._agent(tree)
        elif "kind" in tree:
            self._entry(tree, base=None)
        else:
            raise ConversionError("no Consul config entry (Kind), config_entries, consul_config_entry or "
                                  "consul_intention found", self.path)

    def _agent(self, tree: dict[str, Any]) -> None:
        acl = tree.get("acl")
        if isinstance(acl, dict) and acl.get("default_policy") in ("allow", "deny"):
            self.result.stated_default = acl["default_policy"]
            self.result.notes.append(Note(
                "N2K-INTENTION-ACL-DEFAULT", "acl.default_policy",
                f"the agent config sets Consul's ACL default policy to {acl['default_policy']}",
                self.file, self._find("default_policy"), status="changed", claims=False,
                suggestion=f"convert with --default-policy {acl['default_policy']} to keep it"))
        boot = tree["config_entries"].get("bootstrap") if isinstance(tree["config_entries"], dict) else None
        items = boot if isinstance(boot, list) else [boot] if isinstance(boot, dict) else []
        for item in items:
            self._entry(item, base=None)

    # ------------------------------------------------------------------ terraform
    def _terraform(self, resources: Any) -> None:
        for res in resources if isinstance(resources, list) else [resources]:
            if not isinstance(res, dict):
                continue
            if "__line__" not in res and len(res) == 1:  # pyhcl: {type: {name: body}}
                rtype, named = next(iter(res.items()))
                for label, body in (named or {}).items():
                    self._resource(rtype, label, body)
                continue
            # normalise() drops the HCL2 label side-channel: read both labels from the header line.
            rtype, label = self._resource_labels(res)
            self._resource(rtype, label, res)

    def _resource_labels(self, res: dict[str, Any]) -> tuple[str, str]:
        line = res.get("__line__")
        if line and 0 < line <= len(self.lines):
            m = re.match(r'\s*resource\s+"([^"]+)"\s+"([^"]+)"', self.lines[line - 1])
            if m:
                return m.group(1), m.group(2)
        return "", ""

    def _resource(self, rtype: str, label: str, body: dict[str, Any]) -> None:
        line = body.get("__line__")
        if rtype not in ("consul_config_entry", "consul_intention"):
            return  # other resources (nomad_job...) belong to other converters
        address = f"{rtype}[{label}]"
        repeat = [k for k in ("count", "for_each") if k in body]
        if repeat:
            self.result.notes.append(Note(
                "N2K-INTENTION-TF-CONDITIONAL", address,
                f"Terraform resource uses {repeat[0]}: how many intentions it creates is known only at plan time",
                self.file, line, suggestion="run `terraform plan`, then convert the resulting config entries "
                "(consul config read -kind service-intentions) instead"))
            return
        if rtype == "consul_intention":
            self._legacy(address, body, line)
            return
        kind = body.get("kind")
        name = body.get("name")
        config = body.get("config_json")
        if isinstance(config, Ref):
            config = self._jsonencode(config.text, address, line)
        elif isinstance(config, str):
            if nesting.json_depth_error(config) is not None:
                raise ConversionError(f"{address}: config_json: {nesting.message('JSON brackets')}", self.path, line)
            try:
                config = normalise(json.loads(config))
            except json.JSONDecodeError:
                raise ConversionError(f"{address}: config_json is not JSON", self.path, line) from None
        if config is None:
            return
        entry = dict(config) if isinstance(config, dict) else {}
        entry.update({"kind": kind, "name": name, "__line__": line})
        for key in ("namespace", "partition"):
            if key in body:
                entry[key] = body[key]
        self._entry(entry, base=address)

    def _jsonencode(self, text: str, address: str, line: int | None) -> Any:
        """Evaluate the argument of `jsonencode(...)` itself: serialising would lose references."""
        try:
            node = parse_expression(text)
            if node[0] == "call" and node[1] == "jsonencode" and len(node[2]) == 1:
                node = node[2][0]
            value = Evaluator(lambda root: Ref(root)).eval(node)
        except (Unresolved, Runtime) as exc:
            raise ConversionError(f"{address}: config_json cannot be evaluated: {exc}", self.path, line) from None
        if isinstance(value, Ref):
            self.result.notes.append(Note(
                "N2K-INTENTION-TF-REFERENCE", address, f"config_json is a reference ({value.text}), not a literal",
                self.file, line, suggestion="convert the rendered config entry instead"))
            return None
        if isinstance(value, str):
            if nesting.json_depth_error(value) is not None:
                raise ConversionError(f"{address}: config_json: {nesting.message('JSON brackets')}", self.path, line)
            try:
                return normalise(json.loads(value))
            except json.JSONDecodeError:
                raise ConversionError(f"{address}: config_json is not JSON", self.path, line) from None
        return normalise(value)

    def _legacy(self, address: str, body: dict[str, Any], line: int | None) -> None:
        dst = body.get("destination_name")
        src = body.get("source_name")
        if dst is None or src is None or body.get("action") is None:
            raise ConversionError(f"{address}: source_name, destination_name and action are required", self.path, line)
        dst_ns = body.get("destination_namespace", "default")
        dest = Pattern(dst_ns if isinstance(dst_ns, str) else "default", dst if isinstance(dst, str) else "?")
        path = f"intention[{address}]" if isinstance(dst, Ref) else f"intention[{dest.render()}].{address}"
        raw = {"name": src, "namespace": body.get("source_namespace"), "action": body.get("action"),
               "description": body.get("description"), "__line__": line}
        raw = {k: v for k, v in raw.items() if v is not None}
        intention = Intention(dest, [], path, self.file, line, raw=plain(body))
        if isinstance(dst, Ref) or isinstance(dst_ns, Ref):
            intention.blockers.append(f"destination is a Terraform reference ({unresolved(dst) or unresolved(dst_ns)})")
        intention.sources.append(self._source(raw, dest, path, line, legacy=True))
        self.result.intentions.append(intention)

    # ------------------------------------------------------------------ entries
    def _entry(self, entry: Any, base: str | None) -> None:
        if not isinstance(entry, dict):
            raise ConversionError("config entry must be an object", self.path)
        line = entry.get("__line__") or self._find_kind_line(entry)
        kind, name = entry.get("kind"), entry.get("name")
        if not isinstance(kind, str):
            raise ConversionError("config entry has no Kind", self.path, line)
        if name is None:
            raise ConversionError(f"{kind} config entry has no Name", self.path, line)
        if kind != INTENTIONS_KIND:
            label = name if isinstance(name, str) else (base or "?")
            body = {k: v for k, v in entry.items() if k not in ("kind", "name", "__line__")}
            self.result.others.append(OtherEntry(kind, label, plain(body), f"config_entry[{kind}/{label}]",
                                                 self.file, line))
            return
        ns = entry.get("namespace") or "default"
        dest_ref = unresolved(name) or (unresolved(ns) if not isinstance(ns, str) else None)
        dest = Pattern(ns if isinstance(ns, str) else "default", name if isinstance(name, str) else "?")
        path = f"intention[{base}]" if dest_ref else f"intention[{dest.render()}]"
        intention = Intention(dest, [], path, self.file, line, raw=plain(entry))
        if dest_ref:
            intention.blockers.append(f"destination name is a Terraform reference ({dest_ref})")
        if entry.get("partition") not in (None, "default"):
            intention.blockers.append(f"admin partition {plain(entry['partition'])!r} (Consul Enterprise)")
        sources = entry.get("sources")
        if isinstance(sources, dict):
            sources = [sources]
        if not isinstance(sources, list):
            raise ConversionError(f"{path}: Sources must be a list", self.path, line)
        for i, raw in enumerate(sources):
            intention.sources.append(self._source(raw, dest, f"{path}.sources[{i}]", line))
        self.result.intentions.append(intention)

    def _source(self, raw: Any, dest: Pattern, path: str, entry_line: int | None, legacy: bool = False) -> Source:
        if not isinstance(raw, dict):
            raise ConversionError(f"{path}: a source must be an object", self.path, entry_line)
        name = raw.get("name")
        line = raw.get("__line__") or self._find_name_line(name, entry_line)
        if name is None:
            raise ConversionError(f"{path}: source has no Name", self.path, line)
        blockers: list[str] = []
        ref = unresolved(name)
        if ref:
            blockers.append(f"source name is a Terraform reference ({ref})")
        ns = raw.get("namespace")
        if ns is not None and unresolved(ns):
            blockers.append(f"source namespace is a Terraform reference ({unresolved(ns)})")
            ns = None
        ns = ns or dest.namespace
        for key, what in (("peer", "cluster peer"), ("sameness_group", "sameness group")):
            if raw.get(key):
                blockers.append(f"{what} {plain(raw[key])!r} has no Kubernetes network-policy equivalent")
        if raw.get("partition") not in (None, "default"):
            blockers.append(f"admin partition {plain(raw['partition'])!r} (Consul Enterprise)")
        if raw.get("type") not in (None, "consul"):
            blockers.append(f"source Type {plain(raw['type'])!r}")
        pattern = Pattern(str(ns), name if isinstance(name, str) else "?")
        if pattern.namespace == WILDCARD and pattern.name != WILDCARD:
            raise ConversionError(f"{path}: a wildcard namespace needs a wildcard Name", self.path, line)
        action = raw.get("action")
        perms = raw.get("permissions") or []
        if action is not None and perms:
            raise ConversionError(f"{path}: a source has either Action or Permissions, not both", self.path, line)
        if action is None and not perms:
            raise ConversionError(f"{path}: a source needs Action or Permissions", self.path, line)
        if action is not None:
            action = self._action(action, path, line)
        permissions = [self._permission(p, f"{path}.permissions[{j}]", line) for j, p in enumerate(perms)]
        return Source(pattern, action, permissions, path, self.file, line, plain(raw), blockers)

    def _action(self, value: Any, path: str, line: int | None) -> str:
        if unresolved(value):
            raise ConversionError(f"{path}: Action is a reference ({unresolved(value)})", self.path, line)
        action = str(value).lower()
        if action not in ("allow", "deny"):
            raise ConversionError(f"{path}: Action must be allow or deny, got {value!r}", self.path, line)
        return action

    def _permission(self, raw: Any, path: str, line: int | None) -> Permission:
        if not isinstance(raw, dict):
            raise ConversionError(f"{path}: a permission must be an object", self.path, line)
        action = self._action(raw.get("action"), path, line)
        unsupported = sorted(k for k in raw if k not in ("action", "http", "__line__"))
        http_raw = raw.get("http")
        http = None
        if isinstance(http_raw, dict):
            unsupported += sorted(f"http.{k}" for k in http_raw if k not in HTTP_KEYS and k != "__line__")
            headers = []
            for h in http_raw.get("header") or []:
                if not isinstance(h, dict) or not h.get("name"):
                    raise ConversionError(f"{path}: every HTTP Header match needs a Name", self.path, line)
                unsupported += sorted(f"http.header.{k}" for k in h if k not in HEADER_KEYS)
                headers.append(HeaderMatch(name=str(h["name"]), present=bool(h.get("present")),
                                           exact=h.get("exact"), prefix=h.get("prefix"), suffix=h.get("suffix"),
                                           regex=h.get("regex"), invert=bool(h.get("invert"))))
            methods = http_raw.get("methods") or []
            http = HttpMatch(path_exact=http_raw.get("path_exact"), path_prefix=http_raw.get("path_prefix"),
                             path_regex=http_raw.get("path_regex"), methods=[str(m).upper() for m in methods],
                             headers=headers)
            if sum(1 for p in (http.path_exact, http.path_prefix, http.path_regex) if p is not None) > 1:
                raise ConversionError(f"{path}: at most one of PathExact, PathPrefix, PathRegex", self.path, line)
        return Permission(action, http, path, unsupported)

    # ------------------------------------------------------------------ lines
    def _find(self, word: str, after: int = 0) -> int | None:
        pat = re.compile(rf"\b{re.escape(word)}\b", re.I)
        for i in range(max(after - 1, 0), len(self.lines)):
            if pat.search(self.lines[i]):
                return i + 1
        return None

    def _find_kind_line(self, entry: dict[str, Any]) -> int | None:
        name = entry.get("name")
        if isinstance(name, str):
            pat = re.compile(rf'\bname"?\s*[=:]\s*"{re.escape(name)}"', re.I)
            for i, text in enumerate(self.lines):
                if pat.search(text):
                    return i + 1
        return None

    def _find_name_line(self, name: Any, after: int | None) -> int | None:
        if not isinstance(name, str):
            return after
        pat = re.compile(rf'\bname"?\s*[=:]\s*"{re.escape(name)}"', re.I)
        for i in range(after or 0, len(self.lines)):
            if pat.search(self.lines[i]):
                return i + 1
        return after
