"""Reading CSVs: cells as text, exact line numbers, and every shape problem found."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from chipcontrols import csvfile
from chipcontrols.csvfile import read_csv


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    return path


def test_cells_stay_text_and_na_is_a_value(tmp_path):
    raw = read_csv(_write(tmp_path, b"a,b\nNA,null\n,None\n"), "t.csv")
    assert raw.header == ["a", "b"]
    assert raw.columns[0].to_pylist() == ["NA", ""] and raw.columns[1].to_pylist() == ["null", "None"]
    assert list(raw.lines) == [2, 3] and not raw.problems


def test_embedded_newlines_keep_later_line_numbers_right(tmp_path):
    raw = read_csv(_write(tmp_path, b'a,b\n1,"two\nlines"\n2,"three\nmore\nlines"\n3,x\n'), "t.csv")
    assert list(raw.lines) == [2, 4, 7] and not raw.problems
    assert raw.columns[1][1].as_py() == "three\nmore\nlines"


def test_wrong_cell_counts_are_reported_at_their_lines(tmp_path):
    raw = read_csv(_write(tmp_path, b'a,b\n1,2\n1,2,3\n"x\ny",2\n4\n'), "t.csv")
    assert [(p.rule, p.line) for p in raw.problems] == [("row-length", 3), ("row-length", 6)]
    assert list(raw.lines) == [2, 4]


def test_unclosed_quote(tmp_path):
    raw = read_csv(_write(tmp_path, b'a,b\n1,2\n3,"open\n5,6\n'), "t.csv")
    assert [p.rule for p in raw.problems] == ["csv-syntax"]
    assert raw.problems[0].line == 3


def test_blank_line(tmp_path):
    raw = read_csv(_write(tmp_path, b"a,b\n1,2\n\n3,4\n"), "t.csv")
    assert [(p.rule, p.line) for p in raw.problems] == [("blank-line", 3)]
    assert list(raw.lines) == [2, 4]


def test_bom_crlf_nul_and_latin1(tmp_path):
    rules = lambda data: [(p.rule, p.line) for p in read_csv(_write(tmp_path, data), "t.csv").problems]  # noqa: E731
    assert rules(b"\xef\xbb\xbfa,b\n1,2\n") == [("bom", 1)]
    assert rules(b"a,b\r\n1,2\r\n") == [("line-endings", 1)]
    assert rules(b"a,b\n1,2\x00\n") == [("nul-byte", 2)]
    assert rules(b"a,b\n1,caf\xe9\n") == [("encoding", 2)]
    assert rules(b"") == [("empty-file", 1)]


def test_header_only(tmp_path):
    raw = read_csv(_write(tmp_path, b"a,b\n"), "t.csv")
    assert raw.header == ["a", "b"] and raw.n_rows == 0 and not raw.problems


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=12), st.sampled_from([csvfile.BLOCK, 64, 256]), st.booleans())
# pyarrow, split at every line end, drops the row cut by the block boundary without an error here
@example([("", "0\x80", "000000\x80\x80\x80\x80\U00010000\U00010000"), ("0\n\x80\x80\x80\x80\x80\x80\U00010000\U00010000\U00010000", "", "")], 64, True)
def test_fast_and_exact_readers_agree_with_the_csv_module(tmp_path_factory, rows, block, guess_wrong):
    """Whatever the cells hold (quotes, commas, newlines, Unicode), we read back what was written, at the
    right lines; with small parse blocks too, so quoted line breaks fall on block boundaries, and
    with the guess forced to "no line breaks in cells", so the split at every line end meets them."""
    original = csvfile.BLOCK, csvfile._line_breaks_in_cells_likely
    csvfile.BLOCK = block
    if guess_wrong:
        csvfile._line_breaks_in_cells_likely = lambda *args: False
    try:
        _agrees_with_the_csv_module(tmp_path_factory, rows)
    finally:
        csvfile.BLOCK, csvfile._line_breaks_in_cells_likely = original


def _agrees_with_the_csv_module(tmp_path_factory, rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    raw = read_csv(path, "t.csv")
    if not rows:
        assert raw.n_rows == 0
        return
    lines, reader = [], csv.reader(io.StringIO(buffer.getvalue(), newline=""))
    next(reader)
    end = reader.line_num
    expected = []
    for row in reader:
        expected.append(row)
        lines.append(end + 1)
        end = reader.line_num
    got = [[raw.columns[c][i].as_py() for c in range(3)] for i in range(raw.n_rows)]
    assert got == [list(r) for r in expected]
    assert list(raw.lines) == lines
    assert not [p for p in raw.problems if p.rule != "blank-line"]


def test_scan_without_mmap_reads_the_same(tmp_path, monkeypatch):
    """Where a file cannot be mapped, the scan reads it through a buffer and finds the same things."""
    from chipcontrols import csvfile

    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b\n1,"x\ny"\n2,\x00\r\n')
    mapped = csvfile.scan_bytes(path)

    def refuse(*args, **kwargs):
        raise OSError("no mmap here")

    monkeypatch.setattr(csvfile.mmap, "mmap", refuse)
    monkeypatch.setattr(csvfile, "CHUNK", 4)  # many blocks, each through the one buffer
    read = csvfile.scan_bytes(path)
    assert mapped == read
    assert (read.newlines, read.quotes, read.nul_offset, read.cr_offset, read.size) == (4, 2, 14, 15, 17)


def test_a_quoted_line_break_across_parse_blocks(tmp_path, monkeypatch):
    """The parallel split refuses a block that ends inside a quoted cell; the reader then splits quote-aware."""
    monkeypatch.setattr(csvfile, "BLOCK", 256)
    monkeypatch.setattr(csvfile, "_parse_exact", None)  # the fast reader must manage on its own
    cell = "line\n" * 20
    rows = b"".join(b'%d,"%s"\n' % (i, cell.encode()) for i in range(30))
    raw = read_csv(_write(tmp_path, b"a,b\n" + rows), "t.csv")
    assert not raw.problems and raw.n_rows == 30
    assert raw.columns[1][29].as_py() == cell
    assert list(raw.lines) == [2 + 21 * i for i in range(30)]


def test_a_quoted_line_break_after_the_first_megabyte(tmp_path, monkeypatch):
    """The guess (no line breaks in cells, from the head of the file) is wrong: the line ends
    outnumber the rows, and the file is split again quote-aware, still without the exact reader."""
    monkeypatch.setattr(csvfile, "HEAD", 64)
    monkeypatch.setattr(csvfile, "BLOCK", 256)
    monkeypatch.setattr(csvfile, "_parse_exact", None)
    rows = [f'{i},"plain, quoted"\n' for i in range(40)] + [f'{i},"two\nlines"\n' for i in range(40, 60)]
    raw = read_csv(_write(tmp_path, ("a,b\n" + "".join(rows)).encode()), "t.csv")
    assert not raw.problems and raw.n_rows == 60
    assert raw.columns[1][59].as_py() == "two\nlines"
    assert list(raw.lines) == [2 + i for i in range(40)] + [42 + 2 * i for i in range(20)]


def test_the_guess_reads_the_head_of_the_file(tmp_path):
    assert not csvfile._line_breaks_in_cells_likely(_write(tmp_path, b'a,b\n1,"x, y"\n2,z\n'), 2, 1)
    assert csvfile._line_breaks_in_cells_likely(_write(tmp_path, b'a,b\n1,"x\ny"\n2,z\n'), 2, 1)
    assert not csvfile._line_breaks_in_cells_likely(_write(tmp_path, b"a,b\n1,2\n"), 2, 1)
