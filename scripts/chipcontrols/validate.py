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


# Above this many rows a table keeps only the columns later checks read once its own checks are
# done, so memory stays near the size of the data (see benchmarks/).
LARGE_TABLE_ROWS = 200_000


def columns_needed_later(package: Package, columns_used: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per table, the columns that cross-table checks read: keys, references, what extra checks
    name, and the whole of each table a derived table is computed from."""
    from chipcontrols.derive import DERIVATIONS, INPUTS

    derived = [r.name for r in package.resources if r.derived and r.name in DERIVATIONS]
    if any(name not in INPUTS for name in derived):  # a derivation that does not say what it reads
        return {resource.name: set(resource.field_names) for resource in package.resources}
    read_whole = {table for name in derived for table in INPUTS[name]}
    needed = {r.name: set(r.primary_key) | set(columns_used.get(r.name, ())) | (set(r.field_names) if r.name in read_whole else set())
              for r in package.resources}
    for resource in package.resources:
        spec = resource.schema.get("x-recordReference") or {}
        needed[resource.name] |= {spec[k] for k in ("table", "id", "fields") if k in spec}
        for fk in resource.foreign_keys:
            needed[resource.name] |= set(fk["fields"])
            target = fk["reference"].get("resource") or resource.name
            needed.setdefault(target, set()).update(fk["reference"]["fields"])
    return needed


def validate(descriptor_path: Path, on_date: dt.date | None = None, extra_checks=(), skip_derived: bool = False,
             columns_used: dict[str, set[str]] | None = None, keep_all_columns: bool = True, prefetch=None) -> Result:
    """Every check, every problem. `prefetch` (a started `Prefetch`) supplies files read ahead."""
    try:
        return _validate(descriptor_path, on_date, extra_checks, skip_derived, columns_used, keep_all_columns, prefetch)
    finally:
        if prefetch is not None:
            prefetch.close()


def _validate(descriptor_path, on_date, extra_checks, skip_derived, columns_used, keep_all_columns, prefetch) -> Result:
    from chipcontrols import integrity
    from chipcontrols.constraints import constraint_problems
    from chipcontrols.safety import formula_problems

    package, problems = load_package(Path(descriptor_path))
    if package is None:
        return Result(problems)
    on_date = on_date or today()
    needed = columns_needed_later(package, columns_used or {})
    tables = {}
    for resource in package.resources:
        table = tables[resource.name] = load_table(package, resource, prefetch)
        problems += table.problems
        if not table.readable:
            continue
        integrity.start_resolving(table, {name: t for name, t in tables.items() if t.readable}, [r.name for r in package.resources])
        problems += constraint_problems(table)
        problems += integrity.sort_problems(table)
        problems += integrity.unique_key_problems(table)
        problems += integrity.future_date_problems(table, on_date)
        problems += formula_problems(table)
        if not keep_all_columns and len(table.lines) > LARGE_TABLE_ROWS:
            table.keep_only(needed.get(resource.name, set()))
            import pyarrow

            pyarrow.default_memory_pool().release_unused()  # hand the dropped columns back to the OS now
        if prefetch is not None:
            prefetch.release(resource.path)
    readable = {name: t for name, t in tables.items() if t.readable}
    for table in readable.values():
        problems += integrity.foreign_key_problems(table, readable)
        problems += integrity.record_reference_problems(table, readable)
    problems += integrity.citation_coverage_problems(readable)
    from chipcontrols.versioning import version_problems

    for check in (version_problems, *extra_checks):
        problems += check(package, readable)
    from chipcontrols.rootcause import root_causes
    from chipcontrols.suggest import add_suggestions

    problems = root_causes(problems, readable)
    add_suggestions(problems, package, readable)
    if not skip_derived and not any(p.severity == "error" for p in problems):
        from chipcontrols.derive import stale_problems

        problems += stale_problems(package, readable)  # only meaningful once the inputs are valid
    return Result(problems, package, tables)
