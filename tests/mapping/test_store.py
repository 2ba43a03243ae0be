"""Unit level: the object store, the typed workload spec and the batch pass's pending messages."""

from __future__ import annotations

import pytest
from kubernetes import client as k8s

from nomad2k8s.ledger import Ledger, Status
from nomad2k8s.mapping.core.store import ObjectStore
from nomad2k8s.mapping.passes.pending import PendingMessage, track, waiting_note
from nomad2k8s.mapping.workload.spec import WorkloadSpec
from tests.cases.harness import convert_text


def _svc(name: str) -> k8s.V1Service:
    return k8s.V1Service(api_version="v1", kind="Service", metadata=k8s.V1ObjectMeta(name=name))


def test_store_by_kind_name_and_owner() -> None:
    store, group = ObjectStore(), object()
    web, route = _svc("web"), {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": {"name": "web"}}
    assert store.add(web, owner=group) == ("Service", "web")
    mark = store.mark()
    store.add(route)
    assert store.get("Service", "web") is web and store.get("IngressRoute", "web") is route
    assert store.get("Service", "other") is None
    assert store.of_kind("IngressRoute") == [route] and store.by_owner(group) == [web] and store.by_owner(None) == [route]
    assert store.added_since(mark) == [route] and store.added_since(mark, "Service") == []
    assert store.owner(web) is group and list(store) == [web, route] and len(store) == 2
    web.metadata.name = "web2"  # names are read when asked
    assert store.get("Service", "web2") is web
    store.remove(("Service", "web2"))
    store.remove(route)
    assert list(store) == []
    with pytest.raises(KeyError):
        store.remove(route)
    with pytest.raises(ValueError, match="without a kind"):
        store.add({"metadata": {"name": "x"}})


def test_a_store_object_added_twice_is_an_error() -> None:
    store, web = ObjectStore(), _svc("web")
    store.add(web)
    with pytest.raises(ValueError, match="already in the store"):
        store.add(web)


def test_workload_spec_rejects_unknown_and_misplaced_fields() -> None:
    spec = WorkloadSpec()
    with pytest.raises(AttributeError):
        spec.replicaz = 3  # type: ignore[attr-defined]
    spec.replicas, spec.schedule = 2, "0 * * * *"
    with pytest.raises(ValueError, match="schedule do not apply to a Deployment"):
        spec.for_kind("Deployment")
    spec.schedule = None
    assert spec.for_kind("Deployment") == {"replicas": 2}
    spec.replicas = 0  # zero is a value, not unset
    assert spec.for_kind("StatefulSet") == {"replicas": 0}
    with pytest.raises(ValueError, match="replicas do not apply to a Job"):  # was silently dropped
        spec.for_kind("Job")


def _entry(message: str, items: list[dict]) -> object:
    ledger = Ledger(service="x")
    return ledger.record(Status.NEEDS_DECISION, "N2K-ENV-REWRITE", "job[x]", message, data={"pending_upstreams": items})


def test_a_pending_message_is_rebuilt_from_its_parts() -> None:
    item = {"destination": "db", "host": "db.default.svc.cluster.local", "bind_port": 5432}
    texts = ["service a -> a.default.svc.cluster.local", waiting_note(item)]
    entry = _entry("file template -> ConfigMap key: " + "; ".join(texts), [item])
    tracked: list[PendingMessage] = []
    track(tracked, entry, texts, head="file template -> ConfigMap key: ")
    (message,) = tracked
    message.settle(item, 6432)
    assert message.render() == ("file template -> ConfigMap key: service a -> a.default.svc.cluster.local; "
                                "upstream db -> db.default.svc.cluster.local; port 6432 of Service db converted in "
                                "the same batch")


def test_parts_that_do_not_make_up_the_message_are_an_error() -> None:
    """Guard: a mapper that words its message differently from its parts cannot be settled silently."""
    item = {"destination": "db", "host": "db.default.svc.cluster.local", "bind_port": 5432}
    entry = _entry("upstream db: bind port 5432", [item])
    with pytest.raises(ValueError, match="do not make up"):
        track([], entry, ["upstream db: bind port 5432"])


UPSTREAM_JOB = '''
job "client" {
  group "client" {
    network { mode = "bridge" }
    service {
      name = "client"
      connect { sidecar_service { proxy { upstreams {
        destination_name = "api"
        local_bind_port  = 9191
      } } } }
    }
    task "app" {
      driver = "docker"
      config { image = "app:1" args = ["--api", "${NOMAD_UPSTREAM_ADDR_api}"] }
      env { API = "http://${NOMAD_UPSTREAM_ADDR_api}/v1" }
    }
  }
}
job "api" {
  group "api" {
    network { port "http" { to = 8080 } }
    service { name = "api" port = "http" }
    task "api" {
      driver = "docker"
      config { image = "api:1" ports = ["http"] }
    }
  }
}
'''


@pytest.mark.parametrize("batch, value, status, says", [
    (False, "http://api.default.svc.cluster.local:9191/v1", Status.NEEDS_DECISION, "local bind port 9191"),
    (True, "http://api.default.svc.cluster.local:8080/v1", Status.MAPPED, "port 8080 of Service api converted in "
     "the same batch"),
])
def test_the_batch_pass_settles_env_and_args_of_another_jobs_upstream(batch: bool, value: str, status: Status,
                                                                      says: str) -> None:
    result = convert_text(UPSTREAM_JOB, batch=batch)
    client = next(s for s in result.services if s.name == "client")
    container = next(o for o in client.objects if o["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert {e["name"]: e.get("value") for e in container["env"]}["API"] == value
    assert container["args"][-1] == value.removeprefix("http://").removesuffix("/v1")
    env = next(e for e in client.ledger.entries if e.nomad_path.endswith("env.API"))
    args = next(e for e in client.ledger.entries if e.code == "N2K-ARGS-REWRITE")
    assert env.status is status and says in env.message
    assert args.message.startswith("args[1]: upstream api -> ") and says in args.message
    assert (env.data["pending_upstreams"] == []) is batch
