"""Formula injection: which cells a spreadsheet would run, against plain Python on the same text."""

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.safety import starts_like_formula

TEXT = st.text(alphabet=st.sampled_from("=+-@\t\r a1é€\n\"'"), max_size=5)


@given(st.lists(st.lists(TEXT, max_size=6), min_size=1, max_size=3), st.integers(0, 2))
def test_a_cell_is_a_formula_exactly_when_its_first_character_is_one_of_them(chunks, skip):
    strings = pa.chunked_array([pa.array(c, type=pa.string()) for c in chunks], type=pa.string())
    strings = strings.slice(min(skip, len(strings)))  # offsets into the buffers must be honoured
    assert starts_like_formula(strings).tolist() == [s[:1] in ("=", "+", "-", "@", "\t", "\r") for s in strings.to_pylist()]
