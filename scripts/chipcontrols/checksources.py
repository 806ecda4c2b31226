"""`chipcontrols check-sources`: re-check every citation's quote against a saved copy of its source.

Copies live in a folder, one per source: DIR/<source_id>.txt (text), .pdf or .html; a source
whose page was found gone when fetched has DIR/<source_id>.gone instead (the status line and
date). Nothing here touches the network: `fetch.py` fills the folder first when asked."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from chipcontrols.pagetext import PageText, normalise, read_text, snapshot_of
from chipcontrols.problems import RULES, Problem

RULES.update({
    "quote-not-found": ("the quote is not in the saved copy of {source_id} (closest passage, {similarity:.0%} alike: {closest})",
                        "Copy the quote again from the page, character for character (whitespace, line-end hyphens and curly quotes do not matter), or cite the page that has it."),
    "page-gone": ("the page of {source_id} is gone ({detail})", "Find where the document lives now (or an archived copy) and update url / archive_url in sources.csv."),
    "source-unchecked": ("no saved copy of {source_id} to check the quote against{detail}", "Save the page as {folder}/{source_id}.html, .txt or .pdf, or run with --fetch."),
})
STATUSES = ("found", "quote_not_found", "page_gone", "unchecked")


@dataclass
class CitationCheck:
    file: str
    line: int
    column: int | None
    record_table: str
    record_id: str
    source_id: str
    status: str
    similarity: float | None = None
    closest: str | None = None
    detail: str = ""


def closest_passage(quote: str, text: str) -> tuple[str, float]:
    """The stretch of `text` most like `quote`, and how alike (difflib ratio, 0..1). Windows of the
    quote's length in words are ranked by a cheap bound first; only the best few are compared."""
    words, quote_words = text.split(" "), quote.split(" ")
    if not words or not text:
        return "", 0.0
    size = max(1, len(quote_words))
    step = max(1, size // 4)
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(quote)
    windows = []
    for start in range(0, max(1, len(words) - size + 1), step):
        window = " ".join(words[start:start + size])
        matcher.set_seq1(window)
        windows.append((matcher.quick_ratio(), start))
    best, best_start = 0.0, 0
    for _, start in sorted(windows, reverse=True)[:20]:
        for shift in range(max(0, start - step), min(len(words), start + step + 1)):
            matcher.set_seq1(" ".join(words[shift:shift + size]))
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best and (ratio := matcher.ratio()) > best:
                best, best_start = ratio, shift
    return " ".join(words[best_start:best_start + size]), round(best, 3)


class Pages:
    """Saved copies, each read and normalised once however many citations use it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._cache: dict[str, tuple[list[str] | None, str]] = {}

    def texts(self, source_id: str) -> tuple[list[str] | None, str]:
        """The normalised variants of a source's copy (None when there is none), and why not."""
        if source_id not in self._cache:
            self._cache[source_id] = self._read(source_id)
        return self._cache[source_id]

    def _read(self, source_id: str) -> tuple[list[str] | None, str]:
        path = snapshot_of(self.folder, source_id)
        if path is None:
            gone = self.folder / f"{source_id}.gone"
            return (None, "gone: " + gone.read_text(encoding="utf-8").strip()) if gone.is_file() else (None, "")
        try:
            page: PageText = read_text(path)
        except (ValueError, OSError) as exc:
            return None, f" (the copy {path.name} cannot be read: {exc})"
        variants = []
        for text in page.variants():
            variants += [normalise(text), normalise(text, join_hyphens=False)]
        return list(dict.fromkeys(variants)), ""


def check_citation(pages: Pages, quote: str, source_id: str) -> tuple[str, float | None, str | None, str]:
    """(status, similarity, closest passage, detail) of one quote."""
    texts, why = pages.texts(source_id)
    if texts is None:
        return ("page_gone", None, None, why[len("gone: "):]) if why.startswith("gone: ") else ("unchecked", None, None, why)
    wanted = normalise(quote)
    if any(wanted in text for text in texts):
        return "found", 1.0, None, ""
    closest, similarity = max((closest_passage(wanted, text) for text in texts[-1:]), key=lambda c: c[1])
    return "quote_not_found", similarity, closest, ""


def check_sources(citations, folder: Path, require_all: bool = False) -> tuple[list[CitationCheck], list[Problem]]:
    """Every citation of the table `citations` (a loaded Table) checked against the copies in `folder`."""
    pages = Pages(folder)
    spec = citations.resource.schema.get("x-recordReference", {})
    column = citations.column_of.get("quote")
    checks, problems = [], []
    columns = [citations.values(name) for name in (spec.get("table", "record_table"), spec.get("id", "record_id"), "source_id", "quote")]
    for position, (table, record, source_id, quote) in enumerate(zip(*columns)):
        status, similarity, closest, detail = check_citation(pages, quote, source_id)
        check = CitationCheck(citations.display, int(citations.lines[position]), column, table, record, source_id, status, similarity, closest, detail)
        checks.append(check)
        if status == "found":
            continue
        rule = {"quote_not_found": "quote-not-found", "page_gone": "page-gone", "unchecked": "source-unchecked"}[status]
        problem = citations.problem(rule, position, "quote", quote, source_id=source_id, similarity=similarity or 0.0,
                                    closest=repr(closest or "")[:200], detail=detail, folder=folder.as_posix())
        if status == "unchecked" and not require_all:
            problem.severity = "warning"
        problems.append(problem)
    return checks, problems


def summary(checks: list[CitationCheck]) -> dict[str, int]:
    counts = Counter(c.status for c in checks)
    return {status: counts.get(status, 0) for status in STATUSES}


def as_json(checks: list[CitationCheck], problems: list[Problem]) -> dict:
    errors = sum(p.severity == "error" for p in problems)
    return {"valid": errors == 0, "summary": summary(checks), "citations": [asdict(c) for c in checks],
            "problems": [p.to_dict() for p in problems]}
