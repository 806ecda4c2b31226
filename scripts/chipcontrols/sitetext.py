"""How the site words values: dates at their precision, numbers, schema headers, identifiers.
Pure functions, used as Jinja2 filters; escaping is left to the template engine."""

from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup, escape

SAFE_URL = re.compile(r"^https://[^\s\"'<>\\`]+$")
OPERATORS = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}


def display_date(value: str | None, precision: str | None = "day") -> str:
    """An ISO date as precise as it is known: '7 October 2022', 'April 2025', 'Q3 2024', '2024'."""
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    if precision == "year":
        return f"{day.year}"
    if precision == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if precision == "month":
        return f"{day:%B} {day.year}"
    return f"{day.day} {day:%B} {day.year}"


def words(value: str | None) -> str:
    """A controlled-vocabulary value as words: license_required -> license required."""
    return (value or "").replace("_", " ")


def number(value, digits: int = 2) -> str:
    """4800 -> 4,800; 5.9183 -> 5.92; blank stays blank."""
    if value in (None, ""):
        return ""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def money(value, unit: str | None) -> str:
    """5.5e9 USD -> US$5.5 billion; other units keep their value and unit."""
    if value in (None, ""):
        return ""
    x = float(value)
    if unit == "USD":
        for size, name in ((1e9, "billion"), (1e6, "million")):
            if abs(x) >= size:
                return f"US${number(x / size)} {name}"
        return f"US${number(x)}"
    if unit == "percent":
        return f"{number(x)}%"
    return f"{number(x)} {words(unit)}"


def inline_markdown(text: str | None) -> Markup:
    """Schema prose as HTML: escaped, with `code` spans as <code> (the only Markdown the schemas use)."""
    parts = re.split(r"`([^`]+)`", text or "")
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def safe_url(url: str | None) -> str | None:
    """A plain https URL, or None: anything else is shown as text, never as a link."""
    return url if url and SAFE_URL.match(url) else None


def margin_text(margin, margin_metric: str | None, labels: dict[str, str]) -> str:
    """1.207 and 'tpp >= 4,800' -> '21% above the line TPP ≥ 4,800'."""
    if margin in (None, "") or not margin_metric:
        return ""
    ratio = float(margin)
    metric, _, rest = margin_metric.partition(" ")
    operator, _, line = rest.partition(" ")
    where = "on" if abs(ratio - 1) < 0.005 else ("above" if ratio > 1 else "below")
    amount = "" if where == "on" else f"{abs(ratio - 1) * 100:,.0f}% "
    return f"{amount}{where} the line {labels.get(metric, words(metric))} {OPERATORS.get(operator, operator)} {line}".strip()


def plain_title(text: str) -> str:
    """A page title for MkDocs front matter, which themes print unescaped: markup characters dropped."""
    return re.sub(r"[<>&\"`\[\]{}*_\\|]", "", text).strip() or "untitled"
