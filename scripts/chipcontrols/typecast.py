"""Turn text cells into typed pandas columns following Table Schema field types.

Type errors are reported here; cells that fail become missing so the constraint checks that
follow (pandera) report each bad cell once. Numbers are stricter than the standard on purpose:
NaN and infinities are refused, since no figure in this package can be one."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
INTEGER = r"[+-]?[0-9]+"
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATETIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
YEAR = r"[0-9]{4}"

HINTS = {
    "number": "Write a plain number in base units, with a dot for decimals and no thousands separators or words: 5500000000 or 5.5e9, not '5,500,000,000' or '5.5 billion'.",
    "integer": "Write a whole number without separators, e.g. 1500000.",
    "date": "Write a real calendar date as YYYY-MM-DD, e.g. 2025-04-15 (for a month, the first day and date_precision=month).",
    "datetime": "Write a date and time as YYYY-MM-DDTHH:MM:SSZ.",
    "year": "Write a four-digit year, e.g. 2025.",
    "boolean": "Write {true} or {false}.",
}


@dataclass
class Cast:
    values: pd.Series  # typed, missing as NA/NaN/NaT/None
    bad: np.ndarray  # positions whose text is not a valid value of the type
    missing: np.ndarray  # boolean mask of empty cells


def _match(text: pd.Series, pattern: str) -> np.ndarray:
    return text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)


def cast_column(cells, field: dict) -> Cast:
    """Parse one column of text cells according to `field` (a Table Schema field descriptor)."""
    text = pd.Series(cells, dtype=object)
    missing = (text == "").to_numpy(dtype=bool)
    present = ~missing
    kind = field.get("type", "string")
    if kind in ("string", "any"):
        values = text.where(present, None)
        return Cast(values, np.zeros(len(text), dtype=bool), missing)
    if kind in ("number", "integer"):
        ok = _match(text, NUMBER if kind == "number" else INTEGER)
        numbers = pd.to_numeric(text.where(ok & present, None), errors="coerce")
        finite = np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
        bad = present & ~(ok & finite)
        values = numbers.where(~bad)
        if kind == "integer":
            values = values.astype("Int64")
        return Cast(values.astype(float) if kind == "number" else values, bad, missing)
    if kind == "boolean":
        true_values = field.get("trueValues", ["true", "True", "TRUE", "1"])
        false_values = field.get("falseValues", ["false", "False", "FALSE", "0"])
        is_true = text.isin(true_values).to_numpy(dtype=bool)
        is_false = text.isin(false_values).to_numpy(dtype=bool)
        bad = present & ~(is_true | is_false)
        values = pd.Series(pd.array(np.where(is_true, True, False), dtype="boolean")).where(is_true | is_false, pd.NA)
        return Cast(values, bad, missing)
    if kind in ("date", "datetime", "year"):
        pattern = {"date": DATE, "datetime": DATETIME, "year": YEAR}[kind]
        ok = _match(text, pattern)
        if kind == "year":
            values = pd.to_numeric(text.where(ok, None), errors="coerce").astype("Int64")
            return Cast(values, present & ~ok, missing)
        fmt = "%Y-%m-%d" if kind == "date" else "ISO8601"
        parsed = pd.to_datetime(text.where(ok, None), format=fmt, errors="coerce", utc=kind == "datetime")
        bad = present & ~(ok & parsed.notna().to_numpy(dtype=bool))
        return Cast(parsed, bad, missing)
    raise ValueError(f"unsupported Table Schema type {kind!r}")


def type_hint(field: dict) -> str:
    kind = field.get("type", "string")
    hint = HINTS.get(kind, f"Write a valid {kind}.")
    if kind == "boolean":
        hint = hint.format(true=" or ".join(field.get("trueValues", ["true"])), false=" or ".join(field.get("falseValues", ["false"])))
    return hint
