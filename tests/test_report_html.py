"""report.html: the renderer on small hand-made dicts, and the page in a real headless Chromium.

`python -m tests.test_report_html` regenerates docs/report-html.png from the sample estate (tests/report_sample.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from nomad2k8s.ledger.codes import lookup
from nomad2k8s.report.html import render
from tests.cdp import Browser, find_chromium
from tests.report_sample import sample_report

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>console.error(\"xss\")</script><img src=x onerror=console.error(1)>"


def _row(rid: str, status: str, severity: str, **extra: Any) -> dict[str, Any]:
    row = {"id": rid, "code": "N2K-VOLUME-DATA", "severity": severity, "status": status, "concept": "storage",
           "nomad_path": f"job[a].group[g].volume[{rid}]", "line": 12, "value": rid, "target": f"PVC/{rid}",
           "message": "m", "suggestion": "s", "open": True, "closed_by": None, "occurrences": 1}
    row.update(extra)
    return row


def small() -> dict[str, Any]:
    return {
        "schema_version": 1, "run": {"source": "jobs", "profile": "vanilla"},
        "services": [
            {"name": "a", "source": "jobs/a.nomad.hcl", "verdict": "no-go", "migration_md": "a/MIGRATION.md",
             "open": {"blocker": 1, "action": 0, "review": 0, "info": 1}, "objects": ["Deployment/a"],
             "rows": [_row("r1", "needs-decision", "blocker", value=HOSTILE),
                      _row("r2", "mapped", "info"),
                      _row("r3", "needs-decision", "action", open=False,
                           closed_by={"resolution": "done", "reason": "rsync'd <ok>", "file": "d.yaml"})]},
            {"name": "b", "source": "jobs/b.nomad.hcl", "verdict": "go", "rows": []},
            {"name": HOSTILE, "verdict": "go-after-actions"},
        ],
        "blockers": [{"service": "a", "row": "r1", "code": "N2K-VOLUME-DATA", "message": HOSTILE}],
        "cycles": [["a", "b"]],
        "stale_decisions": [{"service": "b", "code": "N2K-X", "path": "job[b]", "reason": "gone"}],
    }


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _parse(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    return parser


def _section(text: str, sid: str) -> str:
    start = text.index(f'id="{sid}"')
    end = text.find("<section", start)
    return text[start:] if end < 0 else text[start:end]


def test_hostile_values_are_escaped() -> None:
    text = render(small())
    parsed = _parse(text)
    assert len(parsed.scripts) == 1, "only the report's own script"
    assert not [t for t, _ in parsed.tags if t == "img"]
    assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")]
    assert "&lt;script&gt;console.error(&quot;xss&quot;)&lt;/script&gt;" in text
    assert "rsync&#x27;d &lt;ok&gt;" in text
    report = small()
    report["services"][1]["migration_md"] = "javascript:alert(1)"
    assert 'href="javascript%3Aalert%281%29"' in render(report), "a link from the data stays a relative path"


def test_one_table_row_per_service_and_links() -> None:
    report = small()
    text = render(report)
    table = text[text.index('id="services-table"'):text.index("</table>", text.index('id="services-table"'))]
    assert table.count("<tr data-verdict=") == len(report["services"])
    assert '<a href="a/MIGRATION.md">MIGRATION.md</a>' in table
    # the code links to the heading docs/CODES.md writes for it; an uncatalogued code is not linked
    assert f'href="../docs/CODES.md#{lookup("N2K-VOLUME-DATA").anchor}"' in render(report, codes_href="../docs/CODES.md")
    assert "<code>N2K-X</code>" in text and "#n2k-x" not in text


def test_mapped_rows_folded_and_closed_rows_shown_closed() -> None:
    svc = _section(render(small()), "svc-a")
    folded = svc[svc.index("<details"):svc.index("</details>")]
    assert 'id="svc-a-r2"' in folded, "the mapped row is inside <details>"
    assert 'id="svc-a-r1"' not in folded and 'id="svc-a-r3"' not in folded
    closed = re.search(r'<tr id="svc-a-r3" class="closed">.*?</tr>', svc)
    assert closed and "closed: done — rsync&#x27;d &lt;ok&gt;" in closed.group(0)
    assert 'id="svc-a-r1" class="closed"' not in svc


def test_an_open_review_row_stays_visible_even_when_mapped() -> None:
    report = small()
    report["services"][0]["rows"] = [_row("r9", "mapped", "review")]
    assert "<details" not in _section(render(report), "svc-a")


def test_sections_blockers_cycles_stale_and_missing_keys() -> None:
    text = render(small())
    assert '<a href="#svc-a-r1">a</a>' in _section(text, "blockers")
    assert "→" in _section(text, "waves") and "Stale decisions (1)" in text
    assert "jobs/b.nomad.hcl" in text and "No ledger rows." in _section(text, "svc-b")
    # header counts fall back to the services when "totals" is missing
    header = text[:text.index('id="services"')]
    assert re.search(r'<span class="n">1</span><span class="l">NO-GO</span>', header)
    minimal = render({"services": []})  # every optional key missing
    assert "No open actions." in minimal and "No waves computed." in minimal


def test_nothing_is_fetched() -> None:
    """Inline CSS/JS only; the CSP forbids every fetch, so the file works offline from file://."""
    text = render(sample_report())
    parsed = _parse(text)
    assert not [a for t, a in parsed.tags if t in ("link", "img", "iframe") or (t == "script" and "src" in a)]
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp and csp.startswith("default-src 'none'")


# -- in a real browser -------------------------------------------------------------------------------------------

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium; "
                                                             ".ci/run installs it): the browser test cannot run")
VISIBLE_ROWS = "[...document.querySelectorAll('#services-table tbody tr')].filter(r => r.offsetParent !== null)"


def _browser_report() -> dict[str, Any]:
    """The sample estate with a hostile value deep in one service: a script that ran would fail the test."""
    report = sample_report()
    report["services"][0]["rows"][0]["value"] = HOSTILE
    return report


@needs_chromium
def test_report_in_headless_chromium(tmp_path: Path) -> None:
    report = _browser_report()
    names = [s["name"] for s in report["services"]]
    page = tmp_path / "report.html"
    page.write_text(render(report))
    assert CHROMIUM is not None
    with Browser(CHROMIUM) as browser:
        browser.open(page.as_uri())
        browser.screenshot(tmp_path / "report.png")
        assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert browser.js(f"{VISIBLE_ROWS}.map(r => r.dataset.name)") == names
        assert browser.js("document.getElementById('service-shown').textContent") == "7 of 7 services shown"

        browser.click('#service-filters button[data-verdict="no-go"]')
        no_go = [s["name"] for s in report["services"] if s["verdict"] == "no-go"]
        assert browser.js(f"{VISIBLE_ROWS}.map(r => r.dataset.name)") == no_go
        browser.click('#service-filters button[data-verdict=""]')
        assert browser.js(f"{VISIBLE_ROWS}.length") == len(names)

        browser.click("#service-search")
        browser.type("gres")  # the name of postgres; the source of no other service
        assert browser.js(f"{VISIBLE_ROWS}.map(r => r.dataset.name)") == ["postgres"]
        browser.js("const b = document.getElementById('service-search'); b.value = ''; "
                   "b.dispatchEvent(new Event('input'))")

        browser.click("#services-table th:nth-child(1) button")  # service name, ascending
        assert browser.js(f"{VISIBLE_ROWS}.map(r => r.dataset.name)") == sorted(names)
        browser.click("#services-table th:nth-child(3) button")  # blockers, ascending
        browser.click("#services-table th:nth-child(3) button")  # descending: the NO-GO services first
        assert browser.js(f"{VISIBLE_ROWS}.slice(0, 2).map(r => r.dataset.name)") == ["nextcloud", "overseerr"]

        # a folded mapped row opens on a click on its summary
        assert not browser.js("document.getElementById('svc-redis-r1').offsetParent")
        browser.click("#svc-redis details.mapped > summary")
        assert browser.js("!!document.getElementById('svc-redis-r1').offsetParent")

        assert browser.errors == [], browser.errors
        assert [u for u in browser.requests if not u.startswith("file://")] == []

        # JavaScript off: every row and section is still there and visible; only the filter bar is gone
        browser.open(page.as_uri(), javascript=False)
        assert browser.js(f"{VISIBLE_ROWS}.length") == len(names)
        assert browser.js("document.getElementById('service-filters').offsetParent") is None
        for sid in ("actions", "blockers", "waves", "details", "svc-nextcloud-r1"):
            assert browser.js(f"!!document.getElementById('{sid}').offsetParent"), sid
        assert browser.errors == [], browser.errors


def write_docs_screenshot(path: Path = ROOT / "docs" / "report-html.png") -> None:
    """docs/report-html.png: the top of the sample estate's report, as a reviewer first sees it."""
    exe = find_chromium()
    if exe is None:
        raise SystemExit("no chromium binary")
    page = path.parent / ".report-html-sample.html"
    page.write_text(render(sample_report()))
    try:
        with Browser(exe, width=1280, height=900) as browser:
            browser.open(page.as_uri())
            # down to the migration waves: the header, the services, the blockers and the action plan
            browser.screenshot(path, height=browser.js("document.getElementById('waves').offsetTop") - 8)
    finally:
        page.unlink()


if __name__ == "__main__":
    write_docs_screenshot()
