"""Test options: `--update-golden` rewrites the goldens under generated/ from fixtures/nomad_jobs/.

Session fixtures: the shared corpus converted once (tests/corpus_fixture.py). Also the session-wide
code collector (tests/code_usage.py): a run of the whole suite fails when a catalogued ledger code
was never emitted by any test.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests import code_usage
from tests.corpus_fixture import corpus_terraform, corpus_yaml  # noqa: F401 - session fixtures

# A suite started in the background by a shell without job control inherits SIGINT ignored, and Python then
# installs no KeyboardInterrupt handler, in this process or in the CLI processes the Ctrl-C tests start.
# Python's own handler here gives both what an interactive run has (an exec'd child gets the default).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

_RUN: dict[str, int] = {"items": 0, "ran": 0}
_FILES: set[Path] = set()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite the goldens under generated/ from fixtures/nomad_jobs/.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pytest_sessionstart(session: pytest.Session) -> None:
    code_usage.start()


def pytest_collection_finish(session: pytest.Session) -> None:
    # After deselection: the files and tests that will run.
    _FILES.update(Path(str(item.fspath)) for item in session.items)
    _RUN["items"] = len(session.items)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "setup":
        _RUN["ran"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    whole, _why = code_usage.whole_suite_ran(session.config, _FILES, _RUN["items"], _RUN["ran"])
    if not whole or session.testscollected == 0:
        return
    unused = code_usage.unused_codes(code_usage.EMITTED, waived=code_usage.NOT_YET_EXERCISED)
    stale = code_usage.stale_waivers(code_usage.EMITTED)
    problems = []
    if unused:
        problems.append(f"{len(unused)} catalogued codes were never emitted by any test (add a case row in "
                        "tests/cases or remove the code): " + ", ".join(unused))
    if stale:
        problems.append("emitted now, remove from tests/code_usage.py NOT_YET_EXERCISED: " + ", ".join(stale))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not problems and reporter is not None:
        reporter.write_line(f"code catalogue: every catalogued code was emitted by a test "
                            f"({len(code_usage.NOT_YET_EXERCISED)} waived in tests/code_usage.py)")
    if problems:
        for text in problems:
            if reporter is not None:
                reporter.write_line(text, red=True)
            else:
                print(text)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
