"""The schemas are the single source of truth: they must be complete and say the same thing
about the same concept wherever it appears. Failures say what to change."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from conftest import ROOT

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
SCHEMAS = {r["name"]: json.loads((ROOT / r["schema"]).read_text(encoding="utf-8")) for r in DESCRIPTOR["resources"]}
# Constraints that describe a table's use of a field rather than the concept itself.
ROLE_CONSTRAINTS = {"required", "unique"}
# Names fixed by the public interface that mean different things in different tables; each
# entry says why. Anything else with one name must have one definition.
HOMONYMS = {
    "metric": {"financial_figures": "what a figure measures", "rule_criteria": "what a rule's line compares"},
}


def _concept_key(table: str, schema: dict, name: str) -> str:
    """A field that points at a key (or is one) is that key's concept: vendor_id is companies.company_id."""
    for fk in schema.get("foreignKeys", []):
        if name in fk["fields"]:
            ref = fk["reference"]
            return f"{ref['resource']}.{ref['fields'][fk['fields'].index(name)]}"
    if schema.get("primaryKey") == [name]:
        return f"{table}.{name}"
    if name in HOMONYMS:
        return f"{table}.{name}"
    return name


def _concept(field: dict) -> dict:
    constraints = {k: v for k, v in field.get("constraints", {}).items() if k not in ROLE_CONSTRAINTS}
    return {"type": field.get("type"), "format": field.get("format"), "constraints": constraints}


def test_every_resource_has_a_schema_file_and_a_csv():
    for resource in DESCRIPTOR["resources"]:
        assert (ROOT / resource["schema"]).is_file(), f"add {resource['schema']} for resource {resource['name']}"
        assert (ROOT / resource["path"]).is_file(), f"add {resource['path']} (at least its header) for resource {resource['name']}"


def test_every_schema_file_is_listed_in_the_descriptor():
    listed = {r["schema"] for r in DESCRIPTOR["resources"]}
    for path in (ROOT / "schemas").glob("*.schema.json"):
        assert f"schemas/{path.name}" in listed, f"{path.name} is not used by any resource: list it in datapackage.json or delete it"


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_every_field_is_documented(table):
    for field in SCHEMAS[table]["fields"]:
        where = f"schemas/{table}.schema.json field {field['name']!r}"
        assert field.get("type"), f"{where}: add a 'type'"
        assert len(field.get("description", "")) >= 10, f"{where}: add a 'description' a reader can understand"
        assert "example" in field, f"{where}: add an 'example' value"


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_keys_refer_to_real_fields(table):
    schema = SCHEMAS[table]
    names = {f["name"] for f in schema["fields"]}
    assert set(schema.get("primaryKey", [])) <= names, f"schemas/{table}.schema.json: primaryKey names a field that does not exist"
    for fk in schema.get("foreignKeys", []):
        assert set(fk["fields"]) <= names, f"schemas/{table}.schema.json: foreign key on unknown field {fk['fields']}"
        target = SCHEMAS[fk["reference"]["resource"]]
        assert fk["reference"]["fields"] == target["primaryKey"], f"schemas/{table}.schema.json: a foreign key must point at {fk['reference']['resource']}'s primary key"


def test_a_field_name_means_the_same_thing_everywhere():
    seen = defaultdict(list)
    for table, schema in SCHEMAS.items():
        for field in schema["fields"]:
            seen[_concept_key(table, schema, field["name"])].append((table, field["name"], _concept(field)))
    for concept, uses in seen.items():
        first_table, first_name, first = uses[0]
        for table, name, other in uses[1:]:
            assert other == first, (
                f"'{name}' in schemas/{table}.schema.json is typed or constrained differently from '{first_name}' in "
                f"schemas/{first_table}.schema.json ({other} != {first}): a concept has one definition; copy it from there"
            )


def test_missing_values_are_only_empty_cells():
    for table, schema in SCHEMAS.items():
        assert schema.get("missingValues") == [""], f"schemas/{table}.schema.json: set \"missingValues\": [\"\"] so that 'NA' or 'null' stay values"


def test_citation_targets_are_resources():
    enum = set(SCHEMAS["citations"]["fields"][0]["constraints"]["enum"])
    required = {r["name"] for r in DESCRIPTOR["resources"] if r.get("x-citationRequired")}
    assert required <= enum, f"add {sorted(required - enum)} to citations.record_table's enum: those tables need citations"
    assert enum <= set(SCHEMAS), f"citations.record_table lists tables that do not exist: {sorted(enum - set(SCHEMAS))}"


def test_primary_source_kinds_are_values_of_their_column():
    marked = [(table, f) for table, schema in SCHEMAS.items() for f in schema["fields"] if "x-primary" in f]
    assert marked, "the sources schema should say which source types are primary (x-primary)"
    for table, field in marked:
        unknown = set(field["x-primary"]) - set(field.get("constraints", {}).get("enum", []))
        assert not unknown, f"{table}.{field['name']}: x-primary lists {sorted(unknown)}, which are not in its enum; fix the schema"
