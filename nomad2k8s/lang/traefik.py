"""Reading Traefik (v2/v3 and legacy v1) and Fabio routing tags of a Consul/Nomad service, as data.

Pure parsing, no Kubernetes: `parse_tags(tags)` -> TagSet, `parse_rule(text)` -> a rule tree,
`simple_routes(tree)` -> host/path alternatives when a plain Ingress can express the rule.
Traefik reads label keys case-insensitively (`entryPoints` == `entrypoints`), so keys are
lower-cased here; values keep their case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Middleware types Traefik defines in tags -> the Middleware CRD field, and the option keys that are lists.
MIDDLEWARE_TYPES = {
    "stripprefix": "stripPrefix", "stripprefixregex": "stripPrefixRegex", "addprefix": "addPrefix",
    "redirectscheme": "redirectScheme", "redirectregex": "redirectRegex", "replacepath": "replacePath",
    "replacepathregex": "replacePathRegex", "headers": "headers", "compress": "compress", "chain": "chain",
    "ratelimit": "rateLimit", "inflightreq": "inFlightReq", "ipallowlist": "ipAllowList",
    "ipwhitelist": "ipWhiteList", "retry": "retry", "buffering": "buffering", "forwardauth": "forwardAuth",
    "basicauth": "basicAuth", "digestauth": "digestAuth", "errors": "errors", "circuitbreaker": "circuitBreaker",
}
# Option keys (lower case) -> CRD field names, for the options the CRD spells in camelCase.
OPTION_NAMES = {
    "prefixes": "prefixes", "prefix": "prefix", "regex": "regex", "replacement": "replacement",
    "scheme": "scheme", "permanent": "permanent", "port": "port", "path": "path", "sourcerange": "sourceRange",
    "address": "address", "trustforwardheader": "trustForwardHeader", "authresponseheaders": "authResponseHeaders",
    "average": "average", "burst": "burst", "period": "period", "amount": "amount", "attempts": "attempts",
    "forceslash": "forceSlash", "middlewares": "middlewares", "customrequestheaders": "customRequestHeaders",
    "customresponseheaders": "customResponseHeaders", "stsseconds": "stsSeconds",
    "stsincludesubdomains": "stsIncludeSubdomains", "stspreload": "stsPreload", "forcestsheader": "forceSTSHeader",
    "framedeny": "frameDeny", "browserxssfilter": "browserXssFilter", "contenttypenosniff": "contentTypeNosniff",
    "accesscontrolalloworiginlist": "accessControlAllowOriginList",
    "accesscontrolallowmethods": "accessControlAllowMethods", "accesscontrolallowheaders": "accessControlAllowHeaders",
    "accesscontrolmaxage": "accessControlMaxAge", "addvaryheader": "addVaryHeader",
    "sslredirect": "sslRedirect", "customframeoptionsvalue": "customFrameOptionsValue",
    "referrerpolicy": "referrerPolicy", "contentsecuritypolicy": "contentSecurityPolicy",
    "excludedcontenttypes": "excludedContentTypes", "maxrequestbodybytes": "maxRequestBodyBytes",
}
LIST_OPTIONS = frozenset({"prefixes", "regex_list", "sourcerange", "authresponseheaders", "middlewares",
                          "accesscontrolalloworiginlist", "accesscontrolallowmethods",
                          "accesscontrolallowheaders", "excludedcontenttypes"})
INT_OPTIONS = frozenset({"average", "burst", "amount", "attempts", "stsseconds", "accesscontrolmaxage",
                         "maxrequestbodybytes"})
BOOL_OPTIONS = frozenset({"permanent", "trustforwardheader", "forceslash", "stsincludesubdomains", "stspreload",
                          "forcestsheader", "framedeny", "browserxssfilter", "contenttypenosniff",
                          "addvaryheader", "sslredirect"})
# Options that carry credentials: never copied into a manifest.
SECRET_OPTIONS = frozenset({"users", "usersfile"})


@dataclass
class Router:
    name: str
    rule: str | None = None
    entrypoints: list[str] = field(default_factory=list)
    tls: bool = False
    certresolver: str | None = None
    middlewares: list[str] = field(default_factory=list)
    service: str | None = None
    priority: int | None = None
    others: dict[str, str] = field(default_factory=dict)  # router keys with no Kubernetes rendering
    legacy: bool = False  # built from Traefik v1 `traefik.frontend.*`


@dataclass
class TagSet:
    enabled: bool | None = None
    routers: dict[str, Router] = field(default_factory=dict)
    services: dict[str, dict[str, str]] = field(default_factory=dict)  # traefik service -> {option: value}
    middlewares: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # name -> (type, options)
    fabio: list[str] = field(default_factory=list)  # urlprefix- tags
    other_traefik: list[str] = field(default_factory=list)  # traefik.* tags with no Kubernetes rendering
    plain: list[str] = field(default_factory=list)  # catalog tags that are not routing
    udp_routing: bool = False  # `traefik.udp.*` tags: Traefik routes UDP to the service's port

    @property
    def routing(self) -> bool:
        return bool(self.routers or self.fabio)

    @property
    def serves_udp(self) -> bool:
        """UDP routing tags, or a plain catalog tag naming udp as a word (`udp`, `dns-udp`) — never a
        substring of a router rule or host (``Host(`udp-stats.example.com`)`` is HTTP)."""
        return self.udp_routing or any("udp" in re.split(r"[^a-z0-9]+", t.lower()) for t in self.plain)


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _router(tags: TagSet, name: str) -> Router:
    return tags.routers.setdefault(name, Router(name=name))


def parse_tags(tags: list[str] | None) -> TagSet:
    out = TagSet()
    for tag in tags or []:
        tag = str(tag)
        key, sep, value = tag.partition("=")
        lower = key.strip().lower()
        value = value.strip()
        if lower.startswith("urlprefix-"):
            out.fabio.append(tag)
        elif not lower.startswith("traefik.") or not sep:
            out.plain.append(tag)
        elif lower == "traefik.enable":
            out.enabled = value.lower() == "true"
        elif lower.startswith("traefik.http.routers."):
            _router_option(out, key.strip()[len("traefik.http.routers."):], value, tag)
        elif lower.startswith("traefik.http.services."):
            name, _, option = key.strip()[len("traefik.http.services."):].partition(".")
            out.services.setdefault(name, {})[option.lower()] = value
        elif lower.startswith("traefik.http.middlewares."):
            name, _, rest = key.strip()[len("traefik.http.middlewares."):].partition(".")
            kind, _, option = rest.partition(".")
            _, options = out.middlewares.setdefault(name, (kind.lower(), {}))
            if option:
                options[option.lower()] = value
        elif lower.startswith("traefik.frontend."):
            _legacy_option(out, lower[len("traefik.frontend."):], value, tag)
        else:
            out.udp_routing = out.udp_routing or lower.startswith("traefik.udp.")
            out.other_traefik.append(tag)
    return out


def _router_option(out: TagSet, rest: str, value: str, tag: str) -> None:
    name, _, option = rest.partition(".")
    router = _router(out, name)
    option = option.lower()
    if option == "rule":
        router.rule = value
    elif option == "entrypoints":
        router.entrypoints = _split_list(value)
    elif option == "tls":
        router.tls = value.lower() == "true"
    elif option == "tls.certresolver":
        router.tls = True
        router.certresolver = value
    elif option == "middlewares":
        router.middlewares = _split_list(value)
    elif option == "service":
        router.service = value
    elif option == "priority" and re.fullmatch(r"\d+", value):
        router.priority = int(value)
    else:
        if option.startswith("tls."):
            router.tls = True  # tls.domains / tls.options imply TLS on the router
        router.others[option] = value
        out.other_traefik.append(tag)


def _legacy_option(out: TagSet, option: str, value: str, tag: str) -> None:
    """Traefik v1: `traefik.frontend.rule=Host:a.com,b.com;PathPrefixStrip:/x`, `frontend.entryPoints=https`."""
    router = _router(out, "frontend")
    router.legacy = True
    if option == "rule":
        rule, strip = legacy_rule(value)
        router.rule = rule
        if strip:
            mw = "frontend-stripprefix"
            out.middlewares[mw] = ("stripprefix", {"prefixes": strip})
            router.middlewares.append(mw)
    elif option == "entrypoints":
        router.entrypoints = _split_list(value)
    else:
        router.others[f"frontend.{option}"] = value
        out.other_traefik.append(tag)


_V1_MATCHERS = {"host": "Host", "path": "Path", "pathprefix": "PathPrefix", "pathstrip": "Path",
                "pathprefixstrip": "PathPrefix", "hostregexp": "HostRegexp", "method": "Method",
                "headers": "Headers"}


def legacy_rule(text: str) -> tuple[str, str]:
    """A v1 frontend rule as a v2 rule, plus the prefixes a `*Strip` matcher strips ("" when none)."""
    parts, strip = [], []
    for part in (p.strip() for p in text.split(";") if p.strip()):
        name, _, args = part.partition(":")
        matcher = _V1_MATCHERS.get(name.strip().lower(), name.strip())
        values = _split_list(args)
        if name.strip().lower().endswith("strip"):
            strip += values
        parts.append(f"{matcher}(" + ", ".join(f"`{v}`" for v in values) + ")")
    return " && ".join(parts), ",".join(strip)


# ---- rules -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Matcher:
    name: str  # Host, PathPrefix, ... as written
    args: tuple[str, ...]


@dataclass(frozen=True)
class Op:
    op: str  # "&&" | "||" | "!"
    items: tuple  # of Matcher | Op


class RuleError(ValueError):
    pass


_TOKEN = re.compile(r"\s*(?:(&&|\|\||!|\(|\)|,)|([A-Za-z][A-Za-z0-9]*)|`([^`]*)`|\"([^\"]*)\"|'([^']*)')")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise RuleError(f"cannot read rule at {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.group(1):
            out.append(("op", m.group(1)))
        elif m.group(2):
            out.append(("name", m.group(2)))
        else:
            out.append(("str", next(g for g in m.groups()[2:] if g is not None)))
    return out


def parse_rule(text: str):
    """`Host(`a`) && (PathPrefix(`/x`) || Path(`/y`))` -> Matcher/Op tree. Raises RuleError."""
    tokens = _tokens(text)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise RuleError("rule ends early")
        pos += 1
        return tokens[pos - 1]

    def expr(level: int):
        op = "||" if level == 0 else "&&"
        items = [expr(level + 1) if level == 0 else unary()]
        while peek() == ("op", op):
            take()
            items.append(expr(level + 1) if level == 0 else unary())
        return items[0] if len(items) == 1 else Op(op, tuple(items))

    def unary():
        tok = take()
        if tok == ("op", "!"):
            return Op("!", (unary(),))
        if tok == ("op", "("):
            inner = expr(0)
            if take() != ("op", ")"):
                raise RuleError("missing )")
            return inner
        if tok[0] != "name" or take() != ("op", "("):
            raise RuleError(f"expected a matcher, got {tok[1]!r}")
        args = []
        while peek() != ("op", ")"):
            kind, value = take()
            if kind != "str":
                raise RuleError(f"expected a quoted value, got {value!r}")
            args.append(value)
            if peek() == ("op", ","):
                take()
        take()
        return Matcher(tok[1], tuple(args))

    tree = expr(0)
    if pos != len(tokens):
        raise RuleError(f"unexpected {tokens[pos][1]!r}")
    return tree


def _dnf(node) -> list[list[Matcher]] | None:
    """Disjunctive normal form (OR of ANDs of matchers); None when a negation is involved."""
    if isinstance(node, Matcher):
        return [[node]]
    if node.op == "!":
        return None
    parts: list[list[list[Matcher]]] = []
    for item in node.items:
        part = _dnf(item)
        if part is None:
            return None
        parts.append(part)
    if node.op == "||":
        return [conj for p in parts for conj in p]
    out: list[list[Matcher]] = [[]]
    for p in parts:
        out = [a + b for a in out for b in p]
    return out


@dataclass(frozen=True)
class Route:
    """One host/path alternative an Ingress rule can express."""

    hosts: tuple[str, ...]  # empty: any host
    path: str  # "/" when the rule has no path matcher
    path_type: str  # Prefix | Exact


def simple_routes(tree) -> list[Route] | None:
    """Host/Path/PathPrefix combinations, or None when the rule needs a Traefik IngressRoute."""
    dnf = _dnf(tree)
    if dnf is None:
        return None
    routes: list[Route] = []
    for conj in dnf:
        hosts = [m for m in conj if m.name.lower() == "host"]
        paths = [m for m in conj if m.name.lower() in ("path", "pathprefix")]
        if len(hosts) + len(paths) != len(conj) or len(hosts) > 1 or len(paths) > 1:
            return None
        if paths and len(paths[0].args) != 1:
            return None
        path, path_type = "/", "Prefix"
        if paths:
            path = paths[0].args[0]
            path_type = "Exact" if paths[0].name.lower() == "path" else "Prefix"
            if not path.startswith("/"):
                return None
        routes.append(Route(hosts[0].args if hosts else (), path, path_type))
    return routes


def render_rule(node, host=lambda h: h) -> str:
    """The tree as Traefik rule text (v3 syntax), with every Host argument passed through `host`."""
    if isinstance(node, Matcher):
        args = [host(a) if node.name.lower() == "host" else a for a in node.args]
        if node.name.lower() == "host" and len(args) > 1:
            # Traefik v3 Host() takes one domain: several become an OR.
            return "(" + " || ".join(f"Host(`{a}`)" for a in args) + ")"
        return f"{node.name}(" + ", ".join(f"`{a}`" for a in args) + ")"
    if node.op == "!":
        return "!" + render_rule(node.items[0], host)
    inner = f" {node.op} ".join(render_rule(i, host) for i in node.items)
    return f"({inner})"


def top_rule(node, host=lambda h: h) -> str:
    text = render_rule(node, host)
    if isinstance(node, Op) and node.op != "!" and text.startswith("(") and text.endswith(")"):
        return text[1:-1]
    return text


def fabio_route(tag: str) -> tuple[Route | None, dict[str, str]]:
    """`urlprefix-host.example/path strip=/path` -> a Route and its options."""
    body, *opts = tag[len("urlprefix-"):].split()
    options = dict(o.partition("=")[::2] for o in opts)
    if not body:
        return None, options
    host, slash, path = body.partition("/")
    host = host.split(":")[0]  # `:port` here is a Fabio listener, not the backend port
    return Route((host,) if host else (), "/" + path if slash else "/", "Prefix"), options
