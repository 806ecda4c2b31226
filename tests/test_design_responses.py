"""The research questions of issue 14 answered from the tables: which rule each China-specific part
was designed around (one join), the rules on the timeline, China revenue by fiscal year and
reporting basis, and the composite unique key that keeps that series free of duplicates."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT, find, read_rows, validate_json, write_rows

DATA = ROOT / "datapackage"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", keep_default_na=False, na_values=[""], dtype=str)


def test_designed_around_rule_in_one_join():
    chips, status = _read("chips"), _read("chip_rule_status")
    joined = chips.merge(status, left_on=["chip_id", "designed_for_rule"], right_on=["chip_id", "rule_id"])
    rule = dict(zip(joined["chip_id"], joined["rule_id"]))
    assert {c: rule.get(c) for c in ("nvidia-a800", "nvidia-h800")} == dict.fromkeys(("nvidia-a800", "nvidia-h800"), "bis-2022-10-advanced-computing")
    later = ("nvidia-h20", "nvidia-l20", "nvidia-l2", "nvidia-rtx-4090d")
    assert {c: rule.get(c) for c in later} == dict.fromkeys(later, "bis-2023-10-advanced-computing-update")
    # the join brings each part's TPP and the line it sits under, and none of them is controlled by the rule it was cut for
    row = joined.set_index("chip_id")
    assert row.loc["nvidia-h20", "tpp"] == "2368" and row.loc["nvidia-h20", "deciding_threshold"] == "2400"
    assert row.loc["nvidia-a800", "deciding_metric"] == "interconnect_bandwidth_gbps" and row.loc["nvidia-a800", "deciding_threshold"] == "600"
    assert set(row.loc[["nvidia-a800", "nvidia-h800", *later], "outcome"]) == {"not_controlled"}
    assert len(joined) == chips["designed_for_rule"].notna().sum()  # every designed_for_rule has its status row


def test_design_fields_name_real_lines_and_are_cited():
    chips, criteria, cites = _read("chips"), _read("rule_criteria"), _read("citations")
    designed = chips[chips["designed_for_rule"].notna()]
    assert designed["china_specific"].eq("true").all()
    for chip in designed.itertuples():
        lines = criteria[criteria["rule_id"] == chip.designed_for_rule]
        if isinstance(chip.designed_for_clause, str):
            lines = lines[lines["clause"] == chip.designed_for_clause]
            assert len(lines), f"{chip.chip_id}: clause {chip.designed_for_clause} is not a clause of {chip.designed_for_rule}"
        if isinstance(chip.designed_for_metric, str):
            assert chip.designed_for_metric in set(lines["metric"]), f"{chip.chip_id}: no {chip.designed_for_metric} line there"
        mine = cites[(cites["record_table"] == "chips") & (cites["record_id"] == chip.chip_id)]
        cited_fields = {f for fields in mine["field"].fillna("") for f in fields.split()}
        for column in ("designed_for_rule", "designed_for_clause", "designed_for_metric"):
            if isinstance(getattr(chip, column), str):
                assert column in cited_fields, f"{chip.chip_id}.{column} is not cited"


def test_every_china_specific_part_is_dated_and_cited():
    chips, cites = _read("chips"), _read("citations")
    china = chips[chips["china_specific"] == "true"]
    assert len(china) >= 12
    for chip in china.itertuples():
        assert isinstance(chip.announced_date, str) and chip.announced_date_precision in ("day", "month", "quarter", "year"), chip.chip_id
        if chip.announced_date_precision == "month":
            assert chip.announced_date.endswith("-01")
        mine = cites[(cites["record_table"] == "chips") & (cites["record_id"] == chip.chip_id)]
        assert mine["field"].fillna("").str.split().apply(lambda f: "announced_date" in f).any(), chip.chip_id


def test_lines_set_by_naming_a_chip_are_also_numbers_equal_to_its_spec():
    criteria, chips = _read("rule_criteria"), _read("chips").set_index("chip_id")
    named = criteria[criteria["chip_id"].notna() & (criteria["metric"] != "named_chip")]
    assert len(named) >= 2
    for line in named.itertuples():
        assert isinstance(line.threshold, str), f"{line.rule_id}/{line.metric} has no number"
        assert float(line.threshold) == float(chips.loc[line.chip_id, line.metric])


def test_rule_events_link_to_their_rules():
    events, rules = _read("events"), _read("export_control_rules")
    linked = events[events["rule_id"].notna()]
    assert set(rules["rule_id"]) <= set(linked["rule_id"]), "every rule appears on the timeline"
    assert linked["event_type"].isin(["export_control_rule", "license_requirement"]).all()
    h200 = linked.set_index("event_id").loc["2026-01-14-bis-h200-license-review-policy-rule"]
    assert h200["rule_id"] == "bis-2026-01-h200-review-policy"
    rule = rules.set_index("rule_id").loc["bis-2026-01-h200-review-policy"]
    assert rule["published_date"] == "2026-01-15" and "Covington" in rule["description"] and "JD Supra" in rule["description"]


def test_china_revenue_pivots_by_fiscal_year_and_basis_without_duplicates():
    figures = _read("financial_figures")
    revenue = figures[(figures["company_id"] == "nvidia") & (figures["metric"] == "revenue_china")
                      & figures["fiscal_period"].str.fullmatch(r"FY\d{4}", na=False)]
    table = revenue.pivot(index="fiscal_period", columns="reporting_basis", values="value")  # raises on duplicates
    filled = set(table.index[table.notna().any(axis=1)])
    assert {"FY2022", "FY2023", "FY2024", "FY2025", "FY2026"} <= filled
    assert table.loc["FY2023", "billing_location"] == "5785000000"
    assert table.loc["FY2024", "billing_location"] == "10306000000" and table.loc["FY2024", "customer_headquarters"] == "12330000000"
    recast = revenue[revenue["restates"].notna()].set_index("figure_id")
    originals = figures.set_index("figure_id").loc[recast["restates"]]
    assert (originals["fiscal_period"].to_numpy() == recast["fiscal_period"].to_numpy()).all()
    assert (originals["reporting_basis"].to_numpy() != recast["reporting_basis"].to_numpy()).all()


def test_composite_unique_key_is_enforced(package):
    path = package / "datapackage" / "financial_figures.csv"
    header, rows, lines = read_rows(path)
    index = [r[0] for r in rows].index("nvidia-fy2024-revenue-china")
    copy = list(rows[index])
    copy[0] = "nvidia-fy2024-revenue-china-again"
    write_rows(path, header, rows[: index + 1] + [copy] + rows[index + 1:])
    code, report = validate_json(package)
    hits = find(report["problems"], "unique-key")
    assert code == 1 and len(hits) == 1 and hits[0]["line"] == lines[index] + 1 and "FY2024" in hits[0]["message"]
    # the same row as guidance is outside the key
    copy[header.index("provenance")] = "guidance"
    write_rows(path, header, rows[: index + 1] + [copy] + rows[index + 1:])
    assert not find(validate_json(package)[1]["problems"], "unique-key")


@pytest.mark.parametrize("column", ["designed_for_rule", "rule_id"])
def test_new_rule_references_are_foreign_keys(package, column):
    name = "chips" if column == "designed_for_rule" else "events"
    path = package / "datapackage" / f"{name}.csv"
    header, rows, _ = read_rows(path)
    position = next(i for i, r in enumerate(rows) if r[header.index(column)])
    rows[position][header.index(column)] = "no-such-rule"
    write_rows(path, header, rows)
    hits = find(validate_json(package)[1]["problems"], "foreign-key")
    assert any(h["value"] == "no-such-rule" for h in hits)
