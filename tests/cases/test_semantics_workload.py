"""Case rows for issue 13's workload/storage/config families: each a minimal jobspec of our own, the
fragment an expert would write, and the ledger row that says so (never a silent ✅ for a guess)."""

from __future__ import annotations

import pytest

from nomad2k8s.profile import Profile

from .harness import Case, check_case, convert_text

# 3: a task directly under job runs in a group of its own name (Nomad's parsers wrap it).
BARE_TASK_HCL2 = '''
job "solo" {
  type = "batch"
  periodic {
    cron = "0 3 * * *"
  }
  task "solo" {
    driver = "docker"
    config {
      image = "busybox:1.36"
    }
  }
}
'''
BARE_TASK_HCL1 = '''
job "solo" {
  task "solo" {
    driver = "docker"
    config {
      image = "busybox:1.36"
    }
    env {
      "A" = "1"
    }
  }
}
'''
# 11: Nomad's periodic schedules run in UTC unless a zone is stated.
CRON_ZONE = '''
job "nightly" {
  type = "batch"
  periodic {
    cron      = "0 3 * * *"
    %s
  }
  group "nightly" {
    task "run" {
      driver = "docker"
      config {
        image = "busybox:1.36"
      }
    }
  }
}
'''
# 9: pods that cannot run beside their predecessor roll stop-first, as Nomad replaces allocations.
HOST_NET = '''
job "edge" {
  group "edge" {
    network {
      mode = "host"
      port "http" {
        static = 80
      }
    }
    task "edge" {
      driver = "docker"
      config {
        image        = "nginx:1.27"
        network_mode = "host"
      }
    }
  }
}
'''
DISTINCT = '''
job "spread" {
  group "spread" {
    count = 3
    constraint {
      distinct_hosts = true
    }
    update {
      max_parallel = 2
    }
    task "app" {
      driver = "docker"
      config {
        image = "nginx:1.27"
      }
    }
  }
}
'''
# 5: docker dns_servers keep the cluster resolver (ClusterFirst) and add the servers after it.
DOCKER_DNS = '''
job "lan" {
  group "lan" {
    task "app" {
      driver = "docker"
      config {
        image       = "nginx:1.27"
        dns_servers = ["192.168.1.1"]
      }
    }
  }
}
'''
# 2: templates rendered into a task-dir directory the task binds elsewhere reach the bind target.
BOUND_DIR = '''
job "dns" {
  group "dns" {
    task "unbound" {
      driver = "docker"
      config {
        image   = "mvance/unbound:1.21.1"
        %s
      }
      template {
        data        = "server:\\n  verbosity: 1\\n"
        destination = "local/%sunbound.conf"
      }
    }
  }
}
'''
MOUNT_LOCAL = 'mount {\n  type = "bind"\n  source = "local"\n  target = "/etc/unbound"\n}'
_AT = [{"name": "unbound", "volumeMounts": [{"mountPath": "/etc/unbound/unbound.conf", "readOnly": True}]}]
# 7: a multi-writer CSI volume on a class that cannot give ReadWriteMany is a decision naming one that can.
SHARED_CSI = '''
job "media" {
  group "media" {
    count = 2
    volume "library" {
      type            = "csi"
      source          = "library"
      access_mode     = "multi-node-multi-writer"
      attachment_mode = "file-system"
    }
    task "app" {
      driver = "docker"
      config {
        image = "nginx:1.27"
      }
      volume_mount {
        volume      = "library"
        destination = "/library"
      }
    }
  }
}
'''
LOCAL_PATH = Profile.model_validate({"storage": {"default_class": "local-path"}})
LOCAL_AND_NFS = Profile.model_validate({"storage": {"default_class": "local-path",
                                                    "access_modes": {"shared": ["ReadWriteMany"]}}})
# 8: a system job's host volume is a directory on each node: a hostPath, never one shared claim.
SYSTEM_HOST_VOL = '''
job "agent" {
  type = "system"
  group "agent" {
    volume "logs" {
      type   = "host"
      source = "node-logs"
    }
    task "agent" {
      driver = "docker"
      config {
        image = "grafana/alloy:v1.5.0"
      }
      volume_mount {
        volume      = "logs"
        destination = "/var/log/host"
      }
    }
  }
}
'''

CASES = [
    Case("bare-task-hcl2-periodic", BARE_TASK_HCL2,
         objects={("CronJob", "solo"): {"spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {
             "spec": {"containers": [{"name": "solo", "image": "busybox:1.36"}]}}}}}}},
         rows={"job[solo].group[solo].task[solo].config.image": ("mapped", "N2K-IMAGE")}),
    Case("bare-task-hcl1", BARE_TASK_HCL1,
         objects={("Deployment", "solo"): {"spec": {"replicas": 1, "template": {"spec": {"containers": [
             {"name": "solo", "env": [{"name": "A", "value": "1"}]}]}}}}},
         rows={"job[solo].group[solo].task[solo].env.A": ("mapped", "N2K-ENV")}),
    Case("cron-default-utc", CRON_ZONE % "",
         objects={("CronJob", "nightly"): {"spec": {"timeZone": "Etc/UTC"}}},
         rows={"job[nightly].periodic": ("mapped", "N2K-CRON-TZ-UTC")}),
    Case("cron-explicit-zone-kept", CRON_ZONE % 'time_zone = "Europe/Paris"',
         objects={("CronJob", "nightly"): {"spec": {"timeZone": "Europe/Paris"}}},
         rows={"job[nightly].periodic.time_zone": ("mapped", "N2K-CRON-TZ")}),
    Case("host-network-stop-first", HOST_NET,
         objects={("Deployment", "edge"): {"spec": {"strategy": {
             "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}}}},
         rows={"job[edge].group[edge]": ("mapped", "N2K-UPDATE-STOP-FIRST")}),
    Case("distinct-hosts-stop-first", DISTINCT,
         objects={("Deployment", "spread"): {"spec": {"strategy": {
             "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 2}}}}},
         rows={"job[spread].group[spread].update.max_parallel": ("mapped", "N2K-UPDATE-STOP-FIRST")}),
    Case("docker-dns-servers-cluster-first", DOCKER_DNS,
         objects={("Deployment", "lan"): {"spec": {"template": {"spec": {
             "dnsPolicy": "ClusterFirst", "dnsConfig": {"nameservers": ["192.168.1.1"]}}}}}},
         rows={"job[lan].group[lan].task[app].config.dns_servers": ("changed", "N2K-DNS")}),
    Case("bind-dir-local-config", BOUND_DIR % ('volumes = ["local/config:/etc/unbound"]', "config/"),
         objects={("Deployment", "dns"): {"spec": {"template": {"spec": {"containers": _AT}}}}}),
    Case("bind-whole-local", BOUND_DIR % ('volumes = ["local/:/etc/unbound/"]', ""),
         objects={("Deployment", "dns"): {"spec": {"template": {"spec": {"containers": _AT}}}}}),
    Case("mount-block-local", BOUND_DIR % (MOUNT_LOCAL, ""),
         objects={("Deployment", "dns"): {"spec": {"template": {"spec": {"containers": _AT}}}}},
         rows={"job[dns].group[dns].task[unbound].config.mount[0]": ("changed", "N2K-DOCKER-MOUNT")}),
    Case("rwx-on-local-path", SHARED_CSI, profile=LOCAL_PATH,
         objects={("PersistentVolumeClaim", "library"): {"spec": {"storageClassName": "local-path"}}},
         rows={"job[media].group[media].volume[library].access_mode": ("needs-decision",
                                                                       "N2K-VOLUME-ACCESS-UNSUPPORTED")}),
    Case("rwx-on-capable-class", SHARED_CSI,
         profile=Profile.model_validate({"storage": {"default_class": "longhorn"}}),
         objects={("PersistentVolumeClaim", "library"): {"spec": {"accessModes": ["ReadWriteMany"]}}},
         rows={"job[media].group[media].volume[library].access_mode": ("mapped", "N2K-VOLUME-ACCESS-MODE")}),
    Case("system-host-volume-unknown-path", SYSTEM_HOST_VOL,
         objects={("DaemonSet", "agent"): {"spec": {"template": {"spec": {"volumes": [
             {"name": "logs", "emptyDir": {}}]}}}}},
         absent=(("PersistentVolumeClaim", "node-logs"),),
         rows={"job[agent].group[agent].volume[logs].source": ("needs-decision", "N2K-VOLUME-HOST-DAEMONSET")}),
    Case("system-host-volume-profile-path", SYSTEM_HOST_VOL,
         profile=Profile.model_validate({"storage": {"host_volumes": {"node-logs": "/var/log"}}}),
         objects={("DaemonSet", "agent"): {"spec": {"template": {"spec": {"volumes": [
             {"name": "logs", "hostPath": {"path": "/var/log"}}]}}}}},
         absent=(("PersistentVolumeClaim", "node-logs"),),
         rows={"job[agent].group[agent].volume[logs].source": ("changed", "N2K-VOLUME-HOST")}),
    # host_volumes_as = pvc: a claim even where the profile knows the path (the cluster kit binds a hostPath PV
    # to it); the path used to win and no claim was written.
    Case("host-volume-as-pvc-known-path", SYSTEM_HOST_VOL.replace('type = "system"', 'type = "service"'),
         profile=Profile.model_validate({"storage": {"host_volumes": {"node-logs": "/var/log"},
                                                     "host_volumes_as": "pvc"}}),
         objects={("Deployment", "agent"): {"spec": {"template": {"spec": {"volumes": [
             {"name": "logs", "persistentVolumeClaim": {"claimName": "node-logs"}}]}}}},
                  ("PersistentVolumeClaim", "node-logs"): {"spec": {"accessModes": ["ReadWriteOnce"]}}},
         rows={"job[agent].group[agent].volume[logs].source": ("changed", "N2K-VOLUME-HOST-PVC")}),
]


def test_unsupported_mode_names_a_profile_class() -> None:
    result = check_case(CASES[[c.id for c in CASES].index("rwx-on-local-path")])
    assert "'longhorn'" in result.row("job[media].group[media].volume[library].access_mode").suggestion
    own = check_case(Case("own", SHARED_CSI, profile=LOCAL_AND_NFS))
    assert "'shared'" in own.row("job[media].group[media].volume[library].access_mode").suggestion


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    check_case(case)


# 9 (second part): a dynamic port on the host network gets a number of its own in Nomad's dynamic range, stable
# per job/group/label, never the profile's common 8080 that every host-network pod on a node would share.
HOST_DYNAMIC = '''
job "%s" {
  group "g" {
    network {
      mode = "host"
      port "http" {}
    }
    task "t" {
      driver = "docker"
      config {
        image        = "nginx:1.27"
        network_mode = "host"
        ports        = ["http"]
      }
    }
  }
}
'''


def test_host_network_dynamic_ports_are_distinct_and_stable() -> None:
    numbers = {}
    for name in ("alpha", "beta"):
        path = f"job[{name}].group[g].network.port[http]"
        result = check_case(Case(f"host-dynamic-{name}", HOST_DYNAMIC % name,
                                 rows={path: ("changed", "N2K-PORT-DYNAMIC-HOST-NETWORK")}))
        [port] = result.object("Deployment")["spec"]["template"]["spec"]["containers"][0]["ports"]
        numbers[name] = port["containerPort"]
        assert 20000 <= port["containerPort"] <= 32000 and str(port["containerPort"]) in result.row(
            path, "N2K-PORT-DYNAMIC-HOST-NETWORK").message
    assert numbers["alpha"] != numbers["beta"]
    again = convert_text(HOST_DYNAMIC % "alpha").object("Deployment")
    assert again["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] == numbers["alpha"]
