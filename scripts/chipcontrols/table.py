"""A resource read and typed: the shape every check works on."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chipcontrols.csvfile import read_csv
from chipcontrols.descriptor import Package, Resource
from chipcontrols.problems import Problem
from chipcontrols.typecast import cast_column, type_hint


@dataclass
class Table:
    resource: Resource
    display: str
    frame: pd.DataFrame  # typed values by field name, index = position 0..n-1
    text: dict[str, np.ndarray]  # the cells as written, by field name
    lines: np.ndarray
    column_of: dict[str, int]  # field name -> 1-based column in the file
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True

    def problem(self, rule: str, position: int | None, name: str | None, value=None, **params) -> Problem:
        line = int(self.lines[position]) if position is not None else None
        return Problem(rule, self.display, line=line, column=self.column_of.get(name) if name else None, field=name, value=value, params=params)

    def key_strings(self, fields: list[str], separator: str = "/") -> pd.Series:
        """The cells of `fields` as written, joined: how a record is named in citations."""
        parts = [pd.Series(self.text[f], dtype=object) for f in fields]
        joined = parts[0]
        for part in parts[1:]:
            joined = joined + separator + part
        return joined


def _header_problems(raw_header: list[str], resource: Resource, display: str) -> tuple[list[Problem], bool]:
    expected = resource.field_names
    if raw_header == expected:
        return [], True
    problems = []
    wanted = ",".join(expected)
    seen = set()
    for position, name in enumerate(raw_header, start=1):
        if name in seen:
            problems.append(Problem("header", display, line=1, column=position, value=name, params={"detail": f"repeats the column {name!r}", "expected": wanted}))
        elif name not in expected:
            close = [e for e in expected if e.lower() == name.strip().lower()]
            detail = f"has an unknown column {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
            problems.append(Problem("header", display, line=1, column=position, value=name, params={"detail": detail, "expected": wanted}))
        seen.add(name)
    for name in expected:
        if name not in raw_header:
            problems.append(Problem("header", display, line=1, value=name, params={"detail": f"lacks the column {name!r}", "expected": wanted}))
    if not problems:
        problems.append(Problem("header", display, line=1, params={"detail": "has the right columns in the wrong order", "expected": wanted}))
    usable = len(set(raw_header)) == len(raw_header)
    return problems, usable


def load_table(package: Package, resource: Resource) -> Table:
    """Read one resource's CSV and type its cells; reports problems, never raises for bad data."""
    display = package.rel(resource.path)
    raw = read_csv(resource.path, display)
    problems = list(raw.problems)
    header_problems, usable = _header_problems(raw.header, resource, display) if raw.header else ([], False)
    problems += header_problems
    column_of = {name: i + 1 for i, name in enumerate(raw.header)} if usable else {}
    frame, text = {}, {}
    n = raw.n_rows
    for field_descriptor in resource.fields:
        name = field_descriptor["name"]
        if name not in column_of:
            continue
        cells = raw.columns[column_of[name] - 1] if n else np.array([], dtype=object)
        cast = cast_column(cells, field_descriptor)
        frame[name] = cast.values.reset_index(drop=True)
        text[name] = np.asarray(cells, dtype=object)
        for position in np.flatnonzero(cast.bad):
            problems.append(Problem("type", display, line=int(raw.lines[position]), column=column_of[name], field=name, value=cells[position],
                                    params={"type": field_descriptor.get("type"), "type_hint": type_hint(field_descriptor)}))
    table = Table(resource, display, pd.DataFrame(frame, index=pd.RangeIndex(n)), text, raw.lines, column_of, problems, readable=usable)
    return table
