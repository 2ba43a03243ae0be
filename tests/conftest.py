"""Test options: `--update-golden` rewrites the goldens under generated/ from fixtures/nomad_jobs/.
Session fixtures: the shared corpus converted once (tests/corpus_fixture.py)."""

from __future__ import annotations

import pytest

from tests.corpus_fixture import corpus_terraform, corpus_yaml  # noqa: F401 - session fixtures


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite the goldens under generated/ from fixtures/nomad_jobs/.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
