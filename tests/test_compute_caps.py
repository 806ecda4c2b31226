"""Destination tiers and compute caps (the AI Diffusion Rule's lines), read from the real package."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.compute_caps import Tier, check_shipment, tier_for, tiers_from_rows
from chipcontrols.controls import metrics
from conftest import ROOT

RULE = "bis-2025-01-ai-diffusion"
with (ROOT / "datapackage" / "country_compute_caps.csv").open(encoding="utf-8", newline="") as handle:
    TIERS = tiers_from_rows(list(csv.DictReader(handle)))
BITS = {"fp16_dense_tflops": 16, "bf16_dense_tflops": 16, "fp8_dense_tflops": 8, "int8_dense_tops": 8}
# A made-up chip: 1,000 dense FP8 TFLOPS and 500 dense FP16 TFLOPS, so TPP 8,000 (FP8 x 8 bits).
MADE_UP_CHIP = {"fp8_dense_tflops": 1000, "fp16_dense_tflops": 500, "die_area_mm2": 800}
# QZ lies in the ISO 3166 range reserved for user assignment: no real country has it.
MADE_UP_COUNTRY = "QZ"


def test_the_made_up_chip_has_the_tpp_its_specs_give():
    assert metrics(MADE_UP_CHIP, BITS)["tpp"] == 8000


def test_a_made_up_country_lands_in_the_default_tier_with_its_country_cap():
    tier = tier_for(TIERS, RULE, MADE_UP_COUNTRY)
    assert tier.default and tier.tier == 2
    assert tier.country_cap_tpp == 790_000_000
    assert tier.consignee_exception_tpp == 26_900_000
    assert tier.outcome == "license_required"


def test_named_countries_land_in_their_tiers():
    assert tier_for(TIERS, RULE, "DE").tier == 1 and tier_for(TIERS, RULE, "US").tier == 1
    china = tier_for(TIERS, RULE, "CN")
    assert china.tier == 3 and china.outcome == "presumption_of_denial" and china.country_cap_tpp is None
    assert tier_for(TIERS, RULE, "MO").tier == 3


def test_a_shipment_of_the_made_up_chip_to_the_made_up_country_meets_the_caps_the_rule_sets():
    chip_tpp = metrics(MADE_UP_CHIP, BITS)["tpp"]
    # 790,000,000 / 8,000 = 98,750 chips fill the country cap; 26,900,000 / 8,000 = 3,362.5 the exception.
    assert check_shipment(TIERS, RULE, MADE_UP_COUNTRY, chip_tpp, 98_750).within_country_cap is True
    assert check_shipment(TIERS, RULE, MADE_UP_COUNTRY, chip_tpp, 98_751).within_country_cap is False
    assert check_shipment(TIERS, RULE, MADE_UP_COUNTRY, chip_tpp, 3_362).within_consignee_exception is True
    assert check_shipment(TIERS, RULE, MADE_UP_COUNTRY, chip_tpp, 3_363).within_consignee_exception is False
    # the caps are cumulative
    assert check_shipment(TIERS, RULE, MADE_UP_COUNTRY, chip_tpp, 1, country_tpp_already=789_999_000).within_country_cap is False


def test_a_tier_without_caps_reports_none_rather_than_a_guess():
    result = check_shipment(TIERS, RULE, "CN", 8000, 1)
    assert result.within_country_cap is None and result.within_consignee_exception is None


@given(units=st.integers(min_value=0, max_value=10**6), tpp=st.floats(min_value=1, max_value=1e5))
def test_within_cap_iff_total_tpp_at_most_the_cap(units, tpp):
    result = check_shipment(TIERS, RULE, MADE_UP_COUNTRY, tpp, units)
    assert result.shipment_tpp == tpp * units
    assert result.within_country_cap is (tpp * units <= 790_000_000)


def test_rules_need_one_default_tier_and_unique_countries():
    two_defaults = [Tier("r", 1, "a", frozenset(), True, None, None, "license_required"),
                    Tier("r", 2, "b", frozenset(), True, None, None, "license_required")]
    with pytest.raises(ValueError):
        tier_for(two_defaults, "r", "FR")
    twice = [Tier("r", 1, "a", frozenset({"FR"}), False, None, None, "license_required"),
             Tier("r", 2, "b", frozenset({"FR"}), True, None, None, "license_required")]
    with pytest.raises(ValueError):
        tier_for(twice, "r", "FR")
    with pytest.raises(KeyError):
        tier_for(twice, "no-such-rule", "FR")


def test_every_rule_in_the_table_has_exactly_one_default_tier_and_no_country_twice():
    for rule_id in {t.rule_id for t in TIERS}:
        mine = [t for t in TIERS if t.rule_id == rule_id]
        assert sum(t.default for t in mine) == 1, rule_id
        named = [c for t in mine for c in t.countries]
        assert len(named) == len(set(named)), rule_id
