"""Hand-written Kubernetes objects (plain camelCase dicts) for the Terraform walker tests.

They cover kinds and fields the mappers do not produce yet (Ingress, PVC, HPA, PDB, VPA,
ExternalSecret, probes, affinities, security contexts...) so every row of the exception
table in nomad2k8s/emit/tf_schema.py is exercised before those mappers land.
"""

from __future__ import annotations

NS = "apps"
LABELS = {"app": "web", "app.kubernetes.io/name": "web"}
META = {"name": "web", "namespace": NS, "labels": LABELS}

CONFIG = (
    "server:\n"
    "  listen: ${PORT}\n"            # literal `${` must be escaped in HCL
    "  path: %{path}\n"              # literal `%{` too
    "  env: $(POD_NAME)\n"           # Kubernetes expansion, untouched
    "EOT\n"                          # a line equal to the usual heredoc marker
    "\n"
    "  tail: \"quoted\" \\ backslash\n"
)

POD_SPEC = {
    "serviceAccountName": "web",
    "terminationGracePeriodSeconds": 45,
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "securityContext": {"runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 2000, "runAsNonRoot": True,
                        "sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]},
    "dnsConfig": {"nameservers": ["10.0.0.10"], "options": [{"name": "ndots", "value": "2"}]},
    "readinessGates": [{"conditionType": "example.com/ready"}],
    "imagePullSecrets": [{"name": "registry"}],
    "hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db.local"]}],
    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoExecute",
                     "tolerationSeconds": 300}],
    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                   "whenUnsatisfiable": "ScheduleAnyway",
                                   "labelSelector": {"matchLabels": {"app": "web"}}}],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]}]},
            ]},
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 10, "preference": {"matchExpressions": [
                    {"key": "zone", "operator": "In", "values": ["a"]}]}},
            ],
        },
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                                "labelSelector": {"matchLabels": {"app": "web"}}}},
        ]},
    },
    "initContainers": [{
        "name": "litestream-restore",
        "image": "litestream/litestream:0.3.13",
        "command": ["/bin/sh", "-c"],
        "args": ["if [ ! -f /data/db ]; then\n  litestream restore /data/db\nfi\n"],
        "restartPolicy": "Always",
        "envFrom": [{"secretRef": {"name": "web-secrets"}}],
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }],
    "containers": [{
        "name": "web",
        "image": "ghcr.io/example/web:1.2.3",
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [
            {"name": "PLAIN", "value": "5055"},
            {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "web-secrets", "key": "TOKEN"}}},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        ],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/web", "readOnly": True},
                         {"name": "data", "mountPath": "/data", "subPath": "web"}],
        "livenessProbe": {"httpGet": {"path": "/health", "port": 8080,
                                      "httpHeaders": [{"name": "Host", "value": "web.local"}]},
                          "periodSeconds": 30, "timeoutSeconds": 5, "failureThreshold": 3},
        "readinessProbe": {"tcpSocket": {"port": "http"}, "initialDelaySeconds": 5},
        "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}},
        "securityContext": {"runAsUser": 1000, "runAsGroup": 1000, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}},
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
    }],
    "volumes": [
        {"name": "config", "configMap": {"name": "web-config", "defaultMode": 420,
                                         "items": [{"key": "config.yml", "path": "config.yml", "mode": 256}]}},
        {"name": "secret", "secret": {"secretName": "web-secrets", "defaultMode": 384}},
        {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
        {"name": "scratch", "emptyDir": {}},
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "500Mi"}},
        {"name": "host", "hostPath": {"path": "/storage/v/web", "type": "Directory"}},
        {"name": "nfs", "nfs": {"server": "nas.local", "path": "/export/web", "readOnly": True}},
    ],
}


def _template(spec: dict) -> dict:
    return {"metadata": {"labels": LABELS}, "spec": spec}


OBJECTS = [
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": NS},
     "automountServiceAccountToken": False, "imagePullSecrets": [{"name": "registry"}],
     "secrets": [{"name": "web-token"}]},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config", "namespace": NS},
     "data": {"config.yml": CONFIG, "one-line": "value with \"quotes\" and ${x}",
              "no-trailing-newline": "a\nb", "indented-only": "  a\n  b\n", "blank-spaces": "a\n  \nb\n"}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "web-public", "namespace": NS},
     "type": "Opaque", "stringData": {"README": "not a secret value\n"}},
    {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "web-data", "namespace": NS},
     "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local-path",
              "resources": {"requests": {"storage": "5Gi"}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": META,
     "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "externalIPs": ["192.0.2.10"],
              "clusterIPs": ["10.43.0.10"],
              "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                        {"name": "metrics", "port": 9090, "targetPort": "metrics"}]}},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": META,
     "spec": {"replicas": 2, "revisionHistoryLimit": 3, "selector": {"matchLabels": {"app": "web"}},
              "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
              "template": _template(POD_SPEC)}},
    {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {**META, "name": "db"},
     "spec": {"replicas": 1, "serviceName": "db", "podManagementPolicy": "Parallel",
              "selector": {"matchLabels": {"app": "db"}},
              "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
              "template": _template({"containers": [{"name": "db", "image": "postgres:16"}]}),
              "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                        "spec": {"accessModes": ["ReadWriteOncePod"],
                                                 "resources": {"requests": {"storage": "1Gi"}}}}]}},
    {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {**META, "name": "agent"},
     "spec": {"selector": {"matchLabels": {"app": "agent"}},
              "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
              "template": _template({"hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet",
                                     "containers": [{"name": "agent", "image": "prom/node-exporter:v1.8.0",
                                                     "ports": [{"containerPort": 9100, "hostPort": 9100}]}]})}},
    {"apiVersion": "batch/v1", "kind": "Job", "metadata": {**META, "name": "migrate"},
     "spec": {"backoffLimit": 3, "ttlSecondsAfterFinished": 600, "completions": 1,
              "template": _template({"restartPolicy": "Never",
                                     "containers": [{"name": "migrate", "image": "busybox:1.36",
                                                     "command": ["sh", "-c", "echo $(HOME) ${HOME}"]}]})}},
    {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {**META, "name": "backup"},
     "spec": {"schedule": "0 3 * * *", "timeZone": "Europe/London", "concurrencyPolicy": "Forbid",
              "successfulJobsHistoryLimit": 1,
              "jobTemplate": {"spec": {"template": _template({
                  "restartPolicy": "OnFailure",
                  "containers": [{"name": "backup", "image": "restic/restic:0.16.4"}]})}}}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
     "metadata": {**META, "annotations": {"traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
                                          "traefik.ingress.kubernetes.io/router.tls": "true"}},
     "spec": {"ingressClassName": "traefik",
              "tls": [{"hosts": ["web.example.org", "www.example.org"], "secretName": "wildcard-tls"}],
              "rules": [{"host": "web.example.org", "http": {"paths": [
                  {"path": "/", "pathType": "Prefix",
                   "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}},
                  {"host": "www.example.org", "http": {"paths": [
                      {"path": "/api", "pathType": "Prefix",
                       "backend": {"service": {"name": "web", "port": {"name": "http"}}}}]}}]}},
    {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": META,
     "spec": {"minReplicas": 1, "maxReplicas": 5,
              "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
              "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                  "type": "Utilization", "averageUtilization": 80}}}],
              "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300, "policies": [
                  {"type": "Pods", "value": 1, "periodSeconds": 60}]}}}},
    {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": META,
     "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": META,
     "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"],
              "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "proxy"}}},
                                    {"namespaceSelector": {"matchLabels": {"team": "ops"}}}],
                           "ports": [{"port": 8080, "protocol": "TCP"}, {"port": "metrics"}]}],
              "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                          "ports": [{"port": 5432}]}]}},
    {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
     "metadata": {"name": "web-secrets", "namespace": NS},
     "spec": {"refreshInterval": "1h", "secretStoreRef": {"name": "vault", "kind": "ClusterSecretStore"},
              "target": {"name": "web-secrets", "template": {"data": {
                  "config.env": "TOKEN={{ .token }}\nURL=${URL}\n"}}},
              "data": [{"secretKey": "TOKEN", "remoteRef": {"key": "default/web", "property": "TOKEN"}}]}},
    {"apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler", "metadata": META,
     "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
              "updatePolicy": {"updateMode": "Off"},
              "resourcePolicy": {"containerPolicies": [{"containerName": "*", "minAllowed": {"cpu": "50m"},
                                                        "maxAllowed": {"memory": "1Gi"}}]}}},
    {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": META,
     "spec": {"endpointSelector": {"matchLabels": {"app": "web"}},
              "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "proxy"}}],
                           "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}]}]}},
    {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": META,
     "spec": {"entryPoints": ["websecure"], "routes": [
         {"kind": "Rule", "match": "Host(`web.example.org`) && PathPrefix(`/`)",
          "middlewares": [{"name": "web-strip"}], "services": [{"name": "web", "port": 80}]}]}},
    {"apiVersion": "traefik.io/v1alpha1", "kind": "Middleware", "metadata": {**META, "name": "web-strip"},
     "spec": {"stripPrefix": {"prefixes": ["/api"]}}},
]
