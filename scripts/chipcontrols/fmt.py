"""Rewrite the CSVs canonically: schema column order, sorted by primary key, minimal quoting,
LF line endings, UTF-8 without BOM. Values are never changed; a table that cannot be read
without guessing is left untouched and reported."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from chipcontrols.descriptor import Package
from chipcontrols.integrity import sort_positions
from chipcontrols.problems import Problem
from chipcontrols.table import load_table

# Problems fmt can repair; anything else means the file's values are uncertain.
REPAIRABLE = {"bom", "line-endings", "sort-order", "header"}


def canonical_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def canonical_bytes(package: Package, resource) -> tuple[bytes | None, list[Problem]]:
    """The file's canonical form, or (None, problems) when its values cannot be read safely."""
    table = load_table(package, resource)
    blocking = [p for p in table.problems if p.rule not in REPAIRABLE]
    if blocking or not table.readable or set(table.text) != set(resource.field_names):
        return None, blocking or [p for p in table.problems if p.rule == "header"]
    keys = [k for k in resource.primary_key if k in table.frame]
    order = sort_positions(table.frame, keys) if keys else range(len(table.lines))
    names = resource.field_names
    columns = {name: table.values(name) for name in names}
    rows = [[columns[name][i] for name in names] for i in order]
    return canonical_text(names, rows).encode("utf-8"), []


def would_change(package: Package, resource) -> tuple[bool, list[Problem]]:
    new, problems = canonical_bytes(package, resource)
    return new is not None and new != resource.path.read_bytes(), problems


def format_resource(package: Package, resource) -> tuple[bool, list[Problem]]:
    """Rewrite one CSV canonically. Returns (changed, problems that made fmt refuse)."""
    new, problems = canonical_bytes(package, resource)
    if new is None or new == resource.path.read_bytes():
        return False, problems
    atomic_write(resource.path, new)
    return True, []


def atomic_write(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
