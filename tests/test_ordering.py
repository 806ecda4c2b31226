"""Row order and repeated keys, against plain Python on the same rows."""

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrols.ordering import compare_with_previous, first_occurrences

CELL = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "", "long text, with a comma"]))


def _columns(rows, width, chunked):
    columns = [pa.array([r[i] for r in rows], type=pa.string()) for i in range(width)]
    if chunked and len(rows) > 1:
        half = len(rows) // 2
        columns = [pa.chunked_array([c.slice(0, half), c.slice(half)]) for c in columns]
    return columns


@settings(deadline=None)  # a loaded 2-core machine: timings belong in benchmarks/, not here
@given(st.integers(1, 3).flatmap(lambda w: st.tuples(st.just(w), st.lists(st.tuples(*[CELL] * w), max_size=30))), st.booleans())
def test_first_occurrences_match_a_seen_set(spec, chunked):
    width, rows = spec
    seen, expected = set(), []
    for row in rows:
        expected.append(row not in seen)
        seen.add(row)
    assert first_occurrences(_columns(rows, width, chunked)).tolist() == expected


@settings(deadline=None)  # a loaded 2-core machine: timings belong in benchmarks/, not here
@given(st.lists(st.tuples(CELL, CELL, CELL), min_size=2, max_size=20), st.lists(st.tuples(CELL, CELL, CELL), max_size=60), st.booleans())
def test_compare_with_previous_orders_like_tuples_with_missing_first(rows, distinct, chunked):
    """Also with many rows decided by the first column and a few ties, where later columns are
    compared only on the tied rows."""
    rows = rows + [(f"z{i:03d}", *rest) for i, (_, *rest) in enumerate(distinct)]
    key = [tuple((v is not None, v or "") for v in r) for r in rows]
    before, equal = compare_with_previous(_columns(rows, 3, chunked))
    assert before.tolist() == [key[i] < key[i - 1] for i in range(1, len(rows))]
    assert equal.tolist() == [key[i] == key[i - 1] for i in range(1, len(rows))]


NEAR = st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 400).map(lambda i: f"{i:04d}"), st.sampled_from(["x", "y", None]))


@settings(deadline=None)  # a loaded 2-core machine: timings belong in benchmarks/, not here
@given(st.lists(NEAR, min_size=40, max_size=200), st.lists(st.tuples(st.integers(0, 10_000), NEAR), max_size=4), st.booleans())
def test_first_occurrences_of_a_nearly_sorted_table(rows, wrong, chunked):
    """A sorted table with a few rows changed (as a contribution with a few wrong keys makes it):
    the shortcut that sets those rows aside agrees with a seen set, repeats on both sides included."""
    from chipcontrols import ordering

    rows = sorted(rows, key=lambda r: tuple((v is not None, v or "") for v in r))
    for position, row in wrong:
        rows[position % len(rows)] = row
    seen, expected = set(), []
    for row in rows:
        expected.append(row not in seen)
        seen.add(row)
    columns = _columns(rows, 3, chunked)
    assert first_occurrences(columns).tolist() == expected
    before, equal = compare_with_previous(columns)
    shortcut = ordering._first_occurrences_nearly_sorted(columns, before, equal) if before.any() else None
    if shortcut is not None:
        assert shortcut.tolist() == expected


def test_the_nearly_sorted_shortcut_is_taken():
    from chipcontrols import ordering

    rows = [("a", f"{i:04d}", "x") for i in range(100)]
    rows[50] = ("a", "0070", "x")  # out of place, and a repeat of a later row
    columns = _columns(rows, 3, False)
    before, equal = compare_with_previous(columns)
    result = ordering._first_occurrences_nearly_sorted(columns, before, equal)
    assert result is not None and not result[70] and result[50] and result.sum() == 99
    # a repeat on the far side of the rows set aside (0040 ... 0040) counts
    rows = [("a", f"{i:04d}", "x") for i in range(100)]
    rows[41:44] = [("a", "0090", "x"), ("a", "0010", "x"), ("a", "0040", "x")]
    columns = _columns(rows, 3, False)
    result = ordering._first_occurrences_nearly_sorted(columns, *compare_with_previous(columns))
    assert result is not None and result[40] and result[41] and not result[42] and not result[43] and not result[90]
    assert result.sum() == 97


def test_the_nearly_sorted_shortcut_gives_up_when_the_rest_is_out_of_order():
    from chipcontrols import ordering

    keys = [10, 50, 51, 52, 20, 21, 50] + list(range(60, 160))
    columns = _columns([(f"{k:04d}",) for k in keys], 1, False)
    assert ordering._first_occurrences_nearly_sorted(columns, *compare_with_previous(columns)) is None
    assert first_occurrences(columns).tolist() == [True] * 6 + [False] + [True] * 100
