"""Table tests for the networking mappers: Traefik tags, checks -> probes, runtime rewrites, batch linking."""

from __future__ import annotations

from pathlib import Path

import pytest

from nomad2k8s.convert import convert_file, link_batch
from nomad2k8s.ledger import Status
from nomad2k8s.lang import traefik as tt
from nomad2k8s.mapping.networking.network import port_name, udp_port_name
from nomad2k8s.mapping.networking.nodeports import preferred
from nomad2k8s.mapping.config.template_objects import CHECKSUM_ANNOTATION, config_checksum
from nomad2k8s.profile import Profile
from tests.support import validate_object


@pytest.mark.parametrize("rule, routes", [
    ("Host(`a.com`)", [(("a.com",), "/", "Prefix")]),
    ("Host(`a.com`) || Host(`b.com`)", [(("a.com",), "/", "Prefix"), (("b.com",), "/", "Prefix")]),
    ("Host(`a.com`, `b.com`)", [(("a.com", "b.com"), "/", "Prefix")]),
    ("Host(`a.com`) && PathPrefix(`/api`)", [(("a.com",), "/api", "Prefix")]),
    ("Path(`/x`)", [((), "/x", "Exact")]),
    ("PathPrefix('/ui')", [((), "/ui", "Prefix")]),
    ("Host(`a.com`) && (PathPrefix(`/a`) || PathPrefix(`/b`))",
     [(("a.com",), "/a", "Prefix"), (("a.com",), "/b", "Prefix")]),
    ("HostRegexp(`{sub:[a-z]+}.a.com`)", None),
    ("Host(`a.com`) && Headers(`X`, `y`)", None),
    ("!Path(`/x`)", None),
    ("Path(`api`)", None),
])
def test_rule_to_ingress_routes(rule: str, routes) -> None:
    got = tt.simple_routes(tt.parse_rule(rule))
    assert (None if got is None else [(r.hosts, r.path, r.path_type) for r in got]) == routes


@pytest.mark.parametrize("bad", ["Host(`a`", "Host(a)", "&& Host(`a`)"])
def test_bad_rule_raises(bad: str) -> None:
    with pytest.raises(tt.RuleError):
        tt.parse_rule(bad)


def test_v1_rule_and_tag_set() -> None:
    assert tt.legacy_rule("Host:a.com,b.com;PathPrefixStrip:/x") == ("Host(`a.com`, `b.com`) && PathPrefix(`/x`)", "/x")
    tags = tt.parse_tags([
        "traefik.enable=true", "traefik.http.routers.r.rule=Host(`a.com`)", "traefik.http.routers.r.entryPoints=web,websecure",
        "traefik.http.routers.r.tls.certResolver=le", "traefik.http.routers.r.middlewares=m@file,s",
        "traefik.http.routers.r.priority=10", "traefik.http.services.r.loadbalancer.server.port=8081",
        "traefik.http.middlewares.s.stripprefix.prefixes=/a,/b", "urlprefix-/x strip=/x", "plain",
    ])
    router = tags.routers["r"]
    assert (tags.enabled, router.entrypoints, router.tls, router.certresolver, router.middlewares, router.priority) == (
        True, ["web", "websecure"], True, "le", ["m@file", "s"], 10)
    assert tags.services == {"r": {"loadbalancer.server.port": "8081"}}
    assert tags.middlewares == {"s": ("stripprefix", {"prefixes": "/a,/b"})}
    assert (tags.fabio, tags.plain) == (["urlprefix-/x strip=/x"], ["plain"])


@pytest.mark.parametrize("static, expected", [(30080, 30080), (32767, 32767), (5514, 32746), (80, 30080)])
def test_node_port_clamp(static: int, expected: int) -> None:
    assert preferred(static, (30000, 32767)) == expected


def _job(tmp_path: Path, service: str, task_extra: str = "", group_extra: str = "", name: str = "app") -> Path:
    path = tmp_path / f"{name}.nomad.hcl"
    path.write_text(f'''job "{name}" {{
  datacenters = ["dc1"]
  group "{name}" {{
    network {{
      port "http" {{ to = 8080 }}
    }}
    {group_extra}
    service {{
      name = "{name}"
      port = "http"
      {service}
    }}
    task "main" {{
      driver = "docker"
      config {{ image = "nginx:1.25" }}
      {task_extra}
    }}
  }}
}}
''')
    return path


def _convert(path: Path, profile: Profile | None = None):
    (result,) = convert_file(path, profile)
    for obj in result.objects:
        validate_object(obj)
    return result


def _entry(result, suffix: str):
    return next(e for e in result.ledger.entries if e.nomad_path.endswith(suffix) and e.claims)


def _kinds(result) -> dict[str, dict]:
    return {f"{o['kind']}/{o['metadata']['name']}": o for o in result.objects}


@pytest.mark.parametrize("tags, kinds, status", [
    (['traefik.enable=true', 'traefik.http.routers.app.rule=Host(`app.example.org`)'], ["Ingress/app"], Status.MAPPED),
    (['traefik.enable=false', 'traefik.http.routers.app.rule=Host(`app.example.org`)'], [], Status.MAPPED),
    (['traefik.http.routers.app.rule=HostRegexp(`{s:[a-z]+}.example.org`)'], ["IngressRoute/app"], Status.CHANGED),
    (['traefik.http.routers.app.rule=Host(`a.example.org`)', 'traefik.http.routers.app.priority=5'],
     ["IngressRoute/app"], Status.CHANGED),
    (['traefik.http.routers.app.rule=Host(`a.example.org`)', 'traefik.http.routers.app.middlewares=auth@file'],
     ["IngressRoute/app"], Status.NEEDS_DECISION),
    (['traefik.http.routers.app.rule=Host(`a.example.org`)', 'traefik.http.routers.app.middlewares=r',
      'traefik.http.middlewares.r.redirectscheme.scheme=https', 'traefik.http.middlewares.r.redirectscheme.permanent=true'],
     ["IngressRoute/app", "Middleware/r"], Status.CHANGED),
    (['traefik.http.routers.app.rule=Host(`a.example.org`)', 'traefik.http.routers.app.middlewares=b',
      'traefik.http.middlewares.b.basicauth.users=u:$$apr1$$x'], ["IngressRoute/app", "Middleware/b"],
     Status.NEEDS_DECISION),
    (['traefik.http.routers.app.rule=Host(`app.${var.domain}`)'], [], Status.NEEDS_DECISION),
    (['urlprefix-/app'], ["Ingress/app"], Status.CHANGED),
    (['traefik.frontend.rule=PathPrefixStrip:/app'], ["IngressRoute/app", "Middleware/frontend-stripprefix"],
     Status.CHANGED),
])
def test_tags_to_routing_objects(tmp_path: Path, tags, kinds, status) -> None:
    rendered = ", ".join('"' + t.replace('"', '\\"') + '"' for t in tags)
    result = _convert(_job(tmp_path, f"tags = [{rendered}]"))
    routing = sorted(k for k in _kinds(result) if k.split("/")[0] in ("Ingress", "IngressRoute", "Middleware"))
    assert routing == sorted(kinds)
    assert _entry(result, ".tags").status is status
    assert "apr1" not in str(result.objects)  # credentials never reach a manifest


def test_profile_hosts_class_and_tls(tmp_path: Path) -> None:
    profile = Profile.model_validate({
        "hosts": {"map": {"b.example.org": "b.k8s.example.org"}, "suffix": "-k8s"},
        "ingress": {"class_name": "public", "cert_manager_issuer": "le-prod", "entrypoints": ["websecure"]},
    })
    tags = ('tags = ["traefik.http.routers.app.rule=Host(`a.example.org`) || Host(`b.example.org`)", '
            '"traefik.http.routers.app.tls=true"]')
    ingress = _kinds(_convert(_job(tmp_path, tags), profile))["Ingress/app"]
    assert [r["host"] for r in ingress["spec"]["rules"]] == ["a-k8s.example.org", "b.k8s.example.org"]
    assert ingress["spec"]["ingressClassName"] == "public"
    assert ingress["spec"]["tls"] == [{"hosts": ["a-k8s.example.org", "b.k8s.example.org"], "secretName": "app-tls"}]
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "le-prod"
    assert ingress["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.entrypoints"] == "websecure"


def _container(result, name: str = "main") -> dict:
    deployment = next(o for o in result.objects if o["kind"] in ("Deployment", "StatefulSet"))
    return next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == name)


@pytest.mark.parametrize("check, readiness, liveness", [
    ('type = "http"\n path = "/h"\n interval = "5s"\n timeout = "500ms"',
     {"httpGet": {"path": "/h", "port": "http"}, "periodSeconds": 5, "timeoutSeconds": 1}, None),
    ('type = "http"\n path = "/h"\n protocol = "https"\n interval = "5s"\n timeout = "1s"\n'
     ' check_restart {\n limit = 4\n grace = "1m"\n }',
     {"httpGet": {"path": "/h", "port": "http", "scheme": "HTTPS"}, "periodSeconds": 5, "timeoutSeconds": 1},
     {"httpGet": {"path": "/h", "port": "http", "scheme": "HTTPS"}, "periodSeconds": 5, "timeoutSeconds": 1,
      "failureThreshold": 4, "initialDelaySeconds": 60}),
    ('type = "tcp"\n interval = "10s"\n timeout = "2s"',
     {"tcpSocket": {"port": "http"}, "periodSeconds": 10, "timeoutSeconds": 2}, None),
    ('type = "grpc"\n grpc_service = "health"\n interval = "10s"\n timeout = "2s"',
     {"grpc": {"port": 8080, "service": "health"}, "periodSeconds": 10, "timeoutSeconds": 2}, None),
    ('type = "script"\n command = "/bin/ok"\n args = ["-v"]\n interval = "10s"\n timeout = "2s"',
     {"exec": {"command": ["/bin/ok", "-v"]}, "periodSeconds": 10, "timeoutSeconds": 2}, None),
])
def test_checks_to_probes(tmp_path: Path, check: str, readiness, liveness) -> None:
    result = _convert(_job(tmp_path, f"check {{\n{check}\n}}"))
    container = _container(result)
    assert container["readinessProbe"] == readiness
    assert container.get("livenessProbe") == liveness


@pytest.mark.parametrize("policy, service_type, host_port", [("NodePort", "NodePort", None), ("hostPort", "ClusterIP", 9100)])
def test_static_port_policy(tmp_path: Path, policy: str, service_type: str, host_port) -> None:
    path = tmp_path / "x.nomad.hcl"
    path.write_text('job "x" {\n group "x" {\n network {\n port "m" { static = 9100 }\n }\n'
                    ' service {\n name = "x"\n port = "m"\n }\n task "t" {\n driver = "docker"\n'
                    ' config {\n image = "a:1"\n ports = ["m"]\n }\n }\n }\n}\n')
    result = _convert(path, Profile.model_validate({"ports": {"static_port_policy": policy}}))
    service = _kinds(result)["Service/x"]
    assert service["spec"]["type"] == service_type
    assert service["spec"]["ports"][0].get("nodePort") == (30000 + 9100 % 2768 if policy == "NodePort" else None)
    assert _container(result, "t")["ports"][0].get("hostPort") == host_port


@pytest.mark.parametrize("value, expected, status", [
    ("${NOMAD_PORT_http}", "8080", Status.MAPPED),
    ("${NOMAD_HOST_PORT_http}", "8080", Status.MAPPED),
    ("${NOMAD_ADDR_http}", "$(POD_IP):8080", Status.MAPPED),
    ("${NOMAD_IP_http}", "$(POD_IP)", Status.MAPPED),
    ("${NOMAD_TASK_DIR}/x", "/local/x", Status.MAPPED),
    ("${NOMAD_SECRETS_DIR}", "/secrets", Status.MAPPED),
    ("${NOMAD_TASK_NAME}.${NOMAD_GROUP_NAME}", "main.app", Status.MAPPED),
    ("${NOMAD_DC}", "dc1", Status.CHANGED),
    ("${NOMAD_REGION}", "${NOMAD_REGION}", Status.NEEDS_DECISION),
    ("${NOMAD_ALLOC_NAME}", "$(NOMAD_ALLOC_NAME)", Status.CHANGED),
    # the index is per-replica identity: the group becomes a StatefulSet, the index its pod ordinal
    ("${NOMAD_ALLOC_INDEX}", "$(NOMAD_ALLOC_INDEX)", Status.MAPPED),
    ("db.service.consul:5432", "db.default.svc.cluster.local:5432", Status.MAPPED),
    ("primary.db.service.eu1.consul", "db.default.svc.cluster.local", Status.CHANGED),
    ("api.virtual.consul", "api.default.svc.cluster.local", Status.MAPPED),
    ("http://${NOMAD_UPSTREAM_ADDR_billing_api}", "http://billing-api.default.svc.cluster.local:9191",
     Status.NEEDS_DECISION),
    ("${NOMAD_UPSTREAM_IP_billing_api}:${NOMAD_UPSTREAM_PORT_billing_api}",
     "billing-api.default.svc.cluster.local:9191", Status.NEEDS_DECISION),
    ("http://127.0.0.1:9191/x", "http://billing-api.default.svc.cluster.local:9191/x", Status.NEEDS_DECISION),
])
def test_env_rewrites(tmp_path: Path, value: str, expected: str, status: Status) -> None:
    connect = ('connect {\n sidecar_service {\n proxy {\n upstreams {\n destination_name = "billing-api"\n'
               ' local_bind_port = 9191\n }\n }\n }\n }')
    result = _convert(_job(tmp_path, connect, task_extra=f'env {{\n V = "{value}"\n }}'))
    # Consul names are rewritten by the batch, to Services a job of it emits (db and api here).
    link_batch([result, _convert(_job(tmp_path, "", name="db")), _convert(_job(tmp_path, "", name="api"))])
    env = {e["name"]: e for e in _container(result)["env"]}
    assert env["V"]["value"] == expected
    assert _entry(result, "env.V").status is status
    if "$(POD_IP)" in expected:
        assert list(env)[0] == "POD_IP" and env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"


def test_link_batch_uses_destination_service_port(tmp_path: Path) -> None:
    client = _job(tmp_path, 'connect {\n sidecar_service {\n proxy {\n upstreams {\n destination_name = "billing-api"\n'
                  ' local_bind_port = 9191\n }\n }\n }\n }', task_extra='env {\n U = "${NOMAD_UPSTREAM_ADDR_billing_api}"\n }')
    server = _job(tmp_path, "", name="billing-api")
    (client_result,), (server_result,) = convert_file(client), convert_file(server)
    link_batch([client_result, server_result])
    env = {e["name"]: e["value"] for e in _container(client_result)["env"] if "value" in e}
    assert env["U"] == "billing-api.default.svc.cluster.local:8080"
    assert _entry(client_result, "env.U").status is Status.MAPPED


_UPSTREAM = ('connect {\n sidecar_service {\n proxy {\n upstreams {\n destination_name = "billing-api"\n'
             ' local_bind_port = 9191\n }\n }\n }\n }')
_TEMPLATES = '''
template {
  destination = "local/app.conf"
  data = <<-EOT
    billing = "http://{{ env "NOMAD_UPSTREAM_ADDR_billing_api" }}/v1"
    ledger  = "ledger.service.consul:7000"
    listen  = {{ env "NOMAD_PORT_http" }}
    EOT
}
template {
  destination = "local/run.sh"
  data = <<-EOT
    cd "$${HOME}" && exec app --id "$${NOMAD_ALLOC_ID}" --dir "$${NOMAD_TASK_DIR}"
    EOT
}
'''


def test_template_text_gets_the_env_rewrites_and_link_batch_fixes_its_port(tmp_path: Path) -> None:
    client = _convert(_job(tmp_path, _UPSTREAM, task_extra=_TEMPLATES))
    config = next(o for o in client.objects if o["kind"] == "ConfigMap")["data"]
    # (a Consul name waits for the batch: ledger is in no job of it, so it stays)
    assert config["app.conf"] == ('billing = "http://billing-api.default.svc.cluster.local:9191/v1"\n'
                                  'ledger  = "ledger.service.consul:7000"\nlisten  = 8080\n')
    # Only NOMAD_* names are Nomad's in a file: the script's own ${HOME} stays, NOMAD_ALLOC_ID needs a decision.
    assert config["run.sh"] == 'cd "${HOME}" && exec app --id "${NOMAD_ALLOC_ID}" --dir "/local"\n'
    app_conf, run_sh = _entry(client, "template[0].data"), _entry(client, "template[1].data")
    assert app_conf.status is Status.NEEDS_DECISION and "local bind port 9191" in app_conf.message
    assert "ledger.service.consul: service ledger is not known in this job" in app_conf.message
    assert run_sh.status is Status.NEEDS_DECISION and "${NOMAD_ALLOC_ID}" in run_sh.message
    assert "${HOME}" not in run_sh.message

    server = _convert(_job(tmp_path, "", name="billing-api"))
    link_batch([client, server])
    config = next(o for o in client.objects if o["kind"] == "ConfigMap")["data"]
    assert "billing-api.default.svc.cluster.local:8080/v1" in config["app.conf"]
    annotations = next(o for o in client.objects if o["kind"] == "Deployment")["spec"]["template"]["metadata"]
    assert annotations["annotations"][CHECKSUM_ANNOTATION] == config_checksum(config)
    assert app_conf.status is Status.CHANGED and "port 8080 of Service billing-api" in app_conf.message
    assert "ledger.service.consul kept: service ledger is not in this conversion" in app_conf.message
    assert run_sh.status is Status.NEEDS_DECISION


def test_link_batch_leaves_a_bare_upstream_port_as_a_decision(tmp_path: Path) -> None:
    client = _job(tmp_path, _UPSTREAM, task_extra='env {\n P = "${NOMAD_UPSTREAM_PORT_billing_api}"\n'
                  ' H = "${NOMAD_UPSTREAM_IP_billing_api}"\n }')
    server = _job(tmp_path, "", name="billing-api")
    (client_result,), (server_result,) = convert_file(client), convert_file(server)
    link_batch([client_result, server_result])
    assert _entry(client_result, "env.P").status is Status.NEEDS_DECISION  # a bare port cannot be found again
    assert _entry(client_result, "env.H").status is Status.MAPPED  # a host needs no port


_SVC = "traefik.http.services.app.loadbalancer."


@pytest.mark.parametrize("extra, kind, expected, status", [
    # Plain Ingress: the options become annotations of the backend Service.
    ([f"{_SVC}server.scheme=https"], "Ingress",
     {"traefik.ingress.kubernetes.io/service.serversscheme": "https"}, Status.MAPPED),
    ([f"{_SVC}passhostheader=false", f"{_SVC}sticky.cookie=true", f"{_SVC}sticky.cookie.name=s"], "Ingress",
     {"traefik.ingress.kubernetes.io/service.passhostheader": "false",
      "traefik.ingress.kubernetes.io/service.sticky.cookie": "true",
      "traefik.ingress.kubernetes.io/service.sticky.cookie.name": "s"}, Status.MAPPED),
    # IngressRoute: fields of the route's service entry.
    ([f"{_SVC}server.scheme=h2c", f"{_SVC}passHostHeader=true", f"{_SVC}sticky.cookie.secure=true",
      "traefik.http.routers.app.priority=3"], "IngressRoute",
     {"scheme": "h2c", "passHostHeader": True, "sticky": {"cookie": {"secure": True}}}, Status.CHANGED),
    # Anything else is stated, never silent.
    ([f"{_SVC}healthcheck.path=/h"], "Ingress", {}, Status.NEEDS_DECISION),
])
def test_traefik_service_options(tmp_path: Path, extra, kind, expected, status) -> None:
    tags = ["traefik.http.routers.app.rule=Host(`a.example.org`)", "traefik.http.routers.app.service=app", *extra]
    rendered = ", ".join(f'"{t}"' for t in tags)
    result = _convert(_job(tmp_path, f"tags = [{rendered}]"))
    objects = _kinds(result)
    if kind == "Ingress":
        annotations = objects["Service/app"]["metadata"].get("annotations", {})
        assert {k: v for k, v in annotations.items() if k.startswith("traefik.")} == expected
    else:
        entry = objects["IngressRoute/app"]["spec"]["routes"][0]["services"][0]
        assert {k: v for k, v in entry.items() if k not in ("name", "port")} == expected
    tags_entry = _entry(result, ".tags")
    assert tags_entry.status is status
    if status is Status.NEEDS_DECISION:
        assert "healthcheck.path" in tags_entry.message


def _ports_job(tmp_path: Path, network: str, service_port: str = "a", tags: str = "[]", task_network: str = "") -> Path:
    path = tmp_path / "p.nomad.hcl"
    path.write_text(f'job "p" {{\n group "p" {{\n network {{\n{network}\n }}\n'
                    f' service {{\n name = "p"\n port = "{service_port}"\n tags = {tags}\n'
                    f' check {{\n type = "tcp"\n interval = "10s"\n timeout = "2s"\n }}\n }}\n'
                    f' task "t" {{\n driver = "docker"\n config {{ image = "a:1" }}\n{task_network}\n }}\n }}\n}}\n')
    return path


def _port_table(result) -> list[tuple[str, int, str]]:
    return [(p["name"], p["containerPort"], p["protocol"]) for p in _container(result, "t").get("ports", [])]


@pytest.mark.parametrize("network, service_port, ports, target", [
    # A dynamic port skips numbers that static/`to` ports of the group use, even declared later.
    ('port "a" {}\n port "b" { static = 8080 }\n port "c" { to = 8081 }', "a",
     [("a", 8082, "TCP"), ("b", 8080, "TCP"), ("c", 8081, "TCP")], "a"),
    # Two labels on one container port: one containerPort; the Service/probe use the surviving name.
    ('port "a" { to = 9000 }\n port "b" { static = 9001\n to = 9000 }', "b", [("a", 9000, "TCP")], "a"),
])
def test_port_numbers_never_collide(tmp_path: Path, network: str, service_port: str, ports, target) -> None:
    result = _convert(_ports_job(tmp_path, network, service_port))
    assert _port_table(result) == ports
    service = _kinds(result)["Service/p"]
    assert [p["targetPort"] for p in service["spec"]["ports"]] == [target]
    assert _container(result, "t")["readinessProbe"]["tcpSocket"]["port"] == target
    if len(ports) == 1:
        entry = _entry(result, "port[b]")
        assert entry.status is Status.CHANGED and "same container port 9000 as port 'a'" in entry.message


def test_legacy_dynamic_port_avoids_group_static(tmp_path: Path) -> None:
    """tkaburagi ui-java shape: group static 8080 + a legacy task-level dynamic port."""
    result = _convert(_ports_job(tmp_path, 'port "a" { static = 8080 }',
                                 task_network='resources {\n network {\n port "http" {}\n }\n }'))
    assert sorted(_port_table(result)) == [("a", 8080, "TCP"), ("http", 8081, "TCP")]


@pytest.mark.parametrize("network, tags, ports, service_ports, tcp_note", [
    ('port "a" { to = 53 }', "[]", [("a", 53, "TCP"), ("a-udp", 53, "UDP")],
     [("a", 53, "TCP", "a"), ("a-udp", 53, "UDP", "a-udp")], False),
    ('port "a" { static = 5300 }', '["udp"]', [("a", 5300, "TCP"), ("a-udp", 5300, "UDP")],
     [("a", 5300, "TCP", "a"), ("a-udp", 5300, "UDP", "a-udp")], False),
    ('port "dnsserver" { to = 5354 }\n port "a" { to = 80 }', "[]",
     [("dnsserver", 5354, "TCP"), ("dnsserver-udp", 5354, "UDP"), ("a", 80, "TCP")],
     [("a", 80, "TCP", "a")], True),
    ('port "a" { to = 8080 }', "[]", [("a", 8080, "TCP")], [("a", 8080, "TCP", "a")], True),
])
def test_udp_ports(tmp_path: Path, network: str, tags: str, ports, service_ports, tcp_note: bool) -> None:
    result = _convert(_ports_job(tmp_path, network, tags=tags))
    assert _port_table(result) == ports
    service = _kinds(result)["Service/p"]
    assert [(p["name"], p["port"], p["protocol"], p["targetPort"]) for p in service["spec"]["ports"]] == service_ports
    notes = [e for e in result.ledger.entries if e.code == "N2K-PORT-TCP"]
    assert len(notes) == int(tcp_note) and all(not e.claims for e in notes)
    if tcp_note:
        assert "exposed as TCP; if the app speaks UDP, add protocol: UDP" in notes[0].message


@pytest.mark.parametrize("label", ["dns", "a-very-long-port-label", "syslog-udp-port"])
def test_udp_port_name_is_a_distinct_iana_name(label: str) -> None:
    name = port_name(label)
    udp = udp_port_name(name)
    assert udp != name and len(udp) <= 15 and udp.endswith("-udp")


@pytest.mark.parametrize("group_body, gone, restated", [
    # No task becomes a container: no workload, so no Service (and no route) either.
    ('network {\n port "ssh" { to = 22 }\n }\n service {\n name = "vm"\n port = "ssh"\n'
     ' tags = ["traefik.http.routers.vm.rule=Host(`vm.example.org`)"]\n }\n'
     ' task "vm" {\n driver = "qemu"\n config { image_path = "/x.img" }\n }',
     ["Service/vm", "Ingress/vm"], ["service[0].port", "service[0].tags", "network.port[ssh]"]),
    # A poststart hook task with another image is not emitted: its Service and rows go with it.
    ('network {\n port "http" { to = 80 }\n port "hook" { to = 81 }\n }\n'
     ' task "app" {\n driver = "docker"\n config {\n image = "a:1"\n ports = ["http"]\n }\n }\n'
     ' task "after" {\n driver = "docker"\n lifecycle { hook = "poststart" }\n'
     ' config {\n image = "b:1"\n ports = ["hook"]\n }\n env { X = "1" }\n'
     ' service {\n name = "after"\n port = "hook"\n }\n }',
     ["Service/after"], ["task[after].service[0].port", "task[after].env.X", "task[after].config.image"]),
])
def test_no_service_without_a_serving_container(tmp_path: Path, group_body: str, gone, restated) -> None:
    path = tmp_path / "g.nomad.hcl"
    path.write_text(f'job "g" {{\n group "g" {{\n{group_body}\n }}\n}}\n')
    result = _convert(path)
    assert not set(gone) & set(_kinds(result))
    for suffix in restated:
        entry = _entry(result, suffix)
        assert entry.status is Status.DROPPED and entry.k8s == "-", (suffix, entry)
    assert not result.ledger.unclaimed() and all(n == 1 for n in result.ledger.claims_per_leaf().values())


@pytest.mark.parametrize("domain", ["cluster.local", "corp.internal"])
def test_cluster_domain_in_dns_names(tmp_path: Path, domain: str) -> None:
    connect = ('connect {\n sidecar_service {\n proxy {\n upstreams {\n destination_name = "billing-api"\n'
               ' local_bind_port = 9191\n }\n }\n }\n }')
    path = _job(tmp_path, connect, task_extra='env {\n A = "db.service.consul"\n B = "${NOMAD_UPSTREAM_ADDR_billing_api}"\n }')
    profile = Profile.model_validate({"cluster_domain": domain})
    result = _convert(path, profile)
    link_batch([result, _convert(_job(tmp_path, "", name="db"), profile)])
    env = {e["name"]: e.get("value") for e in _container(result)["env"]}
    assert (env["A"], env["B"]) == (f"db.default.svc.{domain}", f"billing-api.default.svc.{domain}:9191")
    upstream = next(e for e in result.ledger.entries if e.code == "N2K-CONNECT-UPSTREAM")
    assert upstream.k8s == f"billing-api.default.svc.{domain}"


def test_cluster_domain_must_be_a_dns_name() -> None:
    with pytest.raises(ValueError):
        Profile.model_validate({"cluster_domain": "Not A Domain"})


@pytest.mark.parametrize("check, command, status, env_first", [
    ('command = "/bin/sh"\n args = ["-c", "nc -z ${NOMAD_IP_http} ${NOMAD_PORT_http}"]',
     ["/bin/sh", "-c", "nc -z ${POD_IP} 8080"], Status.MAPPED, "POD_IP"),
    ('command = "/bin/check"\n args = ["--port", "${NOMAD_PORT_http}"]', ["/bin/check", "--port", "8080"],
     Status.MAPPED, None),
    ('command = "/bin/check"\n args = ["${NOMAD_ADDR_http}"]', ["/bin/check", "${NOMAD_ADDR_http}"],
     Status.NEEDS_DECISION, None),
    ('command = "/bin/check"\n args = ["${NOMAD_REGION}"]', ["/bin/check", "${NOMAD_REGION}"],
     Status.NEEDS_DECISION, None),
])
def test_script_check_runtime_values(tmp_path: Path, check: str, command, status, env_first) -> None:
    result = _convert(_job(tmp_path, f'check {{\n type = "script"\n interval = "10s"\n timeout = "2s"\n{check}\n}}'))
    container = _container(result)
    assert container["readinessProbe"]["exec"]["command"] == command
    assert _entry(result, "check[0].args").status is status
    assert _entry(result, "check[0].type").status is status
    assert (container.get("env") or [{}])[0].get("name") == env_first
