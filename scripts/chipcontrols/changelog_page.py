"""The site's changelog page: each release's CHANGELOG.md entry with what changed in it, table by
table (rows added, removed and changed, fields added, removed and retyped), from `chipcontrols
diff` between consecutive releases' data; and the changes not yet released, if any."""

from __future__ import annotations

import html
from pathlib import Path

from chipcontrols.history import changelog_entries, release_changes


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'\n<div class="table-wrap"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>\n'


def _codes(names) -> str:
    return ", ".join(f"<code>{html.escape(str(n))}</code>" for n in names)


def changes_table(result: dict) -> str:
    rows = []
    for name, entry in result["tables"].items():
        schema = []
        if "table" in entry:
            schema.append(f"table {html.escape(entry['table'])}")
        if entry.get("fields_added"):
            schema.append("added " + _codes(entry["fields_added"]))
        if entry.get("fields_removed"):
            schema.append("removed " + _codes(entry["fields_removed"]))
        for field, (a, b) in entry.get("fields_retyped", {}).items():
            schema.append(f"<code>{html.escape(field)}</code> {html.escape(a)} → {html.escape(b)}")
        rows.append([f"<code>{html.escape(name)}</code>", str(len(entry.get("rows_added", []))), str(len(entry.get("rows_removed", []))),
                     str(len(entry.get("rows_changed", {}))), "; ".join(schema)])
    if not rows:
        return "<p>No changes to the data.</p>\n"
    return _table(["table", "rows added", "rows removed", "rows changed", "schema"], rows) + \
        f"<p>Version bump this needs: <strong>{html.escape(result['suggested_bump'])}</strong>.</p>\n"


def page(root: Path, current_version: str) -> str:
    """The page's Markdown. A release whose data are not in this checkout's history says so."""
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8") if (root / "CHANGELOG.md").is_file() else ""
    entries = changelog_entries(text)
    parts = ["# Changelog", "", "<p>Each release as CHANGELOG.md describes it, and what changed in its data, table by table, "
             "computed by <code>chipcontrols diff</code> from the previous release's data. The content hash identifies a release's data "
             "(see the README).</p>", ""]
    for item in release_changes(root, entries, current_version) if entries else []:
        entry, previous = item["entry"], item["previous"]
        if entry is None:
            parts += ["## Not yet released", "", f"<p>Changes in this build's data since {html.escape(previous.version)}:</p>",
                      changes_table(item["diff"]), ""]
            continue
        parts += [f"## {entry.version} ({entry.date})", "", entry.body, ""]
        if item["tables"] is not None:
            rows = [[f"<code>{html.escape(name)}</code>", f"{count:,}"] for name, count in item["tables"].items()]
            parts += ["<p>The first release: its tables and their rows.</p>", _table(["table", "rows"], rows), ""]
        elif item["diff"] is not None:
            parts += [f"<p>Changes since {html.escape(previous.version)}:</p>", changes_table(item["diff"]), ""]
        else:
            parts += [f"<p>The data of this release or the one before are not in this checkout's history (no tag, no commit with the "
                      f"recorded content hash), so its changes cannot be shown here.</p>", ""]
    return "\n".join(parts)
