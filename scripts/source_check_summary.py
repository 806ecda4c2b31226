"""Markdown for the job summary of the weekly source check (.github/workflows/sources.yml), from the
JSON report of `chipcontrols check-sources --format json`: a table of its problems when the report
has the shape every chipcontrols JSON report has ({"problems": [{"file", "line", "rule", "message",
...}]}), else the report itself. Never more than GitHub's summary limit (1 MiB).

usage: python scripts/source_check_summary.py REPORT.json EXIT_STATUS"""

from __future__ import annotations

import json
import sys
from pathlib import Path

LIMIT = 900_000  # characters: under the 1 MiB a step summary may hold
ROWS = 300


def _cell(value) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def summary(report_text: str, status: str) -> str:
    lines = ["# Source check", "", f"`chipcontrols check-sources --fetch` exited with status {_cell(status) or 'unknown'}.", ""]
    try:
        report = json.loads(report_text) if report_text.strip() else None
    except json.JSONDecodeError as exc:
        report = None
        lines += [f"The report is not JSON ({_cell(exc)}); it is kept as the artifact `source-check`.", ""]
    problems = report.get("problems") if isinstance(report, dict) else None
    if isinstance(problems, list) and all(isinstance(p, dict) for p in problems):
        lines += [f"{len(problems)} problem(s)." if problems else "No problems.", ""]
        if problems:
            lines += ["| where | rule | message |", "|---|---|---|"]
            for p in problems[:ROWS]:
                where = ":".join(str(p[k]) for k in ("file", "line", "column") if p.get(k) is not None)
                lines.append(f"| `{_cell(where)}` | {_cell(p.get('rule'))} | {_cell(p.get('message'))} |")
            if len(problems) > ROWS:
                lines.append(f"\n(the first {ROWS}; all are in the artifact `source-check`)")
    elif report is not None:
        lines += ["```json", json.dumps(report, indent=1, ensure_ascii=False), "```"]
    elif not report_text.strip():
        lines.append("The check wrote no report.")
    text = "\n".join(lines) + "\n"
    return text if len(text) <= LIMIT else text[:LIMIT] + "\n\n(cut: the whole report is in the artifact `source-check`)\n"


if __name__ == "__main__":
    path = Path(sys.argv[1])
    sys.stdout.write(summary(path.read_text(encoding="utf-8", errors="replace") if path.is_file() else "", sys.argv[2] if len(sys.argv) > 2 else ""))
