"""Derived tables (resources marked x-derived): computed from the curated tables, written
canonically, and checked by `validate` to match a fresh computation byte for byte."""

from __future__ import annotations

import math

import pandas as pd

from chipcontrols.descriptor import Package, Resource
from chipcontrols.fmt import atomic_write, canonical_text
from chipcontrols.problems import RULES, Problem
from chipcontrols.table import Table

RULES["derived-stale"] = ("{value} differs from a fresh computation (first difference at this line)",
                          "Derived tables are never edited by hand: run `chipcontrols derive` and commit the result.")


def _chip_rule_status(tables: dict[str, Table]) -> pd.DataFrame:
    from chipcontrols.controls import chip_rule_status

    chips = tables["chips"]
    bit_lengths = {f["name"]: f["x-bitLength"] for f in chips.resource.fields if "x-bitLength" in f}
    criteria = tables["rule_criteria"]
    severity = criteria.resource.field("outcome")["constraints"]["enum"]
    return chip_rule_status(chips.frame, tables["export_control_rules"].frame, criteria.frame, bit_lengths, severity)


DERIVATIONS = {"chip_rule_status": _chip_rule_status}
# The tables each derivation reads (every column of them): `validate` keeps these whole, and may
# drop the columns of other large tables that no later check reads.
INPUTS = {"chip_rule_status": ("chips", "export_control_rules", "rule_criteria")}


def cell(value) -> str:
    """Canonical text of a computed value: no trailing .0, four decimals at most."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        value = round(float(value), 4)
        return str(int(value)) if value.is_integer() else format(value, ".10g")
    return str(value)


def derived_bytes(resource: Resource, tables: dict[str, Table]) -> bytes:
    frame = DERIVATIONS[resource.name](tables)
    if len(frame) and resource.primary_key:
        frame = frame.sort_values(resource.primary_key, kind="stable")
    names = resource.field_names
    rows = [[cell(record.get(name)) for name in names] for record in frame.to_dict("records")]
    return canonical_text(names, rows).encode("utf-8")


def derive(package: Package, tables: dict[str, Table]) -> list[str]:
    """Recompute every derived table; returns the paths that changed."""
    changed = []
    for resource in package.resources:
        if resource.derived and resource.name in DERIVATIONS:
            data = derived_bytes(resource, tables)
            if not resource.path.exists() or resource.path.read_bytes() != data:
                atomic_write(resource.path, data)
                changed.append(package.rel(resource.path))
    return changed


def stale_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    problems = []
    for resource in package.resources:
        if not resource.derived or resource.name not in DERIVATIONS:
            continue
        expected = derived_bytes(resource, tables).decode("utf-8").split("\n")
        actual = resource.path.read_text(encoding="utf-8", errors="replace").split("\n")
        if expected != actual:
            line = next((i + 1 for i, (a, b) in enumerate(zip(expected, actual)) if a != b), min(len(expected), len(actual)))
            problems.append(Problem("derived-stale", package.rel(resource.path), line=line, value=package.rel(resource.path)))
    return problems
