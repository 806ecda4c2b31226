"""The self-audit sample: reproducible, stratified, and its lines point at the rows."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.audit import allocate, sample_citations

ROOT = Path(__file__).resolve().parents[1]


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 300), min_size=1), st.integers(0, 400), st.integers(0, 10))
def test_allocation_is_whole_bounded_and_floored(sizes, total, floor):
    alloc = allocate(sizes, total, floor)
    assert sum(alloc.values()) == min(max(total, sum(min(s, floor) for s in sizes.values())), sum(sizes.values()))
    for name, size in sizes.items():
        assert min(size, floor) <= alloc[name] <= size


def test_sample_is_reproducible_and_lines_point_at_rows():
    path = ROOT / "datapackage" / "citations.csv"
    first, second = sample_citations(path, 60, 7), sample_citations(path, 60, 7)
    assert first == second and len(first) == 60
    assert sample_citations(path, 60, 8) != first
    lines = path.read_text(encoding="utf-8").split("\n")
    for row in first:
        assert lines[row["line"] - 1].startswith(f"{row['record_table']},{row['record_id']},")
    assert {r["record_table"] for r in first} == {r["record_table"] for r in csv.DictReader(path.open(encoding="utf-8"))}


def test_cli_prints_the_sample_as_csv():
    out = subprocess.run([sys.executable, "-m", "chipcontrols", "audit-sample", str(ROOT / "datapackage.json"), "--seed", "7", "--size", "64"],
                         capture_output=True, text=True, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 64
    assert [int(r["line"]) for r in rows] == [r["line"] for r in sample_citations(ROOT / "datapackage" / "citations.csv", 64, 7)]
