"""The catalogue of broken and hostile contributions. Each case breaks a copy of the package one
way; validate must exit 1 (bad data) or 2 (bad invocation), name the file and line, never show a
traceback, and never change, create or delete a file in the package."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, assert_no_traceback, copy_package, copy_project, digest, read_rows, run_cli, write_rows


def _check(package: Path, rule: str, file: str, line: int | None = None, code: int = 1) -> list[dict]:
    before = digest(package)
    result = run_cli("validate", str(package / "datapackage.json"), "--format", "json")
    assert_no_traceback(result)
    assert result.returncode == code, result.stdout[:2000] + result.stderr
    assert digest(package) == before, "validate changed the package"
    problems = json.loads(result.stdout)["problems"]
    hits = [p for p in problems if p["rule"] == rule and p["file"] == file and (line is None or p["line"] == line)]
    assert hits, f"no {rule} in {file} at line {line}: {[(p['rule'], p['file'], p['line']) for p in problems][:12]}"
    return hits


def _csv(package: Path, table: str) -> Path:
    return package / "datapackage" / f"{table}.csv"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _set(package: Path, table: str, row: int, column: str, value: str) -> int:
    path = _csv(package, table)
    header, rows, _ = read_rows(path)
    rows[row][header.index(column)] = value
    write_rows(path, header, rows)
    return read_rows(path)[2][row]


# ---------------------------------------------------------------- CSV shape
def test_too_few_cells(package):
    path = _csv(package, "companies")
    header, rows, lines = read_rows(path)
    rows[1] = rows[1][:-2]
    write_rows(path, header, rows)
    _check(package, "row-length", "datapackage/companies.csv", lines[1])


@pytest.mark.parametrize("start, rule", [(b"", "empty-file"), (b"\n", "blank-header"), (b"\n\x80\r", "blank-header")])
def test_no_header_says_what_line_1_should_read(package, start, rule):
    path = _csv(package, "companies")
    path.write_bytes(start + (path.read_bytes() if start else b""))
    [hit] = _check(package, rule, "datapackage/companies.csv", 1)
    names = [f["name"] for f in json.loads((package / "schemas" / "companies.schema.json").read_text())["fields"]]
    assert hit["hint"].endswith(": " + ",".join(names) + "."), hit["hint"]


def test_unclosed_quote(package):
    path = _csv(package, "companies")
    path.write_text(path.read_text(encoding="utf-8") + 'zz-open,"never closed\n', encoding="utf-8")
    _check(package, "csv-syntax", "datapackage/companies.csv")
    result = json.loads(run_cli("validate", str(package / "datapackage.json"), "--format", "json").stdout)
    assert not [p for p in result["problems"] if p["rule"] == "foreign-key"], "no cascade of errors against a table that could not be read"


def test_embedded_newlines_are_valid_and_keep_later_line_numbers(package):
    _set(package, "companies", 0, "description", "first line\nsecond line\nthird line")
    line = _set(package, "companies", 5, "country", "XX")
    hits = _check(package, "enum", "datapackage/companies.csv", line)
    assert line == 7 + 2  # two extra physical lines above it
    assert hits[0]["field"] == "country"


def test_nul_byte(package):
    path = _csv(package, "companies")
    lines = _lines(path)
    lines[3] = lines[3].replace(",", ",\x00", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    _check(package, "nul-byte", "datapackage/companies.csv", 4)


def test_header_only_table(package):
    path = _csv(package, "chips")
    path.write_text(_lines(path)[0] + "\n", encoding="utf-8")
    _check(package, "foreign-key", "datapackage/event_chips.csv")


@pytest.mark.parametrize("edit,detail", [(("ticker", "name"), "repeats"), (("name", "country", "swap"), "wrong order")])
def test_duplicated_or_reordered_header(package, edit, detail):
    path = _csv(package, "companies")
    lines = _lines(path)
    names = lines[0].split(",")
    if len(edit) == 3:
        i, j = names.index(edit[0]), names.index(edit[1])
        names[i], names[j] = names[j], names[i]
    else:
        names[names.index(edit[0])] = edit[1]
    lines[0] = ",".join(names)
    path.write_text("\n".join(lines), encoding="utf-8")
    hits = _check(package, "header", "datapackage/companies.csv", 1)
    assert any(detail in h["message"] for h in hits)


def test_one_megabyte_field(package):
    line = _set(package, "citations", 0, "quote", "x" * 1_000_000)
    hits = _check(package, "maxLength", "datapackage/citations.csv", line)
    assert len(hits[0]["message"]) < 300, "long values are shortened in messages"


def test_hundred_thousand_columns(package):
    path = _csv(package, "companies")
    path.write_text(path.read_text(encoding="utf-8") + "zz-wide" + "," * 100_000 + "\n", encoding="utf-8")
    started = time.monotonic()
    _check(package, "row-length", "datapackage/companies.csv")
    assert time.monotonic() - started < 60


# ---------------------------------------------------------------- values
@pytest.mark.parametrize("table,column,value,rule", [
    ("financial_figures", "value", "inf", "type"),
    ("financial_figures", "value", "-inf", "type"),
    ("chips", "tdp_w", "-5", "minimum"),
    ("financial_figures", "company_id", " nvidia", "pattern"),
    ("financial_figures", "company_id", "nvidia ", "pattern"),
    ("event_companies", "company_id", "Nvidia", "pattern"),
    ("event_companies", "company_id", "nvidi\u0430", "pattern"),  # Cyrillic а
    ("events", "title", "=HYPERLINK(\"https://evil.example\",\"x\")", "formula"),
    ("events", "title", "+cmd|' /C calc'!A0", "formula"),
    ("events", "title", "-2+3", "formula"),
    ("events", "title", "@SUM(A1:A2)", "formula"),
    ("sources", "url", "data:text/html,<script>alert(1)</script>", "pattern"),
    ("sources", "url", "file:///etc/passwd", "pattern"),
    ("sources", "url", "https://exa mple.com/a b", "pattern"),
])
def test_bad_values(package, table, column, value, rule):
    line = _set(package, table, 0, column, value)
    hits = _check(package, rule, f"datapackage/{table}.csv", line)
    assert hits[0]["field"] == column


def test_control_characters_are_made_visible(package):
    line = _set(package, "events", 0, "country", "U\x1bS")
    hits = _check(package, "enum", "datapackage/events.csv", line)
    assert "\\x1b" in hits[0]["message"] and "\x1b" not in hits[0]["message"]


# ---------------------------------------------------------------- descriptor
def _descriptor(package: Path) -> dict:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def _write_descriptor(package: Path, descriptor: dict) -> None:
    (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def test_symlink_out_of_the_package_is_refused(package, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("top,secret\n1,2\n")
    (package / "datapackage" / "link.csv").symlink_to(secret)
    descriptor = _descriptor(package)
    descriptor["resources"][0]["path"] = "datapackage/link.csv"
    _write_descriptor(package, descriptor)
    _check(package, "unsafe-path", "datapackage.json")


def test_schema_path_outside_is_refused(package):
    descriptor = _descriptor(package)
    descriptor["resources"][1]["schema"] = "../../etc/passwd"
    _write_descriptor(package, descriptor)
    result = run_cli("validate", str(package / "datapackage.json"), "--format", "json")
    assert result.returncode == 1 and {p["rule"] for p in json.loads(result.stdout)["problems"]} <= {"unsafe-path", "descriptor"}


def test_missing_data_file(package):
    _csv(package, "chips").unlink()
    _check(package, "file-missing", "datapackage.json")


def test_two_resources_with_one_name(package):
    descriptor = _descriptor(package)
    descriptor["resources"][1]["name"] = descriptor["resources"][0]["name"]
    _write_descriptor(package, descriptor)
    hits = _check(package, "descriptor", "datapackage.json")
    assert any("unique" in h["message"] for h in hits)


# ---------------------------------------------------------------- nothing executes
def test_no_code_path_evaluates_data():
    source = "\n".join(p.read_text() for p in (ROOT / "scripts").rglob("*.py"))
    assert not re.search(r"\beval\(|\bexec\(|\bpickle\b|yaml\.load\(|yaml\.unsafe_load|shell=True", source)


def test_python_in_a_cell_stays_text_everywhere(tmp_path):
    folder = copy_project(tmp_path / "pkg", docs=True)
    marker = tmp_path / "PWNED"
    payload = f"__import__('os').system('touch {marker}')"
    _set(folder, "events", 0, "description", payload)
    env = {"SOURCE_DATE_EPOCH": "1764374400"}
    assert run_cli("validate", str(folder / "datapackage.json")).returncode == 0
    assert run_cli("build", str(folder / "datapackage.json"), env=env).returncode == 0
    assert run_cli("docs", str(folder / "datapackage.json"), env=env).returncode == 0
    assert not marker.exists()
    timeline = (folder / "site" / "timeline" / "index.html").read_text()
    assert "__import__(&#39;os&#39;).system(&#39;touch" in timeline, "the payload is shown, escaped, as text"


# ---------------------------------------------------------------- fuzz
ROWS = read_rows(ROOT / "datapackage" / "companies.csv")


def _validate_in_process(package: Path) -> int:  # exit code; an internal error would be 2
    from chipcontrols.cli import main

    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(package / "datapackage.json"), "--format", "json"])
    assert "Traceback" not in err.getvalue() + out.getvalue() and "Exception ignored" not in err.getvalue()
    if code == 1:
        json.loads(out.getvalue())  # the report is always well-formed
    return code


@settings(max_examples=40, deadline=20_000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes(package_for_fuzz, data):
    _csv(package_for_fuzz, "companies").write_bytes(data)
    assert _validate_in_process(package_for_fuzz) in (0, 1)


@settings(max_examples=40, deadline=20_000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(ROWS[1]) - 1), st.integers(0, len(ROWS[0]) - 1),
                          st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)), min_size=1, max_size=6),
       st.sampled_from(["", "\r\n", ",", '"', "\n\n", "\x00"]))
def test_fuzz_mutated_rows(package_for_fuzz, edits, junk):
    header, rows = ROWS[0], [list(r) for r in ROWS[1]]
    for row, column, text in edits:
        rows[row][column] = text
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue()
    cut = len(data) // 2
    _csv(package_for_fuzz, "companies").write_text(data[:cut] + junk + data[cut:], encoding="utf-8")
    assert _validate_in_process(package_for_fuzz) in (0, 1)


@pytest.fixture(scope="module")
def package_for_fuzz(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    return copy_package(folder)


# ---------------------------------------------------------------- build faults
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.3, 1.8])
def test_killed_build_never_damages_the_release(tmp_path, delay):
    folder = copy_project(tmp_path / "pkg")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764374400"}
    command = [sys.executable, "-m", "chipcontrols", "build", str(folder / "datapackage.json")]
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    before = digest(folder / "dist")
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    finals = {k: v for k, v in digest(folder / "dist").items() if not k.startswith(".")}
    assert finals == before, "a final name holds a partial or changed release"
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    assert digest(folder / "dist") == before, "the next build recovers and leaves no leftovers"


# ---------------------------------------------------------------- broken schemas and descriptors
SCHEMA_VALUES = [None, 1, "x", [], {}, "integer", "date", "geopoint", "^(", {"required": True}, {"enum": []}, {"pattern": "(("},
                 {"minimum": "a"}, -5, ["a"], [{"fields": ["x"], "reference": {"resource": "nope", "fields": ["y"]}}],
                 {"table": "name", "id": "nope"}]
SCHEMA_KEYS = ["type", "constraints", "name", "format", "trueValues", "missingValues", "primaryKey", "foreignKeys",
               "x-recordReference", "x-bitLength", "x-allowFuture"]


@settings(max_examples=60, deadline=20_000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.integers(0, 10), st.data())
def test_fuzz_broken_schemas(package_for_fuzz, which, data):
    """Any mangled schema property is a reported problem (exit 1), never an internal error."""
    schemas = sorted((package_for_fuzz / "schemas").glob("*.schema.json"))
    path = schemas[which % len(schemas)]
    original = path.read_text(encoding="utf-8")
    schema = json.loads(original)
    key = data.draw(st.sampled_from(SCHEMA_KEYS))
    value = data.draw(st.sampled_from(SCHEMA_VALUES))
    if key in ("missingValues", "primaryKey", "foreignKeys", "x-recordReference"):
        schema[key] = value
    else:
        schema["fields"][data.draw(st.integers(0, len(schema["fields"]) - 1))][key] = value
    path.write_text(json.dumps(schema), encoding="utf-8")
    try:
        assert _validate_in_process(package_for_fuzz) in (0, 1)
    finally:
        path.write_text(original, encoding="utf-8")
