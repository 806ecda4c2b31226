"""Turn text cells into typed columns following Table Schema field types, with Arrow kernels.

Type errors are reported here; cells that fail become missing so the constraint checks that
follow (pandera) report each bad cell once. Numbers are stricter than the standard on purpose:
NaN and infinities are refused, since no figure in this package can be one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.arrays import as_mask as _mask
from chipcontrols.arrays import element_wise

NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
INTEGER = r"[+-]?[0-9]{1,18}"
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATETIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
YEAR = r"[0-9]{4}"
YEAR_ONE = pa.scalar(datetime.date(1, 1, 1), pa.date32())

# Table Schema types this package keeps as text, with the shape their cells must have.
TEXT_FORMS = {"time": r"[0-9]{2}:[0-9]{2}:[0-9]{2}", "yearmonth": r"[0-9]{4}-[0-9]{2}",
              "duration": r"P(?:[0-9]+[YMWD])*(?:T(?:[0-9]+(?:\.[0-9]+)?[HMS])+)?", "geopoint": r"-?[0-9.]+, ?-?[0-9.]+",
              "object": None, "array": None, "geojson": None}

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
    values: pd.Series  # typed (Arrow-backed), missing as <NA>
    bad: np.ndarray  # True where the text is not a valid value of the type
    text: pa.Array | pa.ChunkedArray  # the cells as written

    @property
    def missing(self) -> np.ndarray:
        """True where the cell is empty (computed on demand: loading a table never needs it)."""
        return _mask(element_wise(lambda part: pc.equal(part, ""), self.text))


def _full(text: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(text, f"^(?:{pattern})$"), False)


def _without_empty(text):
    """The same strings with empty cells marked missing, sharing the string data (no copy)."""
    if isinstance(text, pa.ChunkedArray):
        return pa.chunked_array([_without_empty(chunk) for chunk in text.chunks], type=text.type)
    present = pc.not_equal(text, "")
    if text.offset or text.null_count or present.offset or present.null_count:
        return pc.if_else(present, text, pa.scalar(None, pa.string()))
    return pa.Array.from_buffers(text.type, len(text), [present.buffers()[1], *text.buffers()[1:]])


def _strict_dates(text):
    """Every filled cell as a timestamp when all of them are real YYYY-MM-DD dates, else None.
    Arrow's own date cast is exactly that strict (no other shapes, no 30 February) but stops at
    the first bad cell, so a column with any bad date takes the slower path that finds them all."""
    try:
        dates = element_wise(lambda part: pc.cast(_without_empty(part), pa.date32()), text)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pc.any(pc.less(dates, YEAR_ONE)).as_py():
        return None  # year 0: the general path reports it
    return pc.cast(dates, pa.timestamp("s"))


def parse_dates(text, kind: str = "date") -> tuple:
    """(timestamps, which cells are real dates), cell by cell: the general path."""
    pattern, fmt = (DATE, "%Y-%m-%d") if kind == "date" else (DATETIME, "%Y-%m-%dT%H:%M:%SZ")
    shaped = pc.if_else(_full(text, pattern), text, pa.scalar(None, pa.string()))
    parsed = pc.strptime(shaped, format=fmt, unit="s", error_is_null=True)
    # strptime rolls 2025-02-30 over to 2025-03-02: in a real date the day stays as written
    written_day = pc.cast(pc.utf8_slice_codeunits(shaped, 8, 10), pa.int64())
    real = pc.fill_null(pc.equal(pc.day(parsed), written_day), False)
    real = pc.and_(real, pc.fill_null(pc.greater_equal(parsed, pc.cast(YEAR_ONE, parsed.type)), False))  # no year 0 in the calendar
    return pc.if_else(real, parsed, pa.scalar(None, parsed.type)), real


def _series(array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(array))


def cast_column(cells, field: dict) -> Cast:
    """Parse one column of text cells according to `field` (a Table Schema field descriptor)."""
    text = cells if isinstance(cells, (pa.Array, pa.ChunkedArray)) else pa.array(list(cells), type=pa.string())
    kind = field.get("type", "string")
    nothing = np.zeros(len(text), dtype=bool)
    if kind in ("string", "any"):  # most cells of a large table: nothing to parse, nothing to compare twice
        return Cast(_series(element_wise(_without_empty, text)), nothing, text)
    if kind == "date" and (fast := _strict_dates(text)) is not None:
        return Cast(_series(fast), nothing, text)
    empty = element_wise(lambda part: pc.equal(part, ""), text)
    missing = _mask(empty)
    if kind in ("number", "integer"):
        ok = _full(text, NUMBER if kind == "number" else INTEGER)
        target = pa.float64() if kind == "number" else pa.int64()
        values = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), target)
        if kind == "number":
            finite = pc.fill_null(pc.is_finite(values), True)
            ok = pc.and_(ok, finite)
            values = pc.if_else(finite, values, pa.scalar(None, target))
        return Cast(_series(values), ~missing & ~_mask(ok), text)
    if kind == "boolean":
        trues = pa.array(field.get("trueValues", ["true", "True", "TRUE", "1"]))
        falses = pa.array(field.get("falseValues", ["false", "False", "FALSE", "0"]))
        is_true, is_false = pc.is_in(text, value_set=trues), pc.is_in(text, value_set=falses)
        known = pc.or_(is_true, is_false)
        values = pc.if_else(known, is_true, pa.scalar(None, pa.bool_()))
        return Cast(_series(values), ~missing & ~_mask(known), text)
    if kind == "year":
        ok = _full(text, YEAR)
        values = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.int64())
        return Cast(_series(values), ~missing & ~_mask(ok), text)
    if kind in ("date", "datetime"):
        values = element_wise(lambda part: parse_dates(part, kind)[0], text)
        real = pc.is_valid(values)  # parse_dates leaves exactly the cells that are not real dates missing
        return Cast(_series(values), ~missing & ~_mask(real), text)
    if kind in TEXT_FORMS:  # kept as text, checked for shape
        ok = _full(text, TEXT_FORMS[kind]) if TEXT_FORMS[kind] else pc.invert(empty)
        return Cast(_series(_without_empty(text)), ~missing & ~_mask(ok), text)
    return Cast(_series(_without_empty(text)), nothing, text)  # an unknown type: no type check, never a crash


def type_hint(field: dict) -> str:
    kind = field.get("type", "string")
    hint = HINTS.get(kind, f"Write a valid {kind}.")
    if kind == "boolean":
        hint = hint.format(true=" or ".join(field.get("trueValues", ["true"])), false=" or ".join(field.get("falseValues", ["false"])))
    return hint
