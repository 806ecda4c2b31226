"""Checks across rows and tables: sort order, foreign keys, citation references and coverage,
dates in the future. Each is vectorised over whole columns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from chipcontrols.problems import Problem
from chipcontrols.table import Table


def sort_problems(table: Table) -> list[Problem]:
    """Rows must be in primary-key order, so diffs of contributions stay small and readable."""
    pk = [k for k in table.resource.primary_key if k in table.frame]
    if not pk or len(table.frame) < 2 or len(pk) != len(table.resource.primary_key):
        return []
    order = sort_positions(table.frame, pk)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    out_of_order = np.flatnonzero(rank[1:] < rank[:-1]) + 1
    problems = []
    for position in out_of_order:
        key = "/".join(str(table.text[k][position]) for k in pk)
        previous = "/".join(str(table.text[k][position - 1]) for k in pk)
        problems.append(table.problem("sort-order", int(position), pk[0], key, previous=previous, key_fields=", ".join(pk)))
    return problems


def sort_positions(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Positions of rows in canonical order: by key values, missing first, stable."""
    return frame.sort_values(keys, kind="stable", na_position="first").index.to_numpy()


def foreign_key_problems(table: Table, tables: dict[str, Table]) -> list[Problem]:
    problems = []
    for fk in table.resource.foreign_keys:
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
        ref = fk["reference"]
        ref_name = ref.get("resource") or table.resource.name
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else list(ref["fields"])
        target = tables.get(ref_name)
        if target is None or not all(f in table.frame for f in fields) or not all(f in target.frame for f in ref_fields):
            continue
        child = table.frame[fields]
        present = child.notna().all(axis=1).to_numpy()
        if len(fields) == 1:
            found = child[fields[0]].isin(target.frame[ref_fields[0]].dropna()).to_numpy()
        else:
            keys = pd.MultiIndex.from_frame(target.frame[ref_fields].dropna())
            found = pd.MultiIndex.from_frame(child).isin(keys)
        for position in np.flatnonzero(present & ~found):
            value = "/".join(str(table.text[f][position]) for f in fields)
            problems.append(table.problem("foreign-key", int(position), fields[0], value, ref_resource=ref_name,
                                          ref_fields=", ".join(ref_fields), ref_path=target.display))
    return problems


def record_reference_problems(table: Table, tables: dict[str, Table]) -> list[Problem]:
    """A polymorphic foreign key (x-recordReference): a table-name column plus a record-id column."""
    spec = table.resource.schema.get("x-recordReference")
    if not spec or spec["table"] not in table.frame or spec["id"] not in table.frame:
        return []
    separator = spec.get("separator", "/")
    problems = []
    names = table.frame[spec["table"]]
    for name, rows in names.groupby(names, sort=True).groups.items():
        target = tables.get(name)
        if target is None or not all(k in target.text for k in target.resource.primary_key):
            continue
        rows = np.asarray(rows)
        keys = set(target.key_strings(target.resource.primary_key, separator))
        ids = pd.Series(table.text[spec["id"]][rows], dtype=object)
        for position in rows[~ids.isin(keys).to_numpy()]:
            problems.append(table.problem("record-reference", int(position), spec["id"], table.text[spec["id"]][position],
                                          ref_resource=name, ref_path=target.display))
        fields_column = spec.get("fields")
        if fields_column and fields_column in table.text:
            columns = set(target.resource.field_names)
            for position in rows:
                cell = table.text[fields_column][position]
                unknown = [c for c in cell.split() if c not in columns]
                if unknown:
                    problems.append(table.problem("field-reference", int(position), fields_column, " ".join(unknown),
                                                  ref_resource=name, ref_fields=", ".join(target.resource.field_names)))
    return problems


def citation_coverage_problems(tables: dict[str, Table]) -> list[Problem]:
    """Every record of a resource marked x-citationRequired is cited at least once."""
    citing = [t for t in tables.values() if t.resource.schema.get("x-recordReference")]
    problems = []
    for table in tables.values():
        if not table.resource.citation_required or not all(k in table.text for k in table.resource.primary_key):
            continue
        cited = set()
        for source in citing:
            spec = source.resource.schema["x-recordReference"]
            if spec["table"] in source.text and spec["id"] in source.text:
                mask = source.text[spec["table"]] == table.resource.name
                cited.update(source.text[spec["id"]][mask])
        keys = table.key_strings(table.resource.primary_key, "/")
        citations_path = citing[0].display if citing else "the citations table"
        for position in np.flatnonzero(~keys.isin(cited).to_numpy()):
            problems.append(table.problem("citation-missing", int(position), table.resource.primary_key[0], keys[position],
                                          resource=table.resource.name, citations_path=citations_path))
    return problems


def future_date_problems(table: Table, today: dt.date) -> list[Problem]:
    problems = []
    limit = pd.Timestamp(today)
    for field in table.resource.fields:
        name = field["name"]
        if field.get("type") not in ("date", "datetime") or field.get("x-allowFuture") or name not in table.frame:
            continue
        values = table.frame[name]
        if field.get("type") == "datetime":
            values = values.dt.tz_localize(None) if values.dt.tz is not None else values
        for position in np.flatnonzero((values > limit + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)).to_numpy(dtype=bool)
                                       if field.get("type") == "datetime" else (values > limit).to_numpy(dtype=bool)):
            problems.append(table.problem("future-date", int(position), name, table.text[name][position], today=today.isoformat()))
    return problems
