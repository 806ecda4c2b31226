"""`chipcontrols check-sources`: quotes re-checked against saved copies; `--fetch` against a local server."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from chipcontrols.checksources import closest_passage
from chipcontrols.pagetext import html_text, normalise
from conftest import ROOT, read_rows, run_cli, write_rows

FIXTURES = ROOT / "tests" / "fixtures" / "check_sources"
PDF_SOURCE = "sec-corresp-2025-07-31-nvidia-h20-charge"
COPIED = {"bis-press-2022-10-07-advanced-computing-controls", "nvidia-cfo-commentary-q3-fy2026", PDF_SOURCE}


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text is `lines` (Helvetica), with a correct cross-reference table."""
    text = "BT /F1 10 Tf 40 800 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(text)} >>\nstream\n{text}\nendstream", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode() + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


PDF_LINES = ["Form 8-K furnished May 28, 2025",
             "NVIDIA incurred a $4.5 billion charge in the first quarter of fiscal 2026 associated with H20 excess in-",
             "ventory and purchase obligations as the demand for H20 diminished."]


@pytest.fixture
def snapshots(tmp_path: Path) -> Path:
    folder = tmp_path / "snapshots"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("README.md"))
    (folder / f"{PDF_SOURCE}.pdf").write_bytes(minimal_pdf(PDF_LINES))
    return folder


def _check(package: Path, *args: str, env: dict | None = None) -> tuple[int, dict]:
    result = run_cli("check-sources", str(package / "datapackage.json"), "--format", "json", *args, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def _cited(package: Path, source_ids: set[str]) -> list[tuple[int, str, str]]:
    """(line, source_id, quote) of every citation of these sources."""
    _, rows, lines = read_rows(package / "datapackage" / "citations.csv")
    return [(line, row[2], row[4]) for row, line in zip(rows, lines) if row[2] in source_ids]


def test_passes_on_fixture_copies(package, snapshots):
    code, report = _check(package, "--snapshots", str(snapshots))
    assert code == 0
    checked = [c for c in report["citations"] if c["source_id"] in COPIED]
    assert len(checked) == len(_cited(package, COPIED)) and {c["status"] for c in checked} == {"found"}
    assert report["summary"]["found"] == len(checked) and report["summary"]["quote_not_found"] == 0
    assert all(p["rule"] == "source-unchecked" and p["severity"] == "warning" for p in report["problems"])
    code, _ = _check(package, "--snapshots", str(snapshots), "--require-all")
    assert code == 1  # sources without a copy fail only when every one is required


def test_a_removed_quote_is_reported_at_its_citations_line(package, snapshots):
    copy = snapshots / "nvidia-cfo-commentary-q3-fy2026.txt"
    removed = "Revenue for the third quarter was a record $57.0 billion, up 62% from a year ago and up 22% sequentially."
    copy.write_text(copy.read_text(encoding="utf-8").replace(removed, "Revenue for the third quarter was a record."), encoding="utf-8")
    lines = sorted(line for line, _, quote in _cited(package, COPIED) if quote == removed)  # one quote may back several records
    assert lines
    code, report = _check(package, "--snapshots", str(snapshots))
    assert code == 1
    problems = [p for p in report["problems"] if p["rule"] == "quote-not-found"]
    assert sorted(p["line"] for p in problems) == lines
    assert all(p["file"] == "datapackage/citations.csv" and p["field"] == "quote" for p in problems)
    entries = [c for c in report["citations"] if c["status"] == "quote_not_found"]
    assert sorted(c["line"] for c in entries) == lines
    assert all(0.3 < c["similarity"] < 1 and "record" in c["closest"] for c in entries)
    text = run_cli("check-sources", str(package / "datapackage.json"), "--snapshots", str(snapshots))
    assert all(f"datapackage/citations.csv:{line}:" in text.stdout for line in lines) and "quote-not-found" in text.stdout


def test_a_missing_snapshot_folder_is_a_usage_error(package, tmp_path):
    result = run_cli("check-sources", str(package / "datapackage.json"), "--snapshots", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "--fetch" in result.stderr


def test_normalisation_is_only_whitespace_hyphens_and_quotes():
    assert normalise("the PRC\u2019s  ability\nto \u201cobtain\u201d ex-\nport") == "the PRC's ability to \"obtain\" export"
    assert normalise("$4.5\u00a0billion") == "$4.5 billion"
    assert normalise("H20 excess in-\nventory", join_hyphens=False) == "H20 excess in- ventory"
    assert normalise("Nvidia's") != normalise("Nvidia s")  # everything else stays verbatim


def test_html_main_text_leaves_out_scripts_and_navigation():
    page = html_text(b"<html><head><script>var q = 'secret';</script></head><body><nav>Home</nav>"
                     b"<article><p>The rule takes effect.</p></article><footer>Contact</footer></body></html>")
    assert "The rule takes effect." in page.main and "secret" not in page.full and "Home" not in page.full


def test_closest_passage_finds_the_edited_quote():
    text = normalise("Shares fell from Friday's closing price of $142.62 to $118.51 by the end of Monday, a record loss.")
    passage, ratio = closest_passage("from Jan. 24's closing price of $142.62 to $118.51 by the end of Jan. 27", text)
    assert "$142.62 to $118.51" in passage and 0.5 < ratio < 1


class _Site(http.server.BaseHTTPRequestHandler):
    pages: dict[str, tuple[str, bytes]] = {}
    seen: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802 - the http.server interface
        self.seen.append((self.path, self.headers.get("User-Agent", "")))
        if self.path not in self.pages:
            self.send_error(404)
            return
        kind, body = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    _Site.pages = {
        "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/press.html": ("text/html; charset=utf-8", (FIXTURES / "bis-press-2022-10-07-advanced-computing-controls.html").read_bytes()),
        "/archive/cfo.txt": ("text/plain; charset=utf-8", (FIXTURES / "nvidia-cfo-commentary-q3-fy2026.txt").read_bytes()),
        "/private/cset.html": ("text/html", b"<html><body><p>never fetched</p></body></html>"),
    }
    _Site.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _point_sources_at(package: Path, urls: dict[str, tuple[str, str]], site: str) -> None:
    """Give the named sources these (url, archive_url); every other source a page on the local
    server that does not exist, so that `--fetch` in a test never reaches for the internet."""
    path = package / "datapackage" / "sources.csv"
    header, rows, _ = read_rows(path)
    for row in rows:
        url, archive = urls.get(row[0], (f"{site}/nowhere/{row[0]}", ""))
        row[header.index("url")], row[header.index("archive_url")] = url, archive
    write_rows(path, header, rows)


def test_fetch_saves_missing_copies_from_a_local_server(package, tmp_path, site):
    cset = "cset-2023-12-04-bis-2023-update-explainer"
    _point_sources_at(package, {
        "bis-press-2022-10-07-advanced-computing-controls": (f"{site}/press.html", ""),
        "nvidia-cfo-commentary-q3-fy2026": (f"{site}/moved", f"{site}/archive/cfo.txt"),  # gone, archived copy used
        PDF_SOURCE: (f"{site}/removed", ""),  # gone, no archive
        cset: (f"{site}/private/cset.html", ""),  # robots.txt forbids
    }, site)
    folder = tmp_path / "fetched"
    only_local = {"CHIPCONTROLS_FETCH_ALLOW_LOCAL_HTTP": "1"}
    code, report = _check(package, "--snapshots", str(folder), "--fetch", "--delay", "0", "--timeout", "5", env=only_local)
    assert code == 1  # a page is gone
    assert (folder / "bis-press-2022-10-07-advanced-computing-controls.html").is_file()
    assert (folder / "nvidia-cfo-commentary-q3-fy2026.txt").is_file() and (folder / f"{PDF_SOURCE}.gone").is_file()
    assert not list(folder.glob(f"{cset}.*"))
    status = {c["source_id"]: c["status"] for c in report["citations"]}
    assert status["bis-press-2022-10-07-advanced-computing-controls"] == "found" and status["nvidia-cfo-commentary-q3-fy2026"] == "found"
    assert status[PDF_SOURCE] == "page_gone" and status[cset] == "unchecked"
    assert all("ai-chip-export-controls" in agent for _, agent in _Site.seen)
    assert all(c["status"] == "page_gone" for c in report["citations"] if c["source_id"] not in COPIED | {PDF_SOURCE, cset})
    assert "/private/cset.html" not in [path for path, _ in _Site.seen]
    # a second run fetches no page it already has (only robots.txt again, for the page it may not fetch)
    before = len(_Site.seen)
    _check(package, "--snapshots", str(folder), "--fetch", "--delay", "0", env=only_local)
    assert [path for path, _ in _Site.seen[before:]] == ["/robots.txt"]


def test_fetch_refuses_plain_http_without_the_test_override(package, tmp_path, site):
    _point_sources_at(package, {"bis-press-2022-10-07-advanced-computing-controls": (f"{site}/press.html", "")}, site)
    folder = tmp_path / "fetched"
    code, report = _check(package, "--snapshots", str(folder), "--fetch", "--delay", "0", env={"CHIPCONTROLS_FETCH_ALLOW_LOCAL_HTTP": ""})
    assert code == 0 and not list(folder.iterdir()) and _Site.seen == []


def test_only_https_is_fetched_and_each_host_waits_its_turn(monkeypatch, tmp_path):
    import time

    from chipcontrols.fetch import Fetcher, allowed_url

    monkeypatch.delenv("CHIPCONTROLS_FETCH_ALLOW_LOCAL_HTTP", raising=False)
    assert allowed_url("https://www.federalregister.gov/d/2022-21658")
    assert not allowed_url("http://www.federalregister.gov/d/2022-21658") and not allowed_url("http://127.0.0.1:8000/x")
    assert not allowed_url("file:///etc/passwd") and not allowed_url("ftp://example.org/x")
    monkeypatch.setenv("CHIPCONTROLS_FETCH_ALLOW_LOCAL_HTTP", "1")
    assert allowed_url("http://127.0.0.1:8000/x") and not allowed_url("http://example.org/x")
    fetcher = Fetcher(tmp_path, "test-agent", delay=0.2)
    start = time.monotonic()
    fetcher._wait_turn("a.example")
    fetcher._wait_turn("b.example")  # another host does not wait
    assert time.monotonic() - start < 0.15
    fetcher._wait_turn("a.example")
    assert time.monotonic() - start >= 0.2
