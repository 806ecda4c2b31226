"""TPP, performance density and each chip's status under each rule."""

from __future__ import annotations


import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipcontrols.controls import chip_rule_status, metrics, tpp
from chipcontrols.descriptor import load_package
from chipcontrols.table import load_tables
from conftest import ROOT, read_rows, run_cli, write_rows

PACKAGE, _ = load_package(ROOT / "datapackage.json")
TABLES = load_tables(PACKAGE)
BITS = {f["name"]: f["x-bitLength"] for f in TABLES["chips"].resource.fields if "x-bitLength" in f}
SEVERITY = TABLES["rule_criteria"].resource.field("outcome")["constraints"]["enum"]
RULES = TABLES["export_control_rules"].frame
CRITERIA = TABLES["rule_criteria"].frame
THRESHOLD_RULES = sorted(RULES.loc[RULES["kind"].isin(["threshold", "other"]), "rule_id"])


def test_bit_lengths_come_from_the_schema():
    assert BITS == {"fp16_dense_tflops": 16, "bf16_dense_tflops": 16, "fp8_dense_tflops": 8, "int8_dense_tops": 8}


# Published dense figures (cited in the package): H100 SXM 989.5 TFLOPS FP16 on an 814 mm² die;
# H20 148 TFLOPS FP16 / 296 FP8; A100 312 TFLOPS FP16 on 826 mm².
@pytest.mark.parametrize("chip,expected_tpp,expected_pd", [
    ({"fp16_dense_tflops": 989.5, "fp8_dense_tflops": 1979, "die_area_mm2": 814}, 15832, 19.45),
    ({"fp16_dense_tflops": 148, "fp8_dense_tflops": 296, "int8_dense_tops": 296, "die_area_mm2": 814}, 2368, 2.91),
    ({"fp16_dense_tflops": 312, "bf16_dense_tflops": 312, "int8_dense_tops": 624, "die_area_mm2": 826}, 4992, 6.04),
])
def test_tpp_and_performance_density(chip, expected_tpp, expected_pd):
    values = metrics(chip, BITS)
    assert values["tpp"] == pytest.approx(expected_tpp)
    assert values["performance_density"] == pytest.approx(expected_pd, abs=0.005)


def test_tpp_takes_the_highest_precision_and_names_it():
    assert tpp({"fp16_dense_tflops": 100, "fp8_dense_tflops": 250}, BITS) == (2000, "fp8_dense_tflops")
    assert tpp({}, BITS) == (None, None)


def test_real_chips_from_the_package():
    status = pd.read_csv(ROOT / "datapackage" / "chip_rule_status.csv", keep_default_na=False, dtype=str).set_index(["chip_id", "rule_id"])
    h100 = status.loc[("nvidia-h100-sxm", "bis-2023-10-advanced-computing-update")]
    assert (h100["outcome"], h100["clause_met"], h100["tpp"]) == ("license_required", "3A090.a", "15832")
    h20 = status.loc[("nvidia-h20", "us-2025-04-h20-letter")]
    assert h20["outcome"] == "license_required"
    a800 = status.loc[("nvidia-a800", "bis-2022-10-advanced-computing")]
    assert a800["outcome"] == "not_controlled" and "interconnect GB/s 400" in a800["reason"] and "needs interconnect GB/s >= 600" in a800["reason"]
    assert (a800["deciding_metric"], a800["deciding_threshold"]) == ("interconnect_bandwidth_gbps", "600")


def test_h20_under_the_2022_rule_is_decided_by_tpp_not_by_the_interconnect_it_already_meets():
    """0.1.0 gave margin 1.5 against interconnect >= 600, a line the H20 meets; the group fails on TPP."""
    status = pd.read_csv(ROOT / "datapackage" / "chip_rule_status.csv", keep_default_na=False, dtype=str).set_index(["chip_id", "rule_id"])
    row = status.loc[("nvidia-h20", "bis-2022-10-advanced-computing")]
    assert (row["outcome"], row["deciding_metric"], row["deciding_operator"], row["deciding_threshold"]) == ("not_controlled", "tpp", ">=", "4800")
    assert float(row["margin"]) == pytest.approx(2368 / 4800, abs=1e-4) and "50.7% below" in row["summary"]
    b = status.loc[("nvidia-h20", "bis-2023-10-advanced-computing-update")]
    assert (b["deciding_clause"], b["deciding_threshold"]) == ("3A090.b", "2400") and "1.3% below" in b["summary"]
    a800 = status.loc[("nvidia-a800", "bis-2023-10-advanced-computing-update")]
    assert a800["outcome"] == "license_required" and "4.0% above" in a800["summary"]


def test_reasons_state_each_comparison_once():
    status = pd.read_csv(ROOT / "datapackage" / "chip_rule_status.csv", keep_default_na=False, dtype=str)
    for reason in status["reason"]:
        for clause_text in reason.split(". "):
            alternatives = clause_text.split("; or ")
            assert len(alternatives) == len(set(alternatives)), clause_text
    d = status.set_index(["chip_id", "rule_id"]).loc[("nvidia-rtx-4090d", "bis-2023-10-advanced-computing-update")]
    assert d["reason"].count("4,800") == 2 and d["reason"].count("TPP 4,707") == 1


def _status(chips: list[dict], criteria: pd.DataFrame = CRITERIA) -> pd.DataFrame:
    frame = pd.DataFrame(chips)
    for column in ("chip_id", "market", "die_area_mm2", "interconnect_bandwidth_gbps", "memory_bandwidth_tbps", *BITS):
        if column not in frame:
            frame[column] = None
    return chip_rule_status(frame, RULES, criteria, BITS, SEVERITY).set_index(["chip_id", "rule_id"]).sort_index()


FIGURE = st.floats(min_value=1, max_value=5000, allow_nan=False)
CHIP = st.fixed_dictionaries({
    "chip_id": st.just("test-chip"), "market": st.sampled_from(["datacenter", "consumer"]),
    "fp16_dense_tflops": FIGURE, "fp8_dense_tflops": FIGURE, "int8_dense_tops": FIGURE,
    "die_area_mm2": st.floats(min_value=50, max_value=1000), "interconnect_bandwidth_gbps": st.floats(min_value=0, max_value=2000),
    "memory_bandwidth_tbps": st.floats(min_value=0.1, max_value=10),
})
PERFORMANCE = ["fp16_dense_tflops", "fp8_dense_tflops", "int8_dense_tops", "interconnect_bandwidth_gbps", "memory_bandwidth_tbps"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CHIP, st.sampled_from(PERFORMANCE), st.floats(min_value=1.0, max_value=20.0))
def test_more_performance_never_lowers_the_control_level(chip, figure, factor):
    before = _status([chip])
    raised = dict(chip, **{figure: chip[figure] * factor})
    after = _status([raised])
    for rule_id in THRESHOLD_RULES:
        old, new = before.loc[("test-chip", rule_id), "outcome"], after.loc[("test-chip", rule_id), "outcome"]
        assert SEVERITY.index(new) >= SEVERITY.index(old), f"{rule_id}: raising {figure} x{factor:.2f} moved {old} -> {new}"
        lowered = _status([dict(chip, **{figure: chip[figure] / factor})]).loc[("test-chip", rule_id), "outcome"]
        assert SEVERITY.index(lowered) <= SEVERITY.index(old), f"{rule_id}: lowering {figure} moved {old} -> {lowered}"


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_result_does_not_depend_on_row_order(rng):
    chips = TABLES["chips"].frame.to_dict("records")
    criteria = CRITERIA.sample(frac=1, random_state=rng.randint(0, 2**31)).reset_index(drop=True)
    rng.shuffle(chips)
    pd.testing.assert_frame_equal(_status(chips, criteria), _status(TABLES["chips"].frame.to_dict("records")))


def test_missing_specs_give_undetermined_never_a_guess():
    result = _status([{"chip_id": "test-chip", "market": "datacenter", "memory_bandwidth_tbps": 1.0}])
    row = result.loc[("test-chip", "bis-2023-10-advanced-computing-update")]
    assert row["outcome"] == "undetermined" and "dense_throughput" in row["inputs_missing"]


def test_new_chip_row_end_to_end(package):
    """A contributor adds a gaming card just under the 2023 line (as the RTX 4090 D was); derive computes its status."""
    chips = package / "datapackage" / "chips.csv"
    header, rows, _ = read_rows(chips)
    new = dict.fromkeys(header, "")
    new.update(chip_id="zz-test-accelerator", name="ZZ-1", vendor_id="nvidia", market="consumer", china_specific="true",
               fp16_dense_tflops="299", die_area_mm2="814", memory_bandwidth_tbps="3.0", interconnect_bandwidth_gbps="400")
    write_rows(chips, header, rows + [[new[h] for h in header]])
    citations = package / "datapackage" / "citations.csv"
    c_header, c_rows, _ = read_rows(citations)
    source = read_rows(package / "datapackage" / "sources.csv")[1][0][0]
    c_rows.append(["chips", "zz-test-accelerator", source, "", "A made-up chip for a test.", ""])
    write_rows(citations, c_header, c_rows)
    assert run_cli("fmt", str(package / "datapackage.json")).returncode == 0
    stale = run_cli("validate", str(package / "datapackage.json"), "--format", "json")
    assert stale.returncode == 1 and "derived-stale" in stale.stdout
    assert run_cli("derive", str(package / "datapackage.json")).returncode == 0
    assert run_cli("validate", str(package / "datapackage.json")).returncode == 0
    status = pd.read_csv(package / "datapackage" / "chip_rule_status.csv", keep_default_na=False, dtype=str).set_index(["chip_id", "rule_id"])
    row = status.loc[("zz-test-accelerator", "bis-2023-10-advanced-computing-update")]
    assert row["tpp"] == "4784" and row["outcome"] == "not_controlled" and row["deciding_metric"] == "tpp"
    assert "TPP 4,784" in row["reason"] and "TPP < 4,800" in row["reason"]
    datacenter = status.loc[("nvidia-h20", "bis-2023-10-advanced-computing-update")]
    assert datacenter["outcome"] == "not_controlled"
    assert float(row["margin"]) == pytest.approx(4784 / 4800, abs=1e-4)


def test_derivations_read_only_their_declared_inputs():
    """validate drops the unneeded columns of large tables by `derive.INPUTS`: a derivation that
    read another table would fail here, not silently compute from a table cut to its keys."""
    from chipcontrols.derive import DERIVATIONS, INPUTS, derived_bytes

    for resource in PACKAGE.resources:
        if resource.derived:
            assert resource.name in DERIVATIONS and resource.name in INPUTS
            only = {name: TABLES[name] for name in INPUTS[resource.name]}
            assert derived_bytes(resource, only) == resource.path.read_bytes()


def test_columns_kept_for_later_checks():
    from chipcontrols.quality import COLUMNS_USED
    from chipcontrols.validate import columns_needed_later

    needed = columns_needed_later(PACKAGE, COLUMNS_USED)
    assert needed["chips"] == set(TABLES["chips"].resource.field_names)  # chip_rule_status is computed from it
    assert needed["events"] == {"event_id", "event_type", "date", "superseded_by", "rule_id"}  # keys and what checks read, not the long title and description
    assert {"quote", "record_id", "record_table", "source_id", "field", "locator"} == needed["citations"]
