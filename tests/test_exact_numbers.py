"""Figures store exact numbers in base units, and every quote cited for a value states it (end to end)."""

from __future__ import annotations

from conftest import find, read_rows, set_cell, validate_json, write_rows


def _set_value(package, figure_id: str, value: str) -> int:
    return set_cell(package, "financial_figures", figure_id, "value", value)


def test_5_5_usd_against_5_5_billion_fails_with_the_value_to_write(package):
    line = _set_value(package, "nvidia-fy2026-q1-h20-charge-expected", "5.5")
    code, report = validate_json(package)
    assert code == 1
    [problem] = [p for p in find(report["problems"], "quote-value-scale", "datapackage/financial_figures.csv") if p["line"] == line]
    assert problem["field"] == "value" and "5.5 billion" in problem["message"]
    assert "5500000000" in problem["hint"]


def test_a_rounded_value_where_the_table_gives_the_exact_number_fails(package):
    line = _set_value(package, "nvidia-fy2026-q3-data-center-revenue", "51200000000")
    code, report = validate_json(package)
    assert code == 1
    [problem] = [p for p in find(report["problems"], "quote-value-rounded") if p["line"] == line]
    assert "51215000000" in problem["hint"]


def test_a_whole_record_citation_must_state_the_value(package):
    path = package / "datapackage" / "citations.csv"
    header, rows, _ = read_rows(path)
    rows.append(["financial_figures", "nvidia-fy2026-q1-h20-charge-expected", "cnbc-2025-04-15-nvidia-h20-charge", "",
                 "Nvidia said on Tuesday that it will take a quarterly charge", "paragraph 1"])
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[4]))
    write_rows(path, header, rows)
    _, rows, lines = read_rows(path)
    line = next(l for r, l in zip(rows, lines) if r[4] == "Nvidia said on Tuesday that it will take a quarterly charge")
    code, report = validate_json(package)
    assert code == 1
    [problem] = find(report["problems"], "quote-value-citation", "datapackage/citations.csv")
    assert problem["line"] == line and problem["field"] == "quote"
