"""Read a CSV file as text cells with the physical line number of every row.

The fast path maps the bytes once (BOM, NUL, line endings, quotes) and parses
with pyarrow, every column as text and nothing treated as missing, so `NA` or `null` stay values;
cells stay in Arrow memory. Any irregular file (wrong cell counts, blank lines, bad quoting,
bad bytes) is read again with the standard csv module, which knows exactly where each row
starts, so contributors get exact line numbers for exactly the rows that are wrong."""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from chipcontrols.arrays import element_wise, line_breaks_per_row
from chipcontrols.problems import Problem

# Everything is imported above, not inside functions: the read-ahead thread runs these functions
# while the main thread is importing, and the two would otherwise queue on import locks.

csv.field_size_limit(64 * 1024 * 1024)
CHUNK = 16 * 1024 * 1024  # a multiple of mmap.ALLOCATIONGRANULARITY: windows start on it
# Parse blocks: each becomes one Arrow chunk. Large enough that per-chunk work in Python is rare,
# small enough that both cores share even a modest file.
BLOCK = 8 * 1024 * 1024


def _invalid_row_collector() -> tuple:
    """A pyarrow invalid-row handler that skips rows and keeps them in a list, plus the list.
    pyarrow decodes a row's text before calling the handler; when the row is not UTF-8 that
    raises inside pyarrow, which prints it as "Exception ignored ..." with a traceback. The hook
    below files such errors in the handler's list instead: the parse then counts as failed and
    the exact reader, which reports bad bytes by line, reads the file."""
    invalid: list = []

    def on_invalid(row):  # noqa: ANN001 - pyarrow's callback signature
        invalid.append(row)
        return "skip"

    on_invalid.chipcontrols_failures = invalid
    return on_invalid, invalid


def _callback_errors_to_their_parse(previous):
    def hook(args) -> None:  # noqa: ANN001 - sys.unraisablehook's signature
        failures = getattr(args.object, "chipcontrols_failures", None)
        if isinstance(failures, list):
            failures.append(args.exc_value)
            return
        previous(args)

    hook.chipcontrols = True
    return hook


if not getattr(sys.unraisablehook, "chipcontrols", False):
    sys.unraisablehook = _callback_errors_to_their_parse(sys.unraisablehook)


@dataclass
class RawTable:
    """Cells as Arrow string arrays (empty string = missing), column by column, aligned with `lines`."""

    header: list[str]
    columns: list[pa.ChunkedArray | pa.Array]
    lines: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    # rows that could not be read (wrong cell count, bytes that are not UTF-8), as (line, cells):
    # their keys still name records, so references to them are not reported as dangling
    unreadable: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.lines)


@dataclass
class ByteScan:
    bom: bool = False
    nul_offset: int = -1
    cr_offset: int = -1
    newlines: int = 0
    quotes: int = 0
    size: int = 0
    last_byte: bytes = b""


def _blocks(handle, size: int):
    """The file in CHUNK-sized windows: mapped one at a time where the OS allows (no copy, and
    only one window counts as this process's memory), else read through one reused buffer."""
    try:
        for offset in range(0, size, CHUNK):
            with mmap.mmap(handle.fileno(), min(CHUNK, size - offset), offset=offset, access=mmap.ACCESS_READ) as window:
                yield window
        return
    except (OSError, ValueError):
        if offset:
            raise  # failed half way: not a question of what the filesystem supports
    buffer = bytearray(CHUNK)
    while n := handle.readinto(buffer):
        yield memoryview(buffer)[:n]


def scan_bytes(path: Path) -> ByteScan:
    """What the parser would silently accept: a BOM, NULs, CRs, an unclosed quote; and the line
    count. One pass, window by window: memchr finds the rare bytes, numpy (which releases the GIL,
    so the pass runs beside pyarrow's parse) counts line ends, and quotes once the file turns out
    to have any. Blank lines are found after parsing (see `_has_blank_rows`)."""
    scan = ByteScan()
    quoted = False
    mask = np.empty(CHUNK, dtype=bool)  # reused: no fresh memory per window
    with path.open("rb", buffering=0) as handle:
        for window in _blocks(handle, os.fstat(handle.fileno()).st_size):
            data = window.obj if isinstance(window, memoryview) else window
            size = len(window)
            if scan.size == 0:
                scan.bom = bytes(window[:3]) == codecs.BOM_UTF8
            if scan.nul_offset < 0 and (hit := data.find(b"\x00", 0, size)) >= 0:
                scan.nul_offset = scan.size + hit
            if scan.cr_offset < 0 and (hit := data.find(b"\r", 0, size)) >= 0:
                scan.cr_offset = scan.size + hit
            quoted = quoted or data.find(b'"', 0, size) >= 0
            view = np.frombuffer(window, dtype=np.uint8, count=size)
            scan.newlines += int(np.count_nonzero(np.equal(view, 10, out=mask[:size])))
            if quoted:
                scan.quotes += int(np.count_nonzero(np.equal(view, 34, out=mask[:size])))
            scan.size += size
            scan.last_byte = bytes(window[size - 1:size])
            del view, data, window  # a window cannot close while numpy still points into it
    return scan


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _decode(data: bytes, display: str) -> tuple[str, list[Problem], set[int]]:
    """The text, the problems with its bytes, and the lines holding bytes that are not UTF-8
    (one problem names the first; the rows on all of them are unreadable)."""
    problems = []
    bad_lines: set[int] = set()
    if data.startswith(codecs.BOM_UTF8):
        problems.append(Problem("bom", display, line=1, column=1))
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start:exc.end]
        text = data.decode("utf-8", errors="surrogateescape")  # each bad byte becomes one marker character
        count = 0
        for match in _UNDECODABLE.finditer(text):
            bad_lines.add(text.count("\n", 0, match.start()) + 1)
            count += 1
        more = f"; {count} such bytes on {len(bad_lines)} line(s)" if count > 1 else ""
        problems.append(Problem("encoding", display, line=line, column=column, value=bad.hex(" "),
                                params={"detail": f"byte 0x{bad[0]:02x} at byte offset {exc.start}{more}; the file may be Latin-1 or Windows-1252"}))
        text = _UNDECODABLE.sub("\ufffd", text)
    nul = text.find("\x00")
    if nul >= 0:
        problems.append(Problem("nul-byte", display, line=text.count("\n", 0, nul) + 1))
        text = text.replace("\x00", "")
    crlf = text.find("\r")
    if crlf >= 0:
        kind = "CRLF (\\r\\n)" if text[crlf:crlf + 2] == "\r\n" else "CR (\\r)"
        problems.append(Problem("line-endings", display, line=text.count("\n", 0, crlf) + 1, params={"detail": kind}))
    return text, problems, bad_lines


def _parse_exact(text: str, display: str, width: int, bad_lines: set[int] = frozenset()) -> tuple[list[list[str]], list[int], list[Problem], list]:
    """Rows (excluding the header) with their starting line numbers, via the csv module, and the
    rows that cannot be read. A row holding bytes that are not UTF-8 is unreadable and reported
    only by the encoding problem: whatever else looks wrong with it may be the bytes' doing."""
    problems: list[Problem] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    unreadable: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    try:
        for index, row in enumerate(reader):
            start = previous_end + 1
            previous_end = reader.line_num
            if index == 0:
                continue  # the header, read separately
            if bad_lines and any(line in bad_lines for line in range(start, previous_end + 1)):
                unreadable.append((start, row))
                continue
            if row == []:
                problems.append(Problem("blank-line", display, line=start))
                continue
            if len(row) != width:
                problems.append(Problem("row-length", display, line=start, column=min(len(row), width) + 1 if len(row) > width else len(row),
                                        value=row[width] if len(row) > width else None,
                                        params={"actual": len(row), "expected": width}))
                unreadable.append((start, row))
                continue
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        problems.append(Problem("csv-syntax", display, line=previous_end + 1, params={"detail": str(exc)}))
    return rows, lines, problems, unreadable


def _parse_fast(path: Path, width: int, header_lines: int, split_at_every_line: bool) -> list[pa.ChunkedArray] | None:
    """Columns via pyarrow, or None if the file needs the exact reader.

    split_at_every_line: let pyarrow cut the file into parse blocks at any line end, in parallel
    (0.1 s less per 470 MB than its quote-aware split). Where a quoted line break falls on a cut,
    pyarrow fails, skips a row as invalid, or drops the unfinished row without a word; the first
    two are retried here with the quote-aware split, the last is caught by `read_csv`, which
    counts the file's line ends against the rows."""
    on_invalid, invalid = _invalid_row_collector()

    def parse(newlines_in_values: bool) -> pa.Table | None:
        invalid.clear()
        try:
            return pacsv.read_csv(path, read_options=_read_options(width, header_lines, BLOCK),
                                  parse_options=_parse_options(newlines_in_values, on_invalid), convert_options=_convert_options(width))
        except (pa.ArrowInvalid, OSError):
            return None

    table = parse(newlines_in_values=not split_at_every_line)
    if split_at_every_line and (table is None or invalid):
        table = parse(newlines_in_values=True)
    return None if table is None or invalid else list(table.columns)  # chunked as parsed: combining would copy every cell


def _read_options(width: int, header_lines: int, block_size: int) -> pacsv.ReadOptions:
    return pacsv.ReadOptions(column_names=[f"c{i}" for i in range(width)], skip_rows=header_lines, block_size=block_size)


def _parse_options(newlines_in_values: bool, on_invalid) -> pacsv.ParseOptions:
    return pacsv.ParseOptions(newlines_in_values=newlines_in_values, ignore_empty_lines=False, invalid_row_handler=on_invalid)


def _convert_options(width: int) -> pacsv.ConvertOptions:
    # every column as text, and nothing read as missing: `NA` and `null` stay values
    return pacsv.ConvertOptions(column_types={f"c{i}": pa.string() for i in range(width)}, strings_can_be_null=False,
                                quoted_strings_can_be_null=False, null_values=[])


HEAD = 1024 * 1024


def _line_breaks_in_cells_likely(path: Path, width: int, header_lines: int) -> bool:
    """A guess from the first megabyte, to choose the split that will not have to be redone:
    whether cells hold line breaks. Only a guess; `read_csv` checks the outcome."""
    with path.open("rb") as handle:
        head = handle.read(HEAD)
    head = head[:head.rfind(b"\n") + 1]
    if b'"' not in head:
        return False
    on_invalid, invalid = _invalid_row_collector()
    try:
        table = pacsv.read_csv(pa.BufferReader(head), read_options=_read_options(width, header_lines, HEAD),
                               parse_options=_parse_options(True, on_invalid), convert_options=_convert_options(width))
    except (pa.ArrowInvalid, OSError):
        return True
    return table.num_rows + header_lines != head.count(b"\n")


def _has_blank_rows(columns: list) -> bool:
    """pyarrow reads a blank line as a row of empty cells: look for one, first column first."""
    if not columns:
        return False
    candidates = element_wise(lambda part: pc.equal(part, ""), columns[0])
    for column in columns[1:]:
        if not pc.any(candidates).as_py():
            return False
        candidates = pc.and_(candidates, pc.equal(column, ""))
    return bool(pc.any(candidates).as_py())


def _lines_in_file(scan: ByteScan) -> int:
    return scan.newlines + (0 if scan.last_byte in (b"\n", b"") else 1)


def _line_numbers(columns: list, header_lines: int, scan: ByteScan) -> np.ndarray:
    n = len(columns[0]) if columns else 0
    base = 1 + header_lines + np.arange(n, dtype=np.int64)
    if scan.quotes == 0 or n == 0 or _lines_in_file(scan) == header_lines + n:
        return base  # no line breaks inside cells: row i is on line i + 2
    extra = line_breaks_per_row(columns)
    # line of row i = its plain position + the line breaks inside the cells of rows before it
    return base + np.concatenate([[0], np.cumsum(extra)[:-1]])


def _header(path: Path, display: str) -> tuple[list[str] | None, int, list[Problem]]:
    """The header row, how many physical lines it spans, or a problem."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return None, 0, []
    except csv.Error as exc:
        return None, 0, [Problem("csv-syntax", display, line=1, params={"detail": str(exc)})]
    return header, reader.line_num, []


def read_csv(path: Path, display: str) -> RawTable:
    """Read `path` as text cells. Problems with the bytes and the CSV shape are collected, never raised."""
    empty = np.zeros(0, dtype=np.int64)
    with path.open("rb") as handle:
        start = handle.read(4096)
    if not start.replace(codecs.BOM_UTF8, b"", 1).strip(b"\r\n"):
        problems = [Problem("bom", display, line=1, column=1)] if start.startswith(codecs.BOM_UTF8) else []
        return RawTable([], [], empty, problems + [Problem("empty-file", display, line=1)])
    header, header_lines, problems = _header(path, display)
    if header is None:
        return RawTable([], [], empty, problems or [Problem("empty-file", display, line=1)])
    if not header:
        return RawTable([], [], empty, problems + [Problem("blank-header", display, line=1)])
    width = len(header)
    split_at_every_line = header_lines == 1 and not _line_breaks_in_cells_likely(path, width, header_lines)
    # The byte scan overlaps the parse (C++ threads that release the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(scan_bytes, path)
        fast = _parse_fast(path, width, header_lines, split_at_every_line) if header_lines == 1 else None
        scan = pending.result()
    if split_at_every_line and fast is not None and header_lines + len(fast[0]) != _lines_in_file(scan):
        # a line end that is neither a row's end nor (there were none) inside a cell: a quoted
        # line break, perhaps cut at a block boundary. Split quote-aware instead.
        fast = _parse_fast(path, width, header_lines, split_at_every_line=False)
    # pyarrow would silently accept a BOM in the header, CR line ends and NULs, read blank lines as empty rows
    # and take an unclosed quote's rest of file as one cell: such files go to the exact reader
    clean = not scan.bom and scan.nul_offset < 0 and scan.cr_offset < 0 and scan.quotes % 2 == 0
    if fast is not None and clean and not _has_blank_rows(fast):
        return RawTable(header, fast, _line_numbers(fast, header_lines, scan), [])
    text, problems, bad_lines = _decode(path.read_bytes(), display)
    rows, lines, row_problems, unreadable = _parse_exact(text, display, width, bad_lines)
    columns = [pa.array([r[i] for r in rows], type=pa.string()) for i in range(width)]
    return RawTable(header, columns, np.array(lines, dtype=np.int64), problems + row_problems, unreadable)
