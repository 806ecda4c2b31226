"""Validate a data package: descriptor, CSV shape, types, constraints, keys, references, provenance."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from chipcontrols.descriptor import Package, load_package
from chipcontrols.problems import Problem
from chipcontrols.table import Table, load_table


@dataclass
class Result:
    problems: list[Problem]
    package: Package | None = None
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors


def today() -> dt.date:
    """Today's date, overridable (CHIPCONTROLS_TODAY=YYYY-MM-DD) so old releases re-validate as they did."""
    override = os.environ.get("CHIPCONTROLS_TODAY")
    return dt.date.fromisoformat(override) if override else dt.date.today()


def load_tables(package: Package) -> dict[str, Table]:
    return {resource.name: load_table(package, resource) for resource in package.resources}


def validate(descriptor_path: Path, on_date: dt.date | None = None, extra_checks=(), skip_derived: bool = False) -> Result:
    from chipcontrols import integrity
    from chipcontrols.constraints import constraint_problems

    package, problems = load_package(Path(descriptor_path))
    if package is None:
        return Result(problems)
    tables = load_tables(package)
    on_date = on_date or today()
    for table in tables.values():
        problems += table.problems
        if not table.readable:
            continue
        problems += constraint_problems(table)
        problems += integrity.sort_problems(table)
        problems += integrity.future_date_problems(table, on_date)
    readable = {name: t for name, t in tables.items() if t.readable}
    for table in readable.values():
        problems += integrity.foreign_key_problems(table, readable)
        problems += integrity.record_reference_problems(table, readable)
    problems += integrity.citation_coverage_problems(readable)
    from chipcontrols.versioning import version_problems

    for check in (version_problems, *extra_checks):
        problems += check(package, readable)
    if not skip_derived and not any(p.severity == "error" for p in problems):
        from chipcontrols.derive import stale_problems

        problems += stale_problems(package, readable)  # only meaningful once the inputs are valid
    return Result(problems, package, tables)
