"""Shared fixtures: the real package's location and throw-away copies of it to break."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
import csv as _csv_module

_csv_module.field_size_limit(64 * 1024 * 1024)
os.environ.setdefault("CHIPCONTROLS_TODAY", "2026-12-06")  # a fixed "today" (no earlier than the newest accessed_date) keeps future-date tests stable


def copy_package(target: Path) -> Path:
    for name in ("datapackage.json", "CHANGELOG.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)
    for folder in ("schemas", "datapackage"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


PROJECT_FILES = ("README.md", "CITATION.cff", "LICENSE", "CONTRIBUTING.md", "mkdocs.yml")


def copy_project(target: Path, docs: bool = False) -> Path:
    """A copy of the package plus what build and docs read (README, citation, licence; docs sources)."""
    import shutil as _shutil

    target.mkdir(parents=True, exist_ok=True)
    copy_package(target)
    for name in PROJECT_FILES:
        _shutil.copy2(ROOT / name, target / name)
    if docs:
        _shutil.copytree(ROOT / "docs", target / "docs")
    return target


def digest(folder: Path) -> dict:
    """sha256 of every regular file below folder, by relative path."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A fresh copy of the real package; tests corrupt this, never the real files."""
    target = tmp_path / "package"
    target.mkdir()
    return copy_package(target)


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed CLI in a subprocess, as a contributor would."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None) if env is None or "GITHUB_ACTIONS" not in env else None
    return subprocess.run([sys.executable, "-m", "chipcontrols", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300)


def validate_json(package_dir: Path) -> tuple[int, dict]:
    result = run_cli("validate", str(package_dir / "datapackage.json"), "--format", "json")
    assert_no_traceback(result)
    return result.returncode, json.loads(result.stdout)


def read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows and each row's starting line, read with the csv module."""
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows, lines, end = [], [], reader.line_num
        for row in reader:
            rows.append(row)
            lines.append(end + 1)
            end = reader.line_num
    return header, rows, lines


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def set_cell(package_dir: Path, table: str, record_id: str, column: str, value: str) -> int:
    """Set one cell of the row whose first column is `record_id` in a copy of the package; returns
    the line the row starts on (as validate reports it)."""
    path = package_dir / "datapackage" / f"{table}.csv"
    header, rows, lines = read_rows(path)
    for row, line in zip(rows, lines):
        if row[0] == record_id:
            row[header.index(column)] = value
            write_rows(path, header, rows)
            return line
    raise AssertionError(f"no {table} record {record_id}")


def find(problems: list[dict], rule: str, file: str | None = None) -> list[dict]:
    return [p for p in problems if p["rule"] == rule and (file is None or p["file"] == file)]


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    """Nothing a contributor reads may contain Python's traceback text, from any source."""
    output = result.stdout + result.stderr
    for marker in ("Traceback (most recent call last)", "Exception ignored", 'File "'):
        assert marker not in output, f"{marker!r} in the output:\n{output[:3000]}"


# ---------------------------------------------------------------- skips
# `-rs` (pyproject.toml) lists every skipped test with its reason. Where everything must run (the
# GitHub workflow sets CHIPCONTROLS_NO_SKIPS=1, and provides Chromium), a skip fails the run.
_skipped: list[str] = []


def pytest_runtest_logreport(report) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:
    if os.environ.get("CHIPCONTROLS_NO_SKIPS") == "1" and _skipped:
        terminalreporter.write_line(f"CHIPCONTROLS_NO_SKIPS=1: {len(_skipped)} test(s) skipped, and this run requires every test to run "
                                    "(see the reasons above)", red=True)


def pytest_sessionfinish(session, exitstatus) -> None:
    if os.environ.get("CHIPCONTROLS_NO_SKIPS") == "1" and _skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
