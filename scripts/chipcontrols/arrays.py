"""Two Arrow idioms every check uses: a boolean result as a numpy mask, and string arrays end to end."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def as_mask(condition) -> np.ndarray:
    """A boolean Arrow result as a numpy mask, missing as False."""
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)


def concat(arrays: list) -> pa.ChunkedArray:
    """Arrays and chunked arrays of strings, end to end, without copying."""
    chunks = [chunk for a in arrays for chunk in (a.chunks if isinstance(a, pa.ChunkedArray) else [a])]
    return pa.chunked_array(chunks, type=pa.string())


def first_bytes(strings) -> np.ndarray:
    """The first byte of every string (0 for an empty one), read straight from the Arrow buffers:
    a gather instead of a per-row kernel, for checks that only look at how a cell starts."""
    chunks = strings.chunks if isinstance(strings, pa.ChunkedArray) else [strings]
    out = []
    for chunk in chunks:
        n = len(chunk)
        if n == 0:
            continue
        if chunk.type != pa.string():
            chunk = chunk.cast(pa.string())
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[chunk.offset:chunk.offset + n + 1]
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
        starts, filled = offsets[:-1], offsets[1:] > offsets[:-1]
        first = np.zeros(n, dtype=np.uint8)
        first[filled] = data[starts[filled]]
        out.append(first)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.uint8)
