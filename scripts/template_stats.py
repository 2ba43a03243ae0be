"""How corpus templates convert: ConfigMap, ExternalSecret, env vars, or needs-decision.

Usage: python scripts/template_stats.py [CORPUS_JOBS_DIR]   (default ../shared/corpus/jobs)
Counts one outcome per template from its content ledger entry (template[i].data/source).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from nomad2k8s.convert import convert_file
from nomad2k8s.errors import ConversionError

TARGET = {
    "N2K-TEMPLATE-CONFIGMAP": "ConfigMap",
    "N2K-TEMPLATE-SECRET-FILE": "ExternalSecret (file)",
    "N2K-TEMPLATE-SECRET-ENV": "ExternalSecret (env)",
    "N2K-TEMPLATE-ENV": "plain env vars",
    "N2K-TEMPLATE-UNTRANSLATED": "not translated",
    "N2K-TEMPLATE-PKI": "not written (Vault PKI/dynamic)",
    "N2K-TEMPLATE-SECRET-KEPT": "not written (secret in logic)",
}
CONTENT = re.compile(r"\.template\[\d+\]\.(data|source)$")


def main(root: Path) -> None:
    outcomes: Counter = Counter()
    decided: Counter = Counter()
    findings: Counter = Counter()
    objects: Counter = Counter()
    security: Counter = Counter()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            results = convert_file(path)
        except ConversionError:
            continue
        for result in results:
            objects.update(o["kind"] for o in result.objects if o["kind"] in ("ConfigMap", "ExternalSecret"))
            seen: set[str] = set()
            for entry in result.ledger.entries:
                if entry.code.startswith("N2K-SECURITY-"):
                    security[entry.code] += 1  # claiming or not: each one is a clear-text secret found
                if not entry.claims:
                    if entry.code.startswith(("N2K-TEMPLATE-", "N2K-SECURITY-", "N2K-VAULT-")):
                        findings[entry.code] += 1
                    continue
                if not CONTENT.search(entry.nomad_path) or entry.code not in TARGET:
                    continue
                template = entry.nomad_path.rsplit(".", 1)[0]
                if template in seen:
                    continue
                seen.add(template)
                outcomes[TARGET[entry.code]] += 1
                if entry.status.value == "needs-decision":
                    decided[TARGET[entry.code]] += 1
    total = sum(outcomes.values())
    print(f"templates: {total}; needs-decision: {sum(decided.values())}")
    for name, count in outcomes.most_common():
        print(f"  {name:32} {count:4}  (needs-decision {decided[name]})")
    print("objects:", dict(sorted(objects.items())))
    print("findings (notes):", dict(sorted(findings.items())))
    print("security findings (all entries):", dict(sorted(security.items())))


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "jobs"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
