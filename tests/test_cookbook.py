"""The cookbook's recipes run against a freshly built release: each pandas snippet and each SQL
query answers, the two agree, and the answers say what the issue's questions need."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chipcontrols import cookbook
from conftest import copy_project, run_cli


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict:
    folder = copy_project(tmp_path_factory.mktemp("cookbook") / "pkg")
    result = run_cli("build", str(folder / "datapackage.json"), env={"SOURCE_DATE_EPOCH": "1764374400"})
    assert result.returncode == 0, result.stdout + result.stderr
    release = next((folder / "dist").glob("ai-chip-export-controls-*/"))
    return {"folder": release, "answers": {a.recipe.slug: a for a in cookbook.answer_all(release)}}


def test_at_least_eight_questions_each_answered_twice(answers):
    assert len(cookbook.RECIPES) >= 8 and len({r.slug for r in cookbook.RECIPES}) == len(cookbook.RECIPES)
    for slug, answer in answers["answers"].items():
        assert answer.pandas_output.strip(), f"{slug}: pandas printed nothing"
        assert answer.sql_rows, f"{slug}: the SQL query returned no rows"
        assert 'dtype_backend="pyarrow"' in answer.recipe.pandas, f"{slug}: read Parquet with dtype_backend='pyarrow'"


def test_the_issues_three_questions(answers):
    a = answers["answers"]
    revenue = {row[0]: row[1:] for row in a["china-revenue-by-year"].sql_rows}
    assert revenue["FY2024"] == (10.31, 12.33) and revenue["FY2022"][0] == 7.11 and revenue["FY2026"][1] == 19.68
    assert "FY2024" in a["china-revenue-by-year"].pandas_output and "12.33" in a["china-revenue-by-year"].pandas_output
    designed = {row[0]: row[1] for row in a["designed-around"].sql_rows}
    assert designed["A800"] == designed["H800"] == "bis-2022-10-advanced-computing"
    assert {designed[n] for n in ("H20", "L20 PCIe", "L2 PCIe", "GeForce RTX 4090 D")} == {"bis-2023-10-advanced-computing-update"}
    timeline = a["h20-2025"].pandas_output.splitlines()
    assert timeline[0].startswith("2 April 2025") and any(line.startswith("8 August 2025 ") for line in timeline)
    assert not any(line.startswith("1 August 2025") for line in timeline), "a month-precision date shown as a day"
    assert any(row[0] == "2025-05" for row in a["h20-2025"].sql_rows)  # the B40 reports, known to the month


def test_pandas_and_sql_agree(answers):
    a = answers["answers"]
    outcomes = a["outcomes-by-rule"]
    total = sum(row[2] for row in outcomes.sql_rows)
    with sqlite3.connect(answers["folder"] / cookbook.DATABASE) as db:
        assert total == db.execute("SELECT COUNT(*) FROM chip_rule_status").fetchone()[0]
    for row in a["charges-by-quarter"].sql_rows:
        assert row[0] in a["charges-by-quarter"].pandas_output
    shares = {(r[0], r[1]): r[2] for r in a["china-share"].sql_rows}
    for (period, basis), share in shares.items():
        assert any(period in line and basis in line and f"{share:g}" in line for line in a["china-share"].pandas_output.splitlines())


def test_dates_are_dates_in_parquet_and_declared_date_in_sqlite(answers):
    import pandas as pd

    events = pd.read_parquet(answers["folder"] / "parquet" / "events.parquet", dtype_backend="pyarrow")
    assert events["date"].dt.year.min() >= 2018
    with sqlite3.connect(answers["folder"] / cookbook.DATABASE) as db:
        declared = {row[1]: row[2] for row in db.execute("PRAGMA table_info(events)")}
        assert declared["date"] == "DATE"
        assert db.execute("SELECT typeof(date) FROM events LIMIT 1").fetchone()[0] == "text"


def test_page_shows_every_question_with_both_outputs(answers):
    text = cookbook.page(list(answers["answers"].values()), "Intro.")
    for number, recipe in enumerate(cookbook.RECIPES, 1):
        assert f"## {number}. {recipe.question}" in text
    assert text.count("```python") == len(cookbook.RECIPES) and text.count("```sql") == len(cookbook.RECIPES)
    assert text.count("Output:") == 2 * len(cookbook.RECIPES)
