"""A realistic report.json dict (7 services of a homelab estate) for the report.html tests and its screenshot."""

from __future__ import annotations

from typing import Any

SEVERITIES = ("blocker", "action", "review", "info")
DONE = {"resolution": "done", "reason": "rsync'd 2026-12-01, checksums match", "file": "nomad2k8s.decisions.yaml"}


def _row(rid: str, code: str, severity: str, status: str, concept: str, path: str, line: int, value: str,
         target: str, message: str = "", suggestion: str = "", closed_by: dict[str, str] | None = None
         ) -> dict[str, Any]:
    return {"id": rid, "code": code, "severity": severity, "status": status, "concept": concept, "nomad_path": path,
            "line": line, "value": value, "target": target, "message": message, "suggestion": suggestion,
            "open": closed_by is None, "closed_by": closed_by, "occurrences": 1}


def _basics(job: str, image: str, port: int, first: int) -> list[dict[str, Any]]:
    """The mapped rows every service has: image, port, cpu, memory, count."""
    t = f"job[{job}].group[{job}].task[{job}]"
    return [
        _row(f"r{first}", "N2K-IMAGE", "info", "mapped", "workload", f"{t}.config.image", 14, image,
             f"Deployment/{job} container {job}"),
        _row(f"r{first + 1}", "N2K-DOCKER-PORTS", "info", "mapped", "networking", f"{t}.config.ports", 15, "http",
             f"Service/{job} port {port}"),
        _row(f"r{first + 2}", "N2K-CPU", "info", "mapped", "resources", f"{t}.resources.cpu", 30, "500",
             "resources.requests.cpu: 500m"),
        _row(f"r{first + 3}", "N2K-MEMORY", "info", "mapped", "resources", f"{t}.resources.memory", 31, "512",
             "resources.requests.memory: 512Mi"),
        _row(f"r{first + 4}", "N2K-COUNT", "info", "mapped", "workload", f"job[{job}].group[{job}].count", 5, "1",
             "spec.replicas: 1"),
    ]


def _service(name: str, verdict: str, rows: list[dict[str, Any]], depends: list[str] | None = None,
             external: list[str] | None = None, objects: list[str] | None = None) -> dict[str, Any]:
    opened = {s: sum(1 for r in rows if r["open"] and r["severity"] == s) for s in SEVERITIES}
    return {"name": name, "dir": f"homelab/{name}", "source": f"jobs/{name}.nomad.hcl", "verdict": verdict,
            "open": opened, "closed": sum(1 for r in rows if not r["open"]),
            "objects": objects or [f"Deployment/{name}", f"Service/{name}"],
            "migration_md": f"homelab/{name}/MIGRATION.md", "depends_on": depends or [], "external": external or [],
            "rows": rows}


def sample_report() -> dict[str, Any]:
    pg = "job[postgres].group[postgres]"
    services = [
        _service("redis", "go", [
            *_basics("redis", "redis:7.2-alpine", 6379, 1),
            _row("r6", "N2K-VOLUME-DATA", "action", "needs-decision", "storage", "job[redis].group[redis].volume[data]",
                 9, "redis-data", "PersistentVolumeClaim/redis-data", "The volume's files are not copied.",
                 "Copy the data into the claim before the first start.", closed_by=DONE),
            _row("r7", "N2K-CHECK", "review", "mapped", "health", "job[redis].group[redis].service[redis].check[tcp]",
                 22, "tcp every 10s", "readinessProbe.tcpSocket: 6379", "A Consul check becomes a readiness probe."),
        ], objects=["StatefulSet/redis", "Service/redis", "PersistentVolumeClaim/redis-data"]),
        _service("whoami", "go", [
            *_basics("whoami", "traefik/whoami:v1.10", 80, 1),
            _row("r6", "N2K-IMAGE-UNTAGGED", "review", "changed", "workload",
                 "job[whoami].group[whoami].task[whoami].config.image", 14, "traefik/whoami", "image: traefik/whoami",
                 "Without a tag every pull may bring a different image.", "Pin a tag or a digest."),
        ]),
        _service("postgres", "go-after-actions", [
            *_basics("postgres", "postgres:16", 5432, 1),
            _row("r6", "N2K-VOLUME-DATA", "action", "needs-decision", "storage", f"{pg}.volume[pgdata]", 8, "pgdata",
                 "PersistentVolumeClaim/pgdata", "The volume's files are not copied.",
                 "pg_dump / pg_restore into the new claim, or copy the files while postgres is stopped."),
            _row("r7", "N2K-VAULT-ACCESS", "action", "needs-decision", "secrets", f"{pg}.task[postgres].template[0]",
                 40, "secret/data/postgres/admin", "ExternalSecret/postgres-env",
                 "The secret store reads this path with its own Vault role.", "Grant the role read on the path."),
        ], depends=["redis"], external=["vault.service.consul"],
            objects=["StatefulSet/postgres", "Service/postgres", "PersistentVolumeClaim/pgdata",
                     "ExternalSecret/postgres-env"]),
        _service("grafana", "go-after-actions", [
            *_basics("grafana", "grafana/grafana:11.1.0", 3000, 1),
            _row("r6", "N2K-VAULT-ACCESS", "action", "needs-decision", "secrets",
                 "job[grafana].group[grafana].task[grafana].template[1]", 52, "secret/data/grafana/oauth",
                 "ExternalSecret/grafana-env", "The secret store reads this path with its own Vault role.",
                 "Grant the role read on the path."),
            _row("r7", "N2K-SECURITY-PLAINTEXT-SECRET", "action", "needs-decision", "secrets",
                 "job[grafana].group[grafana].task[grafana].template[0]", 44, "GF_SECURITY_ADMIN_PASSWORD=***",
                 "Secret/grafana-admin", "A clear-text password sits in the jobspec.", "Store it in Vault."),
        ], depends=["postgres"], external=["postgres.service.consul"]),
        _service("glusterfs-csi", "go-after-actions", [
            *_basics("glusterfs-csi", "gluster/glusterfs-csi:1.0", 9000, 1),
            _row("r6", "N2K-CSI-PLUGIN", "action", "needs-decision", "storage",
                 "job[glusterfs-csi].group[glusterfs-csi].task[plugin].csi_plugin", 18, "glusterfs",
                 "(not emitted)", "A CSI plugin job: Kubernetes installs CSI drivers its own way.",
                 "Install the glusterfs CSI driver in the cluster."),
            _row("r7", "N2K-DOCKER-DEVICE", "review", "changed", "security",
                 "job[glusterfs-csi].group[glusterfs-csi].task[plugin].config.privileged", 16, "true",
                 "securityContext.privileged: true", "The container runs privileged.", "Read and accept."),
        ]),
        _service("overseerr", "no-go", [
            *_basics("overseerr", "lscr.io/linuxserver/overseerr:${IMAGE_TAG}", 5055, 1),
            _row("r6", "N2K-IMAGE-UNRESOLVED", "blocker", "needs-decision", "workload",
                 "job[overseerr].group[overseerr].task[overseerr].config.image", 14,
                 "lscr.io/linuxserver/overseerr:${IMAGE_TAG}", "Deployment/overseerr container overseerr",
                 "IMAGE_TAG is set nowhere the tool can see.", "Pass -var IMAGE_TAG=… or pin the tag."),
            _row("r7", "N2K-VOLUME-DATA", "action", "needs-decision", "storage",
                 "job[overseerr].group[overseerr].volume[config]", 9, "overseerr-config",
                 "PersistentVolumeClaim/overseerr-config", "The volume's files are not copied.",
                 "Copy the data into the claim before the first start."),
        ], depends=["postgres"], external=["sonarr.service.consul", "radarr.service.consul"]),
        _service("nextcloud", "no-go", [
            _row("r1", "N2K-DRIVER-NO-IMAGE", "blocker", "needs-decision", "workload",
                 "job[nextcloud].group[nextcloud].task[php].driver", 12, "exec", "Deployment/nextcloud container php",
                 "The exec driver runs a host binary: there is no image.", "Build an image for /usr/sbin/php-fpm."),
            _row("r2", "N2K-MEMORY", "info", "mapped", "resources",
                 "job[nextcloud].group[nextcloud].task[php].resources.memory", 30, "1024",
                 "resources.requests.memory: 1Gi"),
        ], depends=["postgres", "redis"]),
    ]
    verdicts = {v: sum(1 for s in services if s["verdict"] == v) for v in ("go", "go-after-actions", "no-go")}
    opened = {s: sum(svc["open"][s] for svc in services) for s in SEVERITIES}
    return {
        "schema_version": 1, "tool": {"name": "nomad2k8s", "version": "0.1.0"},
        "run": {"source": "homelab/jobs", "profile": "vanilla", "format": "yaml"},
        "totals": {"services": len(services), "verdicts": verdicts, "open": opened},
        "services": services,
        "actions": [
            {"kind": "vault-read", "code": "N2K-VAULT-ACCESS",
             "title": "Vault: grant the secret store read on these 2 paths",
             "items": [{"service": "postgres", "detail": "secret/data/postgres/admin", "row": "r7"},
                       {"service": "grafana", "detail": "secret/data/grafana/oauth", "row": "r6"}],
             "snippet": 'path "secret/data/postgres/admin" {\n  capabilities = ["read"]\n}\n'
                        'path "secret/data/grafana/oauth" {\n  capabilities = ["read"]\n}'},
            {"kind": "volume-data", "code": "N2K-VOLUME-DATA", "title": "Data: fill these 2 claims",
             "items": [{"service": "postgres", "detail": "PersistentVolumeClaim/pgdata", "row": "r6"},
                       {"service": "overseerr", "detail": "PersistentVolumeClaim/overseerr-config", "row": "r7"}]},
            {"kind": "csi-driver", "code": "N2K-CSI-PLUGIN", "title": "CSI: install drivers for plugins glusterfs",
             "items": [{"service": "glusterfs-csi", "detail": "glusterfs", "row": "r6"}]},
            {"kind": "plaintext-secret", "code": "N2K-SECURITY-PLAINTEXT-SECRET",
             "title": "Secrets: move 1 clear-text value into Vault",
             "items": [{"service": "grafana", "detail": "GF_SECURITY_ADMIN_PASSWORD", "row": "r7"}]},
        ],
        "blockers": [
            {"service": "overseerr", "row": "r6", "code": "N2K-IMAGE-UNRESOLVED",
             "message": "Image reference holds an unresolved variable: IMAGE_TAG"},
            {"service": "nextcloud", "row": "r1", "code": "N2K-DRIVER-NO-IMAGE",
             "message": "Non-docker task has no image (driver exec)"},
        ],
        "waves": [{"wave": 1, "services": ["redis", "whoami", "glusterfs-csi"], "external": []},
                  {"wave": 2, "services": ["postgres"], "external": ["vault.service.consul"]},
                  {"wave": 3, "services": ["grafana", "overseerr", "nextcloud"],
                   "external": ["sonarr.service.consul", "radarr.service.consul"]}],
        "cycles": [],
        "stale_decisions": [{"service": "whoami", "code": "N2K-VOLUME-DATA", "path": "job[whoami].group[whoami].volume[x]",
                             "reason": "copied the old data"}],
    }
