"""The Arrow helpers every check leans on, against plain Python on the same strings."""

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.arrays import as_mask, concat

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6)


def test_mask_and_concat():
    assert as_mask(pa.array([True, None, False])).tolist() == [True, False, False]
    joined = concat([pa.array(["a"]), pa.chunked_array([["b", "c"]])])
    assert joined.to_pylist() == ["a", "b", "c"] and joined.num_chunks == 2


@given(st.lists(st.lists(TEXT, min_size=1, max_size=5), min_size=2, max_size=6), st.integers(1, 4))
def test_element_wise_is_the_kernel_on_the_whole_array(chunks, threads):
    import os

    import pyarrow.compute as pc

    from chipcontrols import arrays

    array = pa.chunked_array([pa.array(c, type=pa.string()) for c in chunks], type=pa.string())
    kernel = lambda a: pc.utf8_length(a)  # noqa: E731
    old, arrays.PARALLEL_ROWS = arrays.PARALLEL_ROWS, 0
    old_threads = os.environ.get("CHIPCONTROLS_THREADS")
    os.environ["CHIPCONTROLS_THREADS"] = str(threads)
    try:
        assert arrays.element_wise(kernel, array).to_pylist() == kernel(array).to_pylist()
        # called from a pool thread it runs in place instead of waiting on its own pool
        nested = arrays.pool().submit(arrays.element_wise, kernel, array).result(timeout=10)
        assert nested.to_pylist() == kernel(array).to_pylist()
    finally:
        arrays.PARALLEL_ROWS = old
        if old_threads is None:
            os.environ.pop("CHIPCONTROLS_THREADS")
        else:
            os.environ["CHIPCONTROLS_THREADS"] = old_threads


@given(st.lists(st.lists(st.text(alphabet="ab\n\u00e9", max_size=5), min_size=0, max_size=5), min_size=1, max_size=5),
       st.integers(0, 3), st.integers(0, 3))
def test_line_breaks_per_row_is_count_substring(chunks, cut_front, cut_back):
    """Counted from the Arrow buffers, as pyarrow's own kernel counts them, also for sliced chunks."""
    import pyarrow.compute as pc

    from chipcontrols.arrays import line_breaks_per_row

    whole = pa.chunked_array([pa.array(c, type=pa.string()) for c in chunks], type=pa.string())
    sliced = whole.slice(min(cut_front, len(whole)), max(0, len(whole) - cut_front - cut_back))  # chunks with an offset
    for column in (whole, sliced):
        other = pa.chunked_array([pa.array([s[::-1] for s in column.to_pylist()], type=pa.string())])  # chunked differently
        expected = [a + b for a, b in zip(pc.count_substring(column, "\n").to_pylist(), pc.count_substring(other, "\n").to_pylist())]
        assert line_breaks_per_row([column, other]).tolist() == expected
