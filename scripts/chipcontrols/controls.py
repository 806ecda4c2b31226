"""Export-control arithmetic: each chip's status under each rule, from the rules' lines as data.

TPP follows the BIS definition ("2 x MacTOPS x bit length of the operation", the highest over
the precisions the chip supports). A chip's dense throughput in TFLOPS or TOPS counts each
multiply-accumulate as two operations, so TPP = throughput x bit length; which `chips` columns
count, and their bit lengths, is declared in the chips schema (`x-bitLength`), not here.
Performance density is TPP divided by the die area. Thresholds, operators, clauses and
outcomes come from `rule_criteria`; nothing about any particular rule is written in this file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

OPERATORS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "==": lambda a, b: a == b}
# chips columns that feed each metric, for the inputs_missing column
METRIC_INPUTS = {"interconnect_bandwidth_gbps": ["interconnect_bandwidth_gbps"], "memory_bandwidth_tbps": ["memory_bandwidth_tbps"],
                 "designed_for_datacenter": ["market"]}
LABELS = {"tpp": "TPP", "performance_density": "PD", "interconnect_bandwidth_gbps": "interconnect GB/s",
          "memory_bandwidth_tbps": "memory TB/s", "designed_for_datacenter": "datacenter", "memory_bandwidth_density": "memory GB/s/mm²"}
# Metrics that describe a chip (others, such as HBM stack density, concern other items).
CHIP_METRICS = set(LABELS) - {"memory_bandwidth_density"} | {"named_chip"}


def tpp(chip: dict, bit_lengths: dict[str, int]) -> tuple[float | None, str | None]:
    """Highest throughput x bit length over the chip's published precisions, and which column gave it."""
    best, column = None, None
    for name, bits in bit_lengths.items():
        value = chip.get(name)
        if value is not None and not _blank(value) and (best is None or value * bits > best):
            best, column = float(value) * bits, name
    return best, column


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def metrics(chip: dict, bit_lengths: dict[str, int]) -> dict:
    total, column = tpp(chip, bit_lengths)
    area = chip.get("die_area_mm2")
    market = chip.get("market")
    return {
        "tpp": total, "tpp_precision": column,
        "performance_density": total / area if total is not None and not _blank(area) and area else None,
        "interconnect_bandwidth_gbps": None if _blank(chip.get("interconnect_bandwidth_gbps")) else float(chip["interconnect_bandwidth_gbps"]),
        "memory_bandwidth_tbps": None if _blank(chip.get("memory_bandwidth_tbps")) else float(chip["memory_bandwidth_tbps"]),
        "designed_for_datacenter": None if _blank(market) else float(market == "datacenter"),
    }


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"


@dataclass
class Criterion:
    clause: str
    group: int
    metric: str
    operator: str
    threshold: float | None
    chip_id: str | None
    outcome: str


def _resolve(criterion: Criterion, chips: dict[str, dict], bit_lengths) -> float | None:
    """A line set by a named chip's spec ('any chip achieving the H20's memory bandwidth')."""
    if criterion.threshold is not None or criterion.chip_id is None or criterion.metric == "named_chip":
        return criterion.threshold
    reference = chips.get(criterion.chip_id)
    return None if reference is None else metrics(reference, bit_lengths).get(criterion.metric)


def evaluate(chip_id: str, chip: dict, criteria: list[Criterion], chips: dict[str, dict], bit_lengths: dict[str, int],
             severity: list[str]) -> dict:
    """One chip under one rule: the binding clause, outcome, margin and a checkable reason."""
    values = metrics(chip, bit_lengths)
    applicable = [c for c in criteria if c.metric in CHIP_METRICS]
    base = {"tpp": values["tpp"], "tpp_precision": values["tpp_precision"], "performance_density": values["performance_density"]}
    if not applicable:
        return {**base, "clause_met": None, "outcome": "not_applicable", "margin": None, "margin_metric": None,
                "reason": "The rule's lines concern other items (" + ", ".join(sorted({c.metric for c in criteria})) + "), not accelerators.", "inputs_missing": None}
    clauses: dict[str, dict[int, list[Criterion]]] = {}
    for c in applicable:
        clauses.setdefault(c.clause, {}).setdefault(c.group, []).append(c)
    met, undecided, missing, parts, lines = [], [], set(), [], []
    for clause, groups in clauses.items():
        group_texts, met_outcomes, unknown_outcomes = [], [], []
        for group, items in sorted(groups.items()):
            results, texts = [], []
            for c in items:
                if c.metric == "named_chip":
                    ok = chip_id == c.chip_id
                    results.append(ok)
                    texts.append(f"{'is' if ok else 'is not'} {c.chip_id}")
                    continue
                line = _resolve(c, chips, bit_lengths)
                value = values.get(c.metric)
                if value is None or line is None:
                    results.append(None)
                    missing.update(_inputs(c.metric) if value is None else [f"{c.chip_id}.{c.metric}"])
                    texts.append(f"{LABELS[c.metric]} unknown")
                    continue
                ok = OPERATORS[c.operator](value, line)
                results.append(ok)
                lines.append((c, value, line))
                texts.append(_compare_text(c, value, line, ok))
            outcome = max((c.outcome for c in items), key=severity.index)
            if all(r is True for r in results):
                met_outcomes.append(outcome)
            elif not any(r is False for r in results):
                unknown_outcomes.append(outcome)
            group_texts.append(" and ".join(texts))
        verdict = "met" if met_outcomes else ("undecided" if unknown_outcomes else "not met")
        parts.append(f"{clause}: " + "; or ".join(group_texts) + f": {verdict}")
        if met_outcomes:
            met.append((clause, max(met_outcomes, key=severity.index)))
        for outcome in unknown_outcomes:
            undecided.append((clause, outcome))
    margin, margin_metric = _nearest_line(lines)
    reason = ". ".join(parts) + "."
    if met:
        clause, outcome = max(met, key=lambda m: severity.index(m[1]))
        if any(severity.index(o) > severity.index(outcome) for _, o in undecided):
            return {**base, "clause_met": None, "outcome": "undetermined", "margin": margin, "margin_metric": margin_metric, "reason": reason,
                    "inputs_missing": " ".join(sorted(missing)) or None}
        return {**base, "clause_met": clause, "outcome": outcome, "margin": margin, "margin_metric": margin_metric, "reason": reason,
                "inputs_missing": " ".join(sorted(missing)) or None}
    if undecided:
        return {**base, "clause_met": None, "outcome": "undetermined", "margin": margin, "margin_metric": margin_metric, "reason": reason,
                "inputs_missing": " ".join(sorted(missing)) or None}
    named_only = all(c.metric == "named_chip" for c in applicable)
    return {**base, "clause_met": None, "outcome": "not_named" if named_only else "not_controlled", "margin": margin,
            "margin_metric": margin_metric, "reason": reason, "inputs_missing": " ".join(sorted(missing)) or None}


def _compare_text(c: Criterion, value: float, line: float, ok: bool) -> str:
    if c.metric == "designed_for_datacenter":
        text = "designed for data centres" if value == 1 else "not designed for data centres"
        return text if ok else text + " (so this group does not apply)"
    return f"{LABELS[c.metric]} {_fmt(value)} {c.operator if ok else _negate(c.operator)} {_fmt(line)}"


def _inputs(metric: str) -> list[str]:
    if metric == "tpp":
        return ["dense_throughput"]
    if metric == "performance_density":
        return ["dense_throughput/die_area_mm2"]
    return METRIC_INPUTS.get(metric, [metric])


def _negate(operator: str) -> str:
    return {">=": "<", ">": "<=", "<": ">=", "<=": ">", "==": "!="}[operator]


def _nearest_line(lines) -> tuple[float | None, str | None]:
    """The ratio value/line for the line closest to the chip's value (in log terms)."""
    best = None
    for c, value, line in lines:
        if c.metric == "designed_for_datacenter" or value <= 0 or line <= 0:
            continue
        ratio = value / line
        if not 0 < ratio < math.inf:
            continue  # underflow or overflow: no meaningful distance to this line
        candidate = (abs(math.log(ratio)), c.metric, c.operator, line, ratio)  # ties broken by name, not input order
        if best is None or candidate < best:
            best = candidate
    return (round(best[4], 4), f"{best[1]} {best[2]} {_fmt(best[3])}") if best else (None, None)


def chip_rule_status(chips: pd.DataFrame, rules: pd.DataFrame, criteria: pd.DataFrame, bit_lengths: dict[str, int],
                     severity: list[str], rule_kinds: tuple[str, ...] = ("threshold", "letter", "other")) -> pd.DataFrame:
    """One row per (chip, rule) for every rule that has criteria."""
    records = {row["chip_id"]: row for row in chips.to_dict("records")}
    by_rule: dict[str, list[Criterion]] = {}
    for row in criteria.to_dict("records"):
        threshold = None if _blank(row.get("threshold")) else float(row["threshold"])
        chip_ref = None if _blank(row.get("chip_id")) else row["chip_id"]
        by_rule.setdefault(row["rule_id"], []).append(Criterion(row["clause"], int(row["group"]), row["metric"], row["operator"], threshold, chip_ref, row["outcome"]))
    for items in by_rule.values():
        items.sort(key=lambda c: (c.clause, c.group, c.metric, c.operator, c.chip_id or ""))  # reasons read the same whatever the row order
    out = []
    for rule_id in sorted(by_rule):
        if rule_id not in set(rules["rule_id"]) or rules.loc[rules["rule_id"] == rule_id, "kind"].iloc[0] not in rule_kinds:
            continue
        for chip_id in sorted(records):
            out.append({"chip_id": chip_id, "rule_id": rule_id, **evaluate(chip_id, records[chip_id], by_rule[rule_id], records, bit_lengths, severity)})
    return pd.DataFrame(out)
