"""Case tables for the go/no-go review (issue 15): the severity of common codes, the verdict it gives,
dedupe by cause, grouped actions, rows closed by (hand-set) decisions, and the site's `verdict:` section."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from nomad2k8s.convert import ServiceResult
from nomad2k8s.ledger.codes import Severity
from nomad2k8s.profile import Profile
from nomad2k8s.profile_load import ProfileError, resolve_profile
from nomad2k8s.review.actions import action_plan
from nomad2k8s.review.closures import Closure, StaleDecision
from nomad2k8s.review.report import ServiceReview, build, review_rows
from nomad2k8s.review.rows import Row, open_counts
from nomad2k8s.review.verdict import fails, verdict

from .harness import convert_text


def _job(task_body: str, group_body: str = "", name: str = "app") -> str:
    return (f'job "{name}" {{\n  group "g" {{\n{group_body}\n    task "t" {{\n{task_body}\n    }}\n  }}\n}}\n')


DOCKER = '      driver = "docker"\n      config {\n        image = "nginx:1.25"\n%s\n      }\n'
VAULT_TEMPLATE = ('      vault { policies = ["app"] }\n      template {\n        destination = "secrets/app.env"\n'
                  '        env = true\n        data = "PASSWORD={{ with secret \\"secret/data/%s\\" }}{{ .Data.data.pw }}{{ end }}"\n'
                  '      }\n')


@dataclass(frozen=True)
class SeverityCase:
    id: str
    hcl: str
    code: str
    severity: Severity
    verdict: str
    variables: tuple[tuple[str, str], ...] = ()


SEVERITY_CASES = [
    SeverityCase("raw-exec-has-no-image", _job('      driver = "raw_exec"\n      config { command = "/bin/run" }'),
                 "N2K-DRIVER-NO-IMAGE", Severity.BLOCKER, "no-go"),
    SeverityCase("csi-volume-data-is-an-action",
                 _job(DOCKER % "" + '      volume_mount {\n        volume = "data"\n        destination = "/data"\n      }',
                      '    volume "data" {\n      type = "csi"\n      source = "data"\n      access_mode = "single-node-writer"\n'
                      '      attachment_mode = "file-system"\n    }'),
                 "N2K-VOLUME-DATA", Severity.ACTION, "go-after-actions"),
    SeverityCase("vault-read-is-an-action", _job(DOCKER % "" + VAULT_TEMPLATE % "app"),
                 "N2K-VAULT-ACCESS", Severity.ACTION, "go-after-actions"),
    SeverityCase("privileged-is-reviewed-never-silent", _job(DOCKER % "        privileged = true"),
                 "N2K-PRIVILEGED", Severity.REVIEW, "go"),
    SeverityCase("docker-socket-bind-is-reviewed",
                 _job(DOCKER % '        volumes = ["/var/run/docker.sock:/var/run/docker.sock"]'),
                 "N2K-DOCKER-VOLUMES", Severity.REVIEW, "go"),
    SeverityCase("priority-is-reviewed", _job(DOCKER % "").replace('job "app" {', 'job "app" {\n  priority = 80'),
                 "N2K-PRIORITY", Severity.REVIEW, "go"),
    SeverityCase("rewritten-args-are-info", _job(DOCKER % '        args = ["--port", "${NOMAD_PORT_http}"]',
                                                 '    network {\n      port "http" { to = 8080 }\n    }'),
                 "N2K-ARGS-REWRITE", Severity.INFO, "go"),
    SeverityCase("unresolved-args-block", _job(DOCKER % '        args = ["${meta.level}"]'),
                 "N2K-ARGS-REWRITE", Severity.BLOCKER, "no-go"),
    SeverityCase("csi-plugin-job-is-an-action",
                 _job(DOCKER % "        privileged = true" + '      csi_plugin {\n        id = "nfs"\n        type = "node"\n'
                      '        mount_dir = "/csi"\n      }'),
                 "N2K-CSI-PLUGIN", Severity.ACTION, "go-after-actions"),
    SeverityCase("client-meta-constraint-needs-labelled-nodes",
                 _job(DOCKER % "", '    constraint {\n      attribute = "${meta.role}"\n      value = "db"\n    }'),
                 "N2K-CONSTRAINT", Severity.ACTION, "go-after-actions"),
    SeverityCase("arch-constraint-is-info",
                 _job(DOCKER % "", '    constraint {\n      attribute = "${attr.cpu.arch}"\n      value = "amd64"\n    }'),
                 "N2K-CONSTRAINT", Severity.INFO, "go"),
    # A CSI plugin job is replaced by the Kubernetes CSI driver: its unresolved arguments do not block.
    SeverityCase("csi-plugin-args-are-read-not-blocking",
                 _job(DOCKER % '        args = ["--node-id=${meta.level}"]' + '      csi_plugin {\n        id = "nfs"\n'
                      '        type = "node"\n        mount_dir = "/csi"\n      }'),
                 "N2K-ARGS-REWRITE", Severity.REVIEW, "go-after-actions"),
]


def _rows(service: ServiceResult, profile: Profile | None = None) -> list[Row]:
    return review_rows(service, profile.verdict if profile else None)


@pytest.mark.parametrize("case", SEVERITY_CASES, ids=lambda c: c.id)
def test_severity_of_common_codes(case: SeverityCase) -> None:
    service = convert_text(case.hcl).service
    rows = [r for r in _rows(service) if r.entry.code == case.code]
    assert rows, f"{case.code} not emitted: {sorted({e.code for e in service.ledger.entries})}"
    assert {r.severity for r in rows} == {case.severity}, [(r.entry.status, r.entry.message) for r in rows]
    assert verdict(open_counts(_rows(service))) == case.verdict


def test_no_service_is_no_go_only_because_of_actions() -> None:
    """Every open row that makes a fixture NO-GO is a blocker: actions alone give GO after actions."""
    case = SEVERITY_CASES[1]
    rows = _rows(convert_text(case.hcl).service)
    counts = open_counts(rows)
    assert counts["action"] and not counts["blocker"] and verdict(counts) == "go-after-actions"


def test_an_undefined_variable_gives_one_decision_per_setting_not_two() -> None:
    hcl = _job(DOCKER % "" + '      env {\n        A = "${var.domain}"\n        B = "${var.domain}"\n      }')
    hcl = 'variable "domain" {}\n' + hcl
    service = convert_text(hcl).service
    env = "job[app].group[g].task[t].env."
    entries = [e for e in service.ledger.entries if e.nomad_path.startswith(env) and e.status.value != "mapped"]
    rows = [r for r in _rows(service) if r.entry.nomad_path.startswith(env) and r.entry.status.value != "mapped"]
    # The ledger itself holds one decision per setting: the parser's generic note is folded into the mapper's.
    assert len(entries) == 2 and "N2K-PARSE-UNRESOLVED" not in {e.code for e in entries}
    assert len(rows) == 2 and all(r.occurrences == 1 and r.severity is Severity.BLOCKER for r in rows)


def test_the_same_cause_at_two_settings_is_one_row_with_occurrences() -> None:
    hcl = 'variable "domain" {}\n' + _job(DOCKER % "" + '      meta {\n        a = "${var.domain}"\n        b = "${var.domain}"\n      }')
    service = convert_text(hcl).service
    entries = [e for e in service.ledger.entries if e.code == "N2K-PARSE-UNRESOLVED"]
    rows = [r for r in _rows(service) if r.entry.code == "N2K-PARSE-UNRESOLVED"]
    assert len(entries) == 2 and len(rows) == 1 and rows[0].occurrences == 2


def test_an_unresolved_image_is_one_decision_not_two() -> None:
    hcl = 'variable "version" {}\n' + _job('      driver = "docker"\n      config { image = "nginx:${var.version}" }')
    service = convert_text(hcl).service
    path = "job[app].group[g].task[t].config.image"
    codes = {e.code for e in service.ledger.entries if e.nomad_path == path}
    assert codes == {"N2K-IMAGE-UNRESOLVED"}  # one cause, one entry (Ledger.fold_generic)
    rows = [r for r in _rows(service) if r.entry.nomad_path == path]
    assert len(rows) == 1 and rows[0].entry.code == "N2K-IMAGE-UNRESOLVED" and rows[0].occurrences == 1
    assert rows[0].severity is Severity.BLOCKER


def test_vault_access_of_two_tasks_with_the_same_policies_is_one_row() -> None:
    task = '    task "%s" {\n' + DOCKER % "" + VAULT_TEMPLATE % "app" + "    }\n"
    hcl = 'job "app" {\n  group "g" {\n' + task % "a" + task % "b" + "  }\n}\n"
    service = convert_text(hcl).service
    assert sum(1 for e in service.ledger.entries if e.code == "N2K-VAULT-ACCESS") == 2
    rows = [r for r in _rows(service) if r.entry.code == "N2K-VAULT-ACCESS"]
    assert len(rows) == 1 and rows[0].occurrences == 2


def test_vault_grants_are_grouped_across_services() -> None:
    one = convert_text(_job(DOCKER % "" + VAULT_TEMPLATE % "one", name="one")).service
    two = convert_text(_job(DOCKER % "" + VAULT_TEMPLATE % "two", name="two")).service
    plan = action_plan([(s.name, _rows(s), s.ledger.values) for s in (one, two)])
    vault = [a for a in plan if a["kind"] == "vault-read"]
    assert len(vault) == 1
    assert [(i["service"], i["detail"]) for i in vault[0]["items"]] == [("one", "secret/data/one"),
                                                                        ("two", "secret/data/two")]
    assert 'path "secret/data/one"' in vault[0]["snippet"] and 'path "secret/data/two"' in vault[0]["snippet"]


def _close_all(service: ServiceResult, severities: set[Severity]) -> None:
    rows = _rows(service)
    service.extra["closures"] = {i: Closure("done", "copied 2026-12-01", "nomad2k8s.decisions.yaml")
                                 for r in rows if r.severity in severities for i in r.own}


def test_closing_every_open_blocker_and_action_makes_the_service_go() -> None:
    hcl = _job('      driver = "raw_exec"\n      config { command = "/bin/run" }' + VAULT_TEMPLATE % "app")
    service = convert_text(hcl).service
    assert verdict(open_counts(_rows(service))) == "no-go"
    _close_all(service, {Severity.BLOCKER})
    assert verdict(open_counts(_rows(service))) == "go-after-actions"
    _close_all(service, {Severity.BLOCKER, Severity.ACTION})
    rows = _rows(service)
    assert verdict(open_counts(rows)) == "go"
    assert not fails("actions", "go", open_counts(rows))
    closed = [r.as_dict() for r in rows if not r.open]
    assert closed and all(c["closed_by"] == {"resolution": "done", "reason": "copied 2026-12-01",
                                             "file": "nomad2k8s.decisions.yaml"} for c in closed)


def test_one_decision_on_any_occurrence_closes_the_cause() -> None:
    """One cause, one row, one decision: the reviewer sees the first occurrence's path only."""
    task = '    task "%s" {\n' + DOCKER % "" + VAULT_TEMPLATE % "app" + "    }\n"
    service = convert_text('job "app" {\n  group "g" {\n' + task % "a" + task % "b" + "  }\n}\n").service
    row = next(r for r in _rows(service) if r.entry.code == "N2K-VAULT-ACCESS")
    assert len(row.own) == 2
    assert next(r for r in _rows(service) if r.entry.code == "N2K-VAULT-ACCESS").open
    for index in row.own:
        service.extra["closures"] = {index: Closure("accepted", "ok", "d.yaml")}
        assert not next(r for r in _rows(service) if r.entry.code == "N2K-VAULT-ACCESS").open


def test_closed_rows_and_stale_decisions_reach_the_report_and_migration_md() -> None:
    from nomad2k8s.report import markdown, summary

    service = convert_text(_job(DOCKER % "" + VAULT_TEMPLATE % "app")).service
    _close_all(service, {Severity.ACTION})
    service.extra["stale_decisions"] = [StaleDecision("app", "N2K-VOLUME-DATA", None, "matches no row", "d.yaml")]
    report = build([ServiceReview(service, "app", "app.nomad.hcl", _rows(service))],
                   {"source": "jobs", "profile": "vanilla", "format": "yaml"})
    entry = report["services"][0]
    assert entry["verdict"] == "go" and entry["closed"] >= 1 and report["actions"] == []
    assert report["stale_decisions"] == [{"service": "app", "code": "N2K-VOLUME-DATA", "path": None,
                                          "reason": "matches no row", "file": "d.yaml"}]
    text = markdown.render("app", "app.nomad.hcl", _rows(service), [])
    assert "**closed (done)**: copied 2026-12-01 (nomad2k8s.decisions.yaml)" in text
    assert "Verdict: **GO**" in text
    agenda = summary.render(report)
    assert "## Stale decisions" in agenda and "matches no row (d.yaml)" in agenda


def test_site_verdict_section_raises_a_code() -> None:
    case = SEVERITY_CASES[1]
    site = resolve_profile(None, None, ["verdict.N2K-VOLUME-DATA=blocker"])
    rows = _rows(convert_text(case.hcl, site).service, site)
    assert {r.severity for r in rows if r.entry.code == "N2K-VOLUME-DATA"} == {Severity.BLOCKER}
    assert verdict(open_counts(rows)) == "no-go"


def test_site_verdict_section_can_make_a_mapped_security_row_a_blocker() -> None:
    site = resolve_profile(None, None, ["verdict.N2K-PRIVILEGED=blocker"])
    rows = _rows(convert_text(_job(DOCKER % "        privileged = true"), site).service, site)
    assert verdict(open_counts(rows)) == "no-go"


@pytest.mark.parametrize("setting, message", [
    ("verdict.N2K-PRIVILEGED=info", "security escalation"),
    ("verdict.N2K-VOLUME-DAT=blocker", "did you mean N2K-VOLUME-DATA"),
    ("verdict.N2K-VOLUME-DATA=fatal", "verdict.N2K-VOLUME-DATA"),
])
def test_site_verdict_section_is_validated(setting: str, message: str) -> None:
    with pytest.raises(ProfileError) as exc:
        resolve_profile(None, None, [setting])
    assert message in str(exc.value)


@pytest.mark.parametrize("level, verdict_, review, expected", [
    ("no-go", "no-go", 0, True), ("no-go", "go-after-actions", 0, False),
    ("actions", "go-after-actions", 0, True), ("actions", "go", 3, False),
    ("review", "go", 3, True), ("review", "go", 0, False),
])
def test_gate_levels(level: str, verdict_: str, review: int, expected: bool) -> None:
    assert fails(level, verdict_, {"blocker": 0, "action": 0, "review": review, "info": 0}) is expected


def test_decision_files_are_shown_relative_to_the_repository(tmp_path) -> None:
    service = convert_text(_job(DOCKER % "" + VAULT_TEMPLATE % "app")).service
    absolute = str(tmp_path / "repo" / "nomad2k8s.decisions.yaml")
    service.extra["closures"] = {i: Closure("done", "ok", absolute) for r in _rows(service) for i in r.own}
    service.extra["stale_decisions"] = [StaleDecision("app", "N2K-X", None, "matches no row", absolute)]
    report = build([ServiceReview(service, "app", "app.nomad.hcl", _rows(service))],
                   {"source": "repo", "profile": "vanilla", "format": "yaml"}, tmp_path / "repo")
    files = {r["closed_by"]["file"] for r in report["services"][0]["rows"]} | {report["stale_decisions"][0]["file"]}
    assert files == {"nomad2k8s.decisions.yaml"}


def test_an_unresolved_value_in_a_dropped_setting_blocks_nothing() -> None:
    hcl = 'variable "region" {}\n' + _job(DOCKER % "").replace('job "app" {', 'job "app" {\n  region = var.region')
    service = convert_text(hcl).service
    assert {e.code for e in service.ledger.entries if e.nomad_path == "job[app].region"} == {"N2K-DROP-REGION"}
    rows = [r for r in _rows(service) if r.entry.nomad_path == "job[app].region"]
    assert len(rows) == 1 and rows[0].entry.status.value == "dropped" and rows[0].severity is Severity.INFO
    assert verdict(open_counts(_rows(service))) == "go"
