"""Destination tiers and compute caps: which tier a country falls in under a rule, and whether a
shipment of chips fits the rule's caps, from `country_compute_caps` as data.

Some rules are not written per chip but per destination: the January 2025 AI Diffusion Rule put
every country in a tier and capped the cumulative total processing performance (TPP) a tier-2
country could receive, with a small per-consignee licence exception outside the cap. The tiers,
caps and exception limits live in the table; a chip's TPP comes from `controls.metrics`. Nothing
about any particular rule is written in this file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    rule_id: str
    tier: int
    name: str
    countries: frozenset[str]
    default: bool
    country_cap_tpp: float | None
    consignee_exception_tpp: float | None
    outcome: str


@dataclass(frozen=True)
class ShipmentCheck:
    tier: Tier
    shipment_tpp: float
    # None when the tier has no such limit (no cap to exceed, or no exception to use).
    within_country_cap: bool | None
    within_consignee_exception: bool | None


def _number(value) -> float | None:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def tiers_from_rows(rows: list[dict]) -> list[Tier]:
    """Tiers from `country_compute_caps` records (as read by csv or pandas)."""
    return [Tier(row["rule_id"], int(row["tier"]), row["tier_name"], frozenset((row.get("countries") or "").split()),
                 row["default_tier"] in (True, "true", "True"), _number(row.get("country_cap_tpp")),
                 _number(row.get("consignee_exception_tpp")), row["outcome"]) for row in rows]


def tier_for(tiers: list[Tier], rule_id: str, country: str) -> Tier:
    """The tier a destination (ISO 3166-1 alpha-2) falls in: the tier naming it, else the rule's default tier."""
    mine = [t for t in tiers if t.rule_id == rule_id]
    if not mine:
        raise KeyError(f"no tiers for rule {rule_id!r} in country_compute_caps")
    named = [t for t in mine if country in t.countries]
    if len(named) > 1:
        raise ValueError(f"{country} is named in tiers {[t.tier for t in named]} of rule {rule_id!r}")
    if named:
        return named[0]
    defaults = [t for t in mine if t.default]
    if len(defaults) != 1:
        raise ValueError(f"rule {rule_id!r} needs exactly one default tier, has {len(defaults)}")
    return defaults[0]


def check_shipment(tiers: list[Tier], rule_id: str, country: str, chip_tpp: float, units: int,
                   country_tpp_already: float = 0.0, consignee_tpp_already: float = 0.0) -> ShipmentCheck:
    """Whether `units` chips of `chip_tpp` each fit the destination's country cap and the per-consignee exception.

    The `*_already` arguments are the TPP the country (in the cap period) or the consignee (in the
    calendar year) has received before, since both limits are cumulative.
    """
    tier = tier_for(tiers, rule_id, country)
    total = chip_tpp * units
    cap = None if tier.country_cap_tpp is None else country_tpp_already + total <= tier.country_cap_tpp
    exception = None if tier.consignee_exception_tpp is None else consignee_tpp_already + total <= tier.consignee_exception_tpp
    return ShipmentCheck(tier, total, cap, exception)
