"""Reading Nomad values: durations, numbers, interpolation markers."""

from __future__ import annotations

import json
import re
from typing import Any

import durationpy

from nomad2k8s.ledger import Ledger, LedgerEntry, Status

# Go's time.ParseDuration units; durationpy also reads d/w/mm/y, which Nomad rejects.
_GO_UNITS = frozenset({"ns", "us", "µs", "μs", "ms", "s", "m", "h"})
_UNIT = re.compile(r"[^\d.+-]+")


def duration_seconds(value: Any) -> float | None:
    """Nomad/Go duration text ("1m30s", "500ms", "0") in seconds, read by durationpy (to the
    microsecond); a number (not text) is already seconds. None when it is not a duration, or is negative
    (no Nomad setting we map takes one)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or text.startswith("-") or not set(_UNIT.findall(text)) <= _GO_UNITS:
        return None
    try:
        return durationpy.from_str(text).total_seconds()
    except (ValueError, OverflowError):  # DurationError is a ValueError; old durationpy leaks OverflowError
        return None


def as_int(value: Any) -> int | None:
    """An integer from a Nomad value, or None when it is not a literal number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def has_interpolation(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


_INTERPOLATION = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_HCL_ROOTS = ("var.", "local.")
# `${var.x}` nested in an expression the parser also left as text (`${uuidv5("dns", "${var.x}.io")}`).
_NESTED_HCL = re.compile(r"\$\{\s*((?:var|local)\.[A-Za-z0-9_.\[\]\"-]*)")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def unresolved_reference(value: Any, *, any_variable: bool = False) -> str | None:
    """The first HCL `${var.x}` / `${local.x}` left as text in `value` (strings inside lists/dicts
    too), as "var.x"; None when there is none. The parser keeps what it could not resolve as
    text, so a mapper that copies the value would emit it verbatim. `any_variable` also counts
    run-time interpolations (`${NOMAD_*}`, task env) for values that are never interpolated
    at run time in Kubernetes, such as an image name."""
    for text in _strings(value):
        for match in _INTERPOLATION.finditer(text):
            expr = match.group(1)
            if any_variable or expr.startswith(_HCL_ROOTS):
                return expr
        nested = _NESTED_HCL.search(text)
        if nested is not None:
            return nested.group(1)
    return None


def unresolved_suggestion(reference: str) -> str:
    """How to resolve `reference` (from unresolved_reference) at conversion time."""
    if reference.startswith("var."):
        name = reference[len("var."):].split(".", 1)[0].split("[", 1)[0]
        return f"Convert with `--var {name}=VALUE` (or --var-file), or set the value by hand."
    if reference.startswith("local."):
        return "Pass the variables this local is built from with --var/--var-file, or set the value by hand."
    return f"Nomad fills ${{{reference}}} at run time; Kubernetes does not: set the value by hand."


def claim_value(ledger: Ledger, status: Status, code: str, path: str, value: Any, message: str,
                **kw: Any) -> LedgerEntry:
    """Record a claim on a value copied into an object; a value still holding an unresolved
    `${var.x}`/`${local.x}` is never `mapped`/`changed`: it becomes N2K-VALUE-UNRESOLVED (needs decision)."""
    reference = unresolved_reference(value)
    if reference is None:
        return ledger.record(status, code, path, message, **kw)
    kw["suggestion"] = unresolved_suggestion(reference)
    return ledger.decide("N2K-VALUE-UNRESOLVED", path, f"{message}: ${{{reference}}} is unresolved and is copied "
                         "as text", **kw)


def hcl_text(value: Any) -> str:
    """A scalar as Nomad turns it into a string (env, meta): `true`/`false`, `3` for 3.0, not Python's
    `True` / `3.0`; collections as JSON, as HCL's jsonencode would write them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
