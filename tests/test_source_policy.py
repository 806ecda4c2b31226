"""The source policy: a record (or a figure's value, a chip's spec) resting only on caveated sources fails."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import find, read_rows, validate_json, write_rows


def _set_caveat(package: Path, source_ids: set[str], caveat: str) -> None:
    path = package / "datapackage" / "sources.csv"
    header, rows, _ = read_rows(path)
    column = header.index("caveat")
    for row in rows:
        if row[0] in source_ids:
            row[column] = caveat
    write_rows(path, header, rows)


def _sole_source_record(package: Path, table: str) -> tuple[str, str]:
    """A record of `table` cited by exactly one source, and that source."""
    header, rows, _ = read_rows(package / "datapackage" / "citations.csv")
    by_record: dict[str, set[str]] = {}
    for row in rows:
        if row[0] == table:
            by_record.setdefault(row[1], set()).add(row[2])
    record, sources = next((r, s) for r, s in sorted(by_record.items()) if len(s) == 1)
    return record, next(iter(sources))


def test_a_record_resting_only_on_an_ai_generated_source_fails(package):
    record, source = _sole_source_record(package, "events")
    _set_caveat(package, {source}, "ai_generated")
    code, report = validate_json(package)
    assert code == 1
    hits = [p for p in find(report["problems"], "source-policy", "datapackage/events.csv") if p["value"] == record]
    assert hits and hits[0]["line"] > 1 and hits[0]["severity"] == "error"
    assert source in hits[0]["message"] and "ai_generated" in hits[0]["message"]
    assert "schemas/source-policy.json" in hits[0]["hint"]


def test_a_figure_value_resting_only_on_a_scraper_fails(package):
    # the figure's only value-supporting citations point at a scraper; the record itself too
    record, source = _sole_source_record(package, "financial_figures")
    _set_caveat(package, {source}, "scraper")
    code, report = validate_json(package)
    assert code == 1
    assert any(p["value"] == record for p in find(report["problems"], "source-policy", "datapackage/financial_figures.csv"))


def test_a_waiver_turns_the_error_into_a_warning_and_a_stale_waiver_is_reported(package):
    record, source = _sole_source_record(package, "events")
    _set_caveat(package, {source}, "content_farm")
    policy_path = package / "schemas" / "source-policy.json"
    policy = json.loads(policy_path.read_text(encoding="utf-8"))
    policy["waivers"] = [{"record_table": "events", "record_id": record, "reason": "test: awaiting a primary source"},
                         {"record_table": "events", "record_id": "no-such-record", "reason": "test: a waiver for nothing"}]
    policy_path.write_text(json.dumps(policy, indent=2), encoding="utf-8")
    code, report = validate_json(package)
    assert not [p for p in find(report["problems"], "source-policy") if p["value"] == record]
    waived = [p for p in find(report["problems"], "source-policy-waived") if p["value"] == record]
    assert waived and waived[0]["severity"] == "warning"
    stale = find(report["problems"], "source-policy-stale-waiver", "schemas/source-policy.json")
    assert [p["line"] for p in stale] and all(p["line"] for p in stale)


def test_a_malformed_policy_is_reported_at_its_line(package):
    policy_path = package / "schemas" / "source-policy.json"
    policy = json.loads(policy_path.read_text(encoding="utf-8"))
    policy["never_sole_support"] = "scraper"
    policy_path.write_text(json.dumps(policy, indent=2), encoding="utf-8")
    code, report = validate_json(package)
    assert code == 1
    problem = find(report["problems"], "source-policy-invalid")[0]
    assert problem["file"] == "schemas/source-policy.json" and problem["line"] > 1


def test_the_real_package_lists_exactly_the_records_still_waived(package):
    """Every waiver names a record (or a field) that still rests only on caveated sources, and
    nothing else does: no error and no stale waiver on the committed data."""
    code, report = validate_json(package)
    assert code == 0
    assert not find(report["problems"], "source-policy-stale-waiver")
    assert find(report["problems"], "source-policy-waived")
