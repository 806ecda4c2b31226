"""The documentation site: generated from the data, built strictly, deterministic, inert to
hostile text, and rendering in a real browser."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from markupsafe import escape

from conftest import ROOT, copy_project, read_rows, run_cli, write_rows

EPOCH = {"SOURCE_DATE_EPOCH": "1764374400"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = copy_project(tmp_path_factory.mktemp("docs") / "pkg", docs=True)
    result = run_cli("docs", str(folder / "datapackage.json"), env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "site"


def test_every_page_is_built(site: Path):
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        page = (site / "tables" / resource["name"] / "index.html").read_text()
        assert "<table" in page and str(escape(resource["title"])) in page
    for page in ("timeline/index.html", "chips/index.html", "money/index.html", "sources/index.html", "methodology/index.html",
                 "contributing/index.html", "changelog/index.html"):
        assert (site / page).is_file(), page
    for chart in ("chips/tpp-vs-density.svg", "chips/bandwidth-vs-tpp.svg", "chips/china-parts-vs-parents.svg", "money/revenue.svg"):
        assert (site / chart).read_text().startswith("<?xml")


def test_home_has_dataset_json_ld_and_citations(site: Path):
    home = (site / "index.html").read_text()
    match = re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', home, flags=re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "Dataset" and data["version"] == json.loads((ROOT / "datapackage.json").read_text())["version"]
    assert "@misc" in home and "cff-version" in home and "[Data set]" in home


def test_charts_are_deterministic(tmp_path: Path, site: Path):
    folder = copy_project(tmp_path / "again", docs=True)
    assert run_cli("docs", str(folder / "datapackage.json"), "--no-build", env=EPOCH).returncode == 0
    for chart in sorted((folder / "build" / "docs" / "site-src").rglob("*.svg")):
        built = site / chart.relative_to(folder / "build" / "docs" / "site-src")
        assert hashlib.sha256(chart.read_bytes()).digest() == hashlib.sha256(built.read_bytes()).digest(), chart.name
        assert "<dc:date>" not in chart.read_text()


HOSTILE = {
    "title": "<script>alert('title')</script>",
    "description": "<img src=x onerror=alert('desc')> and [click](javascript:alert('md')) and `code`",
}


def test_text_from_the_data_is_inert(tmp_path: Path):
    folder = copy_project(tmp_path / "xss", docs=True)
    path = folder / "datapackage" / "events.csv"
    header, rows, _ = read_rows(path)
    for column, value in HOSTILE.items():
        rows[0][header.index(column)] = value
    write_rows(path, header, rows)
    companies = folder / "datapackage" / "companies.csv"
    c_header, c_rows, _ = read_rows(companies)
    c_rows[0][c_header.index("description")] = "[x](javascript:alert(1)) <iframe src=//evil>"
    write_rows(companies, c_header, c_rows)
    result = run_cli("docs", str(folder / "datapackage.json"), env=EPOCH)
    assert result.returncode == 0, result.stderr
    html = "\n".join(p.read_text() for p in (folder / "site").rglob("*.html"))
    assert "<script>alert(" not in html and "<img src=x" not in html and "<iframe" not in html
    assert 'href="javascript:' not in html.lower()
    assert "&lt;script&gt;alert(" in (folder / "site" / "timeline" / "index.html").read_text()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _Log(http.server.SimpleHTTPRequestHandler):
    requests: list = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def send_response(self, code, message=None):
        type(self).requests.append((self.path, code))
        super().send_response(code, message)


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (apt-get install chromium); .ci/run installs it")
@pytest.mark.parametrize("page,expect", [("", "<table"), ("tables/events/", "<table"), ("timeline/", 'class="event'), ("chips/", "<table")])
def test_pages_render_in_a_browser(site: Path, tmp_path: Path, page: str, expect: str):
    handler = functools.partial(_Log, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Log.requests = []
    try:
        url = f"http://127.0.0.1:{server.server_port}/{page}"
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
                 "--v=0", "--virtual-time-budget=5000"]
        result = subprocess.run([_chromium(), *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    dom = result.stdout
    assert expect in dom and "</html>" in dom
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Failed to load resource" in line]
    assert not console, console
    failed = [(path, code) for path, code in _Log.requests if code >= 400]
    assert not failed, failed
    if page == "chips/":
        assert {path for path, code in _Log.requests if path.endswith(".svg") and code == 200} >= {
            "/chips/tpp-vs-density.svg", "/chips/bandwidth-vs-tpp.svg", "/chips/china-parts-vs-parents.svg"}
