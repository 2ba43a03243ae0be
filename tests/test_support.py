"""The test helpers themselves: the cached strict validator agrees with kubernetes_validate, and the
in-process CLI runner gives the exit codes of the real entry point."""

from __future__ import annotations

import copy

import kubernetes_validate
import pytest

from tests.support import K8S_VERSION, run_cli, validate_object

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx:1"}]}}},
}


def _broken(change) -> dict:
    obj = copy.deepcopy(DEPLOYMENT)
    change(obj)
    return obj


BROKEN = {
    "unknown-field": _broken(lambda o: o["spec"]["template"]["spec"]["containers"][0].update(imag="x")),
    "wrong-type": _broken(lambda o: o["spec"].update(replicas="two")),
    "missing-required": _broken(lambda o: o["spec"]["template"]["spec"]["containers"][0].pop("name")),
}


def test_valid_object_passes_both_ways() -> None:
    validate_object(DEPLOYMENT)
    kubernetes_validate.validate(DEPLOYMENT, K8S_VERSION, strict=True)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_cached_validator_rejects_what_the_library_rejects(name: str) -> None:
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(BROKEN[name], K8S_VERSION, strict=True)
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_object(BROKEN[name])


def test_in_process_cli_exit_codes(tmp_path) -> None:
    assert run_cli("--version").returncode == 0
    usage = run_cli("convert")
    assert usage.returncode == 2 and usage.stderr.startswith("error: ") and len(usage.stderr.splitlines()) == 1
    bad = tmp_path / "bad.nomad"
    bad.write_text('job "x" {\n  config = = \n}\n')
    failed = run_cli("convert", bad)
    assert failed.returncode == 1 and failed.stderr.startswith(f"{bad}:")
