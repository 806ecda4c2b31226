"""Row order and repeated keys, against plain Python on the same rows."""

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.ordering import compare_with_previous, first_occurrences

CELL = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "", "long text, with a comma"]))


def _columns(rows, width, chunked):
    columns = [pa.array([r[i] for r in rows], type=pa.string()) for i in range(width)]
    if chunked and len(rows) > 1:
        half = len(rows) // 2
        columns = [pa.chunked_array([c.slice(0, half), c.slice(half)]) for c in columns]
    return columns


@given(st.integers(1, 3).flatmap(lambda w: st.tuples(st.just(w), st.lists(st.tuples(*[CELL] * w), max_size=30))), st.booleans())
def test_first_occurrences_match_a_seen_set(spec, chunked):
    width, rows = spec
    seen, expected = set(), []
    for row in rows:
        expected.append(row not in seen)
        seen.add(row)
    assert first_occurrences(_columns(rows, width, chunked)).tolist() == expected


@given(st.lists(st.tuples(CELL, CELL, CELL), min_size=2, max_size=20), st.lists(st.tuples(CELL, CELL, CELL), max_size=60), st.booleans())
def test_compare_with_previous_orders_like_tuples_with_missing_first(rows, distinct, chunked):
    """Also with many rows decided by the first column and a few ties, where later columns are
    compared only on the tied rows."""
    rows = rows + [(f"z{i:03d}", *rest) for i, (_, *rest) in enumerate(distinct)]
    key = [tuple((v is not None, v or "") for v in r) for r in rows]
    before, equal = compare_with_previous(_columns(rows, 3, chunked))
    assert before.tolist() == [key[i] < key[i - 1] for i in range(1, len(rows))]
    assert equal.tolist() == [key[i] == key[i - 1] for i in range(1, len(rows))]
