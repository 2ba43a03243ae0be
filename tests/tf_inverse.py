"""The Terraform walker run backwards: emitted *.tf files -> Kubernetes objects (camelCase dicts).

Parsed with python-hcl2 and mapped back through the SAME exception table
(nomad2k8s/emit/tf_schema.py), so any drift between the YAML and Terraform emitters shows
up as a difference between the two object lists. Because of that, a wrong row of the table would
round-trip unnoticed: tests/test_tf_schema_sources.py checks the table against the kubernetes client's
model attribute maps instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2

from nomad2k8s.emit import tf_schema as schema

OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True)
_VAR_REF = re.compile(r"(?<!\$)\$\{var\.([A-Za-z0-9_-]+)\}")


def parse(text: str) -> dict[str, Any]:
    # python-hcl2 returns a function call as expression text; unwrap `yamlencode({...})` so the
    # object literal inside is parsed as data. The emitter writes the call on these two lines.
    text = re.sub(r"= yamlencode\(\{$", "= {", text, flags=re.M)
    text = re.sub(r"^(\s*)\}\)$", r"\1}", text, flags=re.M)
    return hcl2.loads(text, serialization_options=OPTIONS)


def decode_heredoc(raw: str) -> str:
    lines = raw.split("\n")
    opener, content = lines[0], lines[1:-1]
    if opener.startswith("<<-"):
        widths = [len(line) - len(line.lstrip(" ")) for line in content if line.strip()]
        cut = min(widths, default=0)
        content = [line[cut:] if line.strip() else line for line in content]
    return "\n".join(content) + "\n"


def decode_string(text: str, variables: dict[str, str]) -> str:
    if text.startswith("<<"):
        text = decode_heredoc(text)
    text = _VAR_REF.sub(lambda m: variables[m.group(1)], text)
    return text.replace("$${", "${").replace("%%{", "%{")


def decode_value(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return decode_string(value, variables)
    if isinstance(value, list):
        return [decode_value(v, variables) for v in value]
    if isinstance(value, dict):
        return {decode_string(k, variables): decode_value(v, variables) for k, v in value.items()
                if k != "__is_block__"}
    return value


def _is_blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and v.get("__is_block__")
                                                            for v in value)


def from_body(body: dict[str, Any], model: str | None, variables: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in body.items():
        if name == "__is_block__":
            continue
        key = schema.api_name(model, name)
        ftype = schema.field_type(model, key)
        if _is_blocks(value):
            items = [from_body(b, ftype.model, variables) for b in value]
            single = ftype.kind == "model" or (ftype.kind == "unknown" and len(items) == 1)
            out[key] = items[0] if single else items
        elif isinstance(value, dict):
            out[key] = decode_value(value, variables)
        elif isinstance(value, list):
            out[key] = [schema.decode_scalar(model, key, decode_value(v, variables)) for v in value]
        else:
            out[key] = schema.decode_scalar(model, key, decode_value(value, variables))
    return out


def resource_object(rtype: str, body: dict[str, Any], variables: dict[str, str]) -> dict[str, Any]:
    if rtype == schema.MANIFEST_TYPE:
        return decode_value(body["yaml_body"], variables)
    api_version, kind, model = schema.kind_for_resource(rtype)
    return {"apiVersion": api_version, "kind": kind, **from_body(body, model, variables)}


def module_objects(directory: Path) -> list[dict[str, Any]]:
    """Every resource of a module directory as a Kubernetes object, in file then resource order."""
    variables: dict[str, str] = {}
    variables_tf = directory / "variables.tf"
    if variables_tf.exists():
        for block in parse(variables_tf.read_text()).get("variable", []):
            for name, spec in block.items():
                variables[name] = spec["default"]
    objects = []
    for path in sorted(directory.glob("*.tf")):
        for resource in parse(path.read_text()).get("resource", []):
            for rtype, named in resource.items():
                for body in named.values():
                    objects.append(resource_object(rtype, body, variables))
    return objects
