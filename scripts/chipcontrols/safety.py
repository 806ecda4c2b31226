"""Text that would act, not read, when the data is opened elsewhere. Cells beginning with
= + - @ (or a tab or carriage return) are formulas to a spreadsheet (CSV injection); the package
refuses them in free-text fields rather than altering values in its outputs. Fields with an
enum or a pattern already limit what they hold and are not checked here."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.arrays import as_mask, element_wise
from chipcontrols.problems import RULES, Problem
from chipcontrols.table import Table

RULES["formula"] = ("text starting with {first} would run as a formula in a spreadsheet",
                    "Reword the cell so it does not start with =, +, -, @, a tab or a carriage return (e.g. write 'minus 5%' or move the sign).")
# All ASCII: a UTF-8 cell starts with one of these characters iff its first byte is one, so the
# check reads one byte per cell (a zero-copy view as binary, then a slice) instead of a regex.
LEADING = pa.array([c.encode() for c in "=+-@\t\r"], type=pa.binary())


def starts_like_formula(strings) -> np.ndarray:
    """For each cell, whether a spreadsheet would take it for a formula."""
    return as_mask(element_wise(lambda part: pc.is_in(pc.binary_slice(part.cast(pa.binary()), 0, 1), value_set=LEADING), strings))


def formula_problems(table: Table) -> list[Problem]:
    problems = []
    for field in table.resource.fields:
        constraints = field.get("constraints", {})
        name = field["name"]
        if field.get("type", "string") != "string" or "enum" in constraints or "pattern" in constraints or name not in table.text:
            continue
        hits = starts_like_formula(table.text[name])
        for position in np.flatnonzero(hits):
            value = table.cell(name, position)
            problems.append(table.problem("formula", int(position), name, value, first=repr(value[:1])))
    return problems
