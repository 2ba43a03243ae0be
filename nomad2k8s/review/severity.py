"""The one rule that turns a ledger entry into a review severity (blocker, action, review, info).

1. The catalogue (ledger/codes.yaml) gives each code the severity of its worst use, i.e. of the rows
   recorded with the code's worst status (`status` and `also` in the catalogue). A site's profile section
   `verdict:` (code -> severity) replaces that value.
2. A row recorded with a milder status than its code's worst use is lowered: a `mapped` row to `info`, a
   `changed` or `dropped` row to at most `review` (e.g. N2K-ARGS-REWRITE is a blocker when an argument
   stays unresolved, info when every runtime value was rewritten).
3. A `mapped` row is never a blocker or an action unless the site's `verdict:` section says so (a site
   may forbid privileged containers: `verdict: {N2K-PRIVILEGED: blocker}`).
4. A CSI plugin task is replaced by the Kubernetes CSI driver of its storage (the action N2K-CSI-PLUGIN), not
   run as converted: the other rows of that task are at most `review` (its emitted workload is a reference
   for installing the driver, so its unresolved arguments do not block the service).
5. Security escalations (privileged, capabilities, host namespaces and networking, host devices, any
   hostPath) are at least `review`, whatever the status and whatever the site says: never silent.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from ..ledger import LedgerEntry, Status
from ..ledger.codes import Severity, lookup
from ..model import paths

CSI_PLUGIN = "N2K-CSI-PLUGIN"

# Worst first; a severity's rank is its index (lower is worse).
ORDER: tuple[Severity, ...] = (Severity.BLOCKER, Severity.ACTION, Severity.REVIEW, Severity.INFO)

# Codes that give a container more power on the node than a plain pod has.
SECURITY_CODES = frozenset({
    "N2K-PRIVILEGED", "N2K-CAPABILITIES", "N2K-SECURITY-OPT", "N2K-HOST-NAMESPACE", "N2K-NETWORK-HOST",
    "N2K-DOCKER-NETWORK-HOST", "N2K-DOCKER-DEVICE", "N2K-PORT-STATIC-HOST", "N2K-VOLUME-HOST",
    "N2K-VOLUME-MOUNT-PROPAGATION", "N2K-CSI-HOSTPATH",
})


def worse(a: Severity, b: Severity) -> Severity:
    return a if ORDER.index(a) <= ORDER.index(b) else b


def milder(a: Severity, b: Severity) -> Severity:
    return a if ORDER.index(a) >= ORDER.index(b) else b


def is_security_escalation(entry: LedgerEntry) -> bool:
    # A docker bind of a host path (sockets, /) is recorded under mount codes: the hostPath it became tells.
    return entry.code in SECURITY_CODES or "hostPath" in entry.k8s


def plugin_tasks(entries: Iterable[LedgerEntry]) -> list[str]:
    """The paths of the CSI plugin tasks of a service (rule 4)."""
    return [e.nomad_path.removesuffix(".csi_plugin") for e in entries if e.code == CSI_PLUGIN]


@functools.lru_cache(maxsize=None)  # one per catalogued code
def _worst_use(code: str) -> Status:
    found = lookup(code)
    return Status.worst(found.status, *found.also)


def severity(entry: LedgerEntry, overrides: Mapping[str, str] | None = None,
             plugins: Iterable[str] = ()) -> Severity:
    """The review severity of `entry` under the site's `verdict:` overrides (code -> severity); `plugins`:
    the service's CSI plugin tasks (plugin_tasks)."""
    code = lookup(entry.code)
    override = (overrides or {}).get(entry.code)
    value = Severity(override) if override is not None else code.severity
    worst = _worst_use(entry.code)
    if entry.status.rank < worst.rank:
        value = milder(value, Severity.INFO if entry.status is Status.MAPPED else Severity.REVIEW)
    elif entry.status is Status.MAPPED and override is None:
        value = milder(value, Severity.REVIEW)
    if entry.code != CSI_PLUGIN and any(paths.covers(task, entry.nomad_path) for task in plugins):
        value = milder(value, Severity.REVIEW)
    if is_security_escalation(entry):
        value = worse(value, Severity.REVIEW)
    return value
