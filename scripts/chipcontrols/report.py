"""Show problems like a compiler does: location, rule, message, hint; or as JSON; or as
GitHub annotations so a pull request shows each error on its line."""

from __future__ import annotations

import html
import json
from collections import Counter

from chipcontrols.problems import Problem

EXAMPLES_PER_RULE = 5
FULL_LISTING_LIMIT = 100


def as_json(problems: list[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    return json.dumps({"valid": errors == 0, "errors": errors, "warnings": len(problems) - errors,
                       "problems": [p.to_dict() for p in problems]}, ensure_ascii=False, indent=1)


def _escape(text: str, property_: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_ else text


def as_github(problems: list[Problem]) -> str:
    """Workflow commands that GitHub shows as annotations on the file and line of each problem."""
    lines = []
    for p in problems:
        props = [f"file={_escape(p.file, True)}"]
        if p.line is not None:
            props.append(f"line={p.line}")
        if p.column is not None:
            props.append(f"col={p.column}")
        props.append(f"title={_escape(f'{p.severity}[{p.rule}]', True)}")
        text = _escape(p.message + "\n" + p.hint)  # the hint on a line of its own in the annotation
        lines.append(f"::{'error' if p.severity == 'error' else 'warning'} {','.join(props)}::{text}")
    return "\n".join(lines)


SUMMARY_LIMIT = 500  # rows in the job summary (GitHub caps a summary at 1 MiB)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: nothing in it can act as HTML or end the cell."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def as_summary(problems: list[Problem]) -> str:
    """A Markdown job summary listing every problem (GitHub shows only the first annotations of a step)."""
    errors = sum(p.severity == "error" for p in problems)
    title = f"## chipcontrols validate: {errors} error(s), {len(problems) - errors} warning(s)\n"
    if not problems:
        return "## chipcontrols validate: valid, no problems found\n"
    rows = ["| where | problem | how to fix |", "|---|---|---|"]
    for p in problems[:SUMMARY_LIMIT]:
        rows.append(f"| `{_cell(p.location())}` | {_cell(f'{p.severity}[{p.rule}]: {p.message}')} | {_cell(p.hint)} |")
    more = f"\n({len(problems) - SUMMARY_LIMIT} more: run `chipcontrols validate --format json` to see all)\n" if len(problems) > SUMMARY_LIMIT else ""
    return title + "\n" + "\n".join(rows) + "\n" + more


def print_text(problems: list[Problem], console=None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console(stderr=False, highlight=False, soft_wrap=True)
    if not problems:
        console.print("[green]valid[/green]: no problems found")
        return
    counts = Counter(p.rule for p in problems)
    shown = problems if len(problems) <= FULL_LISTING_LIMIT else _examples(problems)
    for p in shown:
        colour = "red" if p.severity == "error" else "yellow"
        # one format everywhere (README, CONTRIBUTING, tests): file:line:col: severity[rule]: message
        console.print(f"[bold]{escape(p.location())}[/bold]: [{colour}]{escape(f'{p.severity}[{p.rule}]')}[/{colour}]: {escape(p.message)}")
        console.print(f"    [dim]hint:[/dim] {escape(p.hint)}")
    if len(shown) < len(problems):
        console.print(f"[dim](showing the first {EXAMPLES_PER_RULE} of each rule; all {len(problems)} are in --format json)[/dim]")
    summary = Table(title="Problems by rule")
    summary.add_column("rule")
    summary.add_column("severity")
    summary.add_column("count", justify="right")
    severity = {p.rule: p.severity for p in problems}
    for rule, count in sorted(counts.items()):
        summary.add_row(rule, severity[rule], str(count))
    console.print(summary)
    errors = sum(p.severity == "error" for p in problems)
    console.print(f"[{'red' if errors else 'yellow'}]{errors} error(s), {len(problems) - errors} warning(s)[/]")


def _examples(problems: list[Problem]) -> list[Problem]:
    seen: Counter = Counter()
    chosen = []
    for p in problems:
        if seen[p.rule] < EXAMPLES_PER_RULE:
            chosen.append(p)
            seen[p.rule] += 1
    return chosen
