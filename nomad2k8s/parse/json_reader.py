"""Nomad API JSON (`{"Job": {...}}` or a bare job object) -> canonical HCL-shaped tree."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import durationpy

from ..text import snake_case

# Server-side state: never part of what a user wrote.
SERVER_FIELDS = {
    "CreateIndex", "ModifyIndex", "JobModifyIndex", "SubmitTime", "Status",
    "StatusDescription", "Stable", "Version", "Stop", "ParentID", "Dispatched",
    "ConsulToken", "VaultToken", "NomadTokenID", "DispatchIdempotencyToken",
    "VersionTag", "Payload",
}

# PascalCase key -> (canonical key, becomes a list of blocks?)
_BLOCKS = {
    "TaskGroups": "group", "Tasks": "task", "Networks": "network", "Services": "service",
    "Checks": "check", "Templates": "template", "Constraints": "constraint",
    "Affinities": "affinity", "Spreads": "spread", "Artifacts": "artifact",
    "VolumeMounts": "volume_mount", "Devices": "device", "Upstreams": "upstreams",
    "SpreadTarget": "target", "Resources": "resources", "Lifecycle": "lifecycle",
    "RestartPolicy": "restart", "ReschedulePolicy": "reschedule", "Update": "update",
    "Migrate": "migrate", "Periodic": "periodic", "ParameterizedJob": "parameterized",
    "EphemeralDisk": "ephemeral_disk", "Vault": "vault", "LogConfig": "logs",
    "Connect": "connect", "SidecarService": "sidecar_service", "SidecarTask": "sidecar_task",
    "Proxy": "proxy", "CheckRestart": "check_restart", "DispatchPayload": "dispatch_payload",
    "Multiregion": "multiregion", "Scaling": "scaling", "Consul": "consul",
    "Identity": "identity", "Identities": "identity", "Wait": "wait", "Expose": "expose",
    "Paths": "path", "Gateway": "gateway", "Actions": "action", "CSIPluginConfig": "csi_plugin",
    "ScalingPolicy": "scaling", "Disconnect": "disconnect", "Header": "header",
}
# Map-valued fields: keys inside are user data, kept verbatim.
_MAPS = {"Env": "env", "Meta": "meta", "Config": "config", "Envvars": "env",
         "GetterOptions": "options", "GetterHeaders": "headers", "Header": "header",
         "Labels": "labels", "Options": "options"}
_RENAMES = {
    "EmbeddedTmpl": "data", "DestPath": "destination", "SourcePath": "source",
    "LeftDelim": "left_delimiter", "RightDelim": "right_delimiter", "Perms": "perms",
    "LTarget": "attribute", "RTarget": "value", "Operand": "operator", "CPU": "cpu",
    "MemoryMB": "memory", "MemoryMaxMB": "memory_max", "DiskMB": "disk", "MBits": "mbits",
    "AccessMode": "access_mode", "AttachmentMode": "attachment_mode", "ReadOnly": "read_only",
    "PerAlloc": "per_alloc", "Spec": "cron", "TimeZone": "time_zone",
    "ProhibitOverlap": "prohibit_overlap", "SizeMB": "size", "GetterSource": "source",
    "RelativeDest": "destination", "GetterMode": "mode", "MaxFiles": "max_files",
    "MaxFileSizeMB": "max_file_size", "DestinationName": "destination_name",
    "LocalBindPort": "local_bind_port", "HostNetwork": "host_network", "To": "to",
    "PortLabel": "port", "TLSSkipVerify": "tls_skip_verify", "GRPCService": "grpc_service",
    "GRPCUseTLS": "grpc_use_tls", "IOPS": "iops", "IP": "ip", "CIDR": "cidr", "DNS": "dns",
    "HealthCheck": "health_check", "KillTimeout": "kill_timeout", "TaskName": "task",
}
DURATIONS = {
    "KillTimeout", "ShutdownDelay", "Interval", "Timeout", "MinHealthyTime", "HealthyDeadline",
    "ProgressDeadline", "Stagger", "Delay", "MaxDelay", "Grace", "Splay", "Min", "Max",
    "MaxClientDisconnect", "StopAfterClientDisconnect", "Lost",
    "StopOnClientAfter", "DeregisterCriticalServiceAfter",
}
# Zero / false that still mean something (everything else zero-valued is API noise).
_KEEP_ZERO = {"Count", "Attempts", "MaxParallel", "Unlimited", "Enabled", "Value", "Min", "Max",
              "Weight"}
def duration(ns: int) -> str:
    """Integer nanoseconds (the API's time.Duration) -> duration text as a jobspec spells it:
    whole seconds by durationpy ("1m30s", "1h30m"), zero as "0s", else whole ms ("1500ms") or ns
    (durationpy would write "1.5s" and round to microseconds; the reports quote this text)."""
    if ns == 0:
        return "0s"
    if ns % 1_000_000_000 == 0:
        return durationpy.to_str(timedelta(seconds=ns // 1_000_000_000))
    return f"{ns // 1_000_000}ms" if ns % 1_000_000 == 0 else f"{ns}ns"


def unwrap_job(data: Any) -> dict | None:
    if isinstance(data, dict) and isinstance(data.get("Job"), dict):
        return data["Job"]
    if isinstance(data, dict) and ("ID" in data or "Name" in data) and "TaskGroups" in data:
        return data
    return None


def convert_job(job: dict) -> tuple[dict, list[str]]:
    """Returns (canonical job body, dropped server-side field names)."""
    dropped = sorted(k for k in SERVER_FIELDS if k in job and _meaningful(job[k]))
    body = _obj({k: v for k, v in job.items() if k not in SERVER_FIELDS and k not in ("ID", "Name")})
    label = job.get("ID") or job.get("Name") or ""
    return {"__label__": str(label), **body}, dropped


def _meaningful(v: Any) -> bool:
    return v not in (None, "", 0, False, [], {})


def _obj(obj: dict, parent: str = "") -> dict:
    out: dict[str, Any] = {}
    for key, val in obj.items():
        if val is None or val == "" or val == [] or val == {}:
            continue
        if (val == 0 or val is False) and key not in _KEEP_ZERO:
            continue
        if key in ("Name", "Label") and parent in _LABEL_OWNERS:
            out["__label__"] = val
            continue
        if key in _MAPS and isinstance(val, dict):
            out[_MAPS[key]] = dict(val)
        elif key in DURATIONS and isinstance(val, int) and not isinstance(val, bool):
            out[_RENAMES.get(key, snake_case(key))] = duration(val)
        elif key == "Networks":
            out["network"] = [_network(n) for n in val if isinstance(n, dict)]
        elif key == "Volumes" and isinstance(val, dict):
            out["volume"] = [{"__label__": name, **_obj(v, "Volume")} for name, v in val.items()]
        elif key == "Devices" and isinstance(val, list):
            out["device"] = [_obj(d, "Device") for d in val if isinstance(d, dict)]
        elif key == "Periodic" and isinstance(val, dict):
            p = _obj({k: v for k, v in val.items() if not (k == "SpecType" and v == "cron")})
            out["periodic"] = [p]
        elif key in _BLOCKS:
            name = _BLOCKS[key]
            items = val if isinstance(val, list) else [val]
            blocks = [_obj(i, key) if isinstance(i, dict) else i for i in items]
            out[name] = blocks if all(isinstance(b, dict) for b in blocks) else val
        else:
            out[_RENAMES.get(key, snake_case(key))] = _plain(val, key)
    return out


# Container keys whose items carry their label in Name/Label.
_LABEL_OWNERS = {"TaskGroups", "Tasks", "Device", "Volume", "Actions", "Ports"}


def _plain(val: Any, key: str) -> Any:
    if isinstance(val, dict):
        return _obj(val, key)
    if isinstance(val, list):
        return [_obj(v, key) if isinstance(v, dict) else v for v in val]
    return val


def _network(net: dict) -> dict:
    out = _obj({k: v for k, v in net.items() if k not in ("DynamicPorts", "ReservedPorts")})
    ports = []
    for static, key in ((True, "ReservedPorts"), (False, "DynamicPorts")):
        for p in net.get(key) or []:
            port: dict[str, Any] = {"__label__": p.get("Label", "")}
            if static and p.get("Value"):
                port["static"] = p["Value"]
            if p.get("To"):
                port["to"] = p["To"]
            if p.get("HostNetwork") and p["HostNetwork"] != "default":
                port["host_network"] = p["HostNetwork"]
            ports.append(port)
    if ports:
        out["port"] = ports
    return out
