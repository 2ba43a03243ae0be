"""Container lifecycle handlers built so that both the type checker and the client agree.

kubernetes >= 35 models are pydantic: `V1LifecycleHandler(_exec=...)` works at run time but is
not a declared keyword for the type checker, while the declared `var_exec=` keyword is silently
DROPPED by the model's input-name preprocessing. Validating the wire form ("exec") is both typed
and kept.
"""

from __future__ import annotations

from kubernetes import client as k8s


def exec_handler(command: list[str]) -> k8s.V1LifecycleHandler:
    """An exec lifecycle handler (postStart/preStop) running `command`."""
    return k8s.V1LifecycleHandler.model_validate({"exec": k8s.V1ExecAction(command=command)})
