"""Evidence rules of this project, beyond what a Table Schema can say: a figure's quote must
state its number, a rule must cite the rule's text, and every company and chip must take part
in the story. This module is the one place that knows this package's table names."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.problems import RULES, Problem
from chipcontrols.arrays import as_mask as _np
from chipcontrols.arrays import concat
from chipcontrols.table import Table

RULES.update({
    "quote-value": ("no quote cited for this figure states its value {value} {unit}", "Cite a quote that contains the number as the source writes it (e.g. '$5.5 billion', '15%', '1.5 million'); for a table in millions, say 'in millions' in the citation's locator."),
    "rule-source": ("export_control_rule event {value} cites no government_rule source", "Cite the rule's own text: a Federal Register, eCFR or BIS source with source_type=government_rule."),
    "event-id-date": ("date {value} is not the date event_id {event_id} starts with", "Make the event_id start with the event's date (YYYY-MM-DD-...), or correct the date, so ids sort in time order."),
    "orphan": ("{resource} record {value} is not referenced by any event or figure", "Link it from event_companies / event_chips or a financial figure, or remove it."),
})

SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
          "trillion": 1e12, "tn": 1e12, "t": 1e12, "万": 1e4, "亿": 1e8}
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
         "a hundred": 100, "a thousand": 1e3, "a million": 1e6, "a billion": 1e9, "half": 50}
WORD_NUMBER = re.compile(r"\b(" + "|".join(WORDS) + r")(?:\s+(thousand|million|billion|trillion))?\b", re.IGNORECASE)
# A table "in millions" states 7,111 for $7,111,000,000: the citation's locator says which.
LOCATOR_SCALE = re.compile(r"in (thousands|millions|billions)", re.IGNORECASE)
NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(thousand|million|billion|trillion|mn|bn|tn|[kKmMbBtT](?![a-zA-Z])|万|亿)?")


def numbers_in(text: str, locator: str = "") -> set[float]:
    """Every value a quote states, read the way a person would ('$5.5 billion' -> 5.5e9)."""
    found = set()
    for whole, fraction, scale in NUMBER.findall(text):
        number = float(whole.replace(",", "") + (fraction or ""))
        found.add(number)
        if scale:
            found.add(number * SCALES[scale.lower() if scale.lower() in SCALES else scale])
    for word, scale in WORD_NUMBER.findall(text):
        number = WORDS[word.lower()]
        found.add(number * (SCALES[scale.lower()] if scale else 1))
    table_scale = LOCATOR_SCALE.search(locator or "")
    if table_scale:
        factor = SCALES[table_scale.group(1).lower()[:-1]]
        found |= {n * factor for n in found}
    return found


def states_value(text: str, value: float, locator: str = "") -> bool:
    target = abs(value)
    return any(abs(n - target) <= 1e-9 * max(1.0, target) for n in numbers_in(text, locator))


def _has(tables: dict[str, Table], table: str, *columns: str) -> bool:
    """Whether a table was read with these columns (a broken header can lose them)."""
    return table in tables and all(c in tables[table].text for c in columns)


def quote_value_problems(package, tables: dict[str, Table]) -> list[Problem]:
    if not (_has(tables, "financial_figures", "figure_id", "value", "unit") and _has(tables, "citations", "record_table", "record_id", "field", "quote", "locator")):
        return []
    figures, cites = tables["financial_figures"], tables["citations"]
    mine = _np(pc.equal(cites.text["record_table"], "financial_figures"))
    quotes: dict[str, list[tuple[str, str]]] = {}
    for record_id, field, quote, locator in zip(*(cites.text[c].filter(pa.array(mine)).to_pylist() for c in ("record_id", "field", "quote", "locator"))):
        if field == "" or "value" in field.split():
            quotes.setdefault(record_id, []).append((quote, locator))
    problems = []
    for position, (figure_id, value) in enumerate(zip(figures.values("figure_id"), figures.typed("value"))):
        stated = quotes.get(figure_id)
        if value is not None and value == value and stated and not any(states_value(q, value, loc) for q, loc in stated):
            problems.append(figures.problem("quote-value", position, "value", figures.cell("value", position), unit=figures.cell("unit", position)))
    return problems


def rule_source_problems(package, tables: dict[str, Table]) -> list[Problem]:
    if not (_has(tables, "events", "event_id", "event_type") and _has(tables, "sources", "source_id", "source_type") and _has(tables, "citations", "source_id")):
        return []
    from chipcontrols.integrity import cited_positions

    events, sources = tables["events"], tables["sources"]
    rule_sources = sources.text["source_id"].filter(pc.equal(sources.text["source_type"], "government_rule"))
    by_rule_text = lambda citing: _np(pc.is_in(citing.text["source_id"], value_set=rule_sources)) if "source_id" in citing.text else None  # noqa: E731
    is_rule = _np(pc.equal(events.text["event_type"], "export_control_rule"))
    has_citation = cited_positions(tables, "events")
    has_rule_text = cited_positions(tables, "events", row_filter=by_rule_text)
    return [events.problem("rule-source", int(p), "event_id", events.cell("event_id", p)) for p in np.flatnonzero(is_rule & has_citation & ~has_rule_text)]


def event_id_date_problems(package, tables: dict[str, Table]) -> list[Problem]:
    if not _has(tables, "events", "event_id", "date"):
        return []
    events = tables["events"]
    prefix = pc.utf8_slice_codeunits(events.text["event_id"], 0, 10)
    dated = _np(pc.not_equal(events.text["date"], ""))
    wrong = dated & ~_np(pc.equal(prefix, events.text["date"]))
    return [events.problem("event-id-date", int(p), "date", events.cell("date", p), event_id=events.cell("event_id", p)) for p in np.flatnonzero(wrong)]


def orphan_problems(package, tables: dict[str, Table]) -> list[Problem]:
    referenced = {"companies": [], "chips": []}
    for name, column, target in (("event_companies", "company_id", "companies"), ("financial_figures", "company_id", "companies"),
                                 ("event_chips", "chip_id", "chips"), ("financial_figures", "chip_id", "chips")):
        if name in tables and column in tables[name].text:
            referenced[target].append(tables[name].text[column])
    problems = []
    for target, key in (("companies", "company_id"), ("chips", "chip_id")):
        if not _has(tables, target, key):
            continue
        table = tables[target]
        value_set = concat(referenced[target])
        for position in np.flatnonzero(~_np(pc.is_in(table.text[key], value_set=value_set))):
            problem = table.problem("orphan", int(position), key, table.cell(key, position), resource=target)
            problem.severity = "warning"
            problems.append(problem)
    return problems


COLUMNS_USED = {"events": {"event_type", "date"}, "sources": {"source_type", "caveat"}, "financial_figures": {"value", "unit"},
                "citations": {"field", "quote", "locator"}}
from chipcontrols.policy import source_policy_problems  # noqa: E402 - the policy is data; its check lives beside it

QUALITY_CHECKS = (quote_value_problems, rule_source_problems, event_id_date_problems, orphan_problems, source_policy_problems)
