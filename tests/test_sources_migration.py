"""The sources migration (0.1 -> 0.2 layout) applies the reviewed mapping and sidecars, and refuses to guess."""

from __future__ import annotations

from pathlib import Path

from chipcontrols.migrations.sources_v2 import main
from conftest import ROOT, read_rows, write_rows

OLD = ["source_id", "title", "publisher", "source_type", "url", "published_date", "accessed_date", "archive_url", "language"]
SCHEMA = ROOT / "schemas" / "sources.schema.json"


def _setup(tmp_path: Path, ids: list[str]) -> Path:
    sources = tmp_path / "sources.csv"
    write_rows(sources, OLD, [[i, "T", "Reuters (via X)", "news", f"https://x.example/{i}", "", "2026-11-29", "", "en"] for i in ids])
    write_rows(tmp_path / "map.csv", ["source_id", "publisher", "author", "original_url", "copy_relation", "caveat"],
               [["a", "Reuters", "", "", "republished", "scraper"]])
    write_rows(tmp_path / "sidecar.csv", ["table", "record_id", "column", "value"],
               [["sources", "b", "copy_relation", "syndicated"], ["sources", "b", "publisher", "Reuters"], ["events", "b", "rule_id", "x"]])
    return sources


def test_migrates_with_mapping_and_sidecar_and_is_rerunnable(tmp_path):
    sources = _setup(tmp_path, ["a", "b"])
    args = [str(sources), str(tmp_path / "map.csv"), "--sidecar", str(tmp_path / "sidecar.csv"), "--schema", str(SCHEMA)]
    assert main(args) == 0
    header, rows, _ = read_rows(sources)
    assert header[:4] == ["source_id", "title", "author", "publisher"] and "copy_relation" in header and "publisher" in header
    by_id = {r[0]: dict(zip(header, r)) for r in rows}
    assert by_id["a"]["copy_relation"] == "republished" and by_id["a"]["caveat"] == "scraper" and by_id["a"]["publisher"] == "Reuters"
    assert by_id["b"]["copy_relation"] == "syndicated" and by_id["b"]["caveat"] == "" and by_id["b"]["url"] == "https://x.example/b"
    before = sources.read_bytes()
    assert main(args) == 0  # already migrated rows pass through unchanged
    assert sources.read_bytes() == before


def test_refuses_to_guess_a_relation(tmp_path, capsys):
    sources = _setup(tmp_path, ["a", "c"])
    before = sources.read_bytes()
    assert main([str(sources), str(tmp_path / "map.csv"), "--schema", str(SCHEMA)]) == 1
    assert "c" in capsys.readouterr().err.split()
    assert sources.read_bytes() == before
