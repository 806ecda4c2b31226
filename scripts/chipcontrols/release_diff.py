"""What changed between two releases, table by table and row by primary key, and the version
bump that the change needs (major: a column removed or retyped; minor: rows or columns added;
patch: rows corrected or removed)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from chipcontrols.archive import extract


def _load(folder: Path) -> dict:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = {}
    for resource in descriptor["resources"]:
        schema = resource["schema"] if isinstance(resource["schema"], dict) else json.loads((folder / resource["schema"]).read_text(encoding="utf-8"))
        pk = schema.get("primaryKey", [])
        reader = csv.DictReader(io.StringIO((folder / resource["path"]).read_text(encoding="utf-8"), newline=""))
        rows = {"/".join(row[k] for k in pk) if pk else str(i): row for i, row in enumerate(reader)}
        tables[resource["name"]] = {"fields": {f["name"]: f.get("type", "string") for f in schema["fields"]}, "rows": rows}
    return {"version": descriptor.get("version"), "tables": tables}


def _open(path: Path, tmp: Path) -> dict:
    if path.is_dir():
        return _load(path)
    folder, problems = extract(path, tmp)
    if folder is None:
        raise ValueError("; ".join(p.message for p in problems))
    return _load(folder)


def diff(old_path: Path, new_path: Path) -> dict:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        old, new = _open(old_path, Path(a)), _open(new_path, Path(b))
    result = {"old_version": old["version"], "new_version": new["version"], "tables": {}}
    bump = "none"
    rank = {"none": 0, "patch": 1, "minor": 2, "major": 3}

    def need(level: str) -> None:
        nonlocal bump
        bump = level if rank[level] > rank[bump] else bump

    for name in sorted(set(old["tables"]) | set(new["tables"])):
        before, after = old["tables"].get(name), new["tables"].get(name)
        entry: dict = {}
        if before is None:
            entry["table"] = "added"
            need("minor")
        elif after is None:
            entry["table"] = "removed"
            need("major")
        else:
            added = sorted(set(after["fields"]) - set(before["fields"]))
            removed = sorted(set(before["fields"]) - set(after["fields"]))
            retyped = {f: [before["fields"][f], after["fields"][f]] for f in sorted(set(before["fields"]) & set(after["fields"])) if before["fields"][f] != after["fields"][f]}
            if added:
                entry["fields_added"] = added
                need("minor")
            if removed or retyped:
                entry["fields_removed"], entry["fields_retyped"] = removed, retyped
                need("major")
        old_rows = before["rows"] if before else {}
        new_rows = after["rows"] if after else {}
        rows_added = sorted(set(new_rows) - set(old_rows))
        rows_removed = sorted(set(old_rows) - set(new_rows))
        changed = {}
        for key in sorted(set(old_rows) & set(new_rows)):
            fields = {f: [old_rows[key].get(f), new_rows[key].get(f)] for f in new_rows[key] if old_rows[key].get(f) != new_rows[key].get(f) and f in old_rows[key]}
            if fields:
                changed[key] = fields
        if rows_added:
            entry["rows_added"] = rows_added
            need("minor")
        if rows_removed:
            entry["rows_removed"] = rows_removed
            need("patch")
        if changed:
            entry["rows_changed"] = changed
            need("patch")
        if entry:
            result["tables"][name] = entry
    result["suggested_bump"] = bump
    return result


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(result: dict) -> str:
    lines = [f"# Changes from {result['old_version']} to {result['new_version']}", "",
             f"Suggested version bump: **{result['suggested_bump']}**", ""]
    if not result["tables"]:
        lines.append("No changes.")
    for name, entry in result["tables"].items():
        lines.append(f"## {name}")
        if "table" in entry:
            lines.append(f"- table {entry['table']}")
        for key, label in (("fields_added", "fields added"), ("fields_removed", "fields removed")):
            if entry.get(key):
                lines.append(f"- {label}: " + ", ".join(f"`{f}`" for f in entry[key]))
        for field, (a, b) in entry.get("fields_retyped", {}).items():
            lines.append(f"- field `{field}` retyped: {a} -> {b}")
        for key, label in (("rows_added", "added"), ("rows_removed", "removed")):
            if entry.get(key):
                lines.append(f"- {len(entry[key])} row(s) {label}: " + ", ".join(f"`{_cell(k)}`" for k in entry[key]))
        if entry.get("rows_changed"):
            lines.append(f"- {len(entry['rows_changed'])} row(s) changed:")
            lines.append("")
            lines.append("| key | field | old | new |")
            lines.append("|---|---|---|---|")
            for key, fields in entry["rows_changed"].items():
                for field, (a, b) in fields.items():
                    lines.append(f"| `{_cell(key)}` | `{field}` | {_cell(a)} | {_cell(b)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
