"""Text that would act, not read, when the data is opened elsewhere. Cells beginning with
= + - @ (or a tab or carriage return) are formulas to a spreadsheet (CSV injection); the package
refuses them in free-text fields rather than altering values in its outputs. Fields with an
enum or a pattern already limit what they hold and are not checked here."""

from __future__ import annotations

import numpy as np

from chipcontrols.arrays import first_bytes
from chipcontrols.problems import RULES, Problem
from chipcontrols.table import Table

RULES["formula"] = ("text starting with {first} would run as a formula in a spreadsheet",
                    "Reword the cell so it does not start with =, +, -, @, a tab or a carriage return (e.g. write 'minus 5%' or move the sign).")
LEADING = np.frombuffer(b"=+-@\t\r", dtype=np.uint8)  # all ASCII: a UTF-8 cell starts with one iff its first byte is one


def formula_problems(table: Table) -> list[Problem]:
    problems = []
    for field in table.resource.fields:
        constraints = field.get("constraints", {})
        name = field["name"]
        if field.get("type", "string") != "string" or "enum" in constraints or "pattern" in constraints or name not in table.text:
            continue
        hits = np.isin(first_bytes(table.text[name]), LEADING)
        for position in np.flatnonzero(hits):
            value = table.cell(name, position)
            problems.append(table.problem("formula", int(position), name, value, first=repr(value[:1])))
    return problems
