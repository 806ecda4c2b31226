"""The pattern check matches a column with repeated values once per distinct value: it must
flag exactly the cells a cell-by-cell match flags, missing cells passing."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrols import pandera_schema

SLUG = "^(?:[a-z0-9]+(-[a-z0-9]+)*)$"
match = lambda a: pc.match_substring_regex(a, SLUG)  # noqa: E731


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["nvidia", "amd-inc", "Bad Id", "", None, "x-", "huawei"]), min_size=1, max_size=60),
       st.integers(1, 4), st.integers(1, 8))
def test_value_by_value_flags_what_cell_by_cell_flags(cells, chunks, repeats):
    rows = cells * repeats
    size = -(-len(rows) // chunks)
    array = pa.chunked_array([pa.array(rows[i:i + size], type=pa.string()) for i in range(0, len(rows), size)], type=pa.string())
    old = pandera_schema.PARALLEL_ROWS, pandera_schema.REPEATS
    pandera_schema.PARALLEL_ROWS, pandera_schema.REPEATS = 1, 0  # the value-by-value path at any size
    try:
        got = pandera_schema._full_match(array, match)
    finally:
        pandera_schema.PARALLEL_ROWS, pandera_schema.REPEATS = old
    expected = pc.fill_null(match(array), True).to_pylist()
    assert pc.fill_null(got, True).to_pylist() == expected
