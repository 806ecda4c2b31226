"""Checks across rows and tables: sort order, foreign keys, citation references and coverage,
dates in the future. Each is vectorised over whole columns with Arrow kernels; Python only
touches the rows it reports."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.problems import Problem
from chipcontrols.table import Table


def _np(mask) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _before(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """For each row after the first, whether its key sorts strictly before the previous row's
    (missing values first), compared column by column like a tuple."""
    n = len(frame)
    result = np.zeros(max(n - 1, 0), dtype=bool)
    decided = np.zeros_like(result)
    for key in keys:
        column = frame[key].array.__arrow_array__() if hasattr(frame[key].array, "__arrow_array__") else pa.chunked_array([pa.array(frame[key])])
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        current, previous = column.slice(1), column.slice(0, max(n - 1, 0))
        cur_null, prev_null = _np(pc.is_null(current)), _np(pc.is_null(previous))
        less = _np(pc.less(current, previous)) | (cur_null & ~prev_null)
        equal = _np(pc.equal(current, previous)) | (cur_null & prev_null)
        result |= ~decided & less
        decided |= ~equal
    return result


def sort_problems(table: Table) -> list[Problem]:
    """Rows must be in primary-key order, so diffs of contributions stay small and readable."""
    pk = table.resource.primary_key
    if not pk or len(table.frame) < 2 or not all(k in table.frame for k in pk):
        return []
    problems = []
    for position in np.flatnonzero(_before(table.frame, pk)) + 1:
        key = "/".join(str(table.cell(k, position)) for k in pk)
        previous = "/".join(str(table.cell(k, position - 1)) for k in pk)
        problems.append(table.problem("sort-order", int(position), pk[0], key, previous=previous, key_fields=", ".join(pk)))
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
        if target is None or not all(f in table.text for f in fields) or not all(f in target.text for f in ref_fields):
            continue
        found = _np(pc.is_in(table.key_strings(fields, "\x1f"), value_set=target.key_strings(ref_fields, "\x1f")))
        for position in np.flatnonzero(_present(table, fields) & ~found):
            value = "/".join(str(table.cell(f, position)) for f in fields)
            problems.append(table.problem("foreign-key", int(position), fields[0], value, ref_resource=ref_name,
                                          ref_fields=", ".join(ref_fields), ref_path=target.display))
    return problems


def record_reference_problems(table: Table, tables: dict[str, Table]) -> list[Problem]:
    """A polymorphic foreign key (x-recordReference): a table-name column plus a record-id column."""
    spec = table.resource.schema.get("x-recordReference")
    if not spec or spec["table"] not in table.text or spec["id"] not in table.text:
        return []
    separator = spec.get("separator", "/")
    names, ids = table.text[spec["table"]], table.text[spec["id"]]
    fields_column = table.text.get(spec.get("fields", ""))
    problems = []
    for name in pc.unique(names).to_pylist():
        target = tables.get(name)
        if target is None or not all(k in target.text for k in target.resource.primary_key):
            continue
        rows = _np(pc.equal(names, name))
        known = _np(pc.is_in(ids, value_set=target.key_strings(target.resource.primary_key, separator)))
        for position in np.flatnonzero(rows & ~known):
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


def citation_coverage_problems(tables: dict[str, Table]) -> list[Problem]:
    """Every record of a resource marked x-citationRequired is cited at least once."""
    citing = [t for t in tables.values() if t.resource.schema.get("x-recordReference")]
    problems = []
    for table in tables.values():
        if not table.resource.citation_required or not all(k in table.text for k in table.resource.primary_key):
            continue
        cited = []
        for source in citing:
            spec = source.resource.schema["x-recordReference"]
            if spec["table"] in source.text and spec["id"] in source.text:
                cited.append(source.text[spec["id"]].filter(pc.equal(source.text[spec["table"]], table.resource.name)))
        keys = table.key_strings(table.resource.primary_key, "/")
        value_set = pa.concat_arrays(cited) if cited else pa.array([], type=pa.string())
        citations_path = citing[0].display if citing else "the citations table"
        for position in np.flatnonzero(~_np(pc.is_in(keys, value_set=value_set))):
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
