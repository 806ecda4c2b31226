"""The source policy (`schemas/source-policy.json`, reviewed data, not code): which source caveats
may never be the only support of a record, or of the fields it names (a figure's value, a chip's
specs). A record, or a filled field, whose every supporting citation points at such a source is
an error, unless the policy waives it by name (then a warning, so the list of waivers shows
what still needs a better source)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chipcontrols.arrays import as_mask as _np
from chipcontrols.jsonpos import locate
from chipcontrols.problems import RULES, Problem
from chipcontrols.table import Table

POLICY = "schemas/source-policy.json"
PROFILE = "schemas/source-policy.profile.json"

_FIX = ("Cite a source without such a caveat that states it (the rule's text, the company's filing, release or data sheet, "
        "or reputable news read at its original publisher or a licensed copy), or remove {what}; "
        "the caveats that cannot stand alone are listed in " + POLICY + ".")
RULES.update({
    "source-policy": ("{resource} record {value} rests only on sources with a caveat: {sources}", _FIX.format(what="the record")),
    "source-policy-field": ("{field} of {resource} record {value} rests only on sources with a caveat: {sources}", _FIX.format(what="the value (leave the cell blank)")),
    "source-policy-waived": ("{resource} record {value}{of_field} rests only on sources with a caveat ({sources}); waived: {reason}", "Replace the source, then delete the waiver from " + POLICY + "."),
    "source-policy-stale-waiver": ("waiver for {value} no longer applies: {detail}", "Delete this waiver from " + POLICY + "."),
    "source-policy-invalid": ("source policy problem at {pointer}: {detail}", "Correct " + POLICY + " so that it follows " + PROFILE + "."),
})


def load_policy(root: Path) -> tuple[dict | None, str, list[Problem]]:
    """The package's policy (None when it has none), its text, and problems with the file itself."""
    import jsonschema

    path = root / POLICY
    if not path.is_file():
        return None, "", []
    text = path.read_text(encoding="utf-8")
    try:
        policy = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, text, [Problem("source-policy-invalid", POLICY, line=exc.lineno, column=exc.colno, params={"pointer": "/", "detail": exc.msg})]
    profile_path = root / PROFILE
    if not profile_path.is_file():
        profile_path = Path(__file__).resolve().parents[2] / PROFILE
    validator = jsonschema.Draft202012Validator(json.loads(profile_path.read_text(encoding="utf-8")))
    problems = []
    for error in validator.iter_errors(policy):
        line, column = locate(text, tuple(error.absolute_path))
        problems.append(Problem("source-policy-invalid", POLICY, line=line, column=column,
                                params={"pointer": "/" + "/".join(map(str, error.absolute_path)), "detail": error.message}))
    return (None if problems else policy), text, problems


def _citing(tables: dict[str, Table]) -> Table | None:
    from chipcontrols.integrity import cites

    return next((t for t in tables.values() if cites(t)), None)


def source_policy_problems(package, tables: dict[str, Table]) -> list[Problem]:
    from chipcontrols.integrity import cited_positions

    policy, text, problems = load_policy(package.root)
    citing = _citing(tables)
    if policy is None or citing is None:
        return problems
    spec = policy["sources"]
    sources = tables.get(spec["table"])
    if sources is None or not all(c in sources.text for c in (spec["id"], spec["caveat"])) or "source_id" not in citing.text:
        return problems
    barred = pc.is_in(sources.text[spec["caveat"]], value_set=pa.array(policy["never_sole_support"], pa.string()))
    barred_ids = sources.text[spec["id"]].filter(barred)
    caveat_of = dict(zip(barred_ids.to_pylist(), sources.text[spec["caveat"]].filter(barred).to_pylist()))
    citation_barred = _np(pc.is_in(citing.text["source_id"], value_set=barred_ids))
    ref = citing.resource.schema["x-recordReference"]
    field_column = citing.text.get(ref.get("fields", ""))

    def supports(name: str | None):
        if name is None or field_column is None:
            return lambda t: np.ones(len(t.lines), dtype=bool)
        return lambda t: _np(pc.equal(field_column, "")) | _np(pc.match_substring_regex(field_column, rf"(^| ){re.escape(name)}( |$)"))

    failing: list[tuple[str, int, str | None]] = []  # (table, position, field or None for the whole record)
    masked: list[tuple[str, int, str]] = []  # failing fields of records that fail as a whole
    for name, table in tables.items():
        if name == citing.resource.name or not table.resource.primary_key:
            continue
        whole_failed = np.zeros(len(table.lines), dtype=bool)
        for field in [None, *policy.get("fields", {}).get(name, [])]:
            if field is not None and field not in table.text:
                continue
            support = supports(field)
            cited = cited_positions(tables, name, row_filter=support)
            clean = cited_positions(tables, name, row_filter=lambda t, s=support: s(t) & ~citation_barred)
            bad = cited & ~clean
            if field is None:
                whole_failed = bad
            else:
                bad &= ~_np(pc.equal(table.text[field], ""))
                # the record's own report covers its fields; a waiver for such a field still counts
                masked += [(name, int(p), field) for p in np.flatnonzero(bad & whole_failed)]
                bad &= ~whole_failed
            failing += [(name, int(p), field) for p in np.flatnonzero(bad)]

    waivers = {(w["record_table"], w["record_id"], w.get("field") or None): (i, w) for i, w in enumerate(policy.get("waivers", []))}
    used = set()
    by_record = _sources_by_record(citing, ref, {(t, tables[t].key_strings(tables[t].resource.primary_key, ref.get("separator", "/"))[p].as_py()) for t, p, _ in failing})
    for name, position, field in failing:
        table = tables[name]
        key = table.key_strings(table.resource.primary_key, ref.get("separator", "/"))[position].as_py()
        cited = sorted({s for s, f in by_record.get((name, key), []) if field is None or not f or field in f.split()})
        shown = ", ".join(f"{s} ({caveat_of.get(s, '?')})" for s in cited)
        column = field or table.resource.primary_key[0]
        waiver = waivers.get((name, key, field))
        if waiver is not None:
            used.add((name, key, field))
            problem = table.problem("source-policy-waived", position, column, key, resource=name, sources=shown, reason=waiver[1]["reason"],
                                    of_field=f" (field {field})" if field else "")
            problem.severity = "warning"
        else:
            problem = table.problem("source-policy-field" if field else "source-policy", position, column, key, resource=name, sources=shown)
        problems.append(problem)
    for name, position, field in masked:
        used.add((name, tables[name].key_strings(tables[name].resource.primary_key, ref.get("separator", "/"))[position].as_py(), field))
    for (name, key, field), (index, _) in waivers.items():
        if (name, key, field) not in used and name in tables:
            line, column = locate(text, ("waivers", index))
            stale = Problem("source-policy-stale-waiver", POLICY, line=line, column=column, value=f"{name}/{key}" + (f" ({field})" if field else ""),
                            params={"detail": "the record has a source without a caveat now, or no longer exists"})
            stale.severity = "warning"
            problems.append(stale)
    return problems


def _sources_by_record(citing: Table, ref: dict, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(table, record id) -> [(source_id, field)] for the few records a report names."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    if not wanted:
        return out
    ids = pa.array(sorted({k for _, k in wanted}), pa.string())
    rows = np.flatnonzero(_np(pc.is_in(citing.text[ref["id"]], value_set=ids)))
    fields = citing.text.get(ref.get("fields", ""))
    for position in rows:
        record = (citing.cell(ref["table"], position), citing.cell(ref["id"], position))
        if record in wanted:
            out.setdefault(record, []).append((citing.cell("source_id", position), fields[int(position)].as_py() if fields is not None else ""))
    return out
