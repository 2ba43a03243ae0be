"""Terraform-wrapped repositories (issue 14, items 1-4 and 6): roots, modules, the evaluator,
deployed vs not deployed, volume facts, Nomad Variables, shared claims."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

from nomad2k8s.batch import BatchOptions, Profiles, run_batch
from nomad2k8s.estate import NOT_DEPLOYED, JobSource, discover
from nomad2k8s.terraform import discover_estate
from nomad2k8s.terraform.modules import find_roots
from tests.support import FIXTURES, REPO

HOMELAB = REPO / "fixtures" / "repos" / "homelab"
JOB = 'job "{name}" {{\n  group "g" {{\n    task "t" {{\n      driver = "docker"\n      config {{ image = "{image}" }}\n    }}\n  }}\n}}\n'


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def run(root: Path, **kw: object) -> tuple[object, list[str]]:
    lines: list[str] = []
    options = BatchOptions(path=root, **kw)  # type: ignore[arg-type]
    outcome = run_batch(options, Profiles(None, [], lines.append), None, lines.append)
    return outcome, lines


def by_name(outcome: object) -> dict[str, object]:
    return {r.name: r for r in outcome.results}  # type: ignore[attr-defined]


def codes(result: object) -> list[str]:
    return [e.code for e in result.ledger.entries]  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------- roots


def test_roots_follow_the_issue_rule(tmp_path: Path) -> None:
    write(tmp_path, {
        "infra/main.tf": 'terraform {\n  backend "s3" {}\n}\nmodule "app" {\n  source = "../modules/app"\n}\n',
        "modules/app/main.tf": 'resource "nomad_job" "a" {\n  jobspec = "x"\n}\n',
        "sourced/.terraform.lock.hcl": "",  # a marker, but a module sources it: not a root
        "sourced/main.tf": "",
        "caller/main.tf": 'module "s" {\n  source = "../sourced"\n}\n',
        "stray/main.tf": 'resource "nomad_job" "b" {\n  jobspec = "y"\n}\n',  # no marker: deploys nothing
        "vars/main.tf": "",
        "vars/prod.tfvars": "",
        ".terraform/modules/x/main.tf": 'terraform {\n  backend "local" {}\n}\n',  # hidden: never read
    })
    roots, _ = find_roots(tmp_path)
    assert roots == [tmp_path / "infra", tmp_path / "vars"]
    write(tmp_path, {"main.tf": ""})  # the converted directory itself holds .tf files
    assert find_roots(tmp_path)[0][0] == tmp_path


def test_homelab_estate() -> None:
    estate = discover_estate(HOMELAB)
    assert estate.roots == [HOMELAB]
    jobs = {j.address: j for j in estate.jobs}
    assert sorted(jobs) == ["module.search.nomad_job.search", "module.web.nomad_job.web",
                            "module.web_staging.nomad_job.web", "nomad_job.backup"]
    search = jobs["module.search.nomad_job.search"]
    assert search.variables == {"search_version": "9.2.3"}  # the root's hcl2_vars, through the module
    assert search.origin == HOMELAB / "modules" / "search" / "search.nomad.hcl"
    assert str(search.where) == f"{(HOMELAB / 'modules/search/main.tf').as_posix()}:5"
    web = jobs["module.web_staging.nomad_job.web"]
    assert 'job "web-staging"' in (web.jobspec or "") and 'port "metrics" {}' in (web.jobspec or "")
    assert "${NOMAD_JOB_NAME}.staging.home.lan" in (web.jobspec or "")  # $${ stays for Nomad; tfvars domain
    assert jobs["module.web.nomad_job.web"].depends_on == ["module.search"]
    assert jobs["nomad_job.backup"].purge_on_destroy is True
    media = estate.facts.volumes["media"]
    assert (media.capacity_min, media.plugin_id, media.context["server"]) == ("50GiB", "nfs", "nas.home.lan")
    assert estate.facts.variables["nomad/jobs/web"].keys == ["admin_user"]
    assert not estate.diagnostics


# --------------------------------------------------------------------------------- evaluator


def test_evaluator_terraform_names_and_functions(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": """
            terraform {
              backend "local" {}
            }
            variable "tag" { default = "1.0" }
            variable "env" { default = "dev" }
            locals {
              base   = { image = "app:${var.tag}" }
              merged = merge(local.base, { env = var.env })
            }
            module "svc" {
              source = "./svc"
              cfg    = local.merged
            }
            """,
        "terraform.tfvars": 'tag = "2.0"\n',
        "svc/main.tf": """
            variable "cfg" {}
            resource "nomad_job" "svc" {
              jobspec = templatefile("${path.module}/svc.tpl", {
                cfg   = var.cfg
                meta  = jsonencode({ a = 1 })
                flag  = lookup(var.cfg, "debug", false)
                ports = { http = 80, admin = 81 }
              })
            }
            """,
        "svc/svc.tpl": """\
            job "svc-${cfg.env}" {
              meta { json = ${jsonencode(meta)} }
            %{ if flag ~}
              debug = true
            %{ else ~}
              group "g" {
            %{ for name, port in ports ~}
                network { port "${name}" { to = ${port} } }
            %{ endfor ~}
                task "t" {
                  driver = "docker"
                  config { image = "${cfg.image}" }
                }
              }
            %{ endif ~}
            }
            """,
    })
    estate = discover_estate(tmp_path, {"env": "prod"})
    [job] = estate.jobs
    assert not estate.diagnostics, estate.diagnostics
    text = job.jobspec or ""
    assert 'job "svc-prod"' in text and 'image = "app:2.0"' in text  # -var > tfvars > default
    assert 'port "admin" { to = 81 }' in text and "debug" not in text
    assert '"{\\"a\\":1}"' in text


def test_unevaluable_values_are_decisions_not_crashes(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": """
            resource "nomad_job" "app" {
              jobspec = file("${path.module}/app.nomad.hcl")
              hcl2 {
                vars = { image = "app:1", db = module.db.address }
              }
            }
            resource "nomad_job" "broken" {
              jobspec = templatefile("missing.tpl", {})
            }
            resource "nomad_job" "half" {
              jobspec = templatefile("half.nomad.hcl", { image = "x" })
            }
            resource "nomad_job" "outside" {
              jobspec = file("/etc/hostname")
            }
            resource "nomad_job" "legacy" {
              jobspec = file("app.nomad.hcl")
              hcl1    = true
            }
            """,
        "app.nomad.hcl": 'variable "image" {}\n' + JOB.format(name="app", image="${var.image}"),
        "half.nomad.hcl": JOB.format(name="half", image="${image}:${tag}"),  # no `tag` given
    })
    outcome, lines = run(tmp_path)
    app, legacy = outcome.results  # type: ignore[attr-defined]
    assert app.objects[0]["spec"]["template"]["spec"]["containers"][0]["image"] == "app:1"
    assert (app.extra["terraform"]["hcl2"], legacy.extra["terraform"]["hcl2"]) == (True, False)
    entry = next(e for e in app.ledger.entries if e.code == "N2K-TF-UNRESOLVED")
    assert "main.tf:5" in entry.message and "module.db.address" in entry.message
    skipped = {str(f): r for f, r in outcome.skipped}  # type: ignore[attr-defined]
    assert "jobspec not evaluated" in skipped[str(tmp_path / "main.tf")]
    assert pickle.loads(pickle.dumps(JobSource(tmp_path, "x", (("a", "1"),), address="nomad_job.x")))
    assert any("nomad_job.outside" in r and "outside the repository" in r for _, r in outcome.skipped)  # type: ignore[attr-defined]
    # Deployed but not renderable: listed once, with the reason, not also as "not deployed".
    [half] = [r for f, r in outcome.skipped if f == tmp_path / "half.nomad.hcl"]  # type: ignore[attr-defined]
    assert half.startswith("nomad_job.half (") and "tag is not among the variables given to templatefile()" in half
    assert any(line.startswith("skipped ") and "nomad_job.broken" in line for line in lines)


def test_hostile_terraform_terminates(tmp_path: Path) -> None:
    nested = "[" * 400 + "]" * 400
    write(tmp_path, {
        "main.tf": """
            terraform {
              backend "local" {}
            }
            module "a" {
              source = "./a"
            }
            locals {
              loop = local.loop
            }
            resource "nomad_job" "bomb" {
              jobspec = templatefile("bomb.tpl", {})
            }
            resource "nomad_job" "self" {
              jobspec = local.loop
            }
            """,
        "deep.tf": f"locals {{\n  deep = {nested}\n}}\n",  # python-hcl2 recurses too deep: one file lost
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
        "b/main.tf": 'module "a" {\n  source = "../a"\n}\n',
        "bomb.tpl": "%{ for a in [1,2,3,4,5,6,7,8,9,10] }%{ for b in [1,2,3,4,5,6,7,8,9,10] }"
                    "%{ for c in [1,2,3,4,5,6,7,8,9,10] }%{ for d in [1,2,3,4,5,6,7,8,9,10] }"
                    "%{ for e in [1,2,3,4,5,6,7,8,9,10] }x%{ endfor }%{ endfor }%{ endfor }%{ endfor }%{ endfor }",
    })
    estate = discover_estate(tmp_path)
    reasons = " ".join(str(d) for d in estate.diagnostics)
    assert "module cycle" in reasons and "refers to itself" in reasons and "deep.tf" in reasons
    assert all(j.jobspec is None for j in estate.jobs)
    assert "iterations" in next(j.problem for j in estate.jobs if j.address == "nomad_job.bomb")


def test_template_loop_budget() -> None:
    from nomad2k8s.parse.expr import Evaluator, Unresolved
    from nomad2k8s.parse.template import MAX_LOOP_STEPS, render

    xs = list(range(200))
    ev = Evaluator(lambda root: xs if root == "xs" else (_ for _ in ()).throw(Unresolved(root)))
    _, kept = render("%{ for a in xs }%{ for b in xs }%{ for c in xs }.%{ endfor }%{ endfor }%{ endfor }", ev)
    assert kept and str(MAX_LOOP_STEPS) in kept[0][1]


# ------------------------------------------------------------------- deployed vs not deployed


def test_homelab_conversion() -> None:
    outcome, lines = run(HOMELAB)
    results = by_name(outcome)
    assert sorted(results) == ["_shared", "backup", "search", "status", "web", "web-staging"]
    # A nomad-pack pack is deployed by `nomad-pack run`, not by Terraform: rendered and converted either way.
    [status_image] = [c["image"] for o in results["status"].objects  # type: ignore[attr-defined]
                      if o["kind"] == "Deployment" for c in o["spec"]["template"]["spec"]["containers"]]
    assert status_image == "louislam/uptime-kuma:2.1.0"  # the pack's variable default
    assert (HOMELAB / "modules/legacy/legacy.nomad.hcl", NOT_DEPLOYED) in outcome.skipped  # type: ignore[attr-defined]
    assert f"skipped {HOMELAB / 'modules/legacy/legacy.nomad.hcl'}: {NOT_DEPLOYED}" in lines
    assert not any("produce the same" in line for line in lines)  # the shared claim is no clash
    web = results["web"]
    assert web.extra["tf_depends_on"] == ["search"]  # type: ignore[attr-defined]
    assert web.extra["terraform"]["address"] == "module.web.nomad_job.web"  # type: ignore[attr-defined]
    backup = results["backup"]
    [archive] = [v for v in backup.extra["volume_facts"] if v["volume_id"] == "archive"]  # type: ignore[attr-defined]
    assert archive["external_id"] == "vol-archive-01" and archive["kind"] == "volume-spec"
    assert "N2K-NOMADVAR-KEY-MISSING" in codes(web)
    shared = results["_shared"]
    [claim] = shared.objects  # type: ignore[attr-defined]
    assert claim["spec"]["accessModes"] == ["ReadOnlyMany", "ReadWriteMany"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "50Gi"  # capacity_min of nomad_csi_volume
    assert claim["spec"]["storageClassName"] == "nfs-csi"  # storage.class_by_plugin[plugin_id]
    assert not any(o["kind"] == "PersistentVolumeClaim" for r in ("web", "search")
                   for o in results[r].objects)  # type: ignore[attr-defined]
    included, _ = run(HOMELAB, include_undeployed=True)
    assert len(included.results) == 7  # type: ignore[attr-defined]


def test_terraform_format_wires_the_shared_claims(tmp_path: Path) -> None:
    run(HOMELAB, output=tmp_path, fmt="terraform")
    assert 'module "_shared" {\n  source = "./_shared"\n}' in (tmp_path / "main.tf").read_text()


def test_one_jobspec_deployed_twice_gets_two_names(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": """
            terraform {
              backend "local" {}
            }
            module "blue" {
              source = "./app"
              tag    = "1"
            }
            module "green" {
              source = "./app"
              tag    = "2"
            }
            """,
        "app/main.tf": """
            variable "tag" {}
            resource "nomad_job" "app" {
              jobspec = file("${path.module}/app.nomad.hcl")
              hcl2 {
                vars = { tag = var.tag }
              }
            }
            """,
        "app/app.nomad.hcl": 'variable "tag" {}\n' + JOB.format(name="app", image="app:${var.tag}"),
    })
    outcome, lines = run(tmp_path, output=tmp_path / "out")
    names = sorted(p.result.name for p in outcome.pending)  # type: ignore[attr-defined]
    assert names == ["app", "app-green"]
    assert any("written as app-green" in line for line in lines)


# ------------------------------------------------------------------ volumes and variables


def test_shared_claim_that_cannot_be_shared(tmp_path: Path) -> None:
    volume = ('    volume "data" {\n      type = "csi"\n      source = "data"\n      access_mode = "single-node-writer"\n'
              '      attachment_mode = "file-system"\n    }\n')
    for name in ("api", "worker"):
        text = JOB.format(name=name, image="busybox:1").replace('  group "g" {\n', '  group "g" {\n' + volume)
        write(tmp_path, {f"{name}.nomad.hcl": text})
    outcome, lines = run(tmp_path)
    results = by_name(outcome)
    entry = next(e for e in results["api"].ledger.entries if e.code == "N2K-VOLUME-SHARED-ACCESS")  # type: ignore[attr-defined]
    assert "api, worker" in entry.message
    assert not any("produce the same" in line for line in lines)


def test_nomad_variables_and_declared_volume_mismatch(tmp_path: Path) -> None:
    job = JOB.format(name="app", image="busybox:1").replace('      config', textwrap.indent(textwrap.dedent('''\
        template {
          destination = "secrets/a.env"
          env = true
          data = "A={{ with nomadVar \\"nomad/jobs/app\\" }}{{ .a }}{{ end }}\\nB={{ with nomadVar \\"nomad/jobs/other\\" }}{{ .b }}{{ end }}"
        }
        '''), "      ") + "      config").replace('  group "g" {\n', '  group "g" {\n    volume "v" {\n      type = "csi"\n'
                                                    '      source = "v"\n      access_mode = "multi-node-multi-writer"\n'
                                                    '      attachment_mode = "file-system"\n    }\n')
    write(tmp_path, {
        "main.tf": """
            resource "nomad_job" "app" {
              jobspec = file("app.nomad.hcl")
            }
            resource "nomad_variable" "app" {
              path  = "nomad/jobs/app"
              items = { a = "secret-value" }
            }
            resource "nomad_csi_volume_registration" "v" {
              volume_id   = "v"
              name        = "v"
              plugin_id   = "ebs"
              external_id = "vol-123"
              capability {
                access_mode     = "single-node-writer"
                attachment_mode = "file-system"
              }
            }
            """,
        "app.nomad.hcl": job,
    })
    outcome, _ = run(tmp_path)
    [app] = outcome.results  # type: ignore[attr-defined]
    found = codes(app)
    assert "N2K-NOMADVAR-KEYS-FOUND" in found and "N2K-NOMADVAR-NOT-DECLARED" in found
    assert "N2K-VOLUME-DECLARED-MISMATCH" in found
    assert "secret-value" not in repr(app.extra) and "secret-value" not in repr(app.ledger.entries)


def test_plain_directories_are_unchanged(tmp_path: Path) -> None:
    found = discover(FIXTURES, False, {}, [])
    assert found.estate is not None and not found.estate.roots
    # Only pack/Levant companions are skipped in a plain directory; nothing for want of a Terraform root.
    assert found.skipped and all(reason != NOT_DEPLOYED for _, reason in found.skipped)
    write(tmp_path, {"agent.hcl": 'datacenter = "dc1"\n', "app.nomad": JOB.format(name="app", image="a:1")})
    outcome, _ = run(tmp_path)
    assert outcome.skipped == [(tmp_path / "agent.hcl", "not a jobspec (no job block)")]  # type: ignore[attr-defined]


def test_for_each_and_count_instances(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": """
            terraform {
              backend "local" {}
            }
            resource "nomad_job" "jobs" {
              for_each = fileset(path.module, "jobs/*.nomad")
              jobspec  = file("${path.module}/${each.value}")
            }
            module "svc" {
              for_each = { blue = "1", green = "2" }
              source   = "./svc"
              tag      = each.value
            }
            resource "nomad_job" "off" {
              count   = 0
              jobspec = file("jobs/a.nomad")
            }
            """,
        "jobs/a.nomad": JOB.format(name="a", image="a:1"),
        "jobs/b.nomad": JOB.format(name="b", image="b:1"),
        "svc/main.tf": """
            variable "tag" {}
            resource "nomad_job" "svc" {
              jobspec = file("${path.module}/svc.hcl")
              hcl2 {
                vars = { tag = var.tag }
              }
            }
            """,
        "svc/svc.hcl": 'variable "tag" {}\n' + JOB.format(name="svc", image="svc:${var.tag}"),
    })
    estate = discover_estate(tmp_path)
    assert not estate.diagnostics, estate.diagnostics
    assert sorted((j.address, j.module) for j in estate.jobs) == [
        ('module.svc["blue"].nomad_job.svc', "svc-blue"), ('module.svc["green"].nomad_job.svc', "svc-green"),
        ('nomad_job.jobs["jobs/a.nomad"]', ""), ('nomad_job.jobs["jobs/b.nomad"]', "")]
    outcome, _ = run(tmp_path, output=tmp_path / "out")
    assert sorted(p.result.name for p in outcome.pending) == ["a", "b", "svc", "svc-green"]  # type: ignore[attr-defined]


def test_template_file_data_source(tmp_path: Path) -> None:
    """The template provider's `data "template_file"` (older repositories) renders like templatefile()."""
    write(tmp_path, {
        "main.tf": """
            data "template_file" "app" {
              template = file("${path.module}/app.tpl")
              vars = {
                image = "app:3"
              }
            }
            data "consul_keys" "k" {}
            resource "nomad_job" "app" {
              jobspec = data.template_file.app.rendered
            }
            resource "nomad_job" "other" {
              jobspec = data.consul_keys.k.var
            }
            """,
        "app.tpl": JOB.format(name="app", image="${image}"),
    })
    estate = discover_estate(tmp_path)
    app, other = estate.jobs
    assert app.origin == tmp_path / "app.tpl" and 'image = "app:3"' in (app.jobspec or "")
    assert other.jobspec is None and "data.consul_keys.k is read only when Terraform applies" in other.problem


def test_dynamic_host_volume_and_per_alloc_declarations(tmp_path: Path) -> None:
    job = JOB.format(name="db", image="postgres:17").replace('  group "g" {\n', '''  group "g" {
    volume "pg" {
      type   = "host"
      source = "pgdata"
    }
    volume "wal" {
      type            = "csi"
      source          = "wal"
      per_alloc       = true
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
    }
''')
    write(tmp_path, {
        "main.tf": """
            resource "nomad_job" "db" {
              jobspec = file("db.nomad.hcl")
            }
            resource "nomad_dynamic_host_volume" "pg" {
              name         = "pgdata"
              plugin_id    = "mkdir"
              capacity_min = "20GiB"
            }
            resource "nomad_csi_volume" "wal" {
              volume_id    = "wal[0]"
              name         = "wal[0]"
              plugin_id    = "ebs"
              capacity_max = "5GiB"
            }
            """,
        "db.nomad.hcl": job,
    })
    outcome, _ = run(tmp_path)
    [db] = outcome.results  # type: ignore[attr-defined]
    sizes = {o["metadata"]["name"]: o["spec"]["resources"]["requests"]["storage"]
             for o in db.objects if o["kind"] == "PersistentVolumeClaim"}
    sizes.update({t["metadata"]["name"]: t["spec"]["resources"]["requests"]["storage"]
                  for o in db.objects for t in o.get("spec", {}).get("volumeClaimTemplates", [])})
    assert sizes == {"pgdata": "20Gi", "wal": "5Gi"}


def test_nested_for_each_modules_are_bounded(tmp_path: Path) -> None:
    fan = '{ ' + ", ".join(f'k{i} = {i}' for i in range(100)) + ' }'
    write(tmp_path, {
        "main.tf": f'terraform {{\n  backend "local" {{}}\n}}\nmodule "a" {{\n  for_each = {fan}\n  source = "./a"\n}}\n',
        "a/main.tf": f'module "b" {{\n  for_each = {fan}\n  source = "../b"\n}}\n',
        "b/main.tf": f'module "c" {{\n  for_each = {fan}\n  source = "../c"\n}}\n',
        "c/main.tf": 'resource "nomad_job" "j" {\n  jobspec = "x"\n}\n',
    })
    estate = discover_estate(tmp_path)  # 10^6 instances unbounded; stops after the cap
    assert any("module instances" in d.reason for d in estate.diagnostics)
    assert len(estate.jobs) < 2000


def test_module_outputs_and_lazy_try(tmp_path: Path) -> None:
    """Issue 14 residue: module.x.y outputs feed a nomad_job's inputs; try()/can() are lazy and do not fall
    back over a value known only at apply time (that stays a decision naming it)."""
    write(tmp_path, {
        "main.tf": """
            terraform {
              backend "local" {}
            }
            variable "opts" { default = {} }
            module "images" {
              source = "./images"
              tag    = "1.2"
            }
            module "db" {
              source = "./db"
            }
            module "many" {
              source   = "./images"
              for_each = toset(["a", "b"])
              tag      = each.key
            }
            resource "nomad_job" "app" {
              jobspec = file("${path.module}/app.nomad.hcl")
              hcl2 {
                vars = {
                  image    = module.images.api
                  other    = module.many["b"].api
                  fallback = try(var.opts.missing, "dflt")
                  can_it   = can(var.opts.missing)
                  db       = try(module.db.address, "never")
                }
              }
            }
            """,
        "images/main.tf": """
            variable "tag" {}
            locals { reg = "ghcr.io/acme" }
            output "api" { value = "${local.reg}/api:${var.tag}" }
            """,
        "db/main.tf": """
            resource "nomad_csi_volume" "x" {
              volume_id = "x"
            }
            output "address" { value = nomad_csi_volume.x.id }
            """,
        "app.nomad.hcl": JOB.format(name="app", image="nginx:1"),
    })
    [job] = discover_estate(tmp_path).jobs
    assert job.variables["image"] == "ghcr.io/acme/api:1.2" and job.variables["other"] == "ghcr.io/acme/api:b"
    assert job.variables["fallback"] == "dflt" and job.variables["can_it"] is False
    [diagnostic] = job.diagnostics
    assert "main.tf:" in diagnostic and "module.db.address" in diagnostic and "known only when Terraform applies" \
        in diagnostic
