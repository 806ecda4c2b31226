"""End to end: break a copy of the package in one way, run the CLI, and check that the error is
reported at the right file, line and column, with exit code 1 and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import find, read_rows, run_cli, validate_json, write_rows


def _set_cell(package: Path, table: str, row_index: int, column: str, value: str) -> tuple[int, int]:
    """Set one cell; returns (line, column number) where the error should be reported."""
    path = package / "datapackage" / f"{table}.csv"
    header, rows, lines = read_rows(path)
    rows[row_index][header.index(column)] = value
    write_rows(path, header, rows)
    _, _, lines = read_rows(path)
    return lines[row_index], header.index(column) + 1


CELL_CASES = [
    # table, column, bad value, expected rule
    ("events", "event_type", "licence_requirement", "enum"),
    ("events", "date", "2025-02-30", "type"),
    ("events", "date", "04/15/2025", "type"),
    ("events", "date", "2027-01-01", "future-date"),
    ("events", "date", "2024-01-01", "event-id-date"),
    ("events", "title", "", "required"),
    ("events", "country", "XX", "enum"),
    ("companies", "wikidata_id", "182477", "pattern"),
    ("companies", "ticker", "nasdaq nvda", "pattern"),
    ("sources", "url", "javascript:alert(1)", "pattern"),
    ("sources", "url", "http://example.com/page", "pattern"),
    ("financial_figures", "value", "5.5 billion", "type"),
    ("financial_figures", "value", "5,500,000,000", "type"),
    ("financial_figures", "value", "NaN", "type"),
    ("financial_figures", "value", "1e999", "type"),
    ("financial_figures", "unit", "dollars", "enum"),
    ("financial_figures", "fiscal_period", "Q1 FY2026", "pattern"),
    ("financial_figures", "company_id", "no-such-company", "foreign-key"),
    ("events", "superseded_by", "2099-01-01-nothing-here", "foreign-key"),
]


@pytest.mark.parametrize("table,column,value,rule", CELL_CASES, ids=[f"{c[0]}.{c[1]}={c[2]!r}" for c in CELL_CASES])
def test_bad_cell_is_reported_at_its_line_and_column(package: Path, table, column, value, rule):
    line, col = _set_cell(package, table, 0, column, value)
    code, report = validate_json(package)
    assert code == 1
    hits = [p for p in find(report["problems"], rule, f"datapackage/{table}.csv") if p["line"] == line]
    assert hits, f"expected {rule} at line {line}; got {[(p['rule'], p['file'], p['line']) for p in report['problems']][:10]}"
    assert hits[0]["column"] == col
    assert hits[0]["field"] == column
    assert hits[0]["value"] == value
    assert hits[0]["hint"]


def test_missing_value_na_is_a_value_not_missing(package: Path):
    """`NA` is Namibia's code and must not be read as a missing cell."""
    line, col = _set_cell(package, "companies", 0, "country", "NA")
    code, report = validate_json(package)
    assert not [p for p in report["problems"] if p["line"] == line and p["file"] == "datapackage/companies.csv" and p["field"] == "country"]


def test_duplicate_primary_key(package: Path):
    path = package / "datapackage" / "events.csv"
    header, rows, _ = read_rows(path)
    write_rows(path, header, rows + [rows[-1]])
    _, _, lines = read_rows(path)
    code, report = validate_json(package)
    assert code == 1
    hits = find(report["problems"], "unique", "datapackage/events.csv")
    assert [(p["line"], p["column"]) for p in hits] == [(lines[-1], 1)]


def test_rows_out_of_order(package: Path):
    path = package / "datapackage" / "companies.csv"
    header, rows, _ = read_rows(path)
    rows[0], rows[1] = rows[1], rows[0]
    write_rows(path, header, rows)
    _, _, lines = read_rows(path)
    code, report = validate_json(package)
    assert code == 1
    hits = find(report["problems"], "sort-order", "datapackage/companies.csv")
    assert hits and hits[0]["line"] == lines[1]


def test_record_without_citation(package: Path):
    path = package / "datapackage" / "events.csv"
    header, rows, _ = read_rows(path)
    new = list(rows[-1])
    new[0] = "2026-11-28-zz-uncited-event"
    new[1] = "2026-11-28"
    write_rows(path, header, rows + [new])
    _, _, lines = read_rows(path)
    code, report = validate_json(package)
    assert code == 1
    hits = find(report["problems"], "citation-missing", "datapackage/events.csv")
    assert [(p["line"], p["value"]) for p in hits] == [(lines[-1], "2026-11-28-zz-uncited-event")]


def test_citation_of_unknown_record(package: Path):
    line, col = _set_cell(package, "citations", 0, "record_id", "no-such-record")
    code, report = validate_json(package)
    assert code == 1
    hits = [p for p in find(report["problems"], "record-reference") if p["line"] == line]
    assert hits and hits[0]["column"] == col


def test_citation_of_unknown_column(package: Path):
    line, col = _set_cell(package, "citations", 0, "field", "no_such_column")
    code, report = validate_json(package)
    hits = [p for p in find(report["problems"], "field-reference") if p["line"] == line]
    assert code == 1 and hits and hits[0]["column"] == col


def test_wrong_header(package: Path):
    path = package / "datapackage" / "chips.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("vendor_id", "vendor", 1), encoding="utf-8")
    code, report = validate_json(package)
    hits = find(report["problems"], "header", "datapackage/chips.csv")
    assert code == 1 and hits
    assert hits[0]["line"] == 1 and hits[0]["column"] == 3 and hits[0]["value"] == "vendor"


def test_row_with_extra_cell(package: Path):
    path = package / "datapackage" / "companies.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3] + ",surplus"
    path.write_text("\n".join(lines), encoding="utf-8")
    code, report = validate_json(package)
    hits = find(report["problems"], "row-length", "datapackage/companies.csv")
    assert code == 1 and [p["line"] for p in hits] == [4]


def _insert_at_end_of_line(data: bytes, line: int, extra: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[line - 1] += extra
    return b"\n".join(lines)


@pytest.mark.parametrize("damage,rule,line", [
    (lambda b: b"\xef\xbb\xbf" + b, "bom", 1),
    (lambda b: b.replace(b"\n", b"\r\n"), "line-endings", 1),
    (lambda b: _insert_at_end_of_line(b, 2, b"\xe9"), "encoding", 2),
    (lambda b: b"", "empty-file", 1),
])
def test_file_level_damage(package: Path, damage, rule, line):
    path = package / "datapackage" / "companies.csv"
    path.write_bytes(damage(path.read_bytes()))
    code, report = validate_json(package)
    hits = find(report["problems"], rule, "datapackage/companies.csv")
    assert code == 1 and hits and hits[0]["line"] == line


def test_invalid_descriptor_json_reports_line_and_column(package: Path):
    path = package / "datapackage.json"
    text = path.read_text(encoding="utf-8").replace('"version": "', '"version" "', 1)
    path.write_text(text, encoding="utf-8")
    expected_line = text[: text.index('"version" "')].count("\n") + 1
    code, report = validate_json(package)
    assert code == 1
    assert [(p["rule"], p["line"]) for p in report["problems"]] == [("json-syntax", expected_line)]


@pytest.mark.parametrize("bad_path", ["../outside.csv", "/etc/passwd", "https://example.com/events.csv", "datapackage/../../x.csv"])
def test_resource_path_outside_the_package_is_refused(package: Path, bad_path: str):
    import json

    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = bad_path
    (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    code, report = validate_json(package)
    assert code == 1
    assert {p["rule"] for p in report["problems"]} <= {"unsafe-path", "descriptor"}
    assert find(report["problems"], "unsafe-path") or find(report["problems"], "descriptor")


def test_version_must_be_semver(package: Path):
    import json

    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = "one"
    text = json.dumps(descriptor, indent=2)
    (package / "datapackage.json").write_text(text, encoding="utf-8")
    line = text[: text.index('"version"')].count("\n") + 1
    code, report = validate_json(package)
    hits = find(report["problems"], "descriptor")
    assert code == 1 and hits and hits[0]["line"] == line and "/version" in hits[0]["message"]


def test_all_problems_in_one_run(package: Path):
    _set_cell(package, "events", 0, "event_type", "nope")
    _set_cell(package, "companies", 0, "country", "XX")
    _set_cell(package, "financial_figures", 0, "value", "lots")
    code, report = validate_json(package)
    rules = {(p["file"], p["rule"]) for p in report["problems"]}
    assert {("datapackage/events.csv", "enum"), ("datapackage/companies.csv", "enum"), ("datapackage/financial_figures.csv", "type")} <= rules


def test_text_output_is_compiler_style_without_traceback(package: Path):
    line, col = _set_cell(package, "events", 0, "event_type", "nope")
    result = run_cli("validate", str(package / "datapackage.json"))
    assert result.returncode == 1
    assert f"datapackage/events.csv:{line}:{col}" in result.stdout
    assert "hint:" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_github_annotations(package: Path):
    line, col = _set_cell(package, "events", 0, "event_type", "nope")
    result = run_cli("validate", str(package / "datapackage.json"), env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert f"::error file=datapackage/events.csv,line={line},col={col},title=error[enum]::" in result.stdout


def test_usage_errors_exit_2(tmp_path: Path):
    assert run_cli("validate", str(tmp_path / "nope.json")).returncode == 2
    assert run_cli("no-such-command").returncode == 2
