"""The report.html that `convert DIR --output OUT` writes for a real estate (the fixtures), opened in headless
Chromium: no console error, no request off file://, one services-table row per service of report.json, the
verdict filter narrowing to the NO-GO services, and every code link pointing into OUT/CODES.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cdp import Browser, find_chromium
from tests.support import FIXTURES, run_cli

CHROMIUM = find_chromium()
VISIBLE_ROWS = "[...document.querySelectorAll('#services-table tbody tr')].filter(r => r.offsetParent !== null)"


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (Debian package `chromium`; .ci/run installs it)")
def test_fixture_estate_report_in_chromium(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("convert", FIXTURES, "--output", out, "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    names = [s["name"] for s in report["services"]]
    assert len(names) > 20
    anchors = {line[len("### "):] for line in (out / "CODES.md").read_text().splitlines() if line.startswith("### ")}
    assert anchors, "CODES.md lists the catalogue"
    assert CHROMIUM is not None
    with Browser(CHROMIUM, width=1280, height=900) as browser:
        browser.open((out / "report.html").as_uri())
        assert browser.js(f"{VISIBLE_ROWS}.length") == len(names)
        browser.click('#service-filters button[data-verdict="no-go"]')
        no_go = [s for s in report["services"] if s["verdict"] == "no-go"]
        assert browser.js(f"{VISIBLE_ROWS}.length") == len(no_go)
        links = browser.js("[...document.querySelectorAll('a[href^=\"CODES.md#\"]')].map(a => a.textContent)")
        assert links and set(links) <= anchors
        assert browser.errors == [], browser.errors
        assert [u for u in browser.requests if not u.startswith("file://")] == []
