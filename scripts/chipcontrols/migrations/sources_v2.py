"""Migrate `sources.csv` to the 0.2.0 layout (the work cited apart from the copy read).

    python -m chipcontrols.migrations.sources_v2 datapackage/sources.csv curation/source-copies.csv \
        [--sidecar curation/sidecar-15.csv ...]

Takes rows in the old layout (or already migrated ones, so it can be re-run after other branches add
rows) and the reviewed mapping `curation/source-copies.csv` (source_id, publisher, author,
original_url, copy_relation, caveat: one row per source). Sidecars in the data branches' format
(table,record_id,column,value) give the same columns for rows added elsewhere; the reviewed mapping
wins where both speak. A source that neither names gets no guessed relation: the script lists them
and writes nothing. Run `chipcontrols fmt` afterwards."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

MAPPED = ("publisher", "author", "original_url", "copy_relation", "caveat")


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def decisions(mapping: Path, sidecars: list[Path]) -> dict[str, dict[str, str]]:
    """Per source_id, the columns to set: sidecar values first, the reviewed mapping over them."""
    out: dict[str, dict[str, str]] = {}
    for sidecar in sidecars:
        for row in _read(sidecar)[1]:
            if row.get("table") == "sources" and row.get("column") in MAPPED:
                out.setdefault(row["record_id"], {})[row["column"]] = row.get("value", "")
    for row in _read(mapping)[1]:
        chosen = out.setdefault(row["source_id"], {})
        # blank author / original_url / caveat in the mapping mean "none", not "unknown"
        chosen.update({column: row.get(column, "") for column in MAPPED if column in row})
    return out


def migrate(rows: list[dict], fields: list[str], chosen: dict[str, dict[str, str]]) -> tuple[list[dict], list[str]]:
    """Rows in the new layout, and the source_ids that no decision covers."""
    out, missing = [], []
    for row in rows:
        new = {name: row.get(name) or "" for name in fields}
        decided = chosen.get(row["source_id"], {})
        new.update(decided)
        if not new["copy_relation"]:
            missing.append(row["source_id"])
        out.append(new)
    return out, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chipcontrols.migrations.sources_v2", description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path)
    parser.add_argument("mapping", type=Path)
    parser.add_argument("--sidecar", type=Path, action="append", default=[])
    parser.add_argument("--schema", type=Path, default=None, help="the new sources schema (default: schemas/sources.schema.json beside the CSV's folder)")
    args = parser.parse_args(argv)
    schema = args.schema or args.sources.resolve().parent.parent / "schemas" / "sources.schema.json"
    fields = [f["name"] for f in json.loads(schema.read_text(encoding="utf-8"))["fields"]]
    _, rows = _read(args.sources)
    migrated, missing = migrate(rows, fields, decisions(args.mapping, args.sidecar))
    if missing:
        print(f"{args.mapping}: no copy_relation for {len(missing)} source(s); add a row for each (never guess):", file=sys.stderr)
        for source_id in missing:
            print(f"  {source_id}", file=sys.stderr)
        return 1
    with args.sources.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(migrated)
    print(f"migrated {len(migrated)} rows of {args.sources}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
