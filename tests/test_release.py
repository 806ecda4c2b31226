"""Releases: complete, byte-for-byte reproducible, verifiable, comparable and citable."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, digest, read_rows, run_cli, write_rows

EPOCH = "1764374400"  # 2025-11-29T00:00:00Z


def _build(folder: Path, **env) -> subprocess.CompletedProcess:
    return run_cli("build", str(folder / "datapackage.json"), env={"SOURCE_DATE_EPOCH": EPOCH, **env})


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    folder = copy_project(tmp_path_factory.mktemp("rel") / "pkg")
    result = _build(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "dist"


def _version() -> str:
    return json.loads((ROOT / "datapackage.json").read_text())["version"]


def test_release_contents(release: Path):
    base = release / f"ai-chip-export-controls-{_version()}"
    descriptor = json.loads((base / "datapackage.json").read_text())
    assert descriptor["created"] == "2025-11-29T00:00:00Z"
    assert descriptor["licenses"] and descriptor["sources"]
    for resource in descriptor["resources"]:
        assert resource["hash"].startswith("sha256:") and resource["bytes"] == (base / resource["path"]).stat().st_size
        assert (base / "parquet" / f"{resource['name']}.parquet").is_file()
    assert (release / f"ai-chip-export-controls-{_version()}.zip").is_file()
    assert (release / "SHA256SUMS").read_text().endswith(f"ai-chip-export-controls-{_version()}.zip\n")
    assert not [p for p in release.iterdir() if p.name.startswith(".")], "no staging leftovers"


def test_two_builds_on_different_machines_are_identical(tmp_path: Path):
    """Different folders, time zones, umasks and seconds apart: the same bytes in every file."""
    first = copy_project(tmp_path / "one")
    second = copy_project(tmp_path / "two")
    assert _build(first, TZ="UTC").returncode == 0
    old_umask = os.umask(0o077)
    try:
        assert _build(second, TZ="Asia/Kolkata", LC_ALL="C").returncode == 0
    finally:
        os.umask(old_umask)
    assert digest(first / "dist") == digest(second / "dist")


def test_parquet_keeps_the_schema_types(release: Path):
    import pyarrow.parquet as pq

    base = release / f"ai-chip-export-controls-{_version()}" / "parquet"
    events = pq.read_table(base / "events.parquet")
    assert str(events.schema.field("date").type) == "date32[day]"
    assert events.schema.field("date").metadata[b"description"].startswith(b"Date of the event")
    chips = pq.read_table(base / "chips.parquet")
    assert str(chips.schema.field("china_specific").type) == "bool"
    assert str(chips.schema.field("die_area_mm2").type) == "double"
    criteria = pq.read_table(base / "rule_criteria.parquet")
    assert str(criteria.schema.field("group").type) == "int64"


def test_sqlite_has_keys_and_metadata(release: Path):
    db = sqlite3.connect(release / f"ai-chip-export-controls-{_version()}" / "ai-chip-export-controls.sqlite")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT value FROM _metadata WHERE table_name = '' AND key = 'version'").fetchone() == (_version(),)
    schema = db.execute("SELECT sql FROM sqlite_master WHERE name = 'financial_figures'").fetchone()[0]
    assert "PRIMARY KEY" in schema and "REFERENCES \"companies\"" in schema
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert any(name.startswith("idx_financial_figures_fk") for name in indexes)
    na = db.execute("SELECT COUNT(*) FROM events WHERE title IS NULL").fetchone()[0]
    assert na == 0


def test_verify_accepts_the_release_and_catches_a_flipped_byte(release: Path, tmp_path: Path):
    zip_path = release / f"ai-chip-export-controls-{_version()}.zip"
    assert run_cli("verify", str(zip_path)).returncode == 0
    folder = tmp_path / "copy"
    shutil.copytree(release / f"ai-chip-export-controls-{_version()}", folder)
    assert run_cli("verify", str(folder)).returncode == 0
    target = folder / "datapackage" / "events.csv"
    data = bytearray(target.read_bytes())
    data[200] ^= 0x01
    target.write_bytes(bytes(data))
    result = run_cli("verify", str(folder))
    assert result.returncode == 1 and "events.csv" in result.stdout and "checksum" in result.stdout
    damaged_zip = tmp_path / "damaged.zip"
    raw = bytearray(zip_path.read_bytes())
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo(f"ai-chip-export-controls-{_version()}/datapackage/events.csv")
    raw[info.header_offset + 30 + len(info.filename) + 10] ^= 0xFF  # inside the compressed data
    damaged_zip.write_bytes(bytes(raw))
    assert run_cli("verify", str(damaged_zip)).returncode in (1,)


@pytest.mark.parametrize("entry,link", [("../evil.txt", False), ("/abs/evil.txt", False), ("rel/link", True)])
def test_verify_refuses_archives_that_escape(tmp_path: Path, entry: str, link: bool):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        info = zipfile.ZipInfo(entry)
        if link:
            info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd" if link else "x")
    result = run_cli("verify", str(bad))
    assert result.returncode == 1 and "unsafe-archive" in result.stdout
    assert not (tmp_path.parent / "evil.txt").exists()


def test_diff_lists_exactly_the_changes(release: Path, tmp_path: Path):
    old = release / f"ai-chip-export-controls-{_version()}"
    new = tmp_path / "new"
    shutil.copytree(old, new)
    path = new / "datapackage" / "companies.csv"
    header, rows, _ = read_rows(path)
    name_col = header.index("name")
    changed_key = rows[0][0]
    old_name = rows[0][name_col]
    rows[0][name_col] = old_name + " (renamed)"
    removed_key = rows[1][0]
    added = list(rows[-1])
    added[0] = "zz-new-company"
    write_rows(path, header, [rows[0]] + rows[2:] + [added])
    result = run_cli("diff", str(old), str(new), "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert list(report["tables"]) == ["companies"]
    entry = report["tables"]["companies"]
    assert entry["rows_added"] == ["zz-new-company"] and entry["rows_removed"] == [removed_key]
    assert entry["rows_changed"] == {changed_key: {"name": [old_name, old_name + " (renamed)"]}}
    assert report["suggested_bump"] == "minor"
    markdown = run_cli("diff", str(old), str(new)).stdout
    assert "| `" + changed_key + "` | `name` |" in markdown and "Suggested version bump: **minor**" in markdown


def test_diff_sees_schema_changes(release: Path, tmp_path: Path):
    old = release / f"ai-chip-export-controls-{_version()}"
    new = tmp_path / "new"
    shutil.copytree(old, new)
    schema_path = new / "schemas" / "chips.schema.json"
    schema = json.loads(schema_path.read_text())
    next(f for f in schema["fields"] if f["name"] == "tdp_w")["type"] = "integer"
    schema_path.write_text(json.dumps(schema))
    report = json.loads(run_cli("diff", str(old), str(new), "--format", "json").stdout)
    assert report["tables"]["chips"]["fields_retyped"] == {"tdp_w": ["number", "integer"]}
    assert report["suggested_bump"] == "major"


def test_unwritable_dist_is_a_clear_error(tmp_path: Path):
    folder = copy_project(tmp_path / "ro")
    (folder / "dist").write_text("not a folder")  # root ignores permission bits, so block the path itself
    result = _build(folder)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "dist" in result.stderr
    assert (folder / "dist").read_text() == "not a folder"


def _limit_file_size():  # runs in the child: a "full disk" at 200 kB
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_full_disk_keeps_the_previous_release(tmp_path: Path):
    folder = copy_project(tmp_path / "full")
    assert _build(folder).returncode == 0
    before = digest(folder / "dist")
    (folder / "datapackage.json").write_text((folder / "datapackage.json").read_text())
    result = subprocess.run([sys.executable, "-m", "chipcontrols", "build", str(folder / "datapackage.json")], capture_output=True, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1764460800"}, preexec_fn=_limit_file_size, timeout=300)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "previous release" in result.stderr
    assert digest(folder / "dist") == before
    assert not [p for p in (folder / "dist").iterdir() if p.name.startswith(".")]


def test_no_timestamp_without_git_or_source_date_epoch(tmp_path: Path):
    folder = copy_project(tmp_path / "nogit")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, "-m", "chipcontrols", "build", str(folder / "datapackage.json")], cwd=tmp_path,
                            env={**env, "GIT_CEILING_DIRECTORIES": str(tmp_path)}, capture_output=True, text=True)
    assert result.returncode == 2 and "SOURCE_DATE_EPOCH" in result.stderr


def test_readme_snippets_run_against_the_release(release: Path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use the data", 1)[1].split("\n## ", 1)[0]
    snippets = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(snippets) == 3
    base = release / f"ai-chip-export-controls-{_version()}"
    for code in snippets:
        result = subprocess.run([sys.executable, "-c", code], cwd=base, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, code + result.stderr


def test_citation_cff_is_valid_and_agrees_with_the_descriptor():
    import jsonschema
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json").read_text(encoding="utf-8"))
    cff_json = json.loads(json.dumps(cff, default=str))
    jsonschema.validate(cff_json, schema)
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert str(cff["version"]) == descriptor["version"], "set CITATION.cff's version to datapackage.json's"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    latest = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", changelog, flags=re.M)
    assert latest and latest.group(1) == descriptor["version"], "add a CHANGELOG.md entry for the current version"
    assert str(cff["date-released"]) == latest.group(2), "CITATION.cff's date-released must be the CHANGELOG date of this version"
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["version"] == descriptor["version"] and zenodo["publication_date"] == latest.group(2)


@pytest.mark.parametrize("style,expected", [("bibtex", "@misc{ai_chip_export_controls_"), ("apa", "[Data set]"), ("cff", "cff-version: 1.2.0")])
def test_cite(style, expected):
    result = run_cli("cite", str(ROOT / "datapackage.json"), "--format", style)
    assert result.returncode == 0 and expected in result.stdout and _version() in result.stdout


def test_missing_release_paths_are_usage_errors(tmp_path: Path):
    for args in (("verify", str(tmp_path / "none.zip")), ("diff", str(tmp_path / "a"), str(tmp_path / "b"))):
        result = run_cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr and "internal error" not in result.stderr
