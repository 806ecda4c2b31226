"""Evidence rules of this project, beyond what a Table Schema can say: a figure's quote must
state its number, a rule must cite the rule's text, and every company and chip must take part
in the story. This module is the one place that knows this package's table names."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.problems import RULES, Problem
from chipcontrols.arrays import as_mask as _np
from chipcontrols.arrays import concat
from chipcontrols.table import Table

RULES.update({
    "quote-value": ("no quote cited for this figure states its value {value} {unit}", "Cite a quote that contains the number as the source writes it (e.g. '$5.5 billion', '15%', '1.5 million'); for a table in millions, say 'in millions' in the citation's locator."),
    "quote-value-scale": ("value {value} {unit} is the number of the quote's '{written}' without its scale", "Write the value in base units: {scaled} (values are stored in base units of `unit`, never in millions or billions)."),
    "quote-value-rounded": ("value {value} {unit} is a rounding of {exact}, which the description or a quote states", "Store the exact number as the source's table gives it ({exact}) and cite that table (locator '$ in millions')."),
    "quote-value-citation": ("this quote, cited for the whole of figure {figure} or its value, does not state its value {figure_value} {unit}", "Quote the sentence or table cell that states the value, or name in `field` the columns this quote does support (e.g. 'description period_end')."),
    "description-number": ("{field} of {resource} record {record} states {written}, which no quote cited for the record (or for a record linked to it) states", "Cite a quote that states it (naming `{field}` in the citation's `field`), or take the number out of the {field}: a {field} claims no more than the record's citations support."),
    "rule-source": ("export_control_rule event {value} cites no government_rule source", "Cite the rule's own text: a Federal Register, eCFR or BIS source with source_type=government_rule."),
    "event-id-date": ("date {value} is not the date event_id {event_id} starts with", "Make the event_id start with the event's date (YYYY-MM-DD-...), or correct the date, so ids sort in time order."),
    "orphan": ("{resource} record {value} is not referenced by any event or figure", "Link it from event_companies / event_chips or a financial figure, or remove it."),
})

SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9,
          "trillion": 1e12, "tn": 1e12, "t": 1e12, "万": 1e4, "亿": 1e8, "万亿": 1e12}
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
         "a hundred": 100, "a thousand": 1e3, "a million": 1e6, "a billion": 1e9, "half a million": 5e5, "half a billion": 5e8,
         "half a trillion": 5e11, "half": 50, "a quarter": 25}
WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")(?:\s+(thousand|million|billion|trillion))?\b", re.IGNORECASE)
# A table "in millions" states 7,111 for $7,111,000,000: the citation's locator says which.
LOCATOR_SCALE = re.compile(r"in (thousands|millions|billions)", re.IGNORECASE)
NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(thousand|million|billion|trillion|mln|bln|mn|bn|tn|[kKmMbBtT](?![a-zA-Z])|万亿|万|亿|%|percent\b|per cent\b)?")
PERCENT = ("%", "percent", "per cent")


def readings(text: str, locator: str = "") -> list[tuple[str, float, float | None]]:
    """Each number a quote states, read the way a person would: (as written, value, the bare
    number when a scale word or table locator multiplied it). '$5.5 billion' -> ('5.5 billion',
    5.5e9, 5.5): the bare 5.5 is not a value the quote states."""
    table_scale = LOCATOR_SCALE.search(locator or "")
    factor = SCALES[table_scale.group(1).lower()[:-1]] if table_scale else 1.0
    out = []
    for match in NUMBER.finditer(text):
        whole, fraction, scale = match.groups()
        number = float(whole.replace(",", "") + (fraction or ""))
        written = match.group(0).strip()
        if scale and scale.lower() in PERCENT:
            out.append((written, number, None))  # percent is this package's unit for shares: 15% is 15
        elif scale:
            out.append((written, number * SCALES[scale.lower() if scale.lower() in SCALES else scale], number))
        else:
            out.append((written, number * factor, number if factor != 1.0 else None))
    for match in WORD_NUMBER.finditer(text):
        word, scale = match.groups()
        number = WORDS[word.lower()]
        out.append((match.group(0), number * (SCALES[scale.lower()] if scale else 1), number if scale else None))
    return out


def numbers_in(text: str, locator: str = "") -> set[float]:
    """Every value a quote states, in base units ('$5.5 billion' -> 5.5e9, not 5.5)."""
    return {value for _, value, _ in readings(text, locator)}


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def states_value(text: str, value: float, locator: str = "") -> bool:
    target = abs(value)
    return any(_same(n, target) for n in numbers_in(text, locator))


def _decimals(written: str) -> int:
    digits = re.match(r"[\d,]*(?:\.(\d+))?", written)
    return len(digits.group(1) or "") if digits else 0


def states_rounded(text: str, value: float, locator: str = "") -> bool:
    """Whether the quote states `value` rounded to the digits it shows ('$39.1 billion' for
    39,112,000,000): enough for a quote that supports a figure whose exact value another cites."""
    target = abs(value)
    for written, scaled, bare in readings(text, locator):
        bare = scaled if bare is None else bare
        if bare == 0 or target == 0:
            continue
        factor = scaled / bare
        if _same(round(target / factor, _decimals(written)), bare):
            return True
    return False


def _significant(number: float) -> int:
    """Significant digits of a number as it would be written in full (51200000000 -> 3, 5.576 -> 4)."""
    mantissa = f"{abs(number):.15g}".split("e")[0]
    return max(1, len(mantissa.replace(".", "").lstrip("0").rstrip("0")))


def more_precise(text: str, value: float, locator: str = "") -> float | None:
    """A number in `text` of which `value` is a rounding ($51,215 million where 51200000000 is
    stored): the exact number the value should be."""
    target = abs(value)
    for written, scaled, _ in readings(text, locator):
        if scaled and not _same(scaled, target) and abs(scaled - target) < 0.005 * target and _significant(target) < _significant(scaled) \
                and _same(float(f"{scaled:.{_significant(target)}g}"), target):
            return scaled if value >= 0 else -scaled
    return None


def scale_slip(text: str, value: float, locator: str = "") -> tuple[str, float] | None:
    """Where `value` is a quoted number without its scale ('5.5' for '$5.5 billion'): what the
    quote wrote and the value in base units to store instead."""
    target = abs(value)
    for written, scaled, bare in readings(text, locator):
        if bare is not None and _same(bare, target):
            return written, scaled if value >= 0 else -scaled
    return None


def _has(tables: dict[str, Table], table: str, *columns: str) -> bool:
    """Whether a table was read with these columns (a broken header can lose them)."""
    return table in tables and all(c in tables[table].text for c in columns)


def quote_value_problems(package, tables: dict[str, Table]) -> list[Problem]:
    """Every quote cited for a figure's value (naming `value` in `field`, or the whole record with
    a blank `field`) states that value; a value that is a quoted number without its scale word
    ('5.5' for '$5.5 billion') gets the base-unit value to write instead."""
    if not (_has(tables, "financial_figures", "figure_id", "value", "unit") and _has(tables, "citations", "record_table", "record_id", "field", "quote", "locator")):
        return []
    figures, cites = tables["financial_figures"], tables["citations"]
    positions = np.flatnonzero(_np(pc.equal(cites.text["record_table"], "financial_figures")))
    quotes: dict[str, list[tuple[int, str, str]]] = {}
    taken = pa.array(positions)
    for position, record_id, field, quote, locator in zip(positions, *(cites.text[c].take(taken).to_pylist() for c in ("record_id", "field", "quote", "locator"))):
        if field == "" or "value" in field.split():
            quotes.setdefault(record_id, []).append((int(position), quote, locator))
    problems = []
    for position, (figure_id, value) in enumerate(zip(figures.values("figure_id"), figures.typed("value"))):
        stated = quotes.get(figure_id)
        if value is None or value != value or not stated:
            continue
        unit = figures.cell("unit", position)
        exact = next((found for _, q, loc in stated if (found := more_precise(q, value, loc)) is not None), None)
        if exact is None and "description" in figures.text:
            exact = more_precise(figures.cell("description", position), value)
        if exact is not None:
            problems.append(figures.problem("quote-value-rounded", position, "value", figures.cell("value", position), unit=unit, exact=f"{exact:.15g}"))
            continue
        silent = [(p, q, loc) for p, q, loc in stated if not states_value(q, value, loc) and not states_rounded(q, value, loc)]
        if any(states_value(q, value, loc) for _, q, loc in stated):
            for cite_position, quote, _ in silent:
                problems.append(cites.problem("quote-value-citation", cite_position, "quote", quote, figure=figure_id,
                                              figure_value=figures.cell("value", position), unit=unit))
            continue
        slip = next((found for _, q, loc in stated if (found := scale_slip(q, value, loc))), None)
        if slip:
            problems.append(figures.problem("quote-value-scale", position, "value", figures.cell("value", position), unit=unit,
                                            written=slip[0], scaled=f"{slip[1]:.15g}" if abs(slip[1]) < 1e15 else repr(slip[1])))
        else:
            problems.append(figures.problem("quote-value", position, "value", figures.cell("value", position), unit=unit))
    return problems


CURRENCY = ("$", "¥", "€", "£", "US$", "RMB", "HK$", "NT$")


@lru_cache(maxsize=65536)
def claimed_numbers(text: str) -> tuple[tuple[str, float, float], ...]:
    """The numbers a sentence claims as facts: amounts with a currency or a scale word,
    percentages, and numbers written with thousands separators ('$5.5 billion', '15%',
    '14,592'); bare small numbers and years are left alone (they name models, days and clauses),
    and so is a single-letter suffix without a currency ('Ascend 910B', 'HL-225B' are names)."""
    matches = list(NUMBER.finditer(text))
    out = []
    for i, match in enumerate(matches):
        whole, fraction, scale = match.groups()
        currency = text[:match.start()].rstrip().endswith(CURRENCY)
        if text[match.start() - 1:match.start()].isalnum() or (scale and scale in "kKmMbBtT" and not currency and "," not in whole):
            continue  # part of a name such as 'B40', 'H800' or '910B'
        written = match.group(0).strip()
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        if not scale and nxt is not None and nxt.group(3) and re.fullmatch(r"\s*(?:-|–|to)\s*\D{0,3}", text[match.end():nxt.start()]):
            written = f"{written} {nxt.group(3)}"  # '$2-5 billion': the range's first number takes its scale
            scale = nxt.group(3)
        if not (scale or "," in whole or currency):
            continue
        [(_, value, bare)] = readings(written)
        out.append((written, value, value if bare is None else bare))
    return tuple(out)


@lru_cache(maxsize=65536)
def _supports(quote: str, locator: str, written: str, value: float, bare: float) -> bool:
    """Whether a quote states the described number: the same value, or one of which the
    description's number is a rounding ('$39.1 billion' described from a table's 39,112)."""
    if states_value(quote, value, locator):
        return True
    if value == bare and any(_same(b, value) for _, _, b in readings(quote, locator) if b is not None):
        return True  # '$5,835' in a description of a table '$ in millions' that the quote reads 5,835
    factor = value / bare if bare else 1.0
    return any(_same(round(scaled / factor, _decimals(written.split()[0])), bare) for _, scaled, _ in readings(quote, locator) if scaled)


def _linked_records(tables: dict[str, Table]) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Records joined by a foreign key, both ways: a figure and the event it belongs to, a figure
    and the one it restates. A description may restate a fact that a linked record cites."""
    links: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for name, t in tables.items():
        if not t.resource.citation_required or not all(k in t.text for k in t.resource.primary_key):
            continue
        keys = None
        for fk in t.resource.foreign_keys:
            target = fk["reference"]["resource"] or name
            if len(fk["fields"]) != 1 or fk["fields"][0] not in t.text or target not in tables or not tables[target].resource.citation_required:
                continue
            keys = keys if keys is not None else t.key_strings(t.resource.primary_key).to_pylist()
            for key, value in zip(keys, t.values(fk["fields"][0])):
                if value:
                    links.setdefault((name, key), set()).add((target, value))
                    links.setdefault((target, value), set()).add((name, key))
    return links


def description_number_problems(package, tables: dict[str, Table]) -> list[Problem]:
    """A field marked x-numbersQuoted (a record's description) states no number that no citation
    of the record, or of a record linked to it by a foreign key, states: where a description joins
    facts from several sources, each needs its own citation."""
    from chipcontrols.integrity import cites

    citing = next((t for t in tables.values() if cites(t)), None)
    if citing is None or not citing.complete:
        return []
    spec = citing.resource.schema["x-recordReference"]
    columns = (spec["table"], spec["id"], "quote", "locator")
    if not all(c in citing.text for c in columns):
        return []
    marked = {name: [f["name"] for f in t.resource.fields if f.get("x-numbersQuoted") and f["name"] in t.text] for name, t in tables.items()}
    if not any(marked.values()):
        return []
    quotes: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for table, record, quote, locator in zip(*(citing.values(c) for c in columns)):
        quotes.setdefault((table, record), []).append((quote, locator))
    links = _linked_records(tables)
    problems = []
    for name, fields in marked.items():
        t = tables[name]
        if not fields or not all(k in t.text for k in t.resource.primary_key):
            continue
        keys = t.key_strings(t.resource.primary_key).to_pylist()
        for field in fields:
            for position, (record, text) in enumerate(zip(keys, t.values(field))):
                claims = claimed_numbers(text)
                if not claims:
                    continue
                stated = quotes.get((name, record), []) + [q for linked in links.get((name, record), ()) for q in quotes.get(linked, [])]
                for written, value, bare in claims:
                    if not any(_supports(q, loc, written, value, bare) for q, loc in stated):
                        problems.append(t.problem("description-number", position, field, text, field=field, resource=name, record=record, written=f"'{written}'"))
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
    dated = _np(pc.is_valid(events.frame["date"].array.__arrow_array__()))  # a date that is not a date is reported once, as such
    wrong = dated & ~_np(pc.equal(prefix, events.text["date"]))
    return [events.problem("event-id-date", int(p), "date", events.cell("date", p), event_id=events.cell("event_id", p)) for p in np.flatnonzero(wrong)]


def orphan_problems(package, tables: dict[str, Table]) -> list[Problem]:
    referenced = {"companies": [], "chips": []}
    for name, column, target in (("event_companies", "company_id", "companies"), ("financial_figures", "company_id", "companies"),
                                 ("event_chips", "chip_id", "chips"), ("financial_figures", "chip_id", "chips")):
        source = tables.get(name)
        if source is None or column not in source.text or not source.complete or source.unreadable:
            return []  # a reference may sit in what could not be read: "referenced by nothing" would mislead
        referenced[target].append(source.text[column])
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

QUALITY_CHECKS = (quote_value_problems, description_number_problems, rule_source_problems, event_id_date_problems, orphan_problems, source_policy_problems)
