"""Parquet and SQLite copies of the tables, typed from the Table Schemas and written
deterministically (no timestamps, fixed order), so two builds give the same bytes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from chipcontrols.descriptor import Package
from chipcontrols.table import load_tables

SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "DATE", "datetime": "TIMESTAMP", "year": "INTEGER"}


def arrow_type(field: dict):
    import pyarrow as pa

    return {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(),
            "datetime": pa.timestamp("s", tz="UTC"), "year": pa.int32()}.get(field.get("type", "string"), pa.string())


def _column(table, field: dict):
    """Typed values of one column as a Python list (None for missing)."""
    values = table.frame[field["name"]].tolist()
    kind = field.get("type", "string")
    out = []
    for value, text in zip(values, table.values(field["name"])):
        if text == "":
            out.append(None)
        elif kind == "date":
            out.append(value.date())
        elif kind == "boolean":
            out.append(bool(value))
        elif kind in ("integer", "year"):
            out.append(int(value))
        elif kind == "number":
            out.append(float(value))
        else:
            out.append(text)
    return out


def write_parquet(package: Package, folder: Path, descriptor: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    tables = load_tables(package)
    for resource in package.resources:
        table = tables[resource.name]
        fields = [pa.field(f["name"], arrow_type(f), nullable=True, metadata={"description": f.get("description", "")}) for f in resource.fields]
        meta = {"name": resource.name, "title": resource.descriptor.get("title", ""), "description": resource.descriptor.get("description", ""),
                "package": descriptor["name"], "version": descriptor["version"], "created": descriptor["created"],
                "primary_key": json.dumps(resource.primary_key)}
        schema = pa.schema(fields, metadata=meta)
        arrays = [pa.array(_column(table, f), type=arrow_type(f)) for f in resource.fields]
        pq.write_table(pa.Table.from_arrays(arrays, schema=schema), folder / f"{resource.name}.parquet",
                       compression="zstd", compression_level=9, write_statistics=True, store_schema=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_statement(resource) -> str:
    columns = [f"{_quote(f['name'])} {SQL_TYPES.get(f.get('type', 'string'), 'TEXT')}"
               + (" NOT NULL" if f.get("constraints", {}).get("required") or f["name"] in resource.primary_key else "") for f in resource.fields]
    if resource.primary_key:
        columns.append(f"PRIMARY KEY ({', '.join(map(_quote, resource.primary_key))})")
    for fk in resource.foreign_keys:
        ref = fk["reference"]
        columns.append(f"FOREIGN KEY ({', '.join(map(_quote, fk['fields']))}) REFERENCES {_quote(ref.get('resource') or resource.name)} "
                       f"({', '.join(map(_quote, ref['fields']))})")
    return f"CREATE TABLE {_quote(resource.name)} (\n  " + ",\n  ".join(columns) + "\n)"


def unique_index_statement(table: str, number: int, spec: dict) -> str:
    """An `x-uniqueKeys` entry as a partial UNIQUE index: rows with a NULL key column or an
    excluded value are left out, as the validator leaves them out."""
    conditions = [f"{_quote(f)} IS NOT NULL" for f in spec["fields"]]
    for column, values in sorted(spec.get("exclude", {}).items()):
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
        conditions.append(f"({_quote(column)} IS NULL OR {_quote(column)} NOT IN ({listed}))")
    return (f"CREATE UNIQUE INDEX {_quote(f'uq_{table}_{number}')} ON {_quote(table)} ({', '.join(map(_quote, spec['fields']))}) "
            f"WHERE {' AND '.join(conditions)}")


def write_sqlite(package: Package, path: Path, descriptor: dict) -> None:
    tables = load_tables(package)
    if path.exists():
        path.unlink()
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA page_size = 4096")
        connection.execute("CREATE TABLE _metadata (table_name TEXT NOT NULL, field_name TEXT NOT NULL, key TEXT NOT NULL, value TEXT, "
                           "PRIMARY KEY (table_name, field_name, key))")
        meta = [("", "", key, str(descriptor[key])) for key in ("name", "title", "version", "created", "homepage") if key in descriptor]
        meta.append(("", "", "licenses", json.dumps(descriptor.get("licenses", []), ensure_ascii=False)))
        for resource in package.resources:
            connection.execute(create_statement(resource))
            for fk_number, fk in enumerate(resource.foreign_keys):
                connection.execute(f"CREATE INDEX {_quote(f'idx_{resource.name}_fk{fk_number}')} ON {_quote(resource.name)} "
                                   f"({', '.join(map(_quote, fk['fields']))})")
            for key_number, spec in enumerate(resource.schema.get("x-uniqueKeys", [])):
                connection.execute(unique_index_statement(resource.name, key_number, spec))
            table = tables[resource.name]
            columns = [_column(table, f) for f in resource.fields]
            rows = [tuple(int(v) if isinstance(v, bool) else (v.isoformat() if hasattr(v, "isoformat") else v) for v in row) for row in zip(*columns)]
            placeholders = ", ".join("?" for _ in resource.fields)
            connection.executemany(f"INSERT INTO {_quote(resource.name)} VALUES ({placeholders})", rows)
            meta.append((resource.name, "", "title", resource.descriptor.get("title", "")))
            meta.append((resource.name, "", "description", resource.descriptor.get("description", "")))
            for f in resource.fields:
                meta.append((resource.name, f["name"], "description", f.get("description", "")))
                meta.append((resource.name, f["name"], "type", f.get("type", "string")))
        connection.executemany("INSERT INTO _metadata VALUES (?, ?, ?, ?)", sorted(meta))
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
