"""Field constraints and primary keys of one table, checked by pandera."""

from __future__ import annotations

from chipcontrols.pandera_schema import failures, to_pandera
from chipcontrols.problems import Problem
from chipcontrols.table import Table


def _allowed(values: list, limit: int = 12) -> str:
    shown = ", ".join(map(str, values[:limit]))
    return shown + (f", … ({len(values)} in all; see the schema)" if len(values) > limit else "")


def constraint_problems(table: Table) -> list[Problem]:
    if not len(table.frame.columns):
        return []
    converted = to_pandera(table.resource.schema, columns=list(table.frame.columns))
    problems = []
    pk = table.resource.primary_key
    for case in failures(converted, table.frame).itertuples(index=False):
        position = case.index
        if case.rule == "primary-key":
            key = ", ".join(str(table.cell(k, position)) for k in pk)
            problems.append(table.problem("primary-key", position, pk[0], key, key_fields=", ".join(pk)))
            continue
        name = case.column
        cell = table.cell(name, position)
        field = table.resource.field(name)
        params = {"limit": case.limit, "description": field.get("description", ""), "example": field.get("example", "")}
        if case.rule == "required" and cell != "":
            continue  # the cell had text that failed its type: already reported as a type error
        if case.rule == "enum":
            params["allowed"] = _allowed(case.limit)
        elif case.rule == "pattern":
            params["pattern"] = case.limit
        elif case.rule == "maxLength":
            params["length"] = len(cell)
        problems.append(table.problem(case.rule, position, name, cell, **params))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
