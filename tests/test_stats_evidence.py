"""`stats` gives the primary-source share per table and counts records marked as having no primary text."""

from __future__ import annotations

import csv
import json

from conftest import find, read_rows, run_cli, validate_json, write_rows


def _stats(package) -> dict:
    result = run_cli("stats", str(package / "datapackage.json"), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_primary_share_per_table_matches_a_count_by_hand(package):
    kinds = {r["source_id"]: r["source_type"] for r in csv.DictReader((package / "datapackage" / "sources.csv").open(encoding="utf-8"))}
    primary = {"government_rule", "government_statement", "company_filing", "company_statement"}
    with_primary = {(r["record_table"], r["record_id"]) for r in csv.DictReader((package / "datapackage" / "citations.csv").open(encoding="utf-8"))
                    if kinds[r["source_id"]] in primary}
    stats = _stats(package)
    for table, entry in stats["citations_per_record"].items():
        assert entry["with_primary"] == sum(1 for t, _ in with_primary if t == table)
        assert entry["share_with_primary"] == round(entry["with_primary"] / entry["records"], 3)


def test_evidence_gaps_are_counted_and_must_name_real_records(package):
    path = package / "datapackage" / "evidence_gaps.csv"
    header, _, _ = read_rows(path)
    chip = next(csv.DictReader((package / "datapackage" / "chips.csv").open(encoding="utf-8")))["chip_id"]
    write_rows(path, header, [["chips", chip, "vendor product pages and data sheets for this part", "no data sheet published"],
                              ["chips", "no-such-chip", "vendor product pages", ""]])
    code, report = validate_json(package)
    assert code == 1
    [problem] = find(report["problems"], "record-reference", "datapackage/evidence_gaps.csv")
    assert problem["value"] == "no-such-chip" and problem["line"] == 3
    write_rows(path, header, [["chips", chip, "vendor product pages and data sheets for this part", "no data sheet published"]])
    stats = _stats(package)
    assert stats["citations_per_record"]["chips"]["no_primary_text"] == 1 and stats["evidence_gaps"] == {"chips": 1}
    # a gap is not a citation: the record's citation count is unchanged
    assert stats["citations_per_record"]["chips"]["citations"] == _stats_without_gap(package)


def _stats_without_gap(package) -> int:
    path = package / "datapackage" / "evidence_gaps.csv"
    header, _, _ = read_rows(path)
    write_rows(path, header, [])
    return _stats(package)["citations_per_record"]["chips"]["citations"]
