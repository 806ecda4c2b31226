"""Arrow idioms every check uses: a boolean result as a numpy mask, string arrays end to end,
and an element-wise kernel spread over the machine's cores."""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def use_jemalloc() -> None:
    """Allocate Arrow memory with jemalloc where this build of pyarrow has it (Linux and macOS
    wheels), handing freed pages back to the OS at once (decay 0), before the first table is read.
    With the default mimalloc, or jemalloc's default 1 s decay, what a parse frees stays with the
    process for a while and the peak depends on timing: on the 747 MiB real-shape package 1.24
    to 1.25 GiB (mimalloc), 0.98 to 1.05 GiB (decay 1 s), 0.91 GiB (decay 0); on the 630 MiB
    synthetic one 0.88, 0.79 to 0.96 and 0.66 GiB. Returning pages at once costs page faults:
    about 0.3 s more CPU on the first, 2.4 s more with 10,000 errors (benchmarks/README.md)."""
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:
        pass  # the build's default pool


def as_mask(condition) -> np.ndarray:
    """A boolean Arrow result as a numpy mask, missing as False."""
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)


def concat(arrays: list) -> pa.ChunkedArray:
    """Arrays and chunked arrays of strings, end to end, without copying."""
    chunks = [chunk for a in arrays for chunk in (a.chunks if isinstance(a, pa.ChunkedArray) else [a])]
    return pa.chunked_array(chunks, type=pa.string())


def line_breaks_per_row(columns: list) -> np.ndarray:
    """How many line breaks the cells of each row hold, over all `columns` (chunked string arrays
    of equal length, no nulls). Read from each chunk's offsets and bytes: rows with a break are
    rare, so finding the breaks in the bytes and mapping them to rows takes 0.03 s per 190 MB,
    where pc.count_substring visits every string (0.29 s)."""
    total = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    for column in columns:
        start = 0
        for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
            n = len(chunk)
            offsets_buffer, data_buffer = chunk.buffers()[1:3]
            if n and data_buffer is not None:
                offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[chunk.offset:chunk.offset + n + 1]
                breaks = np.flatnonzero(np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0]:offsets[-1]] == 10)
                if len(breaks):
                    rows = np.searchsorted(offsets, breaks + offsets[0], side="right") - 1
                    total[start:start + n] += np.bincount(rows, minlength=n)
            start += n
    return total


# Below this many rows a kernel runs in the calling thread: handing work to threads costs more.
PARALLEL_ROWS = 200_000
_pool: ThreadPoolExecutor | None = None
_background: ThreadPoolExecutor | None = None


def workers() -> int:
    """Threads for checks: the cores, or CHIPCONTROLS_THREADS (1 runs every check in turn)."""
    wanted = os.environ.get("CHIPCONTROLS_THREADS", "")
    return max(1, int(wanted) if wanted.isdigit() else min(os.cpu_count() or 1, 8))


def pool() -> ThreadPoolExecutor:
    """One shared pool for parts of element-wise kernels: Arrow releases the GIL, so its threads
    use every core."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(1, workers() - 1), thread_name_prefix="chipcontrols-kernel")
    return _pool


def background(function, *args) -> Future:
    """Run a long task (such as a big hash lookup) on a thread of its own, so it never holds up
    the pool that element-wise kernels wait on."""
    global _background
    if _background is None:
        _background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chipcontrols-background")
    return _background.submit(function, *args)


def element_wise(kernel, array):
    """`kernel(array)` for a kernel that treats each element on its own (a comparison, a regex, a
    cast): a long chunked array is cut into one run of whole chunks per core, and the runs are
    computed at once. The result is chunked like the input, as one call would have it."""
    n = workers()
    nested = threading.current_thread().name.startswith("chipcontrols-kernel")  # a pool thread must not wait on its own pool
    if not isinstance(array, pa.ChunkedArray) or len(array) < PARALLEL_ROWS or array.num_chunks < 2 or n < 2 or nested:
        return kernel(array)
    runs, run, filled, share = [], [], 0, len(array) / n
    for chunk in array.chunks:
        run.append(chunk)
        filled += len(chunk)
        if filled >= share * (len(runs) + 1) and len(runs) < n - 1:
            runs.append(run)
            run = []
    runs.append(run)
    compute = lambda chunks: kernel(pa.chunked_array(chunks, type=array.type))  # noqa: E731
    runs = [r for r in runs if r]
    others = [pool().submit(compute, r) for r in runs[1:]]
    parts = [compute(runs[0])] + [f.result() for f in others]  # the calling thread takes the first run
    pieces = [c for part in parts for c in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])]
    return pa.chunked_array(pieces, type=parts[0].type)
