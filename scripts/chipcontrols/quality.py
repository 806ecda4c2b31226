"""Evidence rules of this project, beyond what a Table Schema can say: a figure's quote must
state its number, a rule must cite the rule's text, and every company and chip must take part
in the story. This module is the one place that knows this package's table names."""

from __future__ import annotations

import re

import numpy as np

from chipcontrols.problems import RULES, Problem
from chipcontrols.table import Table

RULES.update({
    "quote-value": ("no quote cited for this figure states its value {value} {unit}", "Cite a quote that contains the number as the source writes it (e.g. '$5.5 billion', '15%', '1.5 million'); for a table in millions, say 'in millions' in the citation's locator."),
    "rule-source": ("export_control_rule event {value} cites no government_rule source", "Cite the rule's own text: a Federal Register, eCFR or BIS source with source_type=government_rule."),
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


def _citations(tables: dict[str, Table], record_table: str) -> dict[str, list[int]]:
    cites = tables["citations"]
    by_record: dict[str, list[int]] = {}
    for position in np.flatnonzero(cites.text["record_table"] == record_table):
        by_record.setdefault(cites.text["record_id"][position], []).append(int(position))
    return by_record


def quote_value_problems(package, tables: dict[str, Table]) -> list[Problem]:
    if not {"financial_figures", "citations"} <= tables.keys():
        return []
    figures, cites = tables["financial_figures"], tables["citations"]
    by_record = _citations(tables, "financial_figures")
    problems = []
    for position, (figure_id, value) in enumerate(zip(figures.text["figure_id"], figures.frame["value"])):
        quotes = [(cites.text["quote"][i], cites.text["locator"][i]) for i in by_record.get(figure_id, [])
                  if cites.text["field"][i] == "" or "value" in cites.text["field"][i].split()]
        if value == value and quotes and not any(states_value(q, value, loc) for q, loc in quotes):
            problems.append(figures.problem("quote-value", position, "value", figures.text["value"][position], unit=figures.text["unit"][position]))
    return problems


def rule_source_problems(package, tables: dict[str, Table]) -> list[Problem]:
    if not {"events", "citations", "sources"} <= tables.keys():
        return []
    events, cites, sources = tables["events"], tables["citations"], tables["sources"]
    kind = dict(zip(sources.text["source_id"], sources.text["source_type"]))
    by_record = _citations(tables, "events")
    problems = []
    for position in np.flatnonzero(events.text["event_type"] == "export_control_rule"):
        event_id = events.text["event_id"][position]
        cited = {kind.get(cites.text["source_id"][i]) for i in by_record.get(event_id, [])}
        if by_record.get(event_id) and "government_rule" not in cited:
            problems.append(events.problem("rule-source", int(position), "event_id", event_id))
    return problems


def orphan_problems(package, tables: dict[str, Table]) -> list[Problem]:
    referenced = {"companies": set(), "chips": set()}
    for name, column, target in (("event_companies", "company_id", "companies"), ("financial_figures", "company_id", "companies"),
                                 ("event_chips", "chip_id", "chips"), ("financial_figures", "chip_id", "chips")):
        if name in tables and column in tables[name].text:
            referenced[target].update(tables[name].text[column])
    problems = []
    for target, key in (("companies", "company_id"), ("chips", "chip_id")):
        if target not in tables:
            continue
        table = tables[target]
        for position in np.flatnonzero(~np.isin(table.text[key], list(referenced[target]))):
            problem = table.problem("orphan", int(position), key, table.text[key][position], resource=target)
            problem.severity = "warning"
            problems.append(problem)
    return problems


QUALITY_CHECKS = (quote_value_problems, rule_source_problems, orphan_problems)
