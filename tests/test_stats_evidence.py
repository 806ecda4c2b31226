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


def _set_targets(package, targets: dict) -> None:
    path = package / "schemas" / "source-policy.json"
    policy = json.loads(path.read_text(encoding="utf-8"))
    policy["primary_targets"] = targets
    path.write_text(json.dumps(policy, indent=2), encoding="utf-8")


def test_targets_come_from_the_policy_and_count_only_rows_in_scope(package):
    rows = list(csv.DictReader((package / "datapackage" / "events.csv").open(encoding="utf-8")))
    kinds = {r["source_id"]: r["source_type"] for r in csv.DictReader((package / "datapackage" / "sources.csv").open(encoding="utf-8"))}
    primary = {"government_rule", "government_statement", "company_filing", "company_statement"}
    cited = {r["record_id"] for r in csv.DictReader((package / "datapackage" / "citations.csv").open(encoding="utf-8"))
             if r["record_table"] == "events" and kinds[r["source_id"]] in primary}
    scope = [r["event_id"] for r in rows if r["event_type"] in ("earnings_report", "company_disclosure")]
    done = sum(e in cited for e in scope)
    _set_targets(package, {"records": [{"table": "events", "where": {"event_type": ["earnings_report", "company_disclosure"]}, "share": 0.5}],
                           "citations": 0.99})
    [events, citations] = _stats(package)["primary_targets"]
    assert (events["records"], events["with_primary"], events["target"]) == (len(scope), done, 0.5)
    assert events["met"] == (done / len(scope) >= 0.5)
    assert sorted(s["record_id"] for s in events["short"]) == sorted(e for e in scope if e not in cited)
    assert citations["met"] is False and citations["records"] == len(list(csv.DictReader((package / "datapackage" / "citations.csv").open(encoding="utf-8"))))


def test_a_record_short_of_a_target_is_marked_once_it_has_an_evidence_gap_and_leaves_the_list_with_a_primary_citation(package):
    _set_targets(package, {"records": [{"table": "chips", "share": 1.0}]})
    [chips] = _stats(package)["primary_targets"]
    assert chips["short"], "the fixture should have a chip without a primary citation"
    chip = chips["short"][0]["record_id"]
    gaps = package / "datapackage" / "evidence_gaps.csv"
    header, rows, _ = read_rows(gaps)
    write_rows(gaps, header, [r for r in rows if (r[0], r[1]) != ("chips", chip)])
    [chips] = _stats(package)["primary_targets"]
    assert {"record_id": chip, "in_evidence_gaps": False} in chips["short"]
    with gaps.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(["chips", chip, "vendor data sheet", "not published"])
    [chips] = _stats(package)["primary_targets"]
    assert {"record_id": chip, "in_evidence_gaps": True} in chips["short"]
    primary_source = next(r["source_id"] for r in csv.DictReader((package / "datapackage" / "sources.csv").open(encoding="utf-8"))
                          if r["source_type"] == "company_statement")
    with (package / "datapackage" / "citations.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(["chips", chip, primary_source, "", "a quote", ""])
    [after] = _stats(package)["primary_targets"]
    assert chip not in {s["record_id"] for s in after["short"]} and after["with_primary"] == chips["with_primary"] + 1


def test_stats_short_lists_each_record_and_says_whether_it_is_marked(package):
    _set_targets(package, {"records": [{"table": "rule_criteria", "share": 1.0, "label": "criteria"}]})
    stats = _stats(package)
    result = run_cli("stats", str(package / "datapackage.json"), "--short")
    assert result.returncode == 0, result.stderr
    for s in stats["primary_targets"][0]["short"]:
        marker = "marked in evidence_gaps" if s["in_evidence_gaps"] else "unmarked: cite a primary source or add an evidence_gaps row"
        assert f"rule_criteria {s['record_id']}: {marker}" in result.stdout


def test_a_target_share_above_one_is_a_policy_error_at_its_line(package):
    _set_targets(package, {"records": [{"table": "chips", "share": 1.5}]})
    code, report = validate_json(package)
    assert code == 1
    [problem] = find(report["problems"], "source-policy-invalid", "schemas/source-policy.json")
    assert "/primary_targets/records/0/share" in problem["message"] and problem["line"] > 1


def test_a_target_with_fields_counts_a_figure_only_when_a_primary_citation_supports_its_value(package):
    """A filing cited for a figure's reported_date alone does not make its value primary."""
    figure = next(r["figure_id"] for r in csv.DictReader((package / "datapackage" / "financial_figures.csv").open(encoding="utf-8")))
    path = package / "datapackage" / "citations.csv"
    header, rows, _ = read_rows(path)
    kinds = {r["source_id"]: r["source_type"] for r in csv.DictReader((package / "datapackage" / "sources.csv").open(encoding="utf-8"))}
    filing = next(s for s, k in kinds.items() if k == "company_filing")
    rows = [r for r in rows if not (r[0] == "financial_figures" and r[1] == figure)]
    rows.append(["financial_figures", figure, filing, "reported_date", "a dateline", ""])
    write_rows(path, header, rows)
    _set_targets(package, {"records": [{"table": "financial_figures", "share": 1.0, "fields": ["value"]}]})
    [by_value] = _stats(package)["primary_targets"]
    assert figure in {s["record_id"] for s in by_value["short"]}
    _set_targets(package, {"records": [{"table": "financial_figures", "share": 1.0}]})
    [any_field] = _stats(package)["primary_targets"]
    assert figure not in {s["record_id"] for s in any_field["short"]}
    rows[-1][3] = "value reported_date"
    write_rows(path, header, rows)
    _set_targets(package, {"records": [{"table": "financial_figures", "share": 1.0, "fields": ["value"]}]})
    [by_value] = _stats(package)["primary_targets"]
    assert figure not in {s["record_id"] for s in by_value["short"]}
