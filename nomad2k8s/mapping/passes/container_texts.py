"""The texts of a job's emitted objects that can hold a service address (what the batch passes rewrite
once the whole run is known: Connect upstreams, Consul names)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubernetes import client as k8s

from nomad2k8s.mapping.core.context import JobContext


def edit_texts(jctx: JobContext, fn: Callable[[str], str]) -> None:
    """`fn` on the texts an address or a Consul name can be in: env values, command, args, exec probes and hooks of
    every emitted container, ConfigMap data and ExternalSecret target templates."""
    for gctx in jctx.groups:
        if gctx.skip:
            continue
        for container in list(gctx.pod_spec.containers or []) + list(gctx.pod_spec.init_containers or []):
            for var in container.env or []:
                if isinstance(var.value, str):
                    var.value = fn(var.value)
            for attr in ("command", "args"):
                values = getattr(container, attr)
                if values is not None:
                    setattr(container, attr, [fn(a) for a in values])
            handlers: list[Any] = [container.liveness_probe, container.readiness_probe, container.startup_probe]
            if container.lifecycle is not None:
                handlers += [container.lifecycle.post_start, container.lifecycle.pre_stop]
            for handler in handlers:
                action = getattr(handler, "_exec", None) if handler is not None else None
                if action is not None and action.command:
                    action.command = [fn(a) for a in action.command]
    for config in jctx.objects.of_kind("ConfigMap"):
        if isinstance(config, k8s.V1ConfigMap) and isinstance(config.data, dict):
            config.data = {k: fn(v) for k, v in config.data.items()}
    for secret in jctx.objects.of_kind("ExternalSecret"):
        data = secret.get("spec", {}).get("target", {}).get("template", {}).get("data")
        if isinstance(data, dict):
            secret["spec"]["target"]["template"]["data"] = {k: fn(v) for k, v in data.items()}
