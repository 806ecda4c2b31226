"""Row order by key, compared column by column like a tuple with missing values first. Keys are
kept sorted in this package, so order also gives cheap answers to "is this key a repeat?"."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.arrays import as_mask as _np


# The last comparison, with the columns it compared: the primary-key check and the sort-order
# check of a table compare the same key columns one after the other (0.1 s per 1M-row key).
_last: tuple[list, tuple[np.ndarray, np.ndarray]] | None = None


def compare_with_previous(columns: list) -> tuple[np.ndarray, np.ndarray]:
    """For rows 1..n-1: (sorts strictly before the previous row, equals the previous row)."""
    global _last
    last = _last
    if last is not None and len(last[0]) == len(columns) and all(a is b for a, b in zip(last[0], columns)):
        return last[1]
    n = len(columns[0]) if columns else 0
    result = _compare([c.slice(1) for c in columns], [c.slice(0, max(n - 1, 0)) for c in columns])
    _last = (list(columns), result)
    return result


def _compare(later: list, earlier: list) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs, one per position: (later sorts strictly before earlier, the two are equal),
    compared column by column like tuples, missing first."""
    n = len(later[0]) if later else 0
    before = np.zeros(n, dtype=bool)
    decided = np.zeros_like(before)
    rows = None  # None: every pair is still undecided
    for current, previous in zip(later, earlier):
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
    nearly = _first_occurrences_nearly_sorted(columns, before, equal)
    if nearly is not None:
        return nearly
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


# The nearly-sorted shortcut gives up (and the keys are hashed) past these sizes.
OUT_OF_PLACE_SHARE = 16  # at most one row in 16 next to a break in the order
CANDIDATES = 50_000  # rows sharing every key column's value with an out-of-place row


def _first_occurrences_nearly_sorted(columns: list, before: np.ndarray, equal: np.ndarray) -> np.ndarray | None:
    """first_occurrences for a table sorted but for a few rows (a contribution with a few wrong
    keys), without hashing every key: set aside the rows on each side of every break in the
    order; if the rest is sorted, its repeats sit next to each other, and the rows set aside are
    looked up among all rows with small value sets. None when the table is not nearly sorted."""
    n = len(columns[0])
    breaks = np.flatnonzero(before) + 1
    aside = np.unique(np.concatenate([breaks - 1, breaks]))
    if len(aside) * OUT_OF_PLACE_SHARE > n:
        return None
    # each block of consecutive rows set aside is bridged by the rows around it
    starts = aside[np.concatenate([[True], np.diff(aside) > 1])]
    ends = aside[np.concatenate([np.diff(aside) > 1, [True]])]
    bridged = (starts > 0) & (ends < n - 1)
    left, right = starts[bridged] - 1, ends[bridged] + 1
    bridge_before, bridge_equal = _compare([c.take(pa.array(right)) for c in columns], [c.take(pa.array(left)) for c in columns])
    if bridge_before.any():
        return None  # the rest is not sorted either
    repeat = np.concatenate([[False], equal])  # equal to the previous row of the rest: mostly the previous row
    repeat[right] = bridge_equal  # after a block set aside, the row before the block
    # rows with the same key as a row set aside, wherever they are: narrowed column by column
    candidates = np.arange(n)
    for column in columns:
        values = column.take(pa.array(aside))
        part = column if len(candidates) == n else column.take(pa.array(candidates))
        candidates = candidates[_np(pc.is_in(part, value_set=values.unique()))]
    if len(candidates) > CANDIDATES:
        return None
    keys = list(zip(*(c.take(pa.array(candidates)).to_pylist() for c in columns)))
    is_aside = np.zeros(n, dtype=bool)
    is_aside[aside] = True
    aside_keys = {key for row, key in zip(candidates, keys) if is_aside[row]}
    seen = set()
    for row, key in zip(candidates, keys):
        if key in aside_keys:
            repeat[row] = key in seen
            seen.add(key)
    return ~repeat
