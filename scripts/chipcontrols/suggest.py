"""The specific fix for a problem, where one can be worked out: the closest existing id for an
unknown key, the closest allowed value or column name (difflib), and the usual ways a value
is written wrong (a US date, thousands separators, '5.5 billion', a stray space), spelled out as
the value to write instead."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal, InvalidOperation

from chipcontrols.problems import Problem, show_value

# difflib compares one candidate at a time: past this many the search costs more than it helps
MAX_CANDIDATES = 100_000
# and past this many problems of one rule, the rest go without (a broken file, not a typo)
MAX_SUGGESTED = 200
# candidates compared in all, over one report: a few seconds at most however broken the package
BUDGET = 2_000_000


def closest(value: str, candidates, cutoff: float = 0.6) -> str | None:
    """The candidate `value` most likely meant: the same apart from case and surrounding spaces,
    else the most similar one (difflib's ratio at least `cutoff`), else None."""
    candidates = list(candidates)
    if not value or not candidates or len(candidates) > MAX_CANDIDATES:
        return None
    folded = value.strip().casefold()
    for candidate in candidates:
        if candidate.casefold() == folded:
            return candidate
    found = difflib.get_close_matches(value.strip(), candidates, n=1, cutoff=cutoff)
    return found[0] if found else None


def _did_you_mean(value: str, candidates) -> str | None:
    found = closest(value, candidates)
    return f"Did you mean {show_value(found)}?" if found is not None and found != value else None


def _spaces(value: str, accepted) -> str | None:
    """A value that is right but for spaces around it."""
    stripped = value.strip()
    if stripped == value or not stripped or not accepted(stripped):
        return None
    where = "start and end" if value[0].isspace() and value[-1].isspace() else "start" if value[0].isspace() else "end"
    return f"Remove the space at the {where}: write {show_value(stripped)}."


# ------------------------------------------------------------------ dates
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})")
_WRITTEN = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%b. %d, %Y")
_MONTHS = ("%B %Y", "%b %Y")


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_fix(value: str, kind: str = "date") -> str | None:
    """How to write `value` as an ISO 8601 date (or datetime), when its meaning can be seen."""
    text = value.strip()
    suffix = "T00:00:00Z" if kind == "datetime" else ""
    if kind == "datetime" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and (day := _date(*map(int, text.split("-")))):
        return f"Write {day.isoformat()}{suffix} (a datetime needs a time and the Z for UTC)."
    if match := _SLASHED.fullmatch(text):
        first, second, year = (int(g) for g in match.groups())
        us, european = _date(year, first, second), _date(year, second, first)
        if us and european and us != european:
            return (f"Write {us.isoformat()}{suffix} if this is month/day/year (US style), or {european.isoformat()}{suffix} if it is "
                    "day/month/year; the source's own dates tell which.")
        if us or european:
            day, style = (us, "month/day/year") if us else (european, "day/month/year")
            return f"Write {day.isoformat()}{suffix} ({value.strip()} read as {style}; dates are written year-month-day)."
    if match := _YEAR_FIRST.fullmatch(text):
        day = _date(*(int(g) for g in match.groups()))
        if day:
            return f"Write {day.isoformat()}{suffix} (four-digit year, two-digit month and day, separated by '-')."
        year, month, number = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= year:
            last = (_date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
            return f"{dt.date(year, month, 1):%B %Y} has {last} days: check the day against the source."
    for formats, advice in ((_WRITTEN, ""), (_MONTHS, " with date_precision=month (a month is written as its first day)")):
        for fmt in formats:
            try:
                day = dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            return f"Write {day.isoformat()}{suffix}{advice}."
    return None


# ------------------------------------------------------------------ numbers
SCALE_WORDS = {"thousand": 3, "k": 3, "million": 6, "mn": 6, "mio": 6, "m": 6, "billion": 9, "bn": 9, "b": 9,
               "trillion": 12, "tn": 12, "t": 12}
_NUMBER = re.compile(r"(?P<currency>US\$|\$|USD|US dollars|€|¥|RMB|CNY)?\s*(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                     r"\s*(?P<scale>thousand|million|billion|trillion|mn|mio|bn|tn|[kmbt])?\.?\s*(?P<percent>%|percent)?"
                     r"\s*(?P<after>USD|US dollars|dollars|CNY|yuan|RMB)?", re.IGNORECASE)


def _plain(number: Decimal) -> str:
    """A number as this package writes it: no exponent for whole numbers, no trailing zeros."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def number_fix(value: str, kind: str = "number") -> str | None:
    """How to write `value` as a plain number in base units, when it is one written another way."""
    text = value.strip()
    lowered = text.casefold()
    if lowered in ("nan", "inf", "-inf", "+inf", "infinity", "n/a", "na", "none", "null", "unknown", "-", "?"):
        return "Leave the cell empty when the number is not known (an empty cell is missing)."
    match = _NUMBER.fullmatch(text)
    if not match:
        return None
    written = match.group("number")
    try:
        number = Decimal(written.replace(",", ""))
    except InvalidOperation:
        return None
    reasons = []
    if match.group("currency") or match.group("after"):
        reasons.append("without the currency: the unit column says which")
    if "," in written:
        reasons.append("without thousands separators")
    if match.group("scale"):
        exponent = SCALE_WORDS[match.group("scale").casefold()]
        number = number.scaleb(exponent)
        reasons.append(f"{written} {match.group('scale')} in base units; {_plain(Decimal(written.replace(',', '')))}e{exponent} also works")
    if match.group("percent"):
        reasons.append("percent as a plain number, with unit=percent")
    if kind == "integer" and number != number.to_integral_value():
        return None
    if kind == "integer" and not reasons and "." in written:
        reasons.append("a whole number without a decimal point")
    if not reasons:
        return None
    return f"Write {_plain(number)} ({'; '.join(reasons)})."


_BOOLEAN_WORDS = {"yes": True, "y": True, "no": False, "n": False, "t": True, "f": False, "wahr": True, "falsch": False}


def _valid(text: str, field: dict) -> bool:
    import pyarrow as pa

    from chipcontrols.typecast import cast_column

    return not cast_column(pa.array([text], type=pa.string()), field).bad.any()


def type_fix(value: str, field: dict) -> str | None:
    """The spelled-out fix for a cell that is not a valid value of its field's type."""
    kind = field.get("type", "string")
    if spaces := _spaces(value, lambda text: _valid(text, field)):
        return spaces
    if kind in ("date", "datetime"):
        return date_fix(value, kind)
    if kind in ("number", "integer"):
        return number_fix(value, kind)
    if kind == "boolean" and value.strip().casefold() in _BOOLEAN_WORDS:
        truth = _BOOLEAN_WORDS[value.strip().casefold()]
        words = field.get("trueValues" if truth else "falseValues") or ["true" if truth else "false"]
        return f"Write {words[0]}."
    if kind == "year" and (found := re.fullmatch(r"(?:FY|CY)?\s*(\d{4})", value.strip(), re.IGNORECASE)):
        return f"Write {found.group(1)}."
    return None


# ------------------------------------------------------------------ patterns and enums
def pattern_fix(value: str, pattern: str) -> str | None:
    """A cell that fails its pattern only because of case, spaces or separators."""
    try:
        regex = re.compile(f"(?:{pattern})")
    except re.error:
        return None
    accepted = lambda text: regex.fullmatch(text) is not None  # noqa: E731
    if spaces := _spaces(value, accepted):
        return spaces
    slug = re.sub(r"[\s_]+", "-", value.strip().casefold())
    for candidate, why in ((value.strip().casefold(), "identifiers are lowercase"), (slug, "identifiers are lowercase words joined by '-'")):
        if candidate != value and accepted(candidate):
            return f"Write {show_value(candidate)} ({why})."
    return None


def enum_fix(value: str, allowed: list) -> str | None:
    allowed = [str(a) for a in allowed]
    return _spaces(value, allowed.__contains__) or _did_you_mean(value, allowed)


# ------------------------------------------------------------------ over a whole report
def add_suggestions(problems: list[Problem], package, tables: dict) -> None:
    """Give each problem whose fix can be worked out its suggestion (in place)."""
    by_file = {table.display: table for table in tables.values()}
    candidates: dict[tuple, list[str]] = {}
    done: dict[str, int] = {}
    budget = BUDGET

    def keys_of(name: str, fields: list[str], separator: str) -> list[str]:
        """The target's keys, to compare an unknown one with; none once the budget is spent."""
        nonlocal budget
        if (name, tuple(fields), separator) not in candidates:
            target = tables.get(name)
            found = []
            if target is not None and target.readable and all(f in target.text for f in fields) and len(target.lines) <= MAX_CANDIDATES:
                found = [k for k in target.key_strings(fields, separator).unique().to_pylist() if k]
            candidates[(name, tuple(fields), separator)] = found
        found = candidates[(name, tuple(fields), separator)]
        budget -= len(found)
        return found if budget >= 0 else []

    for problem in problems:
        if problem.suggestion or problem.value is None or problem.severity != "error":
            continue
        if done.get(problem.rule, 0) >= MAX_SUGGESTED:
            continue
        done[problem.rule] = done.get(problem.rule, 0) + 1
        value = str(problem.value)
        table = by_file.get(problem.file)
        field = table.resource.field(problem.field) if table is not None and problem.field in table.resource.field_names else {}
        if problem.rule == "type":
            problem.suggestion = type_fix(value, field)
        elif problem.rule == "pattern":
            problem.suggestion = pattern_fix(value, str(problem.params.get("pattern", "")))
        elif problem.rule == "enum":
            problem.suggestion = enum_fix(value, field.get("constraints", {}).get("enum") or [])
        elif problem.rule == "foreign-key":
            fields = [f.strip() for f in str(problem.params.get("ref_fields", "")).split(",")]
            keys = keys_of(problem.params.get("ref_resource", ""), fields, "/")
            problem.suggestion = _spaces(value, set(keys).__contains__) or _did_you_mean(value, keys)
        elif problem.rule == "record-reference":
            target = tables.get(problem.params.get("ref_resource", ""))
            spec = table.resource.schema.get("x-recordReference", {}) if table is not None else {}
            if target is not None:
                keys = keys_of(target.resource.name, target.resource.primary_key, spec.get("separator", "/"))
                problem.suggestion = _spaces(value, set(keys).__contains__) or _did_you_mean(value, keys)
        elif problem.rule == "field-reference":
            target = tables.get(problem.params.get("ref_resource", ""))
            if target is not None:
                fixes = [closest(name, target.resource.field_names) for name in value.split()]
                if all(fixes):
                    problem.suggestion = f"Did you mean {show_value(' '.join(fixes))}?"
