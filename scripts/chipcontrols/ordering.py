"""Row order by key, compared column by column like a tuple with missing values first. Keys are
kept sorted in this package, so order also gives cheap answers to "is this key a repeat?"."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.arrays import as_mask as _np


def compare_with_previous(columns: list) -> tuple[np.ndarray, np.ndarray]:
    """For rows 1..n-1: (sorts strictly before the previous row, equals the previous row)."""
    n = len(columns[0]) if columns else 0
    before = np.zeros(max(n - 1, 0), dtype=bool)
    decided = np.zeros_like(before)
    for column in columns:
        current, previous = column.slice(1), column.slice(0, max(n - 1, 0))
        cur_null, prev_null = _np(pc.is_null(current)), _np(pc.is_null(previous))
        less = _np(pc.less(current, previous)) | (cur_null & ~prev_null)
        equal = _np(pc.equal(current, previous)) | (cur_null & prev_null)
        before |= ~decided & less
        decided |= ~equal
    return before, ~decided


def first_occurrences(columns: list) -> np.ndarray:
    """True for each row whose key did not appear in an earlier row."""
    n = len(columns[0]) if columns else 0
    if n < 2:
        return np.ones(n, dtype=bool)
    before, equal = compare_with_previous(columns)
    if not before.any():  # sorted: repeats sit next to each other
        return np.concatenate([[True], ~equal])
    key = columns[0] if len(columns) == 1 else pc.binary_join_element_wise(
        *[c.cast(pa.string()) for c in columns], "\x1f", null_handling="replace", null_replacement="\x00")
    encoded = pc.dictionary_encode(key)
    codes = (encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded).indices.to_numpy(zero_copy_only=False)
    first = np.zeros(n, dtype=bool)
    first[np.unique(codes, return_index=True)[1]] = True
    return first
