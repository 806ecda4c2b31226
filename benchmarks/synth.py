"""Generate a synthetic copy of the package, deterministically, from the package's own schemas:
`events` and `citations` with N rows each (every event cited), plus small parent tables, and
optionally errors spread through it. Values are built from each field's constraints and example,
so a schema change needs no change here. Free text (a string field with no enum or pattern) is as
long, on average, as the same field in the committed package, and holds commas, quotes and line
breaks in the same share of rows, so rows are as wide, and as often quoted, as real ones."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIG = ("events", "citations")


@dataclass(frozen=True)
class TextShape:
    """How a free-text column of the committed table looks: mean length, and the share of cells
    holding a comma (so written quoted), a double quote (written doubled) and a line break."""

    length: int
    comma: float = 0.0
    quote: float = 0.0
    newline: float = 0.0


def real_shapes(table: str) -> dict[str, TextShape]:
    """Each column of the committed table as a TextShape (empty cells count as length 0)."""
    path = ROOT / "datapackage" / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    share = lambda name, char: sum(char in r[name] for r in rows) / len(rows)  # noqa: E731
    return {name: TextShape(round(sum(len(r[name]) for r in rows) / len(rows)), share(name, ","), share(name, '"'), share(name, "\n"))
            for name in (rows[0] if rows else {})}


def _every(share: float, i: int, salt: int) -> bool:
    """True for an evenly spread `share` of the row numbers i, deterministically."""
    return int((i + salt + 1) * share) > int((i + salt) * share)


def _text(example: str, shape: TextShape, i: int) -> str:
    """Text of exactly `shape.length` characters, varied by row, made of the field's example, with
    commas, quotes and line breaks in the committed table's share of rows."""
    length = shape.length
    if length <= 0:
        return ""
    words = f"{i} {example} ".replace(",", " ").replace('"', " ").replace("\n", " ")  # marks only where placed below
    text = (words * (length // len(words) + 1))[:length].strip() or str(i)[:length]
    for mark, share, salt, where in ((",", shape.comma, 0, 1 / 2), ('"', shape.quote, 7, 1 / 3), ("\n", shape.newline, 13, 2 / 3)):
        if len(text) > 2 and _every(share, i, salt):
            at = int(len(text) * where)
            text = text[:at] + mark + text[at + 1:]
    return text


def _value(field: dict, i: int, rng: random.Random, shape: TextShape | None = None) -> str:
    constraints = field.get("constraints", {})
    kind = field.get("type", "string")
    if "enum" in constraints:
        return str(constraints["enum"][i % len(constraints["enum"])])
    if kind == "date":
        return f"{2020 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    if kind == "number":
        return f"{constraints.get('minimum', 0) + rng.random() * 1000:.3f}"
    if kind == "integer":
        return str(constraints.get("minimum", 0) + i % 1000)
    if kind == "boolean":
        return field.get("trueValues", ["true"])[0] if i % 2 else field.get("falseValues", ["false"])[0]
    if shape is not None and "pattern" not in constraints:
        text = _text(str(field.get("example", "x")), shape, i)
        return text if text or not constraints.get("required") else str(i)
    return str(field.get("example", "x"))


def _rows(schema: dict, n: int, rng: random.Random, key_of, fixed: dict, shapes: dict[str, TextShape]) -> list[list[str]]:
    names = [f["name"] for f in schema["fields"]]
    rows = []
    for i in range(n):
        row = {f["name"]: _value(f, i, rng, shapes.get(f["name"])) for f in schema["fields"]}
        row.update({k: v(i) if callable(v) else v for k, v in fixed.items()})
        for name in schema.get("primaryKey", [])[:1]:
            row[name] = key_of(i)
        rows.append([row[n_] for n_ in names])
    return rows


SHAPES = ("real", "narrow")


def generate(target: Path, n: int, errors: int = 0, seed: int = 20261129, injected: list | None = None, shape: str = "real") -> Path:
    """Write a package with n events and n citations into target; returns its datapackage.json.
    shape "real": free text as long as in the committed package; "narrow": each field's example only."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / "datapackage").mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", target / "schemas")
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    keep = {"sources", "events", "citations"}
    for resource in descriptor["resources"]:
        resource.pop("x-citationRequired", None) if resource["name"] != "events" else None
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in keep]
    (target / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    schemas = {r["name"]: json.loads((ROOT / r["schema"]).read_text()) for r in descriptor["resources"]}
    # foreign keys into tables left out (e.g. events.rule_id -> export_control_rules) are dropped
    for name, schema in schemas.items():
        kept = [fk for fk in schema.get("foreignKeys", []) if fk["reference"].get("resource", name) in keep]
        if len(kept) != len(schema.get("foreignKeys", [])):
            schema["foreignKeys"] = kept
            (target / "schemas" / f"{name}.schema.json").write_text(json.dumps(schema, indent=2))
    # citations may only name tables that exist here
    table_field = schemas["citations"]["x-recordReference"]["table"]
    next(f for f in schemas["citations"]["fields"] if f["name"] == table_field)["constraints"]["enum"] = ["events"]
    (target / "schemas" / "citations.schema.json").write_text(json.dumps(schemas["citations"], indent=2))
    width = len(str(n))
    start = dt.date(2020, 1, 1)
    day = lambda i: (start + dt.timedelta(days=i * 2000 // max(n, 1))).isoformat()  # noqa: E731 - non-decreasing in i
    event_id = lambda i: f"{day(i)}-synthetic-event-{i:0{width}d}"  # noqa: E731 - starts with its date; sorted as strings
    shapes = {name: real_shapes(name) if shape == "real" else {} for name in schemas}
    quote = {} if shape == "real" else {"quote": lambda i: f"Quote number {i} from the source, verbatim."}
    tables = {
        "sources": _rows(schemas["sources"], 1000, rng, lambda i: f"source-{i:04d}",
                         {"url": lambda i: f"https://example.org/{i:04d}", "source_type": "government_rule", "caveat": ""}, shapes["sources"]),
        "events": _rows(schemas["events"], n, rng, event_id, {"date": day, "superseded_by": lambda i: event_id(i - 1) if i % 50 == 1 else "",
                                                           "authority": lambda i: "" if i % 3 else "us_bis"}, shapes["events"]),
        "citations": _rows(schemas["citations"], n, rng, lambda i: "events",
                           {"record_id": event_id, "source_id": lambda i: f"source-{i % 1000:04d}", "field": "", "locator": lambda i: f"p. {i % 90}",
                            **quote}, shapes["citations"]),
    }
    if errors:
        done = _inject(tables, schemas, errors, rng)
        if injected is not None:
            injected.extend(done)
    for name, rows in tables.items():
        with (target / "datapackage" / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([f["name"] for f in schemas[name]["fields"]])
            writer.writerows(rows)
    return target / "datapackage.json"


# Kinds of damage, each breaking one rule in one cell, spread evenly: (table, column, value, rule).
DAMAGE = [
    ("events", "event_type", "licence_requirement", "enum"),
    ("events", "date", "2025-02-30", "type"),
    ("events", "title", "", "required"),
    ("events", "country", "XX", "enum"),
    ("events", "superseded_by", "2099-01-01-nothing", "foreign-key"),
    ("citations", "source_id", "no-such-source", "foreign-key"),
    ("citations", "record_id", "no-such-event", "record-reference"),  # also leaves an event uncited
    ("events", "date", "2031-01-01", "future-date"),
]


def _inject(tables: dict, schemas: dict, errors: int, rng: random.Random) -> list[tuple[str, int, str, str]]:
    """Damage cells in place; returns (file, line, column, rule) for each, at the line where the row starts in the CSV."""
    names = {t: [f["name"] for f in schemas[t]["fields"]] for t in tables}
    step = max(1, len(tables["events"]) // errors)
    done = {}
    for k in range(errors):
        table, column, value, rule = DAMAGE[k % len(DAMAGE)]
        row = (k * step + 7 + k // len(DAMAGE)) % len(tables[table])
        tables[table][row][names[table].index(column)] = value
        done[(table, row, column)] = (table, row, column, rule)
    first_line = {table: _first_lines(rows) for table, rows in tables.items() if any(t == table for t, _, _, _ in done.values())}
    return sorted((f"datapackage/{t}.csv", int(first_line[t][row]), column, rule) for t, row, column, rule in done.values())


def _first_lines(rows: list[list[str]]) -> list[int]:
    """The line each row starts on in the written CSV: after the header, and after the line breaks inside earlier cells."""
    lines, line = [], 2
    for row in rows:
        lines.append(line)
        line += 1 + sum(cell.count("\n") for cell in row)
    return lines


if __name__ == "__main__":
    import sys

    print(generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0, shape=sys.argv[4] if len(sys.argv) > 4 else "real"))
