"""A description claims no more than its citations support: every amount, percentage or
thousands-separated number it states is stated by a quote cited for the record, or for a record
linked to it by a foreign key (issue 13, item 7)."""

from __future__ import annotations

import csv

from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.quality import claimed_numbers, _supports
from conftest import find, read_rows, set_cell, validate_json, write_rows


def _set_description(package, table: str, record_id: str, text: str) -> int:
    return set_cell(package, table, record_id, "description", text)


def test_an_amount_no_citation_states_is_an_error_at_its_line_with_the_fix(package):
    line = _set_description(package, "events", "2025-08-05-amd-q2-2025-results",
                            "AMD reported its results; the MI308 control led to approximately $800 million of charges and $9.9 billion of lost sales.")
    code, report = validate_json(package)
    assert code == 1
    [problem] = find(report["problems"], "description-number", "datapackage/events.csv")
    assert problem["line"] == line and problem["field"] == "description"
    assert "'9.9 billion'" in problem["message"] and "2025-08-05-amd-q2-2025-results" in problem["message"]
    assert "Cite a quote that states it" in problem["hint"]


def test_a_number_stated_by_a_linked_figure_is_supported(package):
    """The event's own quotes do not state the $4.6 billion of H20 sales; the figure of that event does."""
    figures = list(csv.DictReader((package / "datapackage" / "financial_figures.csv").open(encoding="utf-8")))
    event = "2025-05-28-nvidia-q1-fy2026-results"
    assert any(f["event_id"] == event and float(f["value"]) == 4.6e9 for f in figures)
    _set_description(package, "events", event, "Nvidia sold $4.6 billion of H20 before the licence requirement.")
    code, report = validate_json(package)
    assert not find(report["problems"], "description-number"), report["problems"]
    path = package / "datapackage" / "financial_figures.csv"
    header, rows, _ = read_rows(path)
    for row in rows:
        if row[header.index("event_id")] == event:
            row[header.index("event_id")] = ""
    write_rows(path, header, rows)
    code, report = validate_json(package)
    assert [p["message"] for p in find(report["problems"], "description-number")] == [
        f"description of events record {event} states '4.6 billion', which no quote cited for the record (or for a record linked to it) states"]


def test_names_years_and_small_numbers_are_not_claims():
    assert claimed_numbers("Huawei's Ascend 910B and Intel's HL-225B, shown in 2025 at 3 events with 8 GPUs") == ()


def test_amounts_percentages_and_ranges_are_read_in_base_units():
    claims = claimed_numbers("a $2-5 billion range, 15% of revenue, 14,592 cores and 1.038 billion yuan")
    assert [(w, v) for w, v, _ in claims] == [("2 billion", 2e9), ("5 billion", 5e9), ("15%", 15.0), ("14,592", 14592.0), ("1.038 billion", 1.038e9)]


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=9), st.integers(min_value=-40, max_value=40))
def test_a_quote_in_another_form_supports_the_same_amount(whole, tenth, offset):
    """'$4.6 billion' is supported by '$4.6 billion', and by a table in millions whose cell it
    rounds (4,612 or 4,577); not by another amount."""
    [(written, value, bare)] = claimed_numbers(f"a charge of ${whole}.{tenth} billion")
    cell = whole * 1000 + tenth * 100 + offset
    assert _supports(f"charges of ${whole}.{tenth} billion", "", written, value, bare)
    assert _supports(f"Charge | {cell:,}", "table, $ in millions", written, value, bare)
    assert not _supports(f"Charge | {cell + 100:,}", "table, $ in millions", written, value, bare)
    assert not _supports(f"a charge of ${whole + 1}.{tenth} billion", "", written, value, bare)
