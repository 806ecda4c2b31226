"""Read a CSV file as text cells with the physical line number of every row.

The fast path parses with pyarrow (all columns as strings, nothing treated as missing, so
`NA` or `null` stay values). Any irregular file (wrong cell counts, blank lines, bad quoting)
is read again with the standard csv module, which knows exactly where each row starts, so
contributors get exact line numbers for exactly the rows that are wrong."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

import numpy as np

from chipcontrols.problems import Problem

csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class RawTable:
    """Cells as strings (empty string = missing), column by column, aligned with `lines`."""

    header: list[str]
    columns: list[list[str] | np.ndarray]
    lines: np.ndarray
    problems: list[Problem] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.lines)


def _decode(data: bytes, display: str) -> tuple[str, list[Problem]]:
    problems = []
    if data.startswith(codecs.BOM_UTF8):
        problems.append(Problem("bom", display, line=1, column=1))
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start:exc.end]
        problems.append(Problem("encoding", display, line=line, column=column, value=bad.hex(" "),
                                params={"detail": f"byte 0x{bad[0]:02x} at byte offset {exc.start}; the file may be Latin-1 or Windows-1252"}))
        text = data.decode("utf-8", errors="replace")
    nul = text.find("\x00")
    if nul >= 0:
        problems.append(Problem("nul-byte", display, line=text.count("\n", 0, nul) + 1))
        text = text.replace("\x00", "")
    crlf = text.find("\r")
    if crlf >= 0:
        kind = "CRLF (\\r\\n)" if text[crlf:crlf + 2] == "\r\n" else "CR (\\r)"
        problems.append(Problem("line-endings", display, line=text.count("\n", 0, crlf) + 1, params={"detail": kind}))
    return text, problems


def _parse_exact(text: str, display: str, width: int) -> tuple[list[list[str]], list[int], list[Problem]]:
    """Rows (excluding the header) with their starting line numbers, via the csv module."""
    problems: list[Problem] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    try:
        for index, row in enumerate(reader):
            start = previous_end + 1
            previous_end = reader.line_num
            if index == 0:
                continue  # the header, read separately
            if row == []:
                problems.append(Problem("blank-line", display, line=start))
                continue
            if len(row) != width:
                problems.append(Problem("row-length", display, line=start, column=min(len(row), width) + 1 if len(row) > width else len(row),
                                        value=row[width] if len(row) > width else None,
                                        params={"actual": len(row), "expected": width}))
                continue
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        problems.append(Problem("csv-syntax", display, line=previous_end + 1, params={"detail": str(exc)}))
    return rows, lines, problems


def _parse_fast(data: bytes, width: int) -> tuple[list[np.ndarray], np.ndarray] | None:
    """Columns and line numbers via pyarrow, or None if the file needs the exact reader."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pacsv

    invalid = []

    def on_invalid(row):  # noqa: ANN001 - pyarrow's callback signature
        invalid.append(row)
        return "skip"

    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False, null_values=[]),
        )
    except pa.ArrowInvalid:
        return None
    if invalid:
        return None
    n = table.num_rows
    extra = np.zeros(n, dtype=np.int64)
    for column in table.columns:
        extra += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False).astype(np.int64)
    # line of row i = 2 (after the header) + i + newlines inside the cells of rows before i
    lines = 2 + np.arange(n, dtype=np.int64) + np.concatenate([[0], np.cumsum(extra)[:-1]]) if n else np.zeros(0, dtype=np.int64)
    columns = [c.to_numpy(zero_copy_only=False).astype(object) for c in table.columns]
    return columns, lines


def read_csv(path, display: str) -> RawTable:
    """Read `path` as text cells. Problems with the bytes and the CSV shape are collected, never raised."""
    data = path.read_bytes()
    text, problems = _decode(data, display)
    if not text.strip("\r\n"):
        return RawTable([], [], np.zeros(0, dtype=np.int64), problems + [Problem("empty-file", display, line=1)])
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        return RawTable([], [], np.zeros(0, dtype=np.int64), problems + [Problem("csv-syntax", display, line=1, params={"detail": str(exc)})])
    width = len(header)
    # pyarrow skips blank lines whatever it is told, which would shift line numbers: such
    # files (and any with odd quoting) go to the exact reader.
    clean = not problems and text.count('"') % 2 == 0 and "\n" not in "".join(header) and "\n\n" not in text
    fast = _parse_fast(data, width) if clean else None
    if fast is not None:
        columns, lines = fast
        return RawTable(header, columns, lines, problems)
    rows, lines, row_problems = _parse_exact(text, display, width)
    columns = [np.array([r[i] for r in rows], dtype=object) for i in range(width)]
    return RawTable(header, columns, np.array(lines, dtype=np.int64), problems + row_problems)
