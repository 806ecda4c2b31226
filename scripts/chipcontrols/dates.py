"""Dates shown at the precision they were recorded with: a month is stored as its first day
(`2025-04-01`, precision `month`) and must read "April 2025", never as an exact day."""

from __future__ import annotations

import datetime as dt


def display_date(value: str | dt.date | None, precision: str | None = "day") -> str:
    """'2025-04-01' at month precision -> 'April 2025'; at day -> '1 April 2025'; quarter -> 'Q2 2025'."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    if precision == "year":
        return f"{day.year}"
    if precision == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if precision == "month":
        return f"{day:%B} {day.year}"
    return f"{day.day} {day:%B} {day.year}"
