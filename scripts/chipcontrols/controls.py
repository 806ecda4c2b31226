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


@dataclass
class Comparison:
    """One criterion applied to one chip: held (True/False/None when unknown) and, for a number,
    the distance to its line in log terms (how far the chip's value would have to move to flip it)."""
    criterion: Criterion
    held: bool | None
    value: float | None = None
    line: float | None = None

    @property
    def numeric(self) -> bool:
        return (self.criterion.metric not in ("designed_for_datacenter", "named_chip") and self.value is not None
                and self.line is not None and self.value > 0 and self.line > 0 and 0 < self.value / self.line < math.inf)

    @property
    def distance(self) -> float:
        return abs(math.log(self.value / self.line))


def _line_text(c: Criterion, line: float | None) -> str:
    """The line as a reader states it: 'TPP >= 4,800', 'designed for data centres', 'is nvidia-h20'."""
    if c.metric == "named_chip":
        return f"is {c.chip_id}"
    if c.metric == "designed_for_datacenter":
        return "designed for data centres" if (c.operator, line) in (("==", 1), (">=", 1), (">", 0)) else "not designed for data centres"
    text = f"{LABELS[c.metric]} {c.operator} {_fmt(line)}" if line is not None else f"{LABELS[c.metric]} {c.operator} ?"
    return text + (f" ({c.chip_id}'s value)" if c.chip_id else "")


def _value_text(metric: str, value: float | None) -> str:
    if metric == "designed_for_datacenter":
        return "designed for data centres" if value == 1 else "not designed for data centres" if value is not None else "market unknown"
    return f"{LABELS[metric]} {_fmt(value)}" if value is not None else f"{LABELS[metric]} unknown"


def evaluate(chip_id: str, chip: dict, criteria: list[Criterion], chips: dict[str, dict], bit_lengths: dict[str, int],
             severity: list[str]) -> dict:
    """One chip under one rule: the binding clause, outcome, the deciding line, the margin to it and a checkable reason."""
    values = metrics(chip, bit_lengths)
    applicable = [c for c in criteria if c.metric in CHIP_METRICS]
    base = {"tpp": values["tpp"], "tpp_precision": values["tpp_precision"], "performance_density": values["performance_density"]}
    empty = {"clause_met": None, "deciding_clause": None, "deciding_metric": None, "deciding_operator": None, "deciding_threshold": None,
             "margin": None, "inputs_missing": None}
    if not applicable:
        reason = "The rule's lines concern other items (" + ", ".join(sorted({c.metric for c in criteria})) + "), not accelerators."
        return {**base, **empty, "outcome": "not_applicable", "summary": "Not applicable: " + reason, "reason": reason}
    groups: dict[tuple[str, int], list[Comparison]] = {}
    missing: set[str] = set()
    for c in applicable:
        if c.metric == "named_chip":
            test = Comparison(c, chip_id == c.chip_id)
        else:
            line, value = _resolve(c, chips, bit_lengths), values.get(c.metric)
            if value is None or line is None:
                missing.update(_inputs(c.metric) if value is None else [f"{c.chip_id}.{c.metric}"])
                test = Comparison(c, None, value, line)
            else:
                test = Comparison(c, OPERATORS[c.operator](value, line), value, line)
        groups.setdefault((c.clause, c.group), []).append(test)
    outcome_of = {key: max((t.criterion.outcome for t in tests), key=severity.index) for key, tests in groups.items()}
    state = {key: True if all(t.held is True for t in tests) else False if any(t.held is False for t in tests) else None
             for key, tests in groups.items()}
    met = [key for key, s in state.items() if s is True]
    undecided = [key for key, s in state.items() if s is None]
    reason = _reason(values, groups, state, outcome_of, applicable)
    inputs = " ".join(sorted(missing)) or None
    worst_met = max((outcome_of[k] for k in met), key=severity.index, default=None)
    if undecided and (worst_met is None or any(severity.index(outcome_of[k]) > severity.index(worst_met) for k in undecided)):
        return {**base, **empty, "outcome": "undetermined", "inputs_missing": inputs, "reason": reason,
                "summary": f"Undetermined: the rule needs {', '.join(sorted(missing))}, which the chip's published specs do not give."}
    if worst_met is not None:
        binding = sorted(k for k in met if outcome_of[k] == worst_met)
        clause = binding[0][0]
        deciding = _escape_line(groups, binding)
        row = {**base, **empty, "clause_met": clause, "outcome": worst_met, "inputs_missing": inputs, "reason": reason, **_deciding(deciding)}
        row["summary"] = _summary(worst_met, clause, deciding)
        return row
    named_only = all(c.metric == "named_chip" for c in applicable)
    outcome = "not_named" if named_only else "not_controlled"
    reachable = [k for k in groups if severity.index(outcome_of[k]) > severity.index(outcome)]
    deciding = _entry_line(groups, reachable)
    row = {**base, **empty, "outcome": outcome, "inputs_missing": inputs, "reason": reason, **_deciding(deciding)}
    row["summary"] = _summary(outcome, None, deciding)
    return row


def _escape_line(groups: dict, binding: list) -> Comparison | None:
    """For a chip that meets a clause: the line it would have to cross to leave it. Each group it
    meets is left by crossing that group's nearest line; all of them must be left, so the group
    hardest to leave decides. A group held only by a named chip or the data-centre test cannot be
    left by changing specs: then that criterion decides, without a margin."""
    best: tuple | None = None
    for key in binding:
        numeric = sorted((t for t in groups[key] if t.held and t.numeric), key=lambda t: (t.distance, t.criterion.metric))
        if not numeric:
            fixed = [t for t in groups[key] if t.criterion.metric == "named_chip"] or [t for t in groups[key] if t.held]
            return fixed[0] if fixed else None
        candidate = (numeric[0].distance, key, numeric[0])
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def _entry_line(groups: dict, reachable: list) -> Comparison | None:
    """For a chip that meets no clause: the line it is closest to crossing into control. A group is
    entered when every line it fails is crossed, so its farthest failed line counts; groups failed
    on the data-centre test or a chip's name cannot be entered by specs."""
    best: tuple | None = None
    for key in sorted(reachable):
        failed = [t for t in groups[key] if t.held is False]  # unknown inputs are reported in inputs_missing
        if not failed or not all(t.numeric for t in failed):
            continue
        farthest = max(failed, key=lambda t: (t.distance, t.criterion.metric))
        candidate = (farthest.distance, key, farthest)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    return best[2] if best else None


def _deciding(test: Comparison | None) -> dict:
    if test is None:
        return {}
    c = test.criterion
    return {"deciding_clause": c.clause, "deciding_metric": c.metric, "deciding_operator": c.operator,
            "deciding_threshold": None if c.metric == "named_chip" else test.line,
            "margin": round(test.value / test.line, 4) if test.numeric else None}


def _summary(outcome: str, clause: str | None, test: Comparison | None) -> str:
    head = outcome.replace("_", " ").capitalize() + (f" ({clause})" if clause else "")
    if test is None:
        if outcome == "not_named":
            return head + ": the letter does not name this chip."
        return head + ": no line of the rule can be crossed by changing this chip's specs alone."
    c = test.criterion
    if c.metric == "named_chip":
        return head + ": the rule names this chip."
    if not test.numeric:
        return head + f": {_line_text(c, test.line)} ({c.clause})."
    change = test.value / test.line - 1
    position = "on the line" if abs(change) < 5e-5 else f"{abs(change) * 100:.1f}% {'above' if change > 0 else 'below'} it"
    lead = "deciding line" if clause else "nearest line to cross"
    return f"{head}; {lead} {_line_text(c, test.line)} in {c.clause}: {LABELS[c.metric]} {_fmt(test.value)} is {position}."


def _reason(values: dict, groups: dict, state: dict, outcome_of: dict, applicable: list) -> str:
    """The chip's values once, then each clause: met by which lines, or what it would need."""
    used = sorted({c.metric for c in applicable if c.metric != "named_chip"}, key=list(LABELS).index)
    parts = ["; ".join(_value_text(m, values.get(m)) for m in used) + "." if used else ""]
    for clause in sorted({k[0] for k in groups}):
        keys = sorted(k for k in groups if k[0] == clause)
        met = [k for k in keys if state[k] is True]
        if met:
            tests = groups[met[0]]
            parts.append(f"{clause} met ({' and '.join(_line_text(t.criterion, t.line) for t in tests)}): {outcome_of[met[0]]}.")
            continue
        unknown = [k for k in keys if state[k] is None]
        if unknown:
            names = sorted({f"{t.criterion.chip_id}'s {LABELS[t.criterion.metric]}" if t.value is not None else _value_text(t.criterion.metric, None)
                            for k in unknown for t in groups[k] if t.held is None})
            parts.append(f"{clause} undecided ({', '.join(names)}).")
            continue
        needs = []
        for k in keys:
            text = " and ".join(_line_text(t.criterion, t.line) for t in groups[k] if t.held is False)
            if text not in needs:
                needs.append(text)
        parts.append(f"{clause} not met (needs {'; or '.join(needs)}).")
    return " ".join(p for p in parts if p)


def _inputs(metric: str) -> list[str]:
    if metric == "tpp":
        return ["dense_throughput"]
    if metric == "performance_density":
        return ["dense_throughput/die_area_mm2"]
    return METRIC_INPUTS.get(metric, [metric])


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
