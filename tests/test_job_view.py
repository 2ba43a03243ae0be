"""A converted job's context is let go once no batch pass has work in it (convert.release_context):
the batch passes then read its Services from its view, and the run's output is the same as with every
context kept."""

from __future__ import annotations

from pathlib import Path

from nomad2k8s.batch_pool import FileTask
from nomad2k8s.convert import ServiceResult, convert_file, link_batch, release_context
from nomad2k8s.estate import JobSource
from nomad2k8s.profile import Profile

_JOB = '''job "{name}" {{
  datacenters = ["dc1"]
  group "{name}" {{
    network {{
      port "http" {{ {port} }}
    }}
    service {{
      name = "{name}"
      port = "http"
      {connect}
    }}
    task "main" {{
      driver = "docker"
      config {{ image = "nginx:1.25" }}
      env {{ {env} }}
    }}
  }}
}}
'''
_UPSTREAM = ('connect {\n sidecar_service {\n proxy {\n upstreams {\n destination_name = "billing-api"\n'
             ' local_bind_port = 9191\n }\n }\n }\n }')

# name -> (port block, connect block, env block, whether a batch pass has work in it)
JOBS = {
    "web": ("to = 8080", _UPSTREAM, 'U = "${NOMAD_UPSTREAM_ADDR_billing_api}"', True),  # waits on billing-api
    "mailer": ("to = 2525", "", 'DB = "postgres.service.consul:5432"', True),  # a Consul name to settle
    "edge": ("static = 30080", "", "", True),  # a nodePort numbered over the run
    "edge-two": ("static = 30080", "", "", True),  # ... asking for the same one
    "billing-api": ("to = 7070", "", "", False),  # provides what web waits on: nothing to change in it
    "postgres": ("to = 5432", "", "", False),
}


def _files(tmp_path: Path) -> list[Path]:
    files = []
    for name, (port, connect, env, _) in JOBS.items():
        path = tmp_path / f"{name}.nomad.hcl"
        path.write_text(_JOB.format(name=name, port=port, connect=connect, env=env))
        files.append(path)
    return files


def _linked(files: list[Path], release: bool) -> list[ServiceResult]:
    results = [r for f in files for r in convert_file(f)]
    if release:
        for result in results:
            release_context(result)
    link_batch(results)
    return results


def test_only_the_jobs_a_batch_pass_may_change_keep_their_context(tmp_path: Path) -> None:
    files = _files(tmp_path)
    for path, (_, _, _, works) in zip(files, JOBS.values()):
        task = FileTask(JobSource(path), Profile(), {}, [], tmp_path)
        (result,) = task.convert()
        assert (result.context is not None) is works, path.name
        assert result.view is not None and result.view.job_path == f'job[{path.name.split(".")[0]}]'


def test_released_contexts_give_the_batch_the_same_output(tmp_path: Path) -> None:
    files = _files(tmp_path)
    kept, released = _linked(files, release=False), _linked(files, release=True)
    assert any(r.context is None for r in released) and all(r.context is None for r in kept)  # let go after the batch
    for a, b in zip(kept, released):
        assert a.objects == b.objects
        assert [e.as_dict() for e in a.ledger.entries] == [e.as_dict() for e in b.ledger.entries]
    by_name = {r.name: r for r in released}
    env = {e["name"]: e.get("value") for o in by_name["web"].objects if o["kind"] == "Deployment"
           for e in o["spec"]["template"]["spec"]["containers"][0].get("env", [])}
    assert env["U"] == "billing-api.default.svc.cluster.local:7070"  # the released provider's port
    mailer = {e["name"]: e.get("value") for o in by_name["mailer"].objects if o["kind"] == "Deployment"
              for e in o["spec"]["template"]["spec"]["containers"][0].get("env", [])}
    assert mailer["DB"] == "postgres.default.svc.cluster.local:5432"
    ports = sorted(p["nodePort"] for name in ("edge", "edge-two") for o in by_name[name].objects
                   if o["kind"] == "Service" for p in o["spec"]["ports"] if "nodePort" in p)
    assert ports[0] == 30080 and len(set(ports)) == len(ports)


def test_what_the_scrubber_learns_from_the_job_model_is_in_its_view(tmp_path: Path) -> None:
    from nomad2k8s.secrets.scrub import learned

    secret = "hunter2-Secret-9000"
    path = tmp_path / "app.nomad.hcl"
    path.write_text(_JOB.format(name="app", port="to = 80", connect="", env=f'DB_PASSWORD = "{secret}"'))
    (result,) = convert_file(path)
    release_context(result)
    link_batch([result])
    assert result.context is None
    # Nothing else to learn from: the job's model, let go, is known through the view alone.
    result.objects, result.ledger.values, result.ledger.entries = [], {}, []
    assert secret in learned([result])
