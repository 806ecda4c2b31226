"""The text of a saved copy of a source, for re-checking quotes: main text from HTML (selectolax)
and PDF (pypdf), normalised only where copying text loses nothing a reader would notice
(whitespace, line-end hyphens, typographic quotes); otherwise verbatim."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Parts of a page that are never the text a quote comes from.
BOILERPLATE = ("script", "style", "noscript", "template", "svg", "iframe", "form", "nav", "header", "footer", "aside", "button")
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"'})
LINE_END_HYPHEN = re.compile(r"(\w)[-\u00ad\u2010]\s*\n\s*(\w)")
SOFT_HYPHEN = "\u00ad"
SPACE = re.compile(r"\s+")
SUFFIXES = (".txt", ".pdf", ".html")  # the order a copy is chosen in when several exist


@dataclass
class PageText:
    """A copy's text in its readable variants: `main` (the article), `full` (everything visible)."""
    main: str
    full: str

    def variants(self) -> list[str]:
        return [v for v in dict.fromkeys((self.main, self.full)) if v]


def normalise(text: str, join_hyphens: bool = True) -> str:
    """Whitespace collapsed, typographic quotes made plain, words split at a line end joined."""
    text = unicodedata.normalize("NFC", text).replace(SOFT_HYPHEN, "")
    if join_hyphens:
        text = LINE_END_HYPHEN.sub(r"\1\2", text)
    return SPACE.sub(" ", text.translate(QUOTES)).strip()


def snapshot_of(folder: Path, source_id: str) -> Path | None:
    """The saved copy of a source: DIR/<source_id>.txt, .pdf or .html (first found in that order)."""
    for suffix in SUFFIXES:
        path = folder / f"{source_id}{suffix}"
        if path.is_file():
            return path
    return None


def read_text(path: Path) -> PageText:
    """Text of one saved copy, by its suffix. Raises ValueError for a copy that cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        text = path.read_text(encoding="utf-8", errors="replace")
        return PageText(text, text)
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix in (".html", ".htm"):
        return html_text(path.read_bytes())
    raise ValueError(f"unknown kind of copy: {path.name}")


def html_text(data: bytes) -> PageText:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data)
    for node in tree.css(",".join(BOILERPLATE)):
        node.decompose()
    body = tree.body or tree.root
    full = body.text(separator="\n") if body is not None else ""
    # the article's own text where the page marks it; else everything left after the boilerplate
    main_nodes = tree.css("article") or tree.css("main") or tree.css("[role=main]")
    main = "\n".join(node.text(separator="\n") for node in main_nodes) if main_nodes else full
    return PageText(main, full)


def _pdf_text(path: Path) -> PageText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise ValueError(f"cannot read the PDF {path.name}: {exc}") from exc
    return PageText(text, text)
