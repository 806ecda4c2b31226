"""Grow the committed package k-fold, on its own shape: every event copied k times with the rows
that link it (event_chips, event_companies) and its citations, ids suffixed so keys stay unique
and every reference resolves (copy 0 keeps the committed ids, so the tables that
are not grown still point at real rows). Rows are written in primary-key order, as `validate`
requires, with the csv module's minimal quoting, as the committed files are. The other tables
(sources, chips, companies, rules, figures, the derived table) are copied unchanged."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

from synth import _inject

ROOT = Path(__file__).resolve().parents[1]
GROWN = ("events", "event_chips", "event_companies")  # the tables copied with each event
# Citations copied with each event: the event's own. The links' citations are kept once (the links
# need none), as in the measurement issue 18 started from (100,000 events = 150 MiB of CSV).
CITED = ("events",)
ID_SEPARATOR = "/"  # how citations join a record's key columns (x-recordReference separator)
POLICY = "schemas/source-policy.json"  # the reviewed source policy, whose waivers name records


def _suffixed(event_id: str, copy: int) -> str:
    """The event id of copy `copy`: still a lowercase slug that starts with the event's date."""
    return event_id if copy == 0 or event_id == "" else f"{event_id}-copy{copy:05d}"


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def grow(target: Path, copies: int, source: Path = ROOT, errors: int = 0, injected: list | None = None, seed: int = 20261206) -> Path:
    """Write the package at `source` with every event copied `copies` times into `target`;
    returns the new datapackage.json. With `errors`, that many cells of events and citations
    are damaged (as in synth.py), each listed in `injected` as (file, line, field, rule)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source / "schemas", target / "schemas")
    _grow_waivers(target / POLICY, copies)
    shutil.copy2(source / "datapackage.json", target / "datapackage.json")
    (target / "datapackage").mkdir(parents=True)
    descriptor = json.loads((source / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    schemas = {name: json.loads((source / r["schema"]).read_text(encoding="utf-8")) for name, r in resources.items()}
    event_columns = {  # per grown table, the columns holding an event id
        name: {i for i, f in enumerate(schemas[name]["fields"]) if f["name"] in ("event_id", "superseded_by")} for name in GROWN}
    tables, headers = {}, {}
    for name, resource in resources.items():
        path = source / resource["path"]
        if name not in GROWN and name != "citations":
            shutil.copy2(path, target / resource["path"])
            continue
        header, rows = _read(path)
        if name in GROWN:
            grown = [[_suffixed(cell, copy) if i in event_columns[name] else cell for i, cell in enumerate(row)]
                     for copy in range(copies) for row in rows]
        else:
            grown = _grow_citations(header, rows, schemas[name], copies, _linked_quotes(source, resources, schemas, header, rows))
        key = [header.index(k) for k in schemas[name]["primaryKey"]]
        grown.sort(key=lambda row: [row[i] for i in key])
        tables[name], headers[name] = grown, header
    if errors:
        done = _inject({name: tables[name] for name in ("events", "citations")}, schemas, errors, random.Random(seed))
        if injected is not None:
            injected.extend(done)
    for name, rows in tables.items():
        _write(target / resources[name]["path"], headers[name], rows)
    return target / "datapackage.json"


def _grow_waivers(path: Path, copies: int) -> None:
    """The source policy's waivers name records by id: a copied event that rests on the same
    caveated sources as its original is waived as its original is."""
    if not path.is_file():
        return
    policy = json.loads(path.read_text(encoding="utf-8"))
    waivers = policy.get("waivers", [])
    policy["waivers"] = waivers + [{**w, "record_id": _suffixed(w["record_id"], copy)} for copy in range(1, copies)
                                   for w in waivers if w["record_table"] in CITED]
    path.write_text(json.dumps(policy, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _linked_quotes(source: Path, resources: dict, schemas: dict, header: list[str], rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """Per event, the citations of the records of other tables that point at it by a foreign key
    (a figure of the event). Those records are not copied (a figure's unique key is per company
    and period), so a copied event cites their quotes itself: a description may state what a
    linked record's citations state, and the copy must too."""
    spec = schemas["citations"]["x-recordReference"]
    table, record = header.index(spec["table"]), header.index(spec["id"])
    event_of: dict[tuple[str, str], str] = {}
    for name, schema in schemas.items():
        for fk in schema.get("foreignKeys", []):
            if name in GROWN or fk["reference"]["resource"] != "events" or len(fk["fields"]) != 1 or len(schema["primaryKey"]) != 1:
                continue
            linked_header, linked = _read(source / resources[name]["path"])
            key, column = linked_header.index(schema["primaryKey"][0]), linked_header.index(fk["fields"][0])
            event_of.update({(name, row[key]): row[column] for row in linked if row[column]})
    out: dict[str, list[list[str]]] = {}
    for row in rows:
        if (row[table], row[record]) in event_of:
            out.setdefault(event_of[row[table], row[record]], []).append(row)
    return out


def _grow_citations(header: list[str], rows: list[list[str]], schema: dict, copies: int,
                    linked_quotes: dict[str, list[list[str]]]) -> list[list[str]]:
    """Citations of the events copied with them (the record id's first part, the event id,
    suffixed), plus, for each copy, the quotes of records linked to the event; every other citation kept once."""
    spec = schema["x-recordReference"]
    table, record = header.index(spec["table"]), header.index(spec["id"])
    field = header.index(spec["fields"]) if spec.get("fields") in header else None
    separator = spec.get("separator", ID_SEPARATOR)
    key = [header.index(k) for k in schema["primaryKey"]]
    out, seen = [], set()
    for row in rows:
        if row[table] not in CITED:
            out.append(row)
            continue
        event_id, *rest = row[record].split(separator)
        for copy in range(copies):
            copied = list(row)
            copied[record] = separator.join([_suffixed(event_id, copy), *rest])
            out.append(copied)
            seen.add(tuple(copied[i] for i in key))
    for event_id, cited in linked_quotes.items():
        for copy in range(1, copies):
            for row in cited:
                copied = list(row)
                copied[table], copied[record] = "events", _suffixed(event_id, copy)
                if field is not None:
                    copied[field] = "description"
                if tuple(copied[i] for i in key) not in seen:
                    seen.add(tuple(copied[i] for i in key))
                    out.append(copied)
    return out


def events_in(copies: int, source: Path = ROOT) -> int:
    with (source / "datapackage" / "events.csv").open(encoding="utf-8", newline="") as handle:
        return copies * (sum(1 for _ in csv.reader(handle)) - 1)


if __name__ == "__main__":
    import sys

    print(grow(Path(sys.argv[1]), int(sys.argv[2])))
