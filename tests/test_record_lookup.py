"""The record lookup behind citation references: a few citations of a large table take a
shortcut (hash the citations, join the keys of candidate rows only); it must find exactly what
the plain lookup finds, whatever the keys hold, the separator included."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrols.integrity import _positions_in
from chipcontrols.table import Table

PART = st.text(alphabet="ab/-", min_size=0, max_size=4)


def _table(rows: list[tuple[str, ...]]) -> Table:
    names = [f"k{i}" for i in range(len(rows[0]))]
    text = {name: pa.chunked_array([pa.array([r[i] for r in rows], type=pa.string())]) for i, name in enumerate(names)}
    return Table(SimpleNamespace(primary_key=names), "t.csv", pd.DataFrame(), text, np.arange(len(rows)), {})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PART, PART), min_size=1, max_size=80, unique=True), st.lists(st.tuples(PART, PART), max_size=6), st.data())
def test_few_citations_found_as_the_plain_lookup_finds_them(keys, strangers, data):
    # keys that join to the same text ("a/" + "b", "a" + "/b") name no one record: left out
    keys = list({"/".join(k): k for k in keys}.values())
    target = _table(keys)
    picked = data.draw(st.lists(st.sampled_from(keys), max_size=6))
    cited = pa.array(["/".join(k) for k in picked + strangers], type=pa.string())
    plain = pc.fill_null(pc.index_in(cited, value_set=target.key_strings(["k0", "k1"], "/")), -1).to_numpy(zero_copy_only=False)
    assert _positions_in(cited, target, "/").tolist() == plain.tolist()


def test_shortcut_taken_for_a_large_table():
    keys = [(f"e{i:04d}", f"c{i % 7}") for i in range(1000)]
    target = _table(keys)
    cited = pa.array(["e0003/c3", "e0999/c5", "e0999/c6", "nothing/c1"], type=pa.string())
    assert _positions_in(cited, target, "/").tolist() == [3, 999, -1, -1]


def test_citations_whose_first_key_part_matches_no_row():
    # found by the property test: no candidate row at all (the citation's first part names no record)
    target = _table([("", x) for x in ("", "a", "/", "-", "aa", "a/", "/a", "aaa", "b")])
    assert _positions_in(pa.array(["a/"], type=pa.string()), target, "/").tolist() == [-1]
    large = _table([(f"e{i:04d}", "c") for i in range(100)])
    assert _positions_in(pa.array(["x/c", "y/c"], type=pa.string()), large, "/").tolist() == [-1, -1]
