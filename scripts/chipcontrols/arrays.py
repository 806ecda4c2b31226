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
