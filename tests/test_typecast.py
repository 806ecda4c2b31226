"""Text cells to typed values, following Table Schema types (numbers stricter: finite only)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrols.typecast import _strict_dates, cast_column, parse_dates


def _bad(cells, field):
    return list(np.flatnonzero(cast_column(np.array(cells, dtype=object), field).bad))


def test_numbers():
    cells = ["5500000000", "5.5e9", "-1.25", ".5", "", "5,500,000,000", "5.5 billion", "NaN", "inf", "1e999", " 5", "0x10"]
    assert _bad(cells, {"type": "number"}) == [5, 6, 7, 8, 9, 10, 11]
    values = cast_column(np.array(cells[:4], dtype=object), {"type": "number"}).values
    assert list(values) == [5.5e9, 5.5e9, -1.25, 0.5]


def test_integers():
    assert _bad(["1", "-2", "1.0", "1e3", ""], {"type": "integer"}) == [2, 3]


def test_dates_are_real_calendar_dates_in_iso_form():
    cells = ["2025-04-15", "2024-02-29", "2025-02-29", "2025-02-30", "04/15/2025", "2025-4-15", "2025-04-15T00:00", "", "0000-01-01"]
    assert _bad(cells, {"type": "date"}) == [2, 3, 4, 5, 6, 8]


def test_booleans_follow_true_and_false_values():
    field = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}
    cast = cast_column(np.array(["true", "false", "True", "yes", ""], dtype=object), field)
    assert list(np.flatnonzero(cast.bad)) == [2, 3]
    assert cast.values[0] is True or bool(cast.values[0]) is True
    assert cast.missing.tolist() == [False, False, False, False, True]


def test_strings_keep_na_like_values():
    cast = cast_column(np.array(["NA", "N/A", "null", "None", ""], dtype=object), {"type": "string"})
    assert list(cast.values[:4]) == ["NA", "N/A", "null", "None"] and pd.isna(cast.values[4])


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_float_written_by_python_reads_back(value):
    cast = cast_column(np.array([repr(value)], dtype=object), {"type": "number"})
    assert not cast.bad[0] and cast.values[0] == value


def test_other_table_schema_types_never_crash():
    assert _bad(["12:30:00", "12h30", ""], {"type": "time"}) == [1]
    assert _bad(["2025-04", "April 2025"], {"type": "yearmonth"}) == [1]
    assert _bad(["anything"], {"type": "no-such-type"}) == []


DATEISH = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.text(alphabet="0123456789-T:/ +", max_size=12),
    st.just(""),
)


def test_fast_date_path_is_taken_only_when_every_cell_is_a_real_date():
    """So the property below compares two different paths, not one path with itself."""
    assert _strict_dates(pa.array(["2024-02-29", "", "0001-01-01"])) is not None
    assert _strict_dates(pa.array(["2024-02-29", "2025-02-30"])) is None
    assert _strict_dates(pa.array(["0000-01-01"])) is None


@settings(max_examples=300)
@given(st.lists(DATEISH, min_size=1, max_size=6))
def test_fast_date_path_agrees_with_the_general_one(cells):
    """Arrow's strict date cast (used when every cell is a real date) gives what the cell-by-cell path gives."""
    text = pa.array(cells, type=pa.string())
    cast = cast_column(text, {"type": "date"})
    values, real = parse_dates(text)
    filled = pa.array([c != "" for c in cells])
    assert cast.bad.tolist() == [f and not r for f, r in zip(filled.to_pylist(), real.to_pylist())]
    assert cast.values.array.__arrow_array__().to_pylist() == pc.if_else(filled, values, None).to_pylist()
