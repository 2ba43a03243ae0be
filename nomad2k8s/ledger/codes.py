"""The code catalogue: every code the tool can emit, with its title, default status, severity,
explanation and suggestion (codes.yaml beside this module).

Severity is what a code means for the go/no-go review (issue 15):
- blocker: the emitted objects will not run as the Nomad job did until a person supplies something;
- action: a known operational step with a safe default (copy data, grant Vault read, install a driver);
- review: runs, but behaves differently: read and accept (security escalations are at least this);
- info: nothing to do.

`Ledger.record` refuses a code that is not here, so a new code cannot ship undocumented.
docs/CODES.md is generated from the catalogue by `nomad2k8s codes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

import yaml

from .status import Status

CATALOGUE_FILE = Path(__file__).with_name("codes.yaml")
FIELDS = {"title", "status", "severity", "explanation", "suggestion", "also", "note"}


# docs/CODES.md sections: concept -> the code prefixes (N2K-<PREFIX>-...) it holds, in reading order.
CONCEPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Job, groups and workload kinds", ("JOB", "GROUP", "WORKLOAD", "STATEFULSET", "STRATEGY", "NAMESPACE", "COUNT",
                                        "PARAMETERIZED", "DISPATCH", "PERIODIC", "CRON", "META", "PRIORITY", "NODE",
                                        "MULTIREGION", "LEADER", "HINT", "OBJECT")),
    ("Parsing and unknown settings", ("PARSE", "VALUE", "INFO", "BLOCK", "UNMAPPED", "DROP", "FILE")),
    ("Tasks: driver, image, command, environment", ("DRIVER", "IMAGE", "ENTRYPOINT", "COMMAND", "ARGS", "ENV", "WORKDIR",
                                                    "USER", "TTY", "FORCE", "REGISTRY", "AUTH", "LIFECYCLE", "KILL",
                                                    "SHUTDOWN")),
    ("Docker options and security", ("DOCKER", "PRIVILEGED", "CAPABILITIES", "SECURITY", "READONLY", "HOST", "SYSCTL",
                                     "ULIMIT", "EXTRA", "DNS", "HOSTNAME")),
    ("Resources and scaling", ("CPU", "MEMORY", "SCALING", "HPA", "VPA")),
    ("Rollout and restarts", ("UPDATE", "RESTART", "RESCHEDULE")),
    ("Networking, services and checks", ("NETWORK", "PORT", "SERVICE", "CHECK", "CONNECT", "MESH")),
    ("Consul intentions and config entries", ("INTENTION", "CONSUL")),
    ("Storage", ("VOLUME", "CSI", "EPHEMERAL")),
    ("Templates and secrets", ("TEMPLATE", "VAULT")),
    ("Placement", ("CONSTRAINT", "AFFINITY", "SPREAD", "ARCH", "DEVICE")),
)
_CONCEPT_OF = {prefix: concept for concept, prefixes in CONCEPTS for prefix in prefixes}


class Severity(str, Enum):
    BLOCKER = "blocker"
    ACTION = "action"
    REVIEW = "review"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    status: Status  # the status it is usually emitted with
    severity: Severity
    explanation: str
    suggestion: str
    also: tuple[Status, ...] = ()  # other statuses some emissions use
    note: str = ""  # why the severity was chosen, when a code has several uses

    @property
    def group(self) -> str:
        """The concept it is listed under in docs/CODES.md, by prefix (N2K-VOLUME-DATA -> Storage)."""
        return _CONCEPT_OF.get(self.code.split("-")[1], "Other")

    @property
    def anchor(self) -> str:
        """The GitHub anchor of its heading in docs/CODES.md."""
        return _slug(self.code)


def _parse(code: str, raw: dict) -> Code:
    unknown = set(raw) - FIELDS
    missing = {"title", "status", "severity", "explanation", "suggestion"} - set(raw)
    if unknown or missing:
        raise ValueError(f"{CATALOGUE_FILE.name}: {code}: unknown fields {sorted(unknown)}, missing {sorted(missing)}")
    try:
        return Code(code=code, title=str(raw["title"]), status=Status(raw["status"]),
                    severity=Severity(raw["severity"]), explanation=" ".join(str(raw["explanation"]).split()),
                    suggestion=" ".join(str(raw["suggestion"]).split()),
                    also=tuple(Status(s) for s in raw.get("also") or ()), note=str(raw.get("note") or ""))
    except ValueError as exc:
        raise ValueError(f"{CATALOGUE_FILE.name}: {code}: {exc}") from None


@cache
def catalogue() -> dict[str, Code]:
    """Every catalogued code, in file order."""
    raw = yaml.load(CATALOGUE_FILE.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {code: _parse(code, fields) for code, fields in raw.items()}


def lookup(code: str) -> Code:
    """The catalogue record of `code`; a ValueError naming the code when it is not catalogued."""
    found = catalogue().get(code)
    if found is None:
        raise ValueError(f"uncatalogued ledger code {code!r}: add it to nomad2k8s/ledger/codes.yaml "
                         "(title, status, severity, explanation, suggestion) and regenerate docs/CODES.md")
    return found


def _slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return "".join(ch for ch in heading.lower() if ch.isalnum() or ch in " -").replace(" ", "-")


def render_markdown() -> str:
    """docs/CODES.md: one `### CODE` heading (an anchor) per code, grouped by concept prefix."""
    codes = catalogue().values()
    counts = {s: sum(1 for c in codes if c.severity is s) for s in Severity}
    lines = [
        "# Ledger codes",
        "",
        "<!-- Generated by `nomad2k8s codes` from nomad2k8s/ledger/codes.yaml; do not edit by hand. -->",
        "",
        "Every code a migration report can show, with what it means and what to do. The **severity** is",
        "what the row means for the go/no-go review: `blocker` (the objects will not run as the Nomad job",
        "did until someone supplies something), `action` (a known step with a safe default), `review` (runs,",
        "but behaves differently: read and accept) or `info` (nothing to do). The **status** is the one the",
        "code is usually recorded with.",
        "",
        f"{len(codes)} codes: " + ", ".join(f"{counts[s]} {s.value}" for s in Severity) + ".",
        "",
    ]
    groups: dict[str, list[Code]] = {concept: [] for concept, _ in CONCEPTS}
    for code in sorted(codes, key=lambda c: c.code):
        groups.setdefault(code.group, []).append(code)
    groups = {g: members for g, members in groups.items() if members}
    lines.append("Sections: " + " · ".join(f"[{g}](#{_slug(g)}) ({len(m)})" for g, m in groups.items()))
    lines.append("")
    for group, members in groups.items():
        lines += [f"## {group}", ""]
        for code in members:
            status = code.status.value + "".join(f", {s.value}" for s in code.also)
            lines += [f"### {code.code}", "", f"**{code.title}** — severity `{code.severity.value}`, "
                      f"status `{status}`.", "", code.explanation, ""]
            if code.suggestion:
                lines += [f"*What to do:* {code.suggestion}", ""]
            if code.note:
                lines += [f"*Note:* {code.note}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
