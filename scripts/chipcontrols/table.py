"""A resource read and typed: the shape every check works on. Cells stay in Arrow memory; a
check that needs Python values asks for the few cells it reports."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.csvfile import read_csv
from chipcontrols.descriptor import Package, Resource
from chipcontrols.problems import Problem
from chipcontrols.typecast import cast_column, type_hint


@dataclass
class Table:
    resource: Resource
    display: str
    frame: pd.DataFrame  # typed values by field name (Arrow-backed), index = position 0..n-1
    text: dict[str, pa.Array]  # the cells as written, by field name
    lines: np.ndarray
    column_of: dict[str, int]  # field name -> 1-based column in the file
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    record_index: dict = field(default_factory=dict)  # cache of resolved polymorphic references
    record_lookup: object = None  # a Future of record_index, while it is computed beside other checks
    unreadable: list = field(default_factory=list)  # (line, cells) of rows that could not be read

    @property
    def complete(self) -> bool:
        """False when part of the file could not be read: checks against its keys would mislead."""
        return self.readable and not any(p.rule in ("csv-syntax", "encoding") for p in self.problems)

    def keep_only(self, names: set[str]) -> None:
        """Drop the other columns from memory (large tables, once their own checks are done)."""
        self.text = {k: v for k, v in self.text.items() if k in names}
        self.frame = self.frame[[c for c in self.frame.columns if c in names]]

    def cell(self, name: str, position: int) -> str:
        return self.text[name][int(position)].as_py()

    def values(self, name: str) -> list[str]:
        """A whole column as Python strings: for small tables and reports only."""
        return self.text[name].to_pylist()

    def typed(self, name: str) -> list:
        """A whole typed column as Python values, None where missing: for small tables only."""
        return self.frame[name].array.__arrow_array__().to_pylist()

    def problem(self, rule: str, position: int | None, name: str | None, value=None, **params) -> Problem:
        line = int(self.lines[position]) if position is not None else None
        return Problem(rule, self.display, line=line, column=self.column_of.get(name) if name else None, field=name, value=value, params=params)

    def unreadable_keys(self, fields: list[str], separator: str = "/") -> set[str]:
        """The keys the unreadable rows would have, as far as their cells can be placed: a reference
        to one of them names a row that exists but could not be read, not a missing record."""
        if not self.unreadable or not all(f in self.column_of for f in fields):
            return set()
        indexes = [self.column_of[f] - 1 for f in fields]
        return {separator.join(cells[i] for i in indexes) for _, cells in self.unreadable if all(i < len(cells) for i in indexes)}

    def key_strings(self, fields: list[str], separator: str = "/") -> pa.Array:
        """The cells of `fields` as written, joined: how a record is named in citations."""
        if len(fields) == 1:
            return self.text[fields[0]]
        return pc.binary_join_element_wise(*(self.text[f] for f in fields), separator)


def _header_problems(raw_header: list[str], resource: Resource, display: str) -> tuple[list[Problem], bool]:
    from chipcontrols.suggest import closest

    expected = resource.field_names
    if raw_header == expected:
        return [], True
    problems = []
    wanted = ",".join(expected)
    absent = [name for name in expected if name not in raw_header]
    seen, explained = set(), set()
    for position, name in enumerate(raw_header, start=1):
        if name in seen:
            problems.append(Problem("header", display, line=1, column=position, value=name, params={"detail": f"repeats the column {name!r}", "expected": wanted}))
        elif name not in expected:
            # a misspelt column is one problem, not "unknown x" plus "lacks y"
            close = closest(name, [a for a in absent if a not in explained])
            if close:
                explained.add(close)
                problems.append(Problem("header", display, line=1, column=position, value=name,
                                        params={"detail": f"has an unknown column {name!r} where {close!r} is missing", "expected": wanted},
                                        suggestion=f"Did you mean {close!r}? Rename the column to {close!r}."))
            else:
                problems.append(Problem("header", display, line=1, column=position, value=name, params={"detail": f"has an unknown column {name!r}", "expected": wanted}))
        seen.add(name)
    for name in absent:
        if name not in explained:
            problems.append(Problem("header", display, line=1, value=name, params={"detail": f"lacks the column {name!r}", "expected": wanted}))
    if not problems:
        problems.append(Problem("header", display, line=1, params={"detail": "has the right columns in the wrong order", "expected": wanted}))
    usable = len(set(raw_header)) == len(raw_header)
    return problems, usable


def load_table(package: Package, resource: Resource, prefetch=None) -> Table:
    """Read one resource's CSV (or take it from a `Prefetch`) and type its cells; reports problems,
    never raises for bad data."""
    display = package.rel(resource.path)
    raw = (prefetch.take(resource.path, display) if prefetch else None) or read_csv(resource.path, display)
    problems = list(raw.problems)
    for problem in problems:
        if problem.rule in ("empty-file", "blank-header"):
            problem.params.setdefault("expected", ",".join(resource.field_names))  # the reader does not know the schema
    header_problems, usable = _header_problems(raw.header, resource, display) if raw.header else ([], False)
    problems += header_problems
    column_of = {name: i + 1 for i, name in enumerate(raw.header)} if usable else {}
    frame, text = {}, {}
    n = raw.n_rows
    for field_descriptor in resource.fields:
        name = field_descriptor["name"]
        if name not in column_of:
            continue
        cells = raw.columns[column_of[name] - 1] if raw.columns else pa.array([], type=pa.string())
        cast = cast_column(cells, field_descriptor)
        frame[name] = cast.values
        text[name] = cells
        bad = np.flatnonzero(cast.bad)
        if len(bad):
            shown = cells.take(pa.array(bad)).to_pylist()
            for position, value in zip(bad, shown):
                problems.append(Problem("type", display, line=int(raw.lines[position]), column=column_of[name], field=name, value=value,
                                        params={"type": field_descriptor.get("type"), "type_hint": type_hint(field_descriptor)}))
    return Table(resource, display, pd.DataFrame(frame, index=pd.RangeIndex(n)), text, raw.lines, column_of, problems, readable=usable,
                 unreadable=raw.unreadable)


def load_tables(package: Package) -> dict[str, Table]:
    """Every resource of the package, read and typed (export and stats; validate reads them one by one)."""
    return {resource.name: load_table(package, resource) for resource in package.resources}
