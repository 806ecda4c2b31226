"""Report root causes only, as a compiler does: a mistake in one cell, row or table is one
problem, not one more for every check downstream that trips over it. Each rule below drops
problems that vanish once another problem in the same report is fixed (tests/test_root_causes.py
breaks a copy of the package in each way and checks that fixing the one problem leaves none)."""

from __future__ import annotations

import difflib
from collections import defaultdict

import numpy as np

from chipcontrols.problems import RULES, Problem, show_value
from chipcontrols.table import Table

RULES["key-renamed"] = (
    "{value} is referenced nowhere, but {count} row(s) refer to {missing}, which is not a {field} in {file}",
    "If the record was renamed on purpose, change {missing} to {value} in the rows that refer to it (the first is {first}).")

# Problems about what a cell holds: a check that reads the same cell afterwards only repeats them.
CELL_RULES = {"type", "required", "pattern", "enum", "minimum", "maximum", "minLength", "maxLength", "formula"}
CONSEQUENCES = {"foreign-key", "record-reference", "field-reference", "event-id-date", "quote-value", "future-date"}
# Problems that say a key cell holds the wrong value (not, say, that the record lacks a citation)
KEY_VALUE_RULES = CELL_RULES | {"foreign-key", "unique", "primary-key"}
# past this many broken key rows a table is broken wholesale: matching references to rows costs more than it tells
MAX_BROKEN_ROWS = 1000


def root_causes(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    problems = _one_per_cell(problems)
    problems = _without_references_to_broken_rows(problems, tables)
    return _renamed_keys(problems, tables)


def _one_per_cell(problems: list[Problem]) -> list[Problem]:
    """A value refused for what it is is not also reported for what it refers to."""
    refused = {(p.file, p.line, p.column) for p in problems if p.rule in CELL_RULES and p.severity == "error" and p.line is not None}
    return [p for p in problems if not (p.rule in CONSEQUENCES and (p.file, p.line, p.column) in refused)]


def _position(table: Table, line: int | None) -> int | None:
    if line is None or not len(table.lines):
        return None
    position = int(np.searchsorted(table.lines, line))
    return position if position < len(table.lines) and int(table.lines[position]) == line else None


def _broken_rows(problems: list[Problem], tables: dict[str, Table]) -> dict[str, dict[int, set[str]]]:
    """Per table name: rows with an error in a primary-key cell, and which key fields are wrong."""
    by_file = {t.display: t for t in tables.values()}
    broken: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for p in problems:
        table = by_file.get(p.file)
        if p.rule not in KEY_VALUE_RULES or p.severity != "error" or table is None or p.field not in table.resource.primary_key:
            continue
        position = _position(table, p.line)
        if position is not None:
            broken[table.resource.name][position].add(p.field)
    return broken


def _names_broken_row(value: str, separator: str, fields: list[str], table: Table, rows: dict[int, set[str]]) -> int | None:
    """The broken row that a dangling reference most likely means: equal on every key field that
    is not wrong, and (for the wrong ones) close to what the row holds; or None."""
    parts = value.split(separator)
    if len(parts) != len(fields) or not all(f in table.text for f in fields):
        return None
    for position, wrong in rows.items():
        cells = [table.cell(f, position) for f in fields]
        if any(part != cell for part, cell, f in zip(parts, cells, fields) if f not in wrong):
            continue
        if len(wrong) < len(fields) or all(difflib.SequenceMatcher(None, part, cell).ratio() >= 0.75
                                           for part, cell, f in zip(parts, cells, fields) if f in wrong):
            return position
    return None


def _without_references_to_broken_rows(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """A row whose key is wrong (a misspelt company_id in event_companies, say) breaks the
    references to it, such as its citations: only the wrong key is reported."""
    broken = _broken_rows(problems, tables)
    if not broken or sum(len(rows) for rows in broken.values()) > MAX_BROKEN_ROWS:
        return problems
    by_file = {t.display: t for t in tables.values()}
    kept, meant = [], set()
    for p in problems:
        target = tables.get(p.params.get("ref_resource", "")) if p.rule in ("foreign-key", "record-reference") else None
        if target is not None and target.resource.name in broken and p.value is not None:
            pk = target.resource.primary_key
            if p.rule == "record-reference":
                citing = by_file.get(p.file)
                separator = (citing.resource.schema.get("x-recordReference") or {}).get("separator", "/") if citing else "/"
                fields = pk
            else:
                separator, fields = "/", [f.strip() for f in str(p.params.get("ref_fields", "")).split(",")]
            position = _names_broken_row(str(p.value), separator, fields, target, broken[target.resource.name])
            if position is not None:
                meant.add((target.display, int(target.lines[position])))
                continue
        kept.append(p)
    # the row meant by a dropped citation is cited, once its key is right
    return [p for p in kept if not (p.rule == "citation-missing" and (p.file, p.line) in meant)]


def _renamed_keys(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """A key misspelt (or renamed) where a record is defined breaks every reference to it, and
    leaves the record uncited. A dangling reference close to a record that is uncited means one
    thing: either the reference is misspelt (it alone is reported) or, when several rows agree
    on the old key, the record's key is (one `key-renamed` problem at the record replaces them)."""
    uncited: dict[str, dict[str, Problem]] = defaultdict(dict)
    for p in problems:
        if p.rule == "citation-missing" and p.value is not None:
            uncited[p.params.get("resource", "")][str(p.value)] = p
    if not uncited or sum(map(len, uncited.values())) > MAX_BROKEN_ROWS:
        return problems  # a table cited wholesale wrong: matching each dangling key to a record would cost more than it tells
    dangling: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        target = tables.get(p.params.get("ref_resource", ""))
        if target is None or target.resource.name not in uncited or p.value is None:
            continue
        if p.rule == "record-reference" or (p.rule == "foreign-key" and p.params.get("ref_fields") == ", ".join(target.resource.primary_key)):
            dangling[(target.resource.name, str(p.value))].append(p)
    from chipcontrols.suggest import closest

    dropped: set[int] = set()
    added = []
    orphaned = set()
    if len(dangling) > MAX_BROKEN_ROWS:
        return problems
    for (name, value), references in dangling.items():
        key = closest(value, [k for k in uncited[name] if id(uncited[name][k]) not in dropped])
        if key is None or key == value:
            continue
        record = uncited[name][key]
        if len(references) == 1:
            if references[0].rule == "record-reference":
                dropped.add(id(record))  # the citation meant this record: its misspelt id is the one problem
            continue
        dropped.add(id(record))
        dropped.update(id(r) for r in references)
        orphaned.add((record.file, record.line))
        renamed = Problem("key-renamed", record.file, line=record.line, column=record.column, field=record.field, value=key,
                          params={"count": len(references), "missing": show_value(value), "first": references[0].location()},
                          suggestion=f"Did you mean {show_value(value)}? If {show_value(key)} is a misspelling, write {show_value(value)}.")
        added.append(renamed)
    if not dropped:
        return problems
    kept = [p for p in problems if id(p) not in dropped and not (p.rule == "orphan" and (p.file, p.line) in orphaned)]
    return kept + added
