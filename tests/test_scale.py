"""The validator on synthetic data generated from the package's own schemas: every injected
error reported where it was put, the same findings as Frictionless, and the benchmark kept
working (the timings themselves live in benchmarks/bench.py, never in a test)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import generate  # noqa: E402


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory) -> tuple[Path, list]:
    injected: list = []
    # the size the issue names: 100,000 events and 100,000 citations, 1,000 errors spread through them
    descriptor = generate(tmp_path_factory.mktemp("synth") / "pkg", 100_000, errors=1000, injected=injected)
    return descriptor, injected


def test_every_injected_error_is_reported_where_it_was_put(corrupted):
    descriptor, injected = corrupted
    result = run_cli("validate", str(descriptor), "--format", "json")
    assert result.returncode == 1
    found = {(p["file"], p["line"], p["field"], p["rule"]) for p in json.loads(result.stdout)["problems"]}
    missing = [i for i in injected if tuple(i) not in found]
    assert not missing, missing[:10]


def test_ours_reports_everything_frictionless_reports(corrupted):
    """Differential test: each Frictionless error is also ours, at the same row and field."""
    descriptor, _ = corrupted
    frictionless = Path(sys.executable).parent / "frictionless"
    out = subprocess.run([str(frictionless), "validate", "--json", str(descriptor)], capture_output=True, text=True, timeout=600)
    report = json.loads(out.stdout)
    theirs = set()
    for task in report["tasks"]:
        for error in task["errors"]:
            if "rowNumber" in error:
                theirs.add((Path(task["place"]).name, error["rowNumber"], error.get("fieldName")))
    assert theirs, "the corrupted copy should make Frictionless report errors"
    ours = json.loads(run_cli("validate", str(descriptor), "--format", "json").stdout)["problems"]
    row_at = {name: _row_numbers(descriptor.parent / "datapackage" / name) for name in {t[0] for t in theirs}}
    # Frictionless counts rows (the header is row 1); we give lines, which differ after a cell with a line break
    mine = {(Path(p["file"]).name, row_at.get(Path(p["file"]).name, {}).get(p["line"]), p["field"]) for p in ours}
    mine |= {(file, row, None) for file, row, _ in mine}
    missing = sorted(t for t in theirs if t not in mine and (t[0], t[1], None) not in mine)
    assert not missing, missing[:10]


def _row_numbers(path: Path) -> dict[int, int]:
    """Line where each row starts -> its row number as Frictionless counts (header = 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        starts, end = {}, 0
        for number, _ in enumerate(reader, start=1):
            starts[end + 1] = number
            end = reader.line_num
    return starts


def test_benchmark_smoke(tmp_path: Path):
    with (ROOT / "datapackage" / "events.csv").open(encoding="utf-8", newline="") as handle:
        events = sum(1 for _ in csv.reader(handle)) - 1  # the grown shape is given in events: x1 is the package as committed
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--rows", "1000", "--errors", "40", "--runs", "1",
                             "--frictionless-rows", "1000", "--grown", str(events), str(2 * events)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "x floor" in result.stdout and "1,000 clean" in result.stdout
    assert result.stdout.count("40 errors injected, 40 of them reported") == 2, result.stdout  # both shapes
    assert f"{events} events (x1)" in result.stdout and "per-row cost, grown" in result.stdout
