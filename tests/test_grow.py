"""The benchmark's real shape (benchmarks/grow.py): the committed package grown k-fold must stay
a valid package with the same findings, or the benchmark would time error reporting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from grow import grow  # noqa: E402


def _validate(descriptor: Path) -> list[tuple[str, str]]:
    out = subprocess.run([sys.executable, "-m", "chipcontrols", "validate", str(descriptor), "--format", "json"],
                         capture_output=True, text=True, timeout=300)
    return sorted((p["rule"], p["severity"]) for p in json.loads(out.stdout)["problems"])


def test_one_copy_is_the_committed_package(tmp_path: Path):
    descriptor = grow(tmp_path / "x1", 1)
    for path in (ROOT / "datapackage").glob("*.csv"):
        assert (descriptor.parent / "datapackage" / path.name).read_bytes() == path.read_bytes(), path.name


def test_grown_package_is_as_valid_as_the_committed_one(tmp_path: Path):
    descriptor = grow(tmp_path / "x3", 3)
    events = (descriptor.parent / "datapackage" / "events.csv").read_text(encoding="utf-8")
    assert "-copy00002" in events
    grown, committed = _validate(descriptor), _validate(ROOT / "datapackage.json")
    assert set(grown) == set(committed)  # the same kinds of finding (a waived event's copies are waived too, so warnings multiply)
    assert [p for p in grown if p[1] == "error"] == [p for p in committed if p[1] == "error"] == []


def test_injected_errors_are_listed_at_their_lines(tmp_path: Path):
    injected: list = []
    descriptor = grow(tmp_path / "errors", 2, errors=16, injected=injected)
    out = subprocess.run([sys.executable, "-m", "chipcontrols", "validate", str(descriptor), "--format", "json"],
                         capture_output=True, text=True, timeout=300)
    found = {(p["file"], p["line"], p["field"], p["rule"]) for p in json.loads(out.stdout)["problems"]}
    assert len(injected) == 16
    assert [i for i in injected if tuple(i) not in found] == []
