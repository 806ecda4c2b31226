"""The Arrow helpers every check leans on, against plain Python on the same strings."""

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.arrays import as_mask, concat, first_bytes

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6)


@given(st.lists(st.lists(TEXT, max_size=8), max_size=4), st.integers(0, 3))
def test_first_bytes_is_the_first_utf8_byte_of_each_cell(chunks, skip):
    array = pa.chunked_array([pa.array(c, type=pa.string()) for c in chunks], type=pa.string())
    sliced = array.slice(min(skip, len(array)))  # offsets into the buffers must be honoured
    expected = [s.encode()[0] if s else 0 for s in sliced.to_pylist()]
    assert first_bytes(sliced).tolist() == expected
    if len(sliced):
        assert first_bytes(sliced.combine_chunks()).tolist() == expected


def test_first_bytes_of_nothing_and_mask_and_concat():
    assert first_bytes(pa.array([], type=pa.string())).size == 0
    assert as_mask(pa.array([True, None, False])).tolist() == [True, False, False]
    joined = concat([pa.array(["a"]), pa.chunked_array([["b", "c"]])])
    assert joined.to_pylist() == ["a", "b", "c"] and isinstance(first_bytes(joined), np.ndarray)
