"""Differential test: on corrupted copies of the real package, every error Frictionless reports
is reported by chipcontrols at the same file, row and field. Intended differences are listed
here and in docs/methodology.md ("Differences from Frictionless")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import read_rows, run_cli, write_rows

# Frictionless error types we deliberately do not mirror, with why.
ALLOWED = {
    "hash-count": "release hashes are checked by `chipcontrols verify`, not by validate",
}

CORRUPTIONS = {
    "type": [("events", 0, "date", "2025-02-30"), ("financial_figures", 1, "value", "5.5 billion")],
    "constraint": [("events", 2, "event_type", "licence_requirement"), ("companies", 3, "country", ""), ("sources", 4, "url", "http://x.org")],
    "keys": [("event_companies", 0, "company_id", "no-such-company"), ("chips", 1, "vendor_id", "nobody")],
    "mixed": [("events", 5, "status", "rumoured"), ("chips", 2, "tdp_w", "-1"), ("citations", 3, "source_id", "missing-source")],
}


def _frictionless(descriptor: Path) -> set[tuple[str, int, str | None]]:
    frictionless = Path(sys.executable).parent / "frictionless"
    out = subprocess.run([str(frictionless), "validate", "--json", str(descriptor)], capture_output=True, text=True, timeout=600)
    found = set()
    for task in json.loads(out.stdout)["tasks"]:
        for error in task["errors"]:
            if error["type"] in ALLOWED:
                continue
            assert "rowNumber" in error, f"unexpected Frictionless error without a row: {error['type']}: {error.get('note')}"
            found.add((Path(task["place"]).name, error["rowNumber"], error.get("fieldName")))
    return found


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_frictionless_findings_are_ours(package: Path, name: str):
    for table, row, column, value in CORRUPTIONS[name]:
        path = package / "datapackage" / f"{table}.csv"
        header, rows, _ = read_rows(path)
        rows[row][header.index(column)] = value
        write_rows(path, header, rows)
    theirs = _frictionless(package / "datapackage.json")
    assert theirs, "the corruption should make Frictionless report something"
    ours = json.loads(run_cli("validate", str(package / "datapackage.json"), "--format", "json").stdout)["problems"]
    at = {(Path(p["file"]).name, p["line"], p["field"]) for p in ours} | {(Path(p["file"]).name, p["line"], None) for p in ours}
    missing = sorted(t for t in theirs if t not in at and (t[0], t[1], None) not in at)
    assert not missing, missing
