"""Clear-text secrets: names that hold secrets, and credentials inside values (URL userinfo, DSN pairs)."""

from __future__ import annotations

import pytest

from nomad2k8s.credentials import SECRET_KEY_PATTERN, credentials, mask
from nomad2k8s.ledger import describe_value
from nomad2k8s.mapping.config.plaintext import find_in_text, split_value


@pytest.mark.parametrize("name, secret", [
    ("DB_PASSWORD", True), ("PGPASSWORD", True), ("MYSQL_ROOT_PASSWD", True), ("RABBITMQ_DEFAULT_PASS", True),
    ("PAPERLESS_DBPASS", True), ("db.pass", True), ("ssh_pass", True), ("passphraseKey", True),
    ("GITHUB_TOKEN", True), ("client_secret", True), ("API_KEY", True), ("private_key", True),
    ("success_before_passing", False), ("passhostheader", False), ("PASSTHROUGH", False), ("CACHE_BYPASS", False),
    ("COMPASS", False), ("DB_HOST", False),
])
def test_secret_key_pattern(name: str, secret: bool) -> None:
    assert bool(SECRET_KEY_PATTERN.search(name)) is secret


@pytest.mark.parametrize("text, found", [
    ("host=db port=5432 user=postgres password=pw-1 dbname=x", ["pw-1"]),
    ("rtsp://admin:cam-pw@cam.lan:554/stream", ["cam-pw"]),
    ("postgres://postgres:pg-pw@db:5432/x?sslmode=disable", ["pg-pw"]),
    ("mongodb://u:p@h", ["p"]),
    ("redis://:redis-pw@h:6379", ["redis-pw"]),
    ("Server=x;Uid=u;Pwd=odbc-pw;", ["odbc-pw"]),
    ("https://api.example/x?token=tok-1&x=1", ["tok-1"]),
    ("DSN=password=inner-pw", ["inner-pw"]),
    ("host=db password='quoted pw' user=u", ["quoted pw"]),
    ("postgres://$(u):$(p)@h", []),  # references, not values
    ('psql "postgresql://$PGUSER:$PGPASSWORD@$PGHOST"', []),
    ("postgres://u:{{ .pw }}@h", []),
    ("gpgsql-password=", []),
    ("sslmode=disable user=postgres", []),
    ("http://host:8080/path@x", []),
    ("token_ttl=1h secret=true", []),
])
def test_credentials_in_values(text: str, found: list[str]) -> None:
    assert [text[s:e] for s, e, _ in credentials(text)] == found
    masked = mask(text)
    assert all(f not in masked for f in found) and masked.count("<redacted>") == len(found)


@pytest.mark.parametrize("name, value, rebuilt, helpers", [
    ("DB_CONNECTION", "host=db user=postgres password=pw-1 dbname=x",
     "host=db user=postgres password=$(DB_CONNECTION_PASSWORD) dbname=x", ["DB_CONNECTION_PASSWORD"]),
    ("SOURCE", "rtsp://admin:cam-pw@cam/$(x)", "rtsp://admin:$(SOURCE_PASSWORD)@cam/$$(x)", ["SOURCE_PASSWORD"]),
    ("URLS", "redis://:a-pw@h postgres://u:b-pw@h", "redis://:$(URLS_PASSWORD)@h postgres://u:$(URLS_PASSWORD_2)@h",
     ["URLS_PASSWORD", "URLS_PASSWORD_2"]),
    ("PLAIN", "postgres://db:5432/x", "postgres://db:5432/x", []),
])
def test_split_value(name: str, value: str, rebuilt: str, helpers: list[str]) -> None:
    text, found = split_value(name, value)
    assert text == rebuilt and [h for h, _ in found] == helpers


def test_find_in_text_names_credentials_after_their_line() -> None:
    text = 'a: 1\nurl: postgres://u:url-pw@h/db\nDB_CONNECTION="host=x password=dsn-pw"\nADMIN_PASSWORD=whole-pw\n'
    assert [(text[s:e], n) for s, e, n in find_in_text(text)] == [
        ("url-pw", "url_password"), ("dsn-pw", "DB_CONNECTION_PASSWORD"), ("whole-pw", "ADMIN_PASSWORD")]


@pytest.mark.parametrize("path, value, shown", [
    ('job[j].group[g].task[t].env.DATABASE_URL', "postgres://u:leak-pw@db/x", "postgres://u:«redacted: 7 chars»@db/x"),
    ('job[j].group[g].task[t].env.DB_CONNECTION', "host=db password=leak-pw", "host=db password=«redacted: 7 chars»"),
    ('job[j].group[g].task[t].env.DB_PASSWORD', "leak-pw", "«redacted: 7 chars»"),
    ('job[j].group[g].network.success_before_passing', 3, "3"),
])
def test_describe_value_redacts(path: str, value: object, shown: str) -> None:
    assert describe_value(path, value) == shown
