"""The documentation site: generated from the data, built strictly, deterministic, inert to
hostile text, and rendering in a real browser."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
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
    for page in ("timeline/index.html", "chips/index.html", "money/index.html", "sources/index.html", "evidence/index.html", "methodology/index.html",
                 "contributing/index.html", "changelog/index.html"):
        assert (site / page).is_file(), page
    cookbook = (site / "cookbook" / "index.html").read_text()
    assert cookbook.count("Output:") >= 16 and "dtype_backend" in cookbook and "FY2024" in cookbook
    timeline = (site / "timeline" / "index.html").read_text()
    assert '<time datetime="2018-10-01">October 2018</time>' in timeline  # a month-precision date reads as its month
    for chart in ("chips/tpp-vs-density.svg", "chips/bandwidth-vs-tpp.svg", "chips/china-parts-vs-parents.svg", "money/revenue.svg"):
        assert (site / chart).read_text().startswith("<?xml")


def test_evidence_page_states_each_target_and_every_record_short_of_one(site: Path):
    stats = json.loads(run_cli("stats", str(ROOT / "datapackage.json"), "--format", "json").stdout)
    page = (site / "evidence" / "index.html").read_text()
    for target in stats["primary_targets"]:
        assert f"{target['share']:.1%}" in page and str(escape(target["scope"])) in page
        for short in target["short"]:
            assert f">{escape(short['record_id'])}<" in page, short
    anchors = set(re.findall(r'href="#(short-of-the-target-[a-z-]+)"', page))  # from the targets table and the page's contents
    assert len(anchors) == sum(1 for t in stats["primary_targets"] if t["short"])
    for anchor in anchors:
        assert f'id="{anchor}"' in page


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
    first = site.parent / "build" / "docs" / "site-src"
    again = folder / "build" / "docs" / "site-src"
    pages = sorted(p.relative_to(again) for p in again.rglob("*.md"))
    assert pages == sorted(p.relative_to(first) for p in first.rglob("*.md")) and len(pages) > 100
    assert all((again / p).read_bytes() == (first / p).read_bytes() for p in pages), "every generated page is the same byte for byte"


def test_entity_pages_link_each_other(site: Path):
    """Every chip, rule and company has a page, reached from the lists and the timeline."""
    for folder, table, key in (("chips", "chips", "chip_id"), ("rules", "export_control_rules", "rule_id"), ("companies", "companies", "company_id")):
        header, rows, _ = read_rows(ROOT / "datapackage" / f"{table}.csv")
        ids = [row[header.index(key)] for row in rows]
        listing = (site / folder / "index.html").read_text()
        for record in ids:
            assert (site / folder / record / "index.html").is_file(), (folder, record)
            assert f'href="{record}/' in listing or f'href="../{folder}/{record}/' in listing, (folder, record)
    timeline = (site / "timeline" / "index.html").read_text()
    assert 'href="../chips/nvidia-h20/"' in timeline and 'href="../companies/nvidia/"' in timeline
    chip = (site / "chips" / "nvidia-h20" / "index.html").read_text()
    assert 'href="../../chips/nvidia-h100-sxm/"' in chip, "the parent part is linked"
    assert "Memory bandwidth (TB/s)" in chip and 'title="memory_bandwidth_tbps"' in chip, "headers in words with units, field name on hover"
    assert 'href="../../rules/us-2025-04-h20-letter/"' in chip and "license required" in chip
    parent = (site / "chips" / "nvidia-h100-sxm" / "index.html").read_text()
    assert 'href="../../chips/nvidia-h20/"' in parent, "derived parts are listed on the parent's page"
    rule = (site / "rules" / "bis-2023-10-advanced-computing-update" / "index.html").read_text()
    assert "TPP ≥ 4,800" in rule and 'src="chart.svg"' in rule
    company = (site / "companies" / "nvidia" / "index.html").read_text()
    assert 'href="../../chips/nvidia-h20/"' in company and "US$4.5 billion" in company


def test_dictionary_renders_code_and_keeps_patterns_whole(site: Path):
    page = (site / "tables" / "chips" / "index.html").read_text()
    assert "`" not in re.sub(r"<script.*?</script>", "", page, flags=re.S).split('<article', 1)[1].split("</article>", 1)[0]
    assert '<code class="pattern">' in page


def test_home_gives_the_release_date_not_a_build_date(site: Path):
    import datetime

    import yaml

    released = datetime.date.fromisoformat(str(yaml.safe_load((ROOT / "CITATION.cff").read_text())["date-released"]))
    home = (site / "index.html").read_text()
    assert "built " not in home and f"released {released.day} {released:%B %Y}" in home


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
    c_rows[0][c_header.index("name")] = "<script>alert('company')</script> [x](javascript:alert(2))"
    write_rows(companies, c_header, c_rows)
    chips = folder / "datapackage" / "chips.csv"
    h_header, h_rows, _ = read_rows(chips)
    h_rows[0][h_header.index("name")] = "<img src=x onerror=alert('chip')>"
    write_rows(chips, h_header, h_rows)
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


def _browse(site: Path, tmp_path: Path, page: str, *args: str) -> tuple[subprocess.CompletedProcess, list]:
    """Loads one page of the built site in headless Chromium over HTTP; returns the run and the requests it made."""
    handler = functools.partial(_Log, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Log.requests = []
    try:
        url = f"http://127.0.0.1:{server.server_port}/{page}"
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
                 "--v=0", "--virtual-time-budget=5000", "--hide-scrollbars"]
        result = subprocess.run([_chromium(), *flags, *args, url], capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    return result, list(_Log.requests)


BROWSER = pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (apt-get install chromium); .ci/run installs it")
# One page of each kind: a chip, a rule and a company page besides the lists.
PAGES = [("", "<table"), ("tables/events/", "<table"), ("timeline/", 'class="event'), ("chips/", "<table"),
         ("chips/nvidia-h20/", "Status under each rule"), ("rules/bis-2023-10-advanced-computing-update/", "Chips by outcome"),
         ("companies/nvidia/", "Events"), ("money/", "<table"), ("evidence/", "Short of the target")]


@BROWSER
@pytest.mark.parametrize("page,expect", PAGES)
def test_pages_render_in_a_browser(site: Path, tmp_path: Path, page: str, expect: str):
    result, requests = _browse(site, tmp_path, page, "--dump-dom")
    dom = result.stdout
    assert expect in dom and "</html>" in dom
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Failed to load resource" in line]
    assert not console, console
    failed = [(path, code) for path, code in requests if code >= 400]
    assert not failed, failed
    if page == "chips/":
        assert {path for path, code in requests if path.endswith(".svg") and code == 200} >= {
            "/chips/tpp-vs-density.svg", "/chips/bandwidth-vs-tpp.svg", "/chips/china-parts-vs-parents.svg"}
    if page.startswith("rules/"):
        assert any(path == f"/{page}chart.svg" and code == 200 for path, code in requests)


def _events(dom: str) -> dict[str, bool]:
    """event id -> shown, from the timeline's DOM after the script ran."""
    return {m.group(1): "hidden" not in m.group(2) for m in re.finditer(r'<div class="event[^"]*" id="([^"]+)"([^>]*)>', dom)}


@BROWSER
def test_choosing_a_chip_leaves_only_its_events(site: Path, tmp_path: Path):
    chip = "nvidia-h20"
    header, rows, _ = read_rows(ROOT / "datapackage" / "event_chips.csv")
    expected = {row[header.index("event_id")] for row in rows if row[header.index("chip_id")] == chip}
    everything, _ = _browse(site, tmp_path, "timeline/", "--dump-dom")
    shown = _events(everything.stdout)
    assert len(shown) > len(expected) and all(shown.values()), "without a choice every event shows"
    result, _ = _browse(site, tmp_path, f"timeline/?chip={chip}", "--dump-dom")
    shown = _events(result.stdout)
    assert {e for e, visible in shown.items() if visible} == expected
    assert f"Showing {len(expected)} of {len(shown)} events." in result.stdout
    assert re.search(r'<select name="chip" id="filter-chip">', result.stdout), "the filters are drawn by the script"
    both, _ = _browse(site, tmp_path, f"timeline/?chip={chip}&year=2024", "--dump-dom")
    assert {e for e, visible in _events(both.stdout).items() if visible} == {e for e in expected if e.startswith("2024-")}


def test_timeline_reads_without_scripts(site: Path):
    page = (site / "timeline" / "index.html").read_text()
    assert '<form id="timeline-filters" class="timeline-filters" hidden>' in page, "no empty filter box without scripts"
    assert len(re.findall(r'<div class="event status-', page)) == len(read_rows(ROOT / "datapackage" / "events.csv")[1])
    assert "October 2018" in page and "2018-10-01 (month)" not in page, "a month-precision date reads as a month"


SCREENSHOTS = Path(os.environ.get("CHIPCONTROLS_SCREENSHOTS", ROOT / "build" / "screenshots"))
WIDTHS = {"desktop": (1280, 1400), "phone": (390, 1400)}


@BROWSER
@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("name,page", [("home", ""), ("chip", "chips/nvidia-h20/"), ("rule", "rules/bis-2023-10-advanced-computing-update/"),
                                       ("company", "companies/nvidia/"), ("timeline-h20", "timeline/?chip=nvidia-h20"), ("chips", "chips/"),
                                       ("money", "money/"), ("dictionary", "tables/chips/"), ("evidence", "evidence/")])
def test_screenshots(site: Path, tmp_path: Path, name: str, page: str, width: str):
    """Screenshots of each kind of page at desktop and phone widths, for a person to look at (build/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}-{width}.png"
    target.unlink(missing_ok=True)
    w, h = WIDTHS[width]
    _browse(site, tmp_path, page, f"--window-size={w},{h}", "--force-device-scale-factor=1", f"--screenshot={target}")
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (w, h)
