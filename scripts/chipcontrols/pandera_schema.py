"""Table Schema -> pandera: the one place where schema constraints become dataframe checks.

pandera's own `from_frictionless_schema` reads dates as strings and ignores formats, foreign
keys and missing values, so this small converter is used instead. Each generated check carries
the Table Schema rule it enforces, so failures map back to the contributor's terms."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

# constraint name -> (pandera check factory, our rule name)
_CHECKS = {
    "enum": lambda v, kind: pa.Check.isin(v),
    "pattern": lambda v, kind: pa.Check.str_matches(rf"(?:{v})\Z"),
    "minimum": lambda v, kind: pa.Check.ge(_limit(v, kind)),
    "maximum": lambda v, kind: pa.Check.le(_limit(v, kind)),
    "exclusiveMinimum": lambda v, kind: pa.Check.gt(_limit(v, kind)),
    "exclusiveMaximum": lambda v, kind: pa.Check.lt(_limit(v, kind)),
    "minLength": lambda v, kind: pa.Check.str_length(min_value=v),
    "maxLength": lambda v, kind: pa.Check.str_length(max_value=v),
}
_RULE = {"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"}


def _limit(value, kind: str):
    return pd.Timestamp(value) if kind in ("date", "datetime") else value


@dataclass
class ConvertedSchema:
    schema: pa.DataFrameSchema
    rules: dict[str, list[tuple[str, object]]]  # column -> [(rule, limit)] in check_number order


def to_pandera(table_schema: dict, columns: list[str] | None = None) -> ConvertedSchema:
    """Build a pandera schema for the fields of `table_schema` (restricted to `columns` if given)."""
    spec = {}
    rules: dict[str, list[tuple[str, object]]] = {}
    primary_key = table_schema.get("primaryKey", [])
    primary_key = [primary_key] if isinstance(primary_key, str) else list(primary_key)
    for field in table_schema.get("fields", []):
        name = field["name"]
        if columns is not None and name not in columns:
            continue
        constraints = field.get("constraints", {})
        checks, meta = [], []
        for key, value in constraints.items():
            if key in _CHECKS:
                checks.append(_CHECKS[key](value, field.get("type", "string")))
                meta.append((_RULE.get(key, key), value))
        rules[name] = meta
        required = constraints.get("required", False) or (name in primary_key and len(primary_key) == 1)
        unique = constraints.get("unique", False) or primary_key == [name]
        spec[name] = pa.Column(None, checks, nullable=not required, unique=unique, report_duplicates="exclude_first", coerce=False)
    composite = primary_key if len(primary_key) > 1 and all(k in spec for k in primary_key) else None
    schema = pa.DataFrameSchema(spec, unique=composite, report_duplicates="exclude_first", strict=False)
    return ConvertedSchema(schema, rules)


def failures(converted: ConvertedSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Failure cases as rows of (rule, column, index, limit); empty when all checks pass."""
    try:
        converted.schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return pd.DataFrame(columns=["rule", "column", "index", "limit"])
    out = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        if check == "not_nullable":
            rule, limit = "required", None
        elif check == "field_uniqueness":
            rule, limit = "unique", None
        elif check == "multiple_fields_uniqueness":
            rule, limit = "primary-key", None
        elif case.check_number is not None and not pd.isna(case.check_number):
            rule, limit = converted.rules[case.column][int(case.check_number)]
        else:
            continue  # dtype checks: types are checked before pandera runs
        if case.index is None or pd.isna(case.index):
            continue
        out.append((rule, case.column, int(case.index), limit))
    return pd.DataFrame(out, columns=["rule", "column", "index", "limit"])
