"""SUMMARY.md: the agenda of a review meeting, rendered from the report.json document
(review/report.py): the counts, the services by verdict, the blockers, the grouped actions, the
migration waves and the stale decisions, each service linked to its MIGRATION.md."""

from __future__ import annotations

from typing import Any

from ..review.verdict import VERDICTS, WORDS

MAX_ITEMS = 20  # items shown per action kind; the rest are counted (report.json has them all)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _link(service: dict[str, Any]) -> str:
    return f"[{service['name']}]({service['migration_md']})"


def _settled(item: dict[str, Any]) -> str:
    """What the cluster kit did about an item: the file preparing it, or what it lacks to."""
    if item.get("kit"):
        return f" — prepared by the kit: `{item['kit']}`"
    if item.get("missing"):
        return f" — kit: missing {_cell(item['missing'])}"
    return ""


def render(report: dict[str, Any]) -> str:
    totals = report["totals"]
    run = report["run"]
    by_name = {s["name"]: s for s in report["services"]}
    verdicts = ", ".join(f"{totals['verdicts'][v]} {WORDS[v]}" for v in VERDICTS)
    opened = totals["open"]
    lines = [
        "# Migration summary",
        "",
        f"{totals['services']} service(s): {verdicts}. Open: {opened['blocker']} blocker(s), "
        f"{opened['action']} action(s), {opened['review']} to review. Profile `{run.get('profile')}`, "
        f"source `{run.get('source')}`.",
        "",
        "| service | verdict | blockers | actions | review | closed | objects | source |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    order = {v: i for i, v in enumerate(reversed(VERDICTS))}  # NO-GO first: what the meeting discusses
    for s in sorted(report["services"], key=lambda s: (order[s["verdict"]], s["dir"])):
        o = s["open"]
        lines.append(f"| {_link(s)} | {WORDS[s['verdict']]} | {o['blocker']} | {o['action']} | {o['review']} | "
                     f"{s['closed']} | {len(s['objects'])} | `{_cell(s['source'])}` |")
    lines += ["", "## Blockers", ""]
    lines += [f"- {_link(by_name[b['service']])} `{b['code']}` ({b['row']}): {_cell(b['message'])}"
              for b in report["blockers"]] or ["None."]
    lines += ["", "## Actions", ""]
    if not report["actions"]:
        lines += ["None.", ""]
    for action in report["actions"]:
        items = action["items"]
        services = sorted({i["service"] for i in items})
        lines += [f"### {action['title']} ({len(items)} item(s), {len(services)} service(s))", ""]
        lines += [f"- {i['service']}: `{_cell(i['detail'])}`" + _settled(i) for i in items[:MAX_ITEMS]]
        if len(items) > MAX_ITEMS:
            lines.append(f"- … and {len(items) - MAX_ITEMS} more (report.json)")
        if action.get("kit"):
            lines += ["", "Prepared by the cluster kit: " + ", ".join(f"`{k}`" for k in action["kit"])]
        if action["snippet"]:
            lines += ["", "```hcl", action["snippet"], "```"]
        lines.append("")
    lines += ["## Migration waves", "",
              "Leaves first: a wave's services depend only on earlier waves; external names must still resolve "
              "to Nomad/Consul while they move.", ""]
    for wave in report["waves"]:
        external = f" — external: {', '.join(f'`{e}`' for e in wave['external'])}" if wave["external"] else ""
        lines.append(f"{wave['wave']}. {', '.join(wave['services'])}{external}")
        if wave.get("kit_remove"):
            lines.append(f"   Once it has moved, remove: {', '.join(f'`{k}`' for k in wave['kit_remove'])}")
    later = report.get("kit_remove_later") or []
    if later:
        lines += ["", "Hybrid-period pieces of the cluster kit to remove later:", ""]
        lines += [f"- `{_cell(p['piece'])}`: {_cell(p['when'])}" for p in later]
    if report["cycles"]:
        lines += ["", "Cycles (move together): " + "; ".join(" ↔ ".join(c) for c in report["cycles"])]
    if report["stale_decisions"]:
        lines += ["", "## Stale decisions", ""]
        lines += [f"- {d['service']} `{d['code']}`" + (f" `{d['path']}`" if d["path"] else "")
                  + f": {d['reason']} ({d['file']})" for d in report["stale_decisions"]]
    skipped = report.get("not_converted") or []
    if skipped:
        lines += ["", f"## Not converted ({len(skipped)} file(s))", ""]
        lines += [f"- `{_cell(f['file'])}`: {_cell(f['reason'])}" for f in skipped]
    return "\n".join(lines).rstrip("\n") + "\n"
