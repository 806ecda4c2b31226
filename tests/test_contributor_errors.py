"""What a contributor reads when a change is wrong: one format (the documented examples are the
tool's own output), the fix spelled out, root causes only, and never a traceback."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, assert_no_traceback, read_rows, run_cli, write_rows

HEADING = re.compile(r"^(?P<file>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning)\[(?P<rule>[\w-]+)\]: (?P<message>.*)$")


def _examples(document: str) -> list[tuple[str, str]]:
    """(heading, hint) pairs from the ```text blocks of a document."""
    text = (ROOT / document).read_text(encoding="utf-8")
    pairs = []
    for block in re.findall(r"```text\n(.*?)```", text, flags=re.S):
        lines = block.splitlines()
        pairs += [(line, lines[i + 1]) for i, line in enumerate(lines) if HEADING.match(line)]
    return pairs


def _set_at_line(package: Path, file: str, line: int, column: int, value: str) -> None:
    path = package / file
    header, rows, lines = read_rows(path)
    rows[lines.index(line)][column - 1] = value
    write_rows(path, header, rows)


@pytest.mark.parametrize("document", ["README.md", "CONTRIBUTING.md"])
def test_documented_errors_are_the_tools_output(package: Path, document: str):
    """Each example is made for real (its value put in its cell) and must be printed verbatim."""
    examples = _examples(document)
    assert examples, f"{document} shows no error"
    for heading, hint in examples:
        assert hint.startswith("    hint: ")
        found = HEADING.match(heading)
        value = re.search(r"'([^']*)'", found["message"]).group(1)
        _set_at_line(package, found["file"], int(found["line"]), int(found["col"]), value)
    result = run_cli("validate", str(package / "datapackage.json"))
    assert result.returncode == 1
    printed = result.stdout.splitlines()
    for heading, hint in examples:
        assert heading in printed, f"{document} shows a line the tool does not print:\n{heading}\n---\n{result.stdout[:3000]}"
        assert printed[printed.index(heading) + 1] == hint


# ---------------------------------------------------------------- root causes
def _errors(package: Path) -> list[dict]:
    """The errors `validate --format json` reports, run in this process (the CLI itself is run by
    the other tests here; this saves a second of start-up per run)."""
    from chipcontrols.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(["validate", str(package / "datapackage.json"), "--format", "json"])
    assert err.getvalue() == ""
    return [p for p in json.loads(out.getvalue())["problems"] if p["severity"] == "error"]


def _table(package: Path, name: str) -> Path:
    return package / "datapackage" / f"{name}.csv"


def _edit(package: Path, table: str, change) -> None:
    path = _table(package, table)
    header, rows, _ = read_rows(path)
    change(header, rows)
    write_rows(path, header, rows)


def _misspelt_reference(package: Path) -> None:
    def change(header, rows):
        row = next(r for r in rows if r[1] == "nvidia")
        row[1] = "nvdia"
    _edit(package, "event_companies", change)


def _misspelt_record_key(package: Path) -> None:
    """The key misspelt where the record is defined: every reference to it now dangles."""
    _edit(package, "companies", lambda header, rows: next(r for r in rows if r[0] == "nvidia").__setitem__(0, "nvdia"))


def _misspelt_citation(package: Path) -> None:
    def change(header, rows):
        row = next(r for r in rows if r[0] == "companies" and r[1] == "nvidia")
        row[1] = "nvdia"
    _edit(package, "citations", change)


def _unreadable_row(package: Path) -> None:
    """An event row loses a cell: its citations, companies and chips refer to a row that cannot be read."""
    _edit(package, "events", lambda header, rows: rows[5].pop())


def _latin1_appended(package: Path) -> None:
    path = _table(package, "events")
    path.write_bytes(path.read_bytes() + b"\xe9")


def _latin1_in_a_row(package: Path) -> None:
    path = _table(package, "events")
    lines = path.read_bytes().split(b"\n")
    lines[20] = lines[20].replace(b",", b",Caf\xe9 ", 1)
    path.write_bytes(b"\n".join(lines))


def _misspelt_column(package: Path) -> None:
    path = _table(package, "chips")
    path.write_text(path.read_text(encoding="utf-8").replace("vendor_id", "vendor", 1), encoding="utf-8")


def _us_date(package: Path) -> None:
    def change(header, rows):
        row = next(r for r in rows if int(r[1][8:10]) > 12)  # a day that cannot be a month: 04/14/2025
        row[1] = f"{row[1][5:7]}/{row[1][8:10]}/{row[1][:4]}"
    _edit(package, "events", change)


def _scale_word(package: Path) -> None:
    def change(header, rows):
        row = next(r for r in rows if r[header.index("value")] == "5500000000")
        row[header.index("value")] = "5.5 billion"
    _edit(package, "financial_figures", change)


def _row_added_at_the_top(package: Path) -> None:
    _edit(package, "events", lambda header, rows: rows.insert(0, rows.pop()))


ROOT_CAUSES = [
    # damage, the one problem's rule and file, text its hint must contain
    (_misspelt_reference, "foreign-key", "event_companies.csv", "Did you mean 'nvidia'?"),
    (_misspelt_record_key, "key-renamed", "companies.csv", "Did you mean 'nvidia'?"),
    (_misspelt_citation, "record-reference", "citations.csv", "Did you mean 'nvidia'?"),
    (_unreadable_row, "row-length", "events.csv", "missing or extra comma"),
    (_latin1_appended, "encoding", "events.csv", "UTF-8"),
    (_latin1_in_a_row, "encoding", "events.csv", "UTF-8"),
    (_misspelt_column, "header", "chips.csv", "Did you mean 'vendor_id'?"),
    (_us_date, "type", "events.csv", "read as month/day/year"),
    (_scale_word, "type", "financial_figures.csv", "Write 5500000000"),
    (_row_added_at_the_top, "sort-order", "events.csv", "make fmt"),
]


@pytest.mark.parametrize("damage,rule,file,hint", ROOT_CAUSES, ids=[c[0].__name__.strip("_") for c in ROOT_CAUSES])
def test_one_mistake_is_one_problem_and_fixing_it_leaves_none(package: Path, damage, rule, file, hint):
    before = {p.name: p.read_bytes() for p in (package / "datapackage").glob("*.csv")}
    assert _errors(package) == []
    damage(package)
    errors = _errors(package)
    assert [(p["rule"], p["file"]) for p in errors] == [(rule, f"datapackage/{file}")], json.dumps(errors, indent=1)[:3000]
    assert hint in errors[0]["hint"]
    for name, data in before.items():  # the fix: the file as it was
        (package / "datapackage" / name).write_bytes(data)
    assert _errors(package) == []


# ---------------------------------------------------------------- no traceback, ever
def _bytes(change):
    def damage(package: Path, table: str) -> None:
        path = _table(package, table)
        path.write_bytes(change(path.read_bytes()))
    return damage


def _descriptor_text(data: bytes):
    return lambda package, _: (package / "datapackage.json").write_bytes(data)


# case -> (file it damages, damage)
HOSTILE = {
    "latin-1 byte at the end": ("events", _bytes(lambda b: b + b"\xe9")),
    "latin-1 byte in a key": ("companies", _bytes(lambda b: b.replace(b"\nnvidia,", b"\nnvidi\xe9,", 1))),
    "windows-1252 quotes": ("sources", _bytes(lambda b: b.replace(b"BIS", b"\x93BIS\x94", 3))),
    "utf-16": ("event_chips", _bytes(lambda b: b.decode("utf-8").encode("utf-16"))),
    "utf-8 cut inside a character": ("citations", _bytes(lambda b: b + "zz-x,\u00e9".encode()[:-1])),
    "latin-1 header": ("chips", _bytes(lambda b: b.replace(b"chip_id", b"chip_\xefd", 1))),
    "bom and crlf": ("events", _bytes(lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"))),
    "lone carriage returns": ("chips", _bytes(lambda b: b.replace(b"\n", b"\r"))),
    "nul bytes": ("sources", _bytes(lambda b: b.replace(b",", b"\x00,", 5))),
    "unclosed quote": ("citations", _bytes(lambda b: b + b'companies,nvidia,"never closed\n')),
    "gzip": ("events", _bytes(gzip.compress)),
    "random bytes": ("companies", _bytes(lambda b: bytes((i * 7919 + 13) % 256 for i in range(3000)))),
    "blank lines and a header only": ("event_chips", _bytes(lambda b: b.split(b"\n")[0] + b"\n\n\n")),
    "quote in the middle of a cell": ("companies", _bytes(lambda b: b.replace(b",", b',x"y', 1))),
    "one huge line": ("event_companies", _bytes(lambda b: b + b"a" * 2_000_000 + b"\n")),
    "descriptor not JSON": ("datapackage.json", _descriptor_text(b'{"name": "x", "resources": [}')),
    "descriptor a list": ("datapackage.json", _descriptor_text(b"[1, 2, 3]")),
    "descriptor latin-1": ("datapackage.json", _descriptor_text(b'{"name": "caf\xe9"}')),
    "schema not JSON": ("events", lambda package, _: (package / "schemas" / "events.schema.json").write_text("{", encoding="utf-8")),
}


def _rounds() -> list[list[str]]:
    """The catalogue in as few runs as possible: in each run every damaged file is damaged once,
    and the descriptor (which, broken, hides everything else) alone."""
    rounds: list[list[str]] = []
    for case, (target, _) in HOSTILE.items():
        free = [r for r in rounds if target != "datapackage.json" and all(HOSTILE[c][0] not in (target, "datapackage.json") for c in r)]
        free[0].append(case) if free else rounds.append([case])
    return rounds


@pytest.mark.parametrize("cases", _rounds(), ids=lambda cases: " + ".join(cases))
def test_no_traceback_text_in_any_output(package: Path, cases: list[str]):
    """The whole catalogue, in the text report with GitHub annotations (what CI shows): stdout and
    stderr hold no traceback, including errors raised inside library callbacks."""
    for case in cases:
        target, damage = HOSTILE[case]
        damage(package, target)
    result = run_cli("validate", str(package / "datapackage.json"), env={"GITHUB_ACTIONS": "true"})
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr
    assert "error[" in result.stdout and "::error file=" in result.stdout


# ---------------------------------------------------------------- suggestions
@pytest.mark.parametrize("value,kind,fix", [
    ("04/14/2025", "date", "Write 2025-04-14 (04/14/2025 read as month/day/year"),
    ("14/04/2025", "date", "Write 2025-04-14 (14/04/2025 read as day/month/year"),
    ("04/05/2025", "date", "Write 2025-04-05 if this is month/day/year (US style), or 2025-05-04 if it is day/month/year"),
    ("2025/4/9", "date", "Write 2025-04-09"),
    ("April 14, 2025", "date", "Write 2025-04-14."),
    ("2025-02-30", "date", "February 2025 has 28 days"),
    ("2025-04-14", "datetime", "Write 2025-04-14T00:00:00Z"),
    ("5.5 billion", "number", "Write 5500000000 (5.5 billion in base units; 5.5e9 also works)."),
    ("$5.5bn", "number", "Write 5500000000 (without the currency"),
    ("5,500,000,000", "number", "Write 5500000000 (without thousands separators)."),
    ("1,234.5", "number", "Write 1234.5 (without thousands separators)."),
    ("15%", "number", "Write 15 (percent as a plain number, with unit=percent)."),
    ("2.5 million", "integer", "Write 2500000"),
    ("1500.0", "integer", "Write 1500 (a whole number"),
    ("nvidia ", "number", None),
    ("12 ", "number", "Remove the space at the end: write '12'."),
    (" 2025-04-14", "date", "Remove the space at the start: write '2025-04-14'."),
    ("NaN", "number", "Leave the cell empty"),
    ("yes", "boolean", "Write true."),
])
def test_spelled_out_fixes(value: str, kind: str, fix: str | None):
    from chipcontrols.suggest import type_fix

    found = type_fix(value, {"type": kind})
    assert (found is None) if fix is None else (found is not None and found.startswith(fix)), found


def test_closest_values_ids_and_columns():
    from chipcontrols.suggest import closest, enum_fix, pattern_fix

    assert closest("nvdia", ["amd", "nvidia", "huawei"]) == "nvidia"
    assert closest("Huawei", ["amd", "nvidia", "huawei"]) == "huawei"
    assert closest("tsmc", ["amd", "nvidia", "huawei"]) is None
    assert enum_fix("licence_requirement", ["export_control_rule", "license_requirement"]) == "Did you mean 'license_requirement'?"
    assert enum_fix("US ", ["US", "CN"]) == "Remove the space at the end: write 'US'."
    slug = "[a-z0-9]+(?:-[a-z0-9]+)*"
    assert pattern_fix(" nvidia", slug) == "Remove the space at the start: write 'nvidia'."
    assert pattern_fix("Nvidia H20", slug) == "Write 'nvidia-h20' (identifiers are lowercase words joined by '-')."
    assert pattern_fix("!!", slug) is None


def test_misspelt_enum_and_trailing_space_in_the_report(package: Path):
    def change(header, rows):
        rows[0][header.index("event_type")] = "licence_requirement"
        rows[1][header.index("country")] = "US "
    _edit(package, "events", change)
    hints = {p["field"]: p["hint"] for p in _errors(package)}
    assert hints["event_type"].startswith("Did you mean 'license_requirement'?")
    assert hints["country"].startswith("Remove the space at the end: write 'US'.")
