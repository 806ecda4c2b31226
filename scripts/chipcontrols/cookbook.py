"""The cookbook: research questions answered against a release, each by a pandas snippet and an
SQL query, run at build time so the page shows their real output (and the tests run them too).

Snippets run from inside a release folder (as a reader would after unzipping it): Parquet is read
with `dtype_backend="pyarrow"`, which keeps dates as dates (`.dt.year` works); the SQLite database
declares them DATE and stores ISO text, which SQLite's date functions read."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DATABASE = "ai-chip-export-controls.sqlite"


@dataclass(frozen=True)
class Recipe:
    slug: str
    question: str
    note: str
    pandas: str
    sql: str


RECIPES = [
    Recipe(
        "china-revenue-by-year",
        "What was Nvidia's revenue from China in each fiscal year, on each reporting basis?",
        "Nvidia reported geography by customer billing location until fiscal 2025 and by customer headquarters in its fiscal 2026 10-K, "
        "which recast fiscal 2024 and 2025. `reporting_basis` keeps the two series apart, and the schema's unique key "
        "(company, metric, fiscal period, basis) guarantees one value per cell. A blank cell is a year the package has no figure for.",
        '''import pandas as pd

figures = pd.read_parquet("parquet/financial_figures.parquet", dtype_backend="pyarrow")
china = figures[(figures["company_id"] == "nvidia") & (figures["metric"] == "revenue_china")
                & figures["fiscal_period"].str.fullmatch(r"FY\\d{4}").fillna(False)]
table = china.pivot(index="fiscal_period", columns="reporting_basis", values="value") / 1e9
print(table.to_string())
''',
        '''SELECT fiscal_period,
       ROUND(MAX(CASE WHEN reporting_basis = 'billing_location' THEN value END) / 1e9, 2) AS billing_location_bn,
       ROUND(MAX(CASE WHEN reporting_basis = 'customer_headquarters' THEN value END) / 1e9, 2) AS customer_headquarters_bn
FROM financial_figures
WHERE company_id = 'nvidia' AND metric = 'revenue_china' AND fiscal_period GLOB 'FY[0-9][0-9][0-9][0-9]'
GROUP BY fiscal_period
ORDER BY fiscal_period''',
    ),
    Recipe(
        "designed-around",
        "Which China-specific chips were designed around which rule, with their TPP and the line they sit under?",
        "One join: each part's `designed_for_rule` against its computed status under that rule. `deciding_*` is the line "
        "that decides the outcome and `margin` the chip's value divided by it (0.987 is 1.3% under the line).",
        '''import pandas as pd

chips = pd.read_parquet("parquet/chips.parquet", dtype_backend="pyarrow")
status = pd.read_parquet("parquet/chip_rule_status.parquet", dtype_backend="pyarrow")
designed = chips.merge(status, left_on=["chip_id", "designed_for_rule"], right_on=["chip_id", "rule_id"])
columns = ["name", "rule_id", "designed_for_metric", "tpp", "outcome", "deciding_metric", "deciding_operator",
           "deciding_threshold", "margin"]
print(designed.sort_values(["rule_id", "name"])[columns].to_string(index=False))
''',
        '''SELECT c.name, s.rule_id, c.designed_for_metric, s.tpp, s.outcome,
       s.deciding_metric || ' ' || s.deciding_operator || ' ' || printf('%g', s.deciding_threshold) AS deciding_line, s.margin
FROM chips c JOIN chip_rule_status s ON s.chip_id = c.chip_id AND s.rule_id = c.designed_for_rule
ORDER BY s.rule_id, c.name''',
    ),
    Recipe(
        "h20-2025",
        "What happened to the H20 in 2025, in order, with dates at the precision the sources give?",
        "Events linked to the chip through `event_chips`. A month-precision date is stored as the month's first day; "
        "shown here as the month, never as an exact day.",
        '''import pandas as pd

events = pd.read_parquet("parquet/events.parquet", dtype_backend="pyarrow")
links = pd.read_parquet("parquet/event_chips.parquet", dtype_backend="pyarrow")
h20 = events.merge(links[links["chip_id"] == "nvidia-h20"], on="event_id")
h20 = h20[h20["date"].dt.year == 2025].sort_values(["date", "event_id"])


def at_precision(day, precision):
    """A month-precision date is stored as the 1st: show 'May 2025', never '1 May 2025'."""
    return f"{day:%B %Y}" if precision == "month" else f"{day:%Y}" if precision == "year" else f"{day.day} {day:%B %Y}"


for day, precision, status, title in zip(h20["date"], h20["date_precision"], h20["status"], h20["title"]):
    print(f"{at_precision(day, precision):<17} {status:<10} {title}")
''',
        '''SELECT CASE e.date_precision
         WHEN 'month' THEN strftime('%Y-%m', e.date)
         WHEN 'year' THEN strftime('%Y', e.date)
         ELSE e.date END AS "when", e.status, e.title
FROM events e JOIN event_chips ec ON ec.event_id = e.event_id
WHERE ec.chip_id = 'nvidia-h20' AND strftime('%Y', e.date) = '2025'
ORDER BY e.date, e.event_id''',
    ),
    Recipe(
        "china-share",
        "What share of Nvidia's revenue came from China, year by year?",
        "China revenue divided by total revenue for the same fiscal year, on each reporting basis (both figures from the package).",
        '''import pandas as pd

figures = pd.read_parquet("parquet/financial_figures.parquet", dtype_backend="pyarrow")
annual = figures[(figures["company_id"] == "nvidia") & figures["fiscal_period"].str.fullmatch(r"FY\\d{4}").fillna(False)]
china = annual[annual["metric"] == "revenue_china"][["fiscal_period", "reporting_basis", "value"]]
total = annual[annual["metric"] == "revenue_total"][["fiscal_period", "value"]]
share = china.merge(total, on="fiscal_period", suffixes=("_china", "_total"))
share["china_share_percent"] = (100 * share["value_china"] / share["value_total"]).round(1)
print(share.sort_values(["fiscal_period", "reporting_basis"])[["fiscal_period", "reporting_basis", "china_share_percent"]]
      .to_string(index=False))
''',
        '''SELECT c.fiscal_period, c.reporting_basis, ROUND(100.0 * c.value / t.value, 1) AS china_share_percent
FROM financial_figures c
JOIN financial_figures t ON t.company_id = c.company_id AND t.fiscal_period = c.fiscal_period AND t.metric = 'revenue_total'
WHERE c.company_id = 'nvidia' AND c.metric = 'revenue_china' AND c.fiscal_period GLOB 'FY[0-9][0-9][0-9][0-9]'
ORDER BY c.fiscal_period, c.reporting_basis''',
    ),
    Recipe(
        "outcomes-by-rule",
        "How many chips does each rule control, and how?",
        "Counts of `chip_rule_status.outcome` per rule; `undetermined` means a spec the rule needs is not published.",
        '''import pandas as pd

status = pd.read_parquet("parquet/chip_rule_status.parquet", dtype_backend="pyarrow")
print(pd.crosstab(status["rule_id"], status["outcome"]).to_string())
''',
        '''SELECT rule_id, outcome, COUNT(*) AS chips
FROM chip_rule_status
GROUP BY rule_id, outcome
ORDER BY rule_id, chips DESC, outcome''',
    ),
    Recipe(
        "charges-by-quarter",
        "What did export controls cost Nvidia, quarter by quarter (charges and revenue it could not ship)?",
        "`provenance` separates what was reported after the fact from guidance given in advance.",
        '''import pandas as pd

figures = pd.read_parquet("parquet/financial_figures.parquet", dtype_backend="pyarrow")
costs = figures[figures["metric"].isin(["export_control_charge", "lost_revenue"]) & figures["fiscal_period"].notna()]
costs = costs.assign(billion_usd=costs["value"] / 1e9)
print(costs.sort_values(["fiscal_period", "metric"])[["fiscal_period", "metric", "provenance", "billion_usd"]]
      .to_string(index=False))
''',
        '''SELECT fiscal_period, metric, provenance, value / 1e9 AS billion_usd
FROM financial_figures
WHERE metric IN ('export_control_charge', 'lost_revenue') AND fiscal_period IS NOT NULL
ORDER BY fiscal_period, metric''',
    ),
    Recipe(
        "events-by-actor",
        "Who acts most often in the story, and in what role?",
        "Events per company and role from `event_companies` (the ten most frequent).",
        '''import pandas as pd

links = pd.read_parquet("parquet/event_companies.parquet", dtype_backend="pyarrow")
companies = pd.read_parquet("parquet/companies.parquet", dtype_backend="pyarrow")
counts = links.merge(companies, on="company_id").groupby(["name", "role"]).size().rename("events").reset_index()
print(counts.sort_values(["events", "name", "role"], ascending=[False, True, True]).head(10).to_string(index=False))
''',
        '''SELECT c.name, l.role, COUNT(*) AS events
FROM event_companies l JOIN companies c USING (company_id)
GROUP BY c.name, l.role
ORDER BY events DESC, c.name, l.role
LIMIT 10''',
    ),
    Recipe(
        "sources-of-a-record",
        "Where does one record come from? The sources and quotes behind the H20 charge.",
        "Every record is cited; `field` says which columns a quote supports (blank: the whole record).",
        '''import pandas as pd

citations = pd.read_parquet("parquet/citations.parquet", dtype_backend="pyarrow")
sources = pd.read_parquet("parquet/sources.parquet", dtype_backend="pyarrow")
mine = citations[(citations["record_table"] == "financial_figures") & (citations["record_id"] == "nvidia-fy2026-q1-h20-charge")]
for row in mine.merge(sources, on="source_id").itertuples():
    print(f"{row.publisher} ({row.source_type}), field={row.field if pd.notna(row.field) else '(whole record)'}\\n  {row.url}\\n  \\"{row.quote}\\"")
''',
        '''SELECT s.publisher, s.source_type, c.field, c.quote, s.url
FROM citations c JOIN sources s USING (source_id)
WHERE c.record_table = 'financial_figures' AND c.record_id = 'nvidia-fy2026-q1-h20-charge'
ORDER BY s.publisher, c.quote''',
    ),
    Recipe(
        "events-per-year",
        "How busy was each year? Events by year and kind.",
        "With `dtype_backend=\"pyarrow\"` the `date` column is a date, so `.dt.year` works (read without it, pandas gives Python objects).",
        '''import pandas as pd

events = pd.read_parquet("parquet/events.parquet", dtype_backend="pyarrow")
print(pd.crosstab(events["date"].dt.year, events["event_type"]).to_string())
''',
        '''SELECT strftime('%Y', date) AS year, event_type, COUNT(*) AS events
FROM events
GROUP BY year, event_type
ORDER BY year, event_type''',
    ),
]


@dataclass
class Answer:
    recipe: Recipe
    pandas_output: str
    sql_columns: list[str]
    sql_rows: list[tuple]


# Set before each snippet runs (and said on the page): wide tables print on one line.
DISPLAY = 'import pandas as pd\npd.set_option("display.width", 200)\npd.set_option("display.max_columns", 30)\n'


def run_pandas(code: str, folder: Path) -> str:
    """Run a snippet as a reader would, in a Python process of its own started in the release
    folder; returns what it printed. A failing snippet stops the build with its error."""
    result = subprocess.run([sys.executable, "-c", DISPLAY + code], cwd=folder, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"cookbook snippet failed:\n{code}\n{result.stderr}")
    return result.stdout.rstrip("\n")


def run_sql(query: str, folder: Path) -> tuple[list[str], list[tuple]]:
    connection = sqlite3.connect(f"file:{folder / DATABASE}?mode=ro", uri=True)
    try:
        cursor = connection.execute(query)
        return [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        connection.close()


def answer_all(folder: Path) -> list[Answer]:
    answers = []
    for recipe in RECIPES:
        columns, rows = run_sql(recipe.sql, folder)
        answers.append(Answer(recipe, run_pandas(recipe.pandas, folder), columns, rows))
    return answers


def _text_table(columns: list[str], rows: list[tuple]) -> str:
    """Rows as aligned plain text, the way a terminal shows a query's result."""
    cells = [[("" if v is None else format(v, "g") if isinstance(v, float) else str(v)) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def _fence(text: str, language: str) -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}{language}\n{text}\n{fence}"


def page(answers: list[Answer], intro: str) -> str:
    parts = ["# Cookbook", "", intro.strip(), ""]
    for number, a in enumerate(answers, 1):
        r = a.recipe
        parts += [f"## {number}. {r.question}", "", r.note, "", "**pandas**", "", _fence(r.pandas.rstrip(), "python"), "",
                  "Output:", "", _fence(a.pandas_output, "text"), "", "**SQL** (SQLite)", "", _fence(r.sql, "sql"), "",
                  "Output:", "", _fence(_text_table(a.sql_columns, a.sql_rows), "text"), ""]
    return "\n".join(parts)


def add_to_site(package, pages: Path, nav: list, created: str) -> None:
    """Build a release in a temporary folder, run every recipe against it and write the page."""
    import datetime as dt

    from chipcontrols.release import write_release_folder

    epoch = int(dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp())
    intro_path = package.root / "docs" / "cookbook.md"
    intro = intro_path.read_text(encoding="utf-8").split("\n", 1)[1] if intro_path.is_file() else ""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "release"
        folder.mkdir()
        write_release_folder(package, folder, epoch)
        (pages / "cookbook.md").write_text(page(answer_all(folder), intro), encoding="utf-8")
    nav.insert(next((i + 1 for i, item in enumerate(nav) if "Money" in item), len(nav)), {"Cookbook": "cookbook.md"})
