"""Case rows for codes the fixtures and the corpus rarely or never produce, so that every catalogued
code is emitted by some test (the session check in tests/conftest.py)."""

from __future__ import annotations

import pytest

from nomad2k8s.ledger.codes import lookup
from nomad2k8s.profile import Profile

from .harness import convert_text

DOCKER_OPTIONS = '''
job "opts" {
  id = "opts"
  ui { description = "options" }
  group "opts" {
    task "opts" {
      driver = "docker"
      user = "1000"
      config {
        image = "nginx:1.27"
        work_dir = "/srv"
        uts_mode = "host"
        load = "image.tar"
        storage_opt = { size = "10G" }
        cpu_cfs_period = 100000
        oom_score_adj = 100
        healthchecks { disable = true }
        pids_limit = 100
        isolation = "process"
        cpuset_cpus = "0-1"
        mac_address = "02:42:ac:11:00:02"
        ipv4_address = "10.0.0.5"
        advertise_ipv6_address = true
        network_aliases = ["web"]
        image_pull_secrets = ["regcred"]
        container_exists_timeout = "10s"
      }
      resources {
        cores = 2
        cpu = 500
      }
    }
  }
}
'''

UNRESOLVED = '''
job "loose" {
  type = "service"
  group "loose" {
    count = "many"
    shutdown_delay = "soon"
    ephemeral_disk { size = "big" }
    update { max_parallel = "few" }
    task "loose" {
      driver = "docker"
      kill_timeout = "later"
      config { image = "nginx:1.27" }
      resources {
        cpu = "lots"
        memory = "plenty"
        memory_max = "more"
        device "nvidia/gpu" { count = "two" }
      }
    }
  }
}
'''

ODD_KINDS = '''
job "odd" {
  type = "weird"
  group "odd" {
    volume "v" {
      type = "nfs"
      source = "v"
    }
    network {
      mode = "cni/custom"
      port "http" { to = 8080 }
    }
    task "nodriver" {
      config { image = "nginx:1.27" }
    }
    task "odd" {
      driver = "docker"
      config { image = "nginx:1.27" }
      lifecycle { hook = "weird" }
      template {
        data = "A=1"
        destination = "local/a.env"
        env = true
        perms = "0600"
      }
      template {
        data = "b"
        source = "local/b.tpl"
        destination = "local/b"
      }
    }
  }
}
'''

def _check_group(name: str, check: str) -> str:
    return f'''
  group "{name}" {{
    network {{
      port "http" {{ to = 8080 }}
    }}
    service {{
      name = "{name}"
      port = "http"
      enable_tag_override = true
      check {{
        {check}
        interval = "10s"
        timeout = "2s"
      }}
    }}
    task "{name}" {{
      driver = "docker"
      config {{
        image = "nginx:1.27"
        ports = ["http"]
      }}
    }}
  }}'''


# One check per container: a second one would be N2K-CHECK-EXTRA before its own fields are read.
CHECKS = ('job "checks" {' + _check_group("body", 'type = "http"\n        path = "/"\n        body = "ping"')
          + _check_group("weird", 'type = "weird"') + _check_group("noport", 'type = "tcp"\n        port = "nope"')
          + "\n}\n")

BATCH_RESTART = '''
job "retry" {
  type = "batch"
  group "retry" {
    restart { attempts = "some" }
    task "retry" {
      driver = "docker"
      config { image = "busybox:1.36" }
    }
  }
}
'''

PERIODIC = '''
job "cron" {
  type = "batch"
  periodic {
    crons = ["0 1 * * *", "0 2 * * *"]
    enabled = false
  }
  group "cron" {
    task "main" {
      driver = "docker"
      config { image = "busybox:1.36" }
    }
    task "after" {
      driver = "docker"
      config { image = "busybox:1.36" }
      lifecycle { hook = "poststart" }
    }
  }
}
'''

SECONDS_CRON = '''
job "sec" {
  type = "batch"
  periodic { cron = "0 */5 * * * *" }
  group "sec" {
    task "sec" {
      driver = "docker"
      config { image = "busybox:1.36" }
    }
  }
}
'''

INIT_ONLY = '''
job "init" {
  group "init" {
    task "setup" {
      driver = "docker"
      config { image = "busybox:1.36" }
      lifecycle { hook = "prestart" }
    }
  }
}
'''

MESH = '''
job "mesh" {
  group "mesh" {
    network {
      mode = "bridge"
      port "http" { to = 8080 }
    }
    service {
      name = "mesh"
      port = "8080"
      connect {
        sidecar_service {
          port = "sidecar"
          tags = ["a"]
          meta { a = "b" }
          disable_default_tcp_check = true
          proxy {
            local_service_address = "127.0.0.1"
            mesh_gateway { mode = "local" }
            weird_option = true
          }
        }
      }
    }
    task "mesh" {
      driver = "docker"
      config { image = "nginx:1.27" }
    }
  }
}
'''

DYNAMIC = '''
variable "names" {}
job "dyn" {
  group "dyn" {
    task "dyn" {
      driver = "docker"
      config { image = "nginx:1.27" }
      dynamic "template" {
        for_each = var.names
        content {
          data = "x"
          destination = "local/x"
        }
      }
    }
  }
}
'''

CSI = '''
job "csi" {
  group "csi" {
    volume "data" {
      type = "csi"
      source = "data"
      access_mode = "single-node-writer"
      attachment_mode = "file-system"
    }
    task "csi" {
      driver = "docker"
      config { image = "nginx:1.27" }
      volume_mount {
        volume = "data"
        destination = "/data"
      }
    }
  }
}
'''
PERIODIC_SERVICE = '''
job "web" {
  type = "service"
  periodic { cron = "@daily" }
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "nginx:1.27" }
    }
  }
}
'''
HOSTPATH_WITHOUT_ROOT = Profile.model_validate({"storage": {"csi_as": "hostPath"}})

CASES = [
    ("docker-options", DOCKER_OPTIONS, {}, {
        "N2K-DROP-JOB-ID", "N2K-DROP-UI", "N2K-USER", "N2K-WORKDIR", "N2K-DOCKER-UTS", "N2K-DOCKER-LOAD",
        "N2K-DOCKER-STORAGE-OPT", "N2K-DOCKER-CFS", "N2K-DOCKER-OOM-SCORE", "N2K-DOCKER-HEALTHCHECKS",
        "N2K-DOCKER-PIDS", "N2K-DOCKER-ISOLATION", "N2K-DOCKER-CPUSET", "N2K-DOCKER-MAC", "N2K-DOCKER-FIXED-IP",
        "N2K-DOCKER-IPV6-ADVERTISE", "N2K-DOCKER-NETWORK-ALIASES", "N2K-DOCKER-PULL-SECRETS",
        "N2K-DOCKER-EXISTS-TIMEOUT", "N2K-CPU-WITH-CORES"}),
    ("unresolved-values", UNRESOLVED, {}, {
        "N2K-COUNT-UNRESOLVED", "N2K-SHUTDOWN-DELAY-UNRESOLVED", "N2K-EPHEMERAL-SIZE-UNRESOLVED",
        "N2K-UPDATE-UNRESOLVED", "N2K-KILL-TIMEOUT-UNRESOLVED", "N2K-CPU-UNRESOLVED",
        "N2K-MEMORY-UNRESOLVED", "N2K-MEMORY-MAX-UNRESOLVED", "N2K-DEVICE-COUNT"}),
    ("odd-kinds", ODD_KINDS, {}, {
        "N2K-JOB-TYPE-UNKNOWN", "N2K-VOLUME-TYPE", "N2K-NETWORK-MODE", "N2K-DRIVER-MISSING", "N2K-LIFECYCLE-UNKNOWN", "N2K-TEMPLATE-PERMS-ENV",
        "N2K-TEMPLATE-SOURCE-IGNORED"}),
    ("checks", CHECKS, {}, {"N2K-SERVICE-TAG-OVERRIDE", "N2K-CHECK-BODY", "N2K-CHECK-TYPE", "N2K-CHECK-PORT"}),
    ("batch-restart", BATCH_RESTART, {}, {"N2K-RESTART-UNRESOLVED"}),
    ("periodic", PERIODIC, {}, {"N2K-CRON-MULTIPLE", "N2K-CRON-ENABLED", "N2K-LIFECYCLE-POSTSTART"}),
    ("seconds-cron", SECONDS_CRON, {}, {"N2K-CRON-SECONDS"}),
    ("periodic-service", PERIODIC_SERVICE, {}, {"N2K-PERIODIC-NOT-BATCH"}),
    ("init-only", INIT_ONLY, {}, {"N2K-LIFECYCLE-PROMOTED"}),
    ("mesh-options", MESH, {}, {
        "N2K-CONNECT-SIDECAR-PORT", "N2K-CONNECT-SIDECAR-META", "N2K-CONNECT-SIDECAR-CHECK",
        "N2K-CONNECT-MESH-GATEWAY", "N2K-CONNECT-OPTION", "N2K-MESH-LOOPBACK-BIND"}),
    ("dynamic-block", DYNAMIC, {}, {"N2K-PARSE-DYNAMIC"}),
    ("csi-profile-incomplete", CSI, {"profile": HOSTPATH_WITHOUT_ROOT}, {"N2K-CSI-PROFILE-INCOMPLETE"}),
]


@pytest.mark.parametrize("hcl, options, codes", [pytest.param(h, k, c, id=i) for i, h, k, c in CASES])
def test_rare_codes_are_emitted_with_their_catalogued_status(hcl: str, options: dict, codes: set[str]) -> None:
    result = convert_text(hcl, options.get("profile"))
    missing = codes - result.codes()
    assert not missing, f"not emitted: {sorted(missing)}; emitted: {sorted(result.codes())}"
    for entry in result.entries:
        if entry.code in codes:
            known = lookup(entry.code)
            assert entry.status in (known.status, *known.also), (entry.code, entry.status, known)
