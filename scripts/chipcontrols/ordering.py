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
    rows = None  # None: every row is still undecided
    for column in columns:
        current, previous = column.slice(1), column.slice(0, max(n - 1, 0))
        if rows is not None:
            # Later key columns (often long text) are compared only where the earlier ones tie
            current, previous = current.take(pa.array(rows)), previous.take(pa.array(rows))
        cur_null, prev_null = _np(pc.is_null(current)), _np(pc.is_null(previous))
        less = _np(pc.less(current, previous)) | (cur_null & ~prev_null)
        equal = _np(pc.equal(current, previous)) | (cur_null & prev_null)
        if rows is None:
            before |= ~decided & less
            decided |= ~equal
        else:
            before[rows] |= less
            decided[rows] |= ~equal
        undecided = np.flatnonzero(~decided)
        if not len(undecided):
            break
        if len(undecided) * 8 < len(decided):
            rows = undecided
    return before, ~decided


def _dictionary(values) -> pa.DictionaryArray:
    """Codes for values (missing is one more value), as one array with one dictionary."""
    encoded = pc.dictionary_encode(values, null_encoding="encode")
    return encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded


def first_occurrences(columns: list) -> np.ndarray:
    """True for each row whose key did not appear in an earlier row."""
    n = len(columns[0]) if columns else 0
    if n < 2:
        return np.ones(n, dtype=bool)
    before, equal = compare_with_previous(columns)
    if not before.any():  # sorted: repeats sit next to each other
        return np.concatenate([[True], ~equal])
    # Out of order: narrow down column by column to the rows whose key so far is shared with
    # another row, so later (often long) columns are hashed only for the few rows that could repeat.
    rows = np.arange(n)
    codes = np.zeros(n, dtype=np.int64)
    for column in columns:
        part = column if len(rows) == n else column.take(pa.array(rows))
        encoded = _dictionary(part)
        if len(encoded.dictionary) == 1:
            continue  # one value in every remaining row: nothing to narrow
        combined = codes * len(encoded.dictionary) + encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        codes = _dictionary(pa.array(combined)).indices.to_numpy(zero_copy_only=False).astype(np.int64)  # hashing, not sorting
        shared = np.bincount(codes)[codes] > 1
        rows, codes = rows[shared], codes[shared]
        if not len(rows):
            return np.ones(n, dtype=bool)
    first = np.ones(n, dtype=bool)
    repeat = np.ones(len(rows), dtype=bool)
    repeat[np.unique(codes, return_index=True)[1]] = False  # rows ascend, so the first index is the first occurrence
    first[rows[repeat]] = False
    return first
