"""Checks across rows and tables: sort order, foreign keys, citation references and coverage,
dates in the future. Each is vectorised over whole columns with Arrow kernels; Python only
touches the rows it reports."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.arrays import as_mask as _np
from chipcontrols.problems import Problem
from chipcontrols.table import Table


def _before(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """For each row after the first, whether its key sorts strictly before the previous row's."""
    from chipcontrols.ordering import compare_with_previous

    return compare_with_previous([frame[k].array.__arrow_array__() for k in keys])[0]


def sort_problems(table: Table) -> list[Problem]:
    """Rows must be in primary-key order, so diffs of contributions stay small and readable. One
    problem per file: a file out of order has one cause and one fix (`fmt`), however many rows moved."""
    pk = table.resource.primary_key
    if not pk or len(table.frame) < 2 or not all(k in table.frame for k in pk):
        return []
    positions = np.flatnonzero(_before(table.frame, pk)) + 1
    if not len(positions):
        return []
    position = int(positions[0])
    key = "/".join(str(table.cell(k, position)) for k in pk)
    previous = "/".join(str(table.cell(k, position - 1)) for k in pk)
    more = f" (and {len(positions) - 1} more row(s) of this file)" if len(positions) > 1 else ""
    return [table.problem("sort-order", position, pk[0], key, previous=previous, key_fields=", ".join(pk), more=more)]


def unique_key_problems(table: Table) -> list[Problem]:
    """Composite unique keys beside the primary key (`x-uniqueKeys`, which Table Schema v2 cannot
    state): rows with a blank key column, or an excluded value, are not compared (SQL's UNIQUE)."""
    problems = []
    for spec in table.resource.schema.get("x-uniqueKeys", []):
        fields = spec["fields"]
        if not all(f in table.text for f in fields) or not all(c in table.text for c in spec.get("exclude", {})):
            continue
        compared = _present(table, fields)
        for column, values in spec.get("exclude", {}).items():
            compared &= ~_np(pc.is_in(table.text[column], value_set=pa.array(values, pa.string())))
        rows = np.flatnonzero(compared)
        keys = table.key_strings(fields, "\x1f").take(pa.array(rows, pa.int64())).to_pylist()
        first: dict[str, int] = {}
        for position, key in zip(rows, keys):
            if key in first:
                value = ", ".join(table.cell(f, int(position)) for f in fields)
                problems.append(table.problem("unique-key", int(position), fields[0], value, key_fields=", ".join(fields),
                                              first_line=int(table.lines[first[key]]),
                                              description=spec.get("description", "")))
            else:
                first[key] = int(position)
    return problems


def sort_positions(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Positions of rows in canonical order: by key values, missing first, stable."""
    return frame.sort_values(keys, kind="stable", na_position="first").index.to_numpy()


def _present(table: Table, fields: list[str]) -> np.ndarray:
    mask = np.ones(len(table.lines), dtype=bool)
    for f in fields:
        mask &= ~_np(pc.equal(table.text[f], ""))
    return mask


def foreign_key_problems(table: Table, tables: dict[str, Table]) -> list[Problem]:
    problems = []
    for fk in table.resource.foreign_keys:
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
        ref = fk["reference"]
        ref_name = ref.get("resource") or table.resource.name
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else list(ref["fields"])
        target = tables.get(ref_name)
        if target is None or not target.complete or not all(f in table.text for f in fields) or not all(f in target.text for f in ref_fields):
            continue
        present = _present(table, fields)
        rows = np.flatnonzero(present)
        keys = table.key_strings(fields, "\x1f")
        if len(rows) < len(present):  # optional references are mostly blank: look up only the filled ones
            keys = keys.take(pa.array(rows))
        target_keys = target.key_strings(ref_fields, "\x1f")
        if len(keys) * 8 < len(target_keys):
            # few references into a large table: hash the references, not the table
            target_keys = target_keys.filter(pc.is_in(target_keys, value_set=keys))
        found = _np(pc.is_in(keys, value_set=target_keys))
        unreadable = target.unreadable_keys(ref_fields, "/")
        for position in rows[~found]:
            value = "/".join(str(table.cell(f, position)) for f in fields)
            if value in unreadable:
                continue  # the row exists but could not be read: that is the one problem to report
            problems.append(table.problem("foreign-key", int(position), fields[0], value, ref_resource=ref_name,
                                          ref_fields=", ".join(ref_fields), ref_path=target.display))
    return problems


def resolve_records(table: Table, tables: dict[str, Table]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For a table with x-recordReference: per target table, (rows naming it, position of each
    such row's record in the target or -1). One hash lookup serves every check that needs it."""
    if table.record_lookup is not None:
        table.record_index, table.record_lookup = table.record_lookup.result(), None
    if not table.record_index:
        table.record_index = _resolve(table, tables)
    return table.record_index


def start_resolving(table: Table, tables: dict[str, Table], resources: list[str]) -> None:
    """Begin `resolve_records` on another core (its hash lookups release the GIL) while this
    table's own checks run, once every table it may name (of `resources`) is in `tables`."""
    from chipcontrols.arrays import background

    spec = table.resource.schema.get("x-recordReference")
    if not spec or spec["table"] not in table.resource.field_names or table.record_lookup is not None or table.record_index:
        return
    namable = table.resource.field(spec["table"]).get("constraints", {}).get("enum")
    if all(name in tables for name in resources if namable is None or name in namable):
        table.record_lookup = background(_resolve, table, dict(tables))


def _resolve(table: Table, tables: dict[str, Table]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    spec = table.resource.schema.get("x-recordReference")
    text = dict(table.text)
    if not spec or spec["table"] not in text or spec["id"] not in text:
        return {}
    separator = spec.get("separator", "/")
    names, ids = text[spec["table"]], text[spec["id"]]
    low, high = pc.min_max(names).values()
    if low.as_py() == high.as_py():  # most citation tables name one table only: no row needs hashing on the name
        named, codes = [low.as_py()], None
    else:  # one pass over the names, not one comparison per table named
        encoded = pc.dictionary_encode(names)
        encoded = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
        named, codes = encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False)
    index = {}
    for code, name in enumerate(named):
        target = tables.get(name)
        if name is None or target is None or not target.complete or not all(k in target.text for k in target.resource.primary_key):
            continue
        rows = np.ones(len(ids), dtype=bool) if codes is None else codes == code
        count = int(rows.sum())
        if count * 2 > len(rows):  # most rows: look all of them up rather than copy most ids out first
            positions = _positions_in(ids, target, separator)[rows]
        else:
            positions = _positions_in(ids.filter(pa.array(rows)), target, separator)
        index[name] = (rows, positions)
    return index


def _positions_in(cited, target: Table, separator: str) -> np.ndarray:
    """Position in `target` of the record each of `cited` (keys as written, joined by `separator`)
    names, or -1."""
    pk = target.resource.primary_key
    if len(cited) * 8 >= len(target.lines):
        found = pc.index_in(cited, value_set=target.key_strings(pk, separator))
        return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    # A few citations of a large table: hash the citations, not the table, and build the joined
    # keys only of the rows whose first key column a citation starts with.
    first = cited if len(pk) == 1 else pc.list_element(pc.split_pattern(cited, separator), 0)
    candidates = np.flatnonzero(_np(pc.is_in(target.text[pk[0]], value_set=pc.unique(first))))
    parts = [target.text[f].take(pa.array(candidates)) for f in pk]
    keys = parts[0] if len(pk) == 1 else pc.binary_join_element_wise(*parts, separator)
    found = pc.fill_null(pc.index_in(cited, value_set=keys), -1).to_numpy(zero_copy_only=False).astype(np.int64)
    positions = np.full(len(found), -1, dtype=np.int64)
    hit = found >= 0
    positions[hit] = candidates[found[hit]]  # only hits index candidates, which may be empty
    unresolved = np.flatnonzero(positions < 0)
    if len(unresolved):  # a first key column holding the separator itself: look these up the long way
        again = pc.index_in(cited.take(pa.array(unresolved)), value_set=target.key_strings(pk, separator))
        positions[unresolved] = pc.fill_null(again, -1).to_numpy(zero_copy_only=False)
    return positions


def record_reference_problems(table: Table, tables: dict[str, Table]) -> list[Problem]:
    """A polymorphic foreign key (x-recordReference): a table-name column plus a record-id column."""
    spec = table.resource.schema.get("x-recordReference")
    if not spec:
        return []
    fields_column = table.text.get(spec.get("fields", ""))
    problems = []
    for name, (rows, positions) in resolve_records(table, tables).items():
        target = tables[name]
        row_numbers = np.flatnonzero(rows)
        unreadable = target.unreadable_keys(target.resource.primary_key, spec.get("separator", "/"))
        for position in row_numbers[positions < 0]:
            if unreadable and table.cell(spec["id"], position) in unreadable:
                continue  # the record exists but could not be read: that is the one problem to report
            problems.append(table.problem("record-reference", int(position), spec["id"], table.cell(spec["id"], position),
                                          ref_resource=name, ref_path=target.display))
        if fields_column is None:
            continue
        columns = set(target.resource.field_names)
        named = rows & ~_np(pc.equal(fields_column, ""))
        cells = fields_column.filter(pa.array(named))
        bad_values = {cell for cell in pc.unique(cells).to_pylist() if any(c not in columns for c in cell.split())}
        if not bad_values:
            continue
        for position in np.flatnonzero(named & _np(pc.is_in(fields_column, value_set=pa.array(sorted(bad_values))))):
            unknown = [c for c in table.cell(spec["fields"], position).split() if c not in columns]
            problems.append(table.problem("field-reference", int(position), spec["fields"], " ".join(unknown),
                                          ref_resource=name, ref_fields=", ".join(target.resource.field_names)))
    return problems


def cites(table: Table) -> bool:
    """Whether a table's rows cite the records they name (citations), rather than only naming
    them (evidence_gaps: x-recordReference with "citing": false)."""
    spec = table.resource.schema.get("x-recordReference")
    return bool(spec) and spec.get("citing", True) is not False


def cited_positions(tables: dict[str, Table], name: str, row_filter=None) -> np.ndarray:
    """Which records of table `name` are cited (optionally only by citing rows passing row_filter)."""
    cited = np.zeros(len(tables[name].lines), dtype=bool)
    for source in tables.values():
        if not cites(source):
            continue
        resolved = resolve_records(source, tables).get(name)
        if resolved is None:
            continue
        rows, positions = resolved
        if row_filter is not None:
            positions = positions[row_filter(source)[rows]]
        cited[positions[positions >= 0]] = True
    return cited


def citation_coverage_problems(tables: dict[str, Table]) -> list[Problem]:
    """Every record of a resource marked x-citationRequired is cited at least once."""
    citing = [t for t in tables.values() if cites(t)]
    citations_path = citing[0].display if citing else "the citations table"
    problems = []
    if not all(t.complete for t in citing):
        return []  # citations may sit in the part that could not be read
    for table in tables.values():
        if not table.resource.citation_required or not all(k in table.text for k in table.resource.primary_key):
            continue
        if not table.complete:
            continue  # citations of it are not resolved (see _resolve): every record would look uncited
        keys = table.key_strings(table.resource.primary_key, "/")
        for position in np.flatnonzero(~cited_positions(tables, table.resource.name)):
            problems.append(table.problem("citation-missing", int(position), table.resource.primary_key[0], keys[int(position)].as_py(),
                                          resource=table.resource.name, citations_path=citations_path))
    return problems


def future_date_problems(table: Table, today: dt.date) -> list[Problem]:
    problems = []
    limit = pa.scalar(dt.datetime.combine(today, dt.time.max).replace(microsecond=0), pa.timestamp("s"))
    for field in table.resource.fields:
        name = field["name"]
        if field.get("type") not in ("date", "datetime") or field.get("x-allowFuture") or name not in table.frame:
            continue
        values = table.frame[name].array.__arrow_array__()
        if pa.types.is_timestamp(values.type) and values.type.tz is not None:
            values = pc.cast(values, pa.timestamp("s"))
        for position in np.flatnonzero(_np(pc.greater(values, limit))):
            problems.append(table.problem("future-date", int(position), name, table.cell(name, position), today=today.isoformat()))
    return problems
