"""Save missing copies of sources for `check-sources --fetch`: the project's only network access.

https only; a timeout on every request; at most one request per host per `delay` seconds; a user
agent that names the project; robots.txt obeyed; the archive_url tried when the page is gone or
unreachable. For tests alone, CHIPCONTROLS_FETCH_ALLOW_LOCAL_HTTP=1 also allows plain http to
127.0.0.1 / localhost (a local test server); nothing else is ever fetched over http."""

from __future__ import annotations

import datetime as dt
import os
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from chipcontrols.pagetext import snapshot_of

LOCAL_HOSTS = ("127.0.0.1", "localhost")
MAX_BYTES = 50 * 1024 * 1024
GONE = (404, 410)


def user_agent(version: str, homepage: str) -> str:
    return f"ai-chip-export-controls-check-sources/{version} (+{homepage}; re-checks quotes cited in the data package)"


def allowed_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    local_ok = os.environ.get("CHIPCONTROLS_FETCH_ALLOW_LOCAL_HTTP") == "1"
    return local_ok and parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to a URL this module may fetch (never from https down to http)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not allowed_url(newurl):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a URL that is not https: {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class Fetcher:
    folder: Path
    agent: str
    timeout: float = 20.0
    delay: float = 2.0
    log: list[str] = field(default_factory=list)
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)

    def __post_init__(self):
        self._opener = urllib.request.build_opener(_SafeRedirects())

    def _wait_turn(self, host: str) -> None:
        """The rate limit: one request per host per `delay` seconds."""
        last = self._last.get(host)
        if last is not None:
            pause = self.delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)
        self._last[host] = time.monotonic()

    def _get(self, url: str) -> tuple[int, str, bytes]:
        """(status, content type, body) of one GET; HTTP errors give their status and no body."""
        self._wait_turn(urlsplit(url).netloc)
        request = urllib.request.Request(url, headers={"User-Agent": self.agent, "Accept": "text/html,application/pdf,text/plain;q=0.9,*/*;q=0.5"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            return exc.code, "", b""

    def may_fetch(self, url: str) -> bool:
        """robots.txt of the URL's host allows this user agent (an unreadable robots.txt allows, as is usual; a 401/403 forbids)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            try:
                status, _, body = self._get(origin + "/robots.txt")
            except (urllib.error.URLError, OSError, ValueError):
                status, body = 0, b""
            if status in (401, 403):
                parser.disallow_all = True
            elif status == 200:
                parser.parse(body.decode("utf-8", errors="replace").splitlines())
            else:
                parser.allow_all = True
            self._robots[origin] = parser
        return self._robots[origin].can_fetch(self.agent, url)

    def save(self, source_id: str, urls: list[str]) -> str:
        """Fetch the first of `urls` that works into the folder; returns what happened, for the log."""
        gone = None
        for url in [u for u in urls if u]:
            if not allowed_url(url):
                self.log.append(f"{source_id}: skipped {url}: only https URLs are fetched")
                continue
            if not self.may_fetch(url):
                self.log.append(f"{source_id}: robots.txt of {urlsplit(url).netloc} disallows {url}")
                continue
            try:
                status, kind, body = self._get(url)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                self.log.append(f"{source_id}: {url} unreachable: {getattr(exc, 'reason', exc)}")
                continue
            if status in GONE:
                gone = gone or f"HTTP {status} for {url} on {dt.date.today().isoformat()}"
                continue
            if status != 200 or len(body) > MAX_BYTES:
                self.log.append(f"{source_id}: {url} gave HTTP {status}" + (" (too large)" if len(body) > MAX_BYTES else ""))
                continue
            path = self.folder / f"{source_id}{_suffix(kind, body)}"
            _write(path, body)
            self.log.append(f"{source_id}: saved {url} as {path.name}")
            return "saved"
        if gone:
            _write(self.folder / f"{source_id}.gone", (gone + "\n").encode("utf-8"))
            self.log.append(f"{source_id}: gone ({gone})")
            return "gone"
        return "failed"


def _suffix(content_type: str, body: bytes) -> str:
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/pdf" or body.startswith(b"%PDF"):
        return ".pdf"
    if kind == "text/plain":
        return ".txt"
    return ".html"


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: an interrupted run leaves no half copy that would read as the page."""
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(data)
    temporary.replace(path)


def fetch_missing(sources: list[tuple[str, str, str]], folder: Path, agent: str, timeout: float, delay: float) -> list[str]:
    """Save a copy of each (source_id, url, archive_url) that has none in `folder` yet."""
    folder.mkdir(parents=True, exist_ok=True)
    fetcher = Fetcher(folder, agent, timeout=timeout, delay=delay)
    for source_id, url, archive_url in sources:
        if snapshot_of(folder, source_id) is None and not (folder / f"{source_id}.gone").is_file():
            fetcher.save(source_id, [url, archive_url])
    return fetcher.log
