"""The site's charts, from the data: which points, which lines, which series. Drawing is charts.py's job."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from chipcontrols import charts
from chipcontrols.sitetext import money, number, words

AXES = {"tpp": "Total processing performance (TPP, log scale)", "performance_density": "Performance density (TPP per mm² of die, log scale)",
        "memory_bandwidth_tbps": "Memory bandwidth (TB/s, log scale)", "interconnect_bandwidth_gbps": "Interconnect bandwidth (GB/s, log scale)"}
SHORT = {"tpp": "TPP", "performance_density": "PD", "memory_bandwidth_tbps": "memory TB/s", "interconnect_bandwidth_gbps": "interconnect GB/s"}
# The second axis of a rule's chart: the first of these the rule draws a line on (TPP is always the first axis).
SECOND_AXIS = ["memory_bandwidth_tbps", "performance_density", "interconnect_bandwidth_gbps"]


def _write(folder: Path, name: str, svg: str) -> str:
    (folder / name).write_text(svg, encoding="utf-8")
    return name


def chip_value(site, chip_id: str, metric: str) -> float | None:
    """A chip's value on a chart axis: TPP and density as derived (they do not depend on the rule), the rest as published."""
    if metric in ("tpp", "performance_density"):
        value = next((s[metric] for s in site.status if s["chip_id"] == chip_id and s[metric]), None)
    else:
        value = site.chips.get(chip_id, {}).get(metric)
    return float(value) if value not in (None, "") and float(value) > 0 else None


def _tooltip(site, chip_id: str, metrics: list[str], extra: str = "") -> str:
    chip = site.chips[chip_id]
    values = "; ".join(f"{SHORT[m]} {number(chip_value(site, chip_id, m))}" for m in metrics if chip_value(site, chip_id, m) is not None)
    return f"{chip['name']} ({site.companies.get(chip['vendor_id'], {}).get('name', chip['vendor_id'])}): {values}{extra}"


def rule_lines(site, criteria: list[dict], metric: str, axis: str) -> list[charts.Line]:
    """A rule's numeric lines on one metric, one line per value, labelled with the clauses that draw it."""
    clauses = defaultdict(set)
    for c in criteria:
        if c["metric"] != metric:
            continue
        value = float(c["threshold"]) if c["threshold"] else (chip_value(site, c["chip_id"], metric) if c.get("chip_id") else None)
        if value:
            clauses[value].add(c["clause"])
    return [charts.Line(axis, value, f"{SHORT[metric]} {number(value)} ({', '.join(sorted(names))})", "--" if axis == "x" else ":")
            for value, names in sorted(clauses.items())]


def _scatter_points(site, x: str, y: str, colour_of, url_root: str, extra_of=lambda chip_id: "") -> list[charts.Point]:
    points = []
    for chip_id in sorted(site.chips):
        vx, vy = chip_value(site, chip_id, x), chip_value(site, chip_id, y)
        if vx is None or vy is None:
            continue
        colour, highlight = colour_of(chip_id)
        points.append(charts.Point(site.chips[chip_id]["name"], vx, vy, colour, _tooltip(site, chip_id, [x, y], extra_of(chip_id)),
                                   f"{url_root}{chip_id}/", highlight))
    return points


def _china_colour(site):
    def colour(chip_id: str):
        china = site.chips[chip_id].get("china_specific") == "true"
        return (charts.COLOURS["china"] if china else charts.COLOURS["other"]), china
    return colour


def chip_overview(site, folder: Path) -> dict:
    """The chips page's charts: TPP against density with the configured rule's lines, bandwidth against TPP, parts beside parents."""
    config = site.descriptor["x-site"]["chipChart"]
    criteria = [c for c in site.criteria if c["rule_id"] == config["rule_id"]]
    legend = [(charts.COLOURS["china"], "China-specific part"), (charts.COLOURS["other"], "Other chip")]
    density = charts.scatter(_scatter_points(site, "tpp", "performance_density", _china_colour(site), ""),
                             x_label=AXES["tpp"], y_label=AXES["performance_density"], legend=legend,
                             lines=rule_lines(site, criteria, "tpp", "x") + rule_lines(site, criteria, "performance_density", "y"))
    bandwidth = charts.scatter(_scatter_points(site, "tpp", "memory_bandwidth_tbps", _china_colour(site), ""),
                               x_label=AXES["tpp"], y_label=AXES["memory_bandwidth_tbps"], legend=legend, height=6)
    pairs = []
    for chip in site.chips.values():
        for name in site.self_references("chips"):
            parent = site.chips.get(chip.get(name) or "")
            if chip.get("china_specific") == "true" and parent:
                tpp, parent_tpp = chip_value(site, chip["chip_id"], "tpp"), chip_value(site, parent["chip_id"], "tpp")
                if tpp and parent_tpp:
                    pairs.append({"name": chip["name"], "tpp": tpp, "parent": parent["name"], "parent_tpp": parent_tpp,
                                  "url": f"{chip['chip_id']}/", "parent_url": f"{parent['chip_id']}/"})
    pairs.sort(key=lambda p: p["name"].lower())
    return {"density": _write(folder, "tpp-vs-density.svg", density), "bandwidth": _write(folder, "bandwidth-vs-tpp.svg", bandwidth),
            "parents": _write(folder, "china-parts-vs-parents.svg", charts.parts_vs_parents(pairs)) if pairs else None,
            "rule_title": config["title"], "rule_id": config["rule_id"]}


def rule_chart(site, rule: dict, criteria: list[dict], statuses: list[dict], folder: Path) -> dict | None:
    """Every chip placed by TPP and the rule's other measure, coloured by its outcome, with the rule's lines."""
    metrics = {c["metric"] for c in criteria}
    second = next((m for m in SECOND_AXIS if m in metrics), None)
    if "tpp" not in metrics and second is None:
        return None
    second = second or "performance_density"
    outcome = {s["chip_id"]: s["outcome"] for s in statuses}
    order = site.severity

    def colour(chip_id: str):  # China-specific parts are labelled first: they are the ones cut to a rule's lines
        return charts.OUTCOME_COLOURS.get(outcome.get(chip_id, ""), "#6b7280"), site.chips[chip_id].get("china_specific") == "true"

    points = _scatter_points(site, "tpp", second, colour, "../../chips/", lambda chip_id: f"; {words(outcome.get(chip_id, 'no status'))}")
    shown = sorted({outcome.get(p.url.split("/")[-2], "") for p in points} - {""}, key=lambda o: order.index(o) if o in order else 99)
    svg = charts.scatter(points, x_label=AXES["tpp"], y_label=AXES[second], legend=[(charts.OUTCOME_COLOURS.get(o, "#6b7280"), words(o)) for o in shown],
                         lines=rule_lines(site, criteria, "tpp", "x") + rule_lines(site, criteria, second, "y"), height=5.6)
    missing = sorted(site.chips[c]["name"] for c in site.chips if chip_value(site, c, "tpp") is None or chip_value(site, c, second) is None)
    return {"file": _write(folder, "chart.svg", svg), "second": AXES[second].split(" (")[0].lower(), "missing": missing}


def money_chart(site, folder: Path) -> dict:
    """Yearly figures of one metric by reporting basis. With a `reporting_basis` column the series are its values;
    without one, the figures restated on another basis (ids ending as configured) are one series and the rest,
    as first reported, the other."""
    config = site.descriptor["x-site"]["revenueChart"]
    figures = [f for f in site.figures if f["company_id"] == config["company_id"] and f["unit"] == "USD"]
    has_basis = site.field("financial_figures", "reporting_basis") is not None
    ending = config.get("exclude_figures_ending")

    def basis(f: dict) -> str:
        if has_basis:
            return words(f.get("reporting_basis")) or "basis not stated"
        return "restated on the later basis" if ending and f["figure_id"].endswith(ending) else "as first reported"

    series: dict[str, dict] = defaultdict(dict)
    for f in sorted(figures, key=lambda f: f["figure_id"]):
        if f["metric"] != config["metric"] or not re.fullmatch(r"FY\d{4}", f.get("fiscal_period") or ""):
            continue
        sources = site.citations("financial_figures", f["figure_id"])
        series[basis(f)][f["fiscal_period"]] = {"value": float(f["value"]), "url": sources[0]["url"] if sources else None,
                                               "tooltip": f"{f['fiscal_period']}, {basis(f)}: {money(f['value'], 'USD')}" + (f" ({words(f['provenance'])})" if f.get("provenance") else ""),
                                               "figure": f}
    ordered = dict(sorted(series.items(), key=lambda kv: (kv[0] != "as first reported", kv[0])))
    charges = [{"year": f["fiscal_period"][:6], "value": float(f["value"]), "label": "export-control charge"} for f in figures
               if f["metric"] == config["charge_metric"] and f.get("fiscal_period") and f.get("provenance") == "reported"]  # as reported, not guided
    years = charts.fiscal_years([y for s in ordered.values() for y in s])
    missing = [y for y in years if not any(y in s for s in ordered.values())]
    svg = charts.revenue_by_basis(ordered, charges)
    return {"file": _write(folder, "revenue.svg", svg), "series": ordered, "years": years, "missing": missing, "by_column": has_basis,
            "charges": charges, "first": years[0] if years else "", "last": years[-1] if years else ""}
