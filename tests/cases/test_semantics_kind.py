"""Case rows for issue 13 family 19 (workload kind as an expert chooses it) and the governing-Service
part of 22 (a StatefulSet's serviceName names a headless Service the conversion emits)."""

from __future__ import annotations

import pytest

from nomad2k8s.profile import Profile

from .harness import Case, check_case, convert_text

# A service with its data on a sticky alloc disk; `%s` sets count / the identity use.
STICKY = '''
job "notes" {
  group "notes" {
    %s
    network {
      port "http" {
        to = 8080
      }
    }
    ephemeral_disk {
      sticky = true
      size   = 200
    }
    service {
      name = "notes"
      port = "http"
    }
    task "notes" {
      driver = "docker"
      config {
        image = "ghcr.io/example/notes:1.0"
        ports = ["http"]
      }
      %s
    }
  }
}
'''
# A single-writer CSI volume; `%s` sets count and per_alloc.
CSI = '''
job "db" {
  group "db" {
    count = %s
    volume "data" {
      type            = "csi"
      source          = "db-data"
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
      %s
    }
    task "db" {
      driver = "docker"
      config {
        image = "postgres:16"
      }
      volume_mount {
        volume      = "data"
        destination = "/var/lib/postgresql/data"
      }
    }
  }
}
'''
G = "job[notes].group[notes]"
KEEP_STATEFUL = Profile.model_validate({"workload": {"single_replica_stateful": "StatefulSet"}})
_HEADLESS = {"spec": {"clusterIP": "None", "selector": {"app": "notes"},
                      "ports": [{"port": 8080, "targetPort": 8080, "protocol": "TCP"}]}}

CASES = [
    # 19: one replica with a sticky disk -> Deployment + standalone PVC + Recreate, and the row says why.
    Case("single-replica-sticky-deployment", STICKY % ("", ""),
         objects={("Deployment", "notes"): {"spec": {"strategy": {"type": "Recreate"}, "template": {"spec": {
             "volumes": [{"name": "alloc-data", "persistentVolumeClaim": {"claimName": "notes-alloc-data"}}],
             "containers": [{"name": "notes", "volumeMounts": [{"name": "alloc-data",
                                                                 "mountPath": "/alloc/data"}]}]}}}},
                  ("PersistentVolumeClaim", "notes-alloc-data"): {"spec": {"accessModes": ["ReadWriteOnce"],
                                                                           "resources": {"requests": {
                                                                               "storage": "200Mi"}}}}},
         absent=(("StatefulSet", "notes"),),
         rows={G: ("mapped", "N2K-WORKLOAD-DEPLOYMENT"),
               f"{G}.ephemeral_disk.sticky": ("mapped", "N2K-EPHEMERAL-STICKY")}),
    # 19: the profile may keep the StatefulSet (the seeds' PoC profile does).
    Case("single-replica-sticky-profile-statefulset", STICKY % ("", ""), profile=KEEP_STATEFUL,
         objects={("StatefulSet", "notes"): {"spec": {"serviceName": "notes-headless", "volumeClaimTemplates": [
             {"metadata": {"name": "alloc-data"}}]}}},
         absent=(("Deployment", "notes"), ("PersistentVolumeClaim", "notes-alloc-data")),
         rows={G: ("mapped", "N2K-WORKLOAD-STATEFUL")}),
    # 19: several replicas with a sticky disk each -> StatefulSet (per-replica storage).
    Case("replicas-sticky-statefulset", STICKY % ("count = 3", ""),
         objects={("StatefulSet", "notes"): {"spec": {"replicas": 3, "volumeClaimTemplates": [
             {"metadata": {"name": "alloc-data"}}]}}},
         rows={G: ("mapped", "N2K-WORKLOAD-STATEFUL")}),
    # 19: replicas that use their stable name -> StatefulSet, whatever the storage.
    Case("alloc-index-statefulset", STICKY % ("count = 1", 'env {\n  NODE_ID = "${NOMAD_ALLOC_INDEX}"\n}'),
         objects={("StatefulSet", "notes"): {"spec": {"replicas": 1}}},
         rows={G: ("mapped", "N2K-WORKLOAD-STATEFUL")}),
    # 19: a single-writer CSI volume on one replica -> Deployment + its PVC + Recreate.
    Case("single-writer-csi-deployment", CSI % (1, ""),
         objects={("Deployment", "db"): {"spec": {"strategy": {"type": "Recreate"}}},
                  ("PersistentVolumeClaim", "db-data"): {"spec": {"accessModes": ["ReadWriteOnce"]}}},
         absent=(("StatefulSet", "db"),),
         rows={"job[db].group[db]": ("mapped", "N2K-WORKLOAD-DEPLOYMENT")}),
    # 19: several replicas sharing one single-writer volume: nothing per replica, but only one can write.
    Case("replicas-share-single-writer", CSI % (2, ""),
         objects={("Deployment", "db"): {"spec": {"replicas": 2, "strategy": {"type": "Recreate"}}}},
         absent=(("StatefulSet", "db"),),
         rows={"job[db].group[db]": ("needs-decision", "N2K-WORKLOAD-DEPLOYMENT")}),
    # 19: per_alloc on one replica is one claim (mapped, not "a Deployment shares one claim").
    Case("per-alloc-one-replica", CSI % (1, "per_alloc = true"),
         objects={("Deployment", "db"): {"spec": {"strategy": {"type": "Recreate"}}}},
         rows={"job[db].group[db].volume[data].per_alloc": ("mapped", "N2K-VOLUME-PER-ALLOC")}),
    Case("per-alloc-replicas-statefulset", CSI % (2, "per_alloc = true"),
         objects={("StatefulSet", "db"): {"spec": {"replicas": 2, "serviceName": "db", "volumeClaimTemplates": [
             {"metadata": {"name": "data"}}]}}},
         rows={"job[db].group[db]": ("mapped", "N2K-WORKLOAD-STATEFUL")}),
    # 22: the StatefulSet's own ClusterIP Service stays for clients; serviceName names a headless one.
    Case("statefulset-headless-beside-clusterip", STICKY % ("count = 2", ""),
         objects={("StatefulSet", "notes"): {"spec": {"serviceName": "notes-headless"}},
                  ("Service", "notes-headless"): _HEADLESS,
                  ("Service", "notes"): {"spec": {"selector": {"app": "notes"}}}},
         rows={G: ("mapped", "N2K-STATEFULSET-SERVICE")}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    check_case(case)


def test_clients_service_keeps_its_cluster_ip() -> None:
    result = convert_text(STICKY % ("count = 2", ""))
    assert result.object("Service", "notes")["spec"].get("clusterIP") != "None"
    assert "ClusterIP for clients" in result.row(G, "N2K-STATEFULSET-SERVICE").message


def test_kind_row_names_the_reason() -> None:
    one = convert_text(STICKY % ("", "")).row(G, "N2K-WORKLOAD-DEPLOYMENT").message
    assert "one replica" in one and "sticky ephemeral_disk" in one and "single_replica_stateful" in one
    many = convert_text(STICKY % ("count = 3", "")).row(G, "N2K-WORKLOAD-STATEFUL").message
    assert "3 replicas" in many
    index = convert_text(STICKY % ("", 'env {\n  I = "${NOMAD_ALLOC_NAME}"\n}')).row(G, "N2K-WORKLOAD-STATEFUL")
    assert "NOMAD_ALLOC_NAME" in index.message


def test_long_name_headless_service_fits_a_label() -> None:
    name = "n" * 60
    result = convert_text((STICKY % ("count = 2", "")).replace('"notes"', f'"{name}"'))
    sts = result.object("StatefulSet")  # its own name is shortened for the controller-revision label
    governing = sts["spec"]["serviceName"]
    assert len(governing) <= 63 and governing != name
    assert result.object("Service", governing)["spec"]["clusterIP"] == "None"
