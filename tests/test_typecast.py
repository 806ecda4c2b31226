"""Text cells to typed values, following Table Schema types (numbers stricter: finite only)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.typecast import cast_column


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
    cells = ["2025-04-15", "2024-02-29", "2025-02-29", "2025-02-30", "04/15/2025", "2025-4-15", "2025-04-15T00:00", ""]
    assert _bad(cells, {"type": "date"}) == [2, 3, 4, 5, 6]


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
