"""Counts a maintainer or reviewer wants at a glance: rows, citations, primary-source share, years."""

from __future__ import annotations

from collections import Counter

from chipcontrols.table import Table



def _gaps(tables: dict[str, Table]) -> set[tuple[str, str]]:
    """(table, record id) of records marked as having no primary text: rows of a table that names
    records without citing them (x-recordReference with "citing": false)."""
    out = set()
    for t in tables.values():
        spec = t.resource.schema.get("x-recordReference")
        if spec and spec.get("citing", True) is False and spec["table"] in t.text and spec["id"] in t.text:
            out |= set(zip(t.values(spec["table"]), t.values(spec["id"])))
    return out


def primary_kinds(sources: Table) -> tuple[str | None, set[str]]:
    """The column of the sources table that says what kind a source is, and which kinds are
    primary: the schema marks them with x-primary."""
    field = next((f for f in sources.resource.fields if "x-primary" in f), None)
    return (field["name"], set(field["x-primary"])) if field else (None, set())


def _evidence(tables: dict[str, Table], citing: Table) -> tuple[dict, set, dict[tuple[str, str], set[str]]]:
    """Source kinds by id, the primary kinds, and per (table, record id) with at least one
    citation to a primary source the fields those citations name ("" for a whole-record one)."""
    spec = citing.resource.schema["x-recordReference"]
    kind_column, primary = primary_kinds(tables["sources"]) if "sources" in tables else (None, set())
    kind: dict = {}
    if kind_column and kind_column in tables["sources"].text and "source_id" in citing.text:
        kind = dict(zip(tables["sources"].values("source_id"), tables["sources"].values(kind_column)))
    fields = citing.values(spec["fields"]) if spec.get("fields") in citing.text else [""] * len(citing.lines)
    supported: dict[tuple[str, str], set[str]] = {}
    if kind:
        for table, record, source, named in zip(citing.values(spec["table"]), citing.values(spec["id"]), citing.values("source_id"), fields):
            if kind.get(source) in primary:
                supported.setdefault((table, record), set()).update(named.split() or [""])
    return kind, primary, supported


def _supported(named: set[str] | None, fields: list[str]) -> bool:
    """Whether primary citations naming `named` support the record as a target counts it: any
    of them, or with `fields`, a whole-record one or one naming such a field (a figure's value)."""
    return bool(named) and (not fields or "" in named or bool(named & set(fields)))


def _in_scope(t: Table, where: dict[str, list[str]]) -> list[bool]:
    """Which rows of `t` a target covers: every column named in `where` holds one of its values."""
    keep = [True] * len(t.lines)
    for column, allowed in where.items():
        values = t.values(column) if column in t.text else [""] * len(keep)
        keep = [k and v in allowed for k, v in zip(keep, values)]
    return keep


def _target_progress(tables: dict[str, Table], targets: dict, primary: dict, gaps: set, citations: tuple[int, int]) -> list[dict]:
    """Each target of the source policy against the data: records in scope, how many have a
    primary citation, and the ones short of it (marked in evidence_gaps or not)."""
    out = []
    for target in targets.get("records", []):
        name = target["table"]
        if name not in tables:
            continue
        t = tables[name]
        keys = [k for k, keep in zip(t.key_strings(t.resource.primary_key).to_pylist(), _in_scope(t, target.get("where", {}))) if keep]
        short = [k for k in keys if not _supported(primary.get((name, k)), target.get("fields", []))]
        done = len(keys) - len(short)
        out.append({"scope": target.get("label", name), "table": name, "records": len(keys), "with_primary": done,
                    "share": round(done / len(keys), 3) if keys else 1.0, "target": target["share"],
                    "met": not keys or done / len(keys) >= target["share"],
                    "short": [{"record_id": k, "in_evidence_gaps": (name, k) in gaps} for k in short]})
    if "citations" in targets:
        primary, total = citations
        out.append({"scope": "citations to primary sources", "table": None, "records": total, "with_primary": primary,
                    "share": round(primary / total, 3) if total else 1.0, "target": targets["citations"],
                    "met": not total or primary / total >= targets["citations"], "short": []})
    return out


def compute(tables: dict[str, Table], targets: dict | None = None) -> dict:
    """Counts per table; with `targets` (the source policy's primary_targets) also how far each is met."""
    from chipcontrols.integrity import cites

    out: dict = {"rows": {name: len(t.lines) for name, t in tables.items()}}
    citing = next((t for t in tables.values() if cites(t)), None)
    if citing is not None:
        spec = citing.resource.schema["x-recordReference"]
        pairs = Counter(zip(citing.values(spec["table"]), citing.values(spec["id"])))
        kind, primary_types, primary_fields = _evidence(tables, citing)
        gaps = _gaps(tables)
        per_table = {}
        for name, t in tables.items():
            if not t.resource.citation_required:
                continue
            keys = t.key_strings(t.resource.primary_key).to_pylist()
            counts = [pairs.get((name, k), 0) for k in keys]
            primary = sum((name, k) in primary_fields for k in keys)
            per_table[name] = {"records": len(counts), "citations": sum(counts),
                               "mean": round(sum(counts) / len(counts), 2) if counts else 0, "min": min(counts, default=0),
                               "with_primary": primary, "share_with_primary": round(primary / len(counts), 3) if counts else 0,
                               "no_primary_text": sum((name, k) in gaps for k in keys)}
        out["citations_per_record"] = per_table
        cited_primary = 0
        if kind:
            cited_kinds = [kind.get(s) for s in citing.values("source_id")]
            cited_primary = sum(k in primary_types for k in cited_kinds)
            out["primary_sources"] = {
                "sources": len(kind), "primary_sources": sum(k in primary_types for k in kind.values()),
                "citations": len(cited_kinds), "citations_to_primary": cited_primary,
                "share_of_citations_primary": round(cited_primary / len(cited_kinds), 3) if cited_kinds else 0,
                "by_type": dict(sorted(Counter(kind.values()).items())),
            }
        out["evidence_gaps"] = dict(sorted(Counter(table for table, _ in gaps).items()))
        if targets:
            out["primary_targets"] = _target_progress(tables, targets, primary_fields, gaps, (cited_primary, len(citing.lines)))
    years: dict = {}
    for name, t in tables.items():
        date_fields = [f["name"] for f in t.resource.fields if f.get("type") == "date" and f.get("constraints", {}).get("required")]
        if date_fields and name != "sources":
            years[name] = dict(sorted(Counter(int(v[:4]) for v in t.values(date_fields[0]) if v[:4].isdigit()).items()))
    out["records_per_year"] = years
    return out


def print_stats(stats: dict, short: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(highlight=False)
    rows = RichTable(title="Rows per table")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name, n in stats["rows"].items():
        rows.add_row(name, str(n))
    console.print(rows)
    if "citations_per_record" in stats:
        cites = RichTable(title="Citations per record; records with a primary-source citation; records marked as having no primary text (evidence_gaps)")
        for column in ("table", "records", "citations", "mean", "min", "primary", "share", "no primary"):
            cites.add_column(column, justify="right" if column != "table" else "left")
        for name, s in stats["citations_per_record"].items():
            cites.add_row(name, str(s["records"]), str(s["citations"]), str(s["mean"]), str(s["min"]),
                          str(s["with_primary"]), f"{s['share_with_primary']:.0%}", str(s["no_primary_text"]))
        console.print(cites)
    if "primary_sources" in stats:
        p = stats["primary_sources"]
        console.print(f"Sources: {p['sources']} ({p['primary_sources']} primary: government or company documents). "
                      f"Citations to primary sources: {p['citations_to_primary']} of {p['citations']} ({p['share_of_citations_primary']:.1%}).")
        console.print("Sources by type: " + ", ".join(f"{k} {v}" for k, v in p["by_type"].items()))
    if "primary_targets" in stats:
        _print_targets(console, stats["primary_targets"], short)
    years = RichTable(title="Records per year")
    all_years = sorted({y for counts in stats["records_per_year"].values() for y in counts})
    years.add_column("table")
    for y in all_years:
        years.add_column(str(y), justify="right")
    for name, counts in stats["records_per_year"].items():
        years.add_row(name, *[str(counts.get(y, 0)) for y in all_years])
    console.print(years)


def _print_targets(console, progress: list[dict], short: bool) -> None:
    from rich.table import Table as RichTable

    table = RichTable(title="Primary-evidence targets (schemas/source-policy.json): records with a primary-source citation")
    for column in ("scope", "records", "primary", "share", "target", "met", "gaps", "unmarked"):
        table.add_column(column, justify="left" if column == "scope" else "right")
    for p in progress:
        marked = sum(s["in_evidence_gaps"] for s in p["short"])
        table.add_row(p["scope"], str(p["records"]), str(p["with_primary"]), f"{p['share']:.1%}", f"{p['target']:.0%}",
                      "yes" if p["met"] else "no", str(marked) if p["table"] else "", str(len(p["short"]) - marked) if p["table"] else "")
    console.print(table)
    console.print("gaps: records short of the target marked in evidence_gaps (no primary text found); unmarked: neither.")
    if not short:
        if any(p["short"] for p in progress):
            console.print("List the records short of a target with `chipcontrols stats --short`.")
        return
    for p in progress:
        for s in p["short"]:
            note = "marked in evidence_gaps" if s["in_evidence_gaps"] else "unmarked: cite a primary source or add an evidence_gaps row"
            console.print(f"  {p['table']} {s['record_id']}: {note}", soft_wrap=True)
