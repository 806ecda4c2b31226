"""fmt is lossless and idempotent, and refuses what it cannot read without guessing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipcontrols.cli import main
from conftest import ROOT, copy_package, digest, read_rows, write_rows


def test_fmt_sorts_and_normalises_without_changing_values(package: Path, capsys):
    path = package / "datapackage" / "companies.csv"
    header, rows, _ = read_rows(path)
    shuffled = list(reversed(rows))
    write_rows(path, header, shuffled)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["fmt", str(package / "datapackage.json")]) == 0
    assert path.read_bytes() == (ROOT / "datapackage" / "companies.csv").read_bytes()
    before = digest(package)
    assert main(["fmt", str(package / "datapackage.json")]) == 0
    assert digest(package) == before


def test_fmt_refuses_an_unreadable_table_and_changes_nothing(package: Path, capsys):
    path = package / "datapackage" / "events.csv"
    path.write_bytes(path.read_bytes() + b"1,2,3\n")
    before = digest(package)
    assert main(["fmt", str(package / "datapackage.json")]) == 1
    assert digest(package) == before
    assert "row-length" in capsys.readouterr().out


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1, max_size=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(TEXT, min_size=1, max_size=8, unique=True))
def test_fmt_round_trips_any_text(tmp_path_factory, names):
    """Descriptions with quotes, commas, newlines and Unicode survive fmt exactly, and fmt twice changes nothing."""
    package = copy_package(tmp_path_factory.mktemp("pkg"))
    path = package / "datapackage" / "companies.csv"
    header, rows, _ = read_rows(path)
    column = header.index("description")
    for row, text in zip(rows, names):
        row[column] = text
    write_rows(path, header, list(reversed(rows)))
    assert main(["fmt", str(package / "datapackage.json")]) == 0
    _, formatted, _ = read_rows(path)
    assert sorted(map(tuple, formatted)) == sorted(map(tuple, rows))
    once = path.read_bytes()
    assert main(["fmt", str(package / "datapackage.json")]) == 0
    assert path.read_bytes() == once
