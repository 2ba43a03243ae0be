"""Issue 13 families 15, 16, 20, 21, 22, 18: what an expert would write for security escalations, users,
unresolved values, node attributes and file functions. Each row failed on main before its fix."""

from __future__ import annotations

import pytest

from .harness import Case, check_case

T = "job[app].group[app].task[app]"


def _job(task_body: str, group_body: str = "") -> str:
    return f'''
job "app" {{
  group "app" {{
    {group_body}
    task "app" {{
      driver = "docker"
      {task_body}
    }}
  }}
}}
'''


CASES = [
    # 15: device passthrough -> privileged is a security decision, not a change.
    Case("device-privileged-is-a-decision",
         _job('config {\n image = "nginx:1.27"\n devices = [{ host_path = "/dev/ttyUSB0" }]\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"containers": [
             {"securityContext": {"privileged": True}}]}}}}},
         rows={f"{T}.config.devices": ("needs-decision", "N2K-DOCKER-DEVICE")}),
    # 15: the Docker socket and / bound from the host are decisions with a security note.
    Case("docker-socket-is-a-decision",
         _job('config {\n image = "nginx:1.27"\n volumes = ["/var/run/docker.sock:/var/run/docker.sock"]\n }'),
         rows={f"{T}.config.volumes": ("needs-decision", "N2K-DOCKER-VOLUMES")}),
    Case("host-root-is-a-decision",
         _job('config {\n image = "nginx:1.27"\n volumes = ["/:/host:ro"]\n }'),
         rows={f"{T}.config.volumes": ("needs-decision", "N2K-DOCKER-VOLUMES")}),
    # 15 (gap): an explicit privileged = true is a security escalation too: a decision, never mapped.
    Case("privileged-is-a-decision",
         _job('config {\n image = "nginx:1.27"\n privileged = true\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"containers": [
             {"securityContext": {"privileged": True}}]}}}}},
         rows={f"{T}.config.privileged": ("needs-decision", "N2K-PRIVILEGED")}),
    Case("unprivileged-is-mapped",
         _job('config {\n image = "nginx:1.27"\n privileged = false\n }'),
         rows={f"{T}.config.privileged": ("mapped", "N2K-PRIVILEGED")}),
    # 10 (gap): a service-level check_restart merges into the check's own field by field (Nomad's Merge).
    Case("check-restart-merged-field-by-field", _job(
        'config {\n image = "nginx:1.27"\n ports = ["http"]\n }',
        'network {\n port "http" { to = 8080 }\n }\n'
        'service {\n name = "app"\n port = "http"\n check_restart {\n limit = 4\n grace = "20s"\n }\n'
        ' check {\n type = "tcp"\n interval = "10s"\n timeout = "2s"\n check_restart { grace = "5s" }\n }\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"containers": [{
             "livenessProbe": {"tcpSocket": {"port": "http"}, "failureThreshold": 4, "initialDelaySeconds": 5}}]}}}}},
         rows={"job[app].group[app].service[0].check_restart": ("mapped", "N2K-CHECK-RESTART"),
               "job[app].group[app].service[0].check[0].check_restart": ("mapped", "N2K-CHECK-RESTART")}),
    Case("service-check-restart-without-checks", _job(
        'config {\n image = "nginx:1.27"\n ports = ["http"]\n }',
        'network {\n port "http" { to = 8080 }\n }\n'
        'service {\n name = "app"\n port = "http"\n check_restart { limit = 2 }\n }'),
         rows={"job[app].group[app].service[0].check_restart": ("dropped", "N2K-CHECK-RESTART-UNUSED")}),
    # 16: uid:gid is numeric, not a user name; group_add ids -> supplementalGroups.
    Case("user-uid-gid",
         _job('user = "1000:1000"\n config { image = "nginx:1.27" }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"containers": [
             {"securityContext": {"runAsUser": 1000, "runAsGroup": 1000}}]}}}}},
         rows={f"{T}.user": ("mapped", "N2K-USER")}),
    Case("user-name-is-a-decision",
         _job('user = "www-data:1000"\n config { image = "nginx:1.27" }'),
         rows={f"{T}.user": ("needs-decision", "N2K-USER-NAME")}),
    Case("group-add-ids",
         _job('config {\n image = "nginx:1.27"\n group_add = ["44", "109"]\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {
             "securityContext": {"supplementalGroups": [44, 109]}}}}}},
         rows={f"{T}.config.group_add": ("mapped", "N2K-DOCKER-GROUP-ADD")}),
    Case("group-add-names-is-a-decision",
         _job('config {\n image = "nginx:1.27"\n group_add = ["video"]\n }'),
         rows={f"{T}.config.group_add": ("needs-decision", "N2K-DOCKER-GROUP-ADD")}),
    # 22: userns_mode = "host" is the Kubernetes default, not a decision to set hostUsers: false.
    Case("userns-host-is-the-default",
         _job('config {\n image = "nginx:1.27"\n userns_mode = "host"\n }'),
         rows={f"{T}.config.userns_mode": ("mapped", "N2K-DOCKER-USERNS")}),
    # 20: an unresolved value never reaches an applyable field as text: what is known stays, a placeholder
    # stands only for the unknown part.
    Case("image-keeps-known-parts",
         _job('config { image = "docker.elastic.co/kibana/kibana:${var.tag}" }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"containers": [
             {"image": "docker.elastic.co/kibana/kibana:REPLACE-tag"}]}}}}},
         rows={f"{T}.config.image": ("needs-decision", "N2K-IMAGE-UNRESOLVED")}),
    Case("hostpath-node-name-is-subpathexpr",
         _job('config {\n image = "nginx:1.27"\n volumes = ["/srv/data/${node.unique.name}:/data"]\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {
             "volumes": [{"name": "host-srv-data", "hostPath": {"path": "/srv/data"}}],
             "containers": [{
                 "env": [{"name": "K8S_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                 "volumeMounts": [{"name": "host-srv-data", "mountPath": "/data",
                                   "subPathExpr": "$(K8S_NODE_NAME)"}]}]}}}}},
         rows={f"{T}.config.volumes": ("changed", "N2K-DOCKER-VOLUMES")}),
    Case("hostpath-unresolved-part-is-a-placeholder",
         _job('config {\n image = "nginx:1.27"\n mount {\n type = "bind"\n source = "/opt/${var.site}/x"\n'
              ' target = "/opt"\n }\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {
             "volumes": [{"hostPath": {"path": "/opt"}}],
             "containers": [{"volumeMounts": [{"mountPath": "/opt", "subPathExpr": "REPLACE-site/x"}]}]}}}}},
         rows={f"{T}.config.mount[0]": ("needs-decision", "N2K-DOCKER-MOUNT")}),
    # 21: node attributes the pod can read come from the downward API; own env in args -> $(VAR).
    Case("node-name-downward",
         _job('env {\n NODE = "${node.unique.name}"\n IP = "${attr.unique.network.ip-address}"\n }\n'
              'config {\n image = "nginx:1.27"\n args = ["--node", "${NODE}"]\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"containers": [{
             "env": [{"name": "K8S_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                     {"name": "K8S_HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                     {"name": "NODE", "value": "$(K8S_NODE_NAME)"}, {"name": "IP", "value": "$(K8S_HOST_IP)"}],
             "args": ["--node", "$(NODE)"]}]}}}}},
         rows={f"{T}.env.NODE": ("changed", "N2K-ENV-REWRITE")}),
    Case("regexp-alternation-is-in",
         _job('config { image = "nginx:1.27" }',
              'constraint {\n attribute = "${attr.unique.hostname}"\n operator = "regexp"\n value = "^(n1|n2)$"\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"affinity": {"nodeAffinity": {
             "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [
                 {"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1", "n2"]}]}]}}}}}}}}),
    # 21: operator shorthand keys (`set_contains = "x"`, `regexp = "y"`) are read as Nomad reads them.
    Case("set-contains-shorthand",
         _job('config { image = "nginx:1.27" }',
              'constraint {\n attribute = "${node.datacenter}"\n set_contains = "dc1"\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"affinity": {"nodeAffinity": {
             "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [
                 {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["dc1"]}]}]}}}}}}}},
         rows={"job[app].group[app].constraint[0]": ("changed", "N2K-CONSTRAINT")}),
    Case("regexp-shorthand",
         _job('config { image = "nginx:1.27" }',
              'constraint {\n attribute = "${attr.unique.hostname}"\n regexp = "^(n1|n2)$"\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"affinity": {"nodeAffinity": {
             "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [
                 {"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1", "n2"]}]}]}}}}}}}}),
    Case("set-contains-any-affinity-shorthand",
         _job('config { image = "nginx:1.27" }',
              'affinity {\n attribute = "${node.datacenter}"\n set_contains_any = "dc1,dc2"\n weight = 40\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"affinity": {"nodeAffinity": {
             "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 40, "preference": {"matchExpressions": [
                 {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["dc1", "dc2"]}]}}]}}}}}}},
         rows={"job[app].group[app].affinity[0]": ("changed", "N2K-AFFINITY")}),
    Case("set-contains-all-operator",
         _job('config { image = "nginx:1.27" }',
              'affinity {\n attribute = "${node.datacenter}"\n operator = "set_contains_all"\n value = "dc1"\n }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"affinity": {"nodeAffinity": {
             "preferredDuringSchedulingIgnoredDuringExecution": [{"preference": {"matchExpressions": [
                 {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["dc1"]}]}}]}}}}}}},
         rows={"job[app].group[app].affinity[0]": ("changed", "N2K-AFFINITY")}),
    # All of several values cannot be one label's value: `In` (any) is a decision, not a change.
    Case("set-contains-several-is-a-decision",
         _job('config { image = "nginx:1.27" }',
              'constraint {\n attribute = "${node.datacenter}"\n operator = "set_contains"\n value = "dc1,dc2"\n }'),
         rows={"job[app].group[app].constraint[0]": ("needs-decision", "N2K-CONSTRAINT")}),
    Case("spread-on-node-id-is-hostname",
         _job('config { image = "nginx:1.27" }', 'count = 3\n spread { attribute = "${node.unique.id}" }'),
         objects={("Deployment", "app"): {"spec": {"template": {"spec": {"topologySpreadConstraints": [
             {"topologyKey": "kubernetes.io/hostname"}]}}}}}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_semantics_values(case: Case) -> None:
    check_case(case)


def test_security_notes_say_why() -> None:
    result = check_case(CASES[1])
    entry = result.row(f"{T}.config.volumes", "N2K-DOCKER-VOLUMES")
    assert "security" in entry.message and "Docker socket" in entry.message


def test_boolean_meta_is_hcl_text() -> None:
    # 22: meta values reach NOMAD_META_* as Nomad writes them ("true", "3"), not Python's 'True' / '3.0'.
    result = check_case(Case("meta", _job('meta {\n debug = true\n ratio = 3.0\n }\n config { image = "nginx:1.27" }')))
    env = {e["name"]: e.get("value") for e in
           result.object("Deployment", "app")["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["NOMAD_META_debug"] == "true" and env["NOMAD_META_ratio"] == "3"


@pytest.mark.parametrize("case_id, path", [("image-keeps-known-parts", f"{T}.config.image"),
                                           ("hostpath-unresolved-part-is-a-placeholder", f"{T}.config.mount")])
def test_one_decision_per_unresolved_value(case_id: str, path: str) -> None:
    # 20: the mapper's decision says it; the parser's generic "left as text" note is not a second row.
    result = check_case(next(c for c in CASES if c.id == case_id))
    assert not [e for e in result.service.ledger.entries if e.code == "N2K-PARSE-UNRESOLVED"]
    assert len([e for e in result.service.ledger.entries if e.nomad_path.startswith(path)]) == 1
    for obj in result.objects:
        assert "${" not in str(obj)
