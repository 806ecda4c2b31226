"""Load datapackage.json and its Table Schemas safely: no path may leave the package folder and
nothing is fetched, so a hostile pull request cannot make the validator read or fetch anything."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from chipcontrols.jsonpos import locate
from chipcontrols.problems import Problem

PROFILE = "schemas/datapackage.profile.json"


@dataclass
class Resource:
    name: str
    path: Path
    relpath: str
    schema: dict
    descriptor: dict

    @property
    def fields(self) -> list[dict]:
        return self.schema.get("fields", [])

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def field(self, name: str) -> dict:
        return next(f for f in self.fields if f["name"] == name)

    @property
    def primary_key(self) -> list[str]:
        pk = self.schema.get("primaryKey", [])
        return [pk] if isinstance(pk, str) else list(pk)

    @property
    def foreign_keys(self) -> list[dict]:
        return self.schema.get("foreignKeys", [])

    @property
    def citation_required(self) -> bool:
        return bool(self.descriptor.get("x-citationRequired"))

    @property
    def derived(self) -> bool:
        return bool(self.descriptor.get("x-derived"))


@dataclass
class Package:
    root: Path
    descriptor_path: Path
    descriptor: dict
    resources: list[Resource] = field(default_factory=list)

    def resource(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.name == name), None)

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def safe_path(root: Path, relpath: object) -> Path | None:
    """The file `relpath` inside `root`, or None if it is remote, absolute or escapes root."""
    if not isinstance(relpath, str) or not relpath or "://" in relpath or relpath.startswith(("/", "\\")):
        return None
    if ":" in relpath.split("/")[0] or "\\" in relpath:
        return None  # drive letters, URL schemes such as data: or file:, Windows separators
    parts = Path(relpath).parts
    if ".." in parts:
        return None
    candidate = root / relpath
    try:
        resolved = candidate.resolve(strict=False)
    except OSError:
        return None
    if not resolved.is_relative_to(root.resolve()):
        return None  # a symlink pointing outside
    return candidate


def read_json(path: Path, display: str, rule: str) -> tuple[object, str | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None, [Problem("file-missing", display, value=display)]
    except UnicodeDecodeError as exc:
        return None, None, [Problem("encoding", display, value=None, params={"detail": str(exc)})]
    try:
        return json.loads(text), text, []
    except json.JSONDecodeError as exc:
        return None, text, [Problem(rule, display, line=exc.lineno, column=exc.colno, params={"detail": exc.msg})]


def _profile_problems(descriptor: dict, text: str, root: Path, display: str) -> list[Problem]:
    import jsonschema

    profile_path = Path(__file__).resolve().parents[2] / PROFILE
    own = root / PROFILE
    profile = json.loads((own if own.is_file() else profile_path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(profile)
    problems = []
    for error in sorted(validator.iter_errors(descriptor), key=lambda e: list(map(str, e.absolute_path))):
        line, column = locate(text, tuple(error.absolute_path))
        pointer = "/" + "/".join(map(str, error.absolute_path))
        problems.append(Problem("descriptor", display, line=line, column=column, value=error.instance if not isinstance(error.instance, (dict, list)) else None,
                                params={"pointer": pointer, "detail": error.message}))
    return problems


def _frictionless_problems(descriptor: dict, text: str, root: Path, display: str) -> list[Problem]:
    from frictionless import Package as FPackage

    report = FPackage.validate_descriptor(descriptor, basepath=str(root))
    problems = []
    for error in report.flatten(["note", "message"]):
        note = error[0] or error[1]
        problems.append(Problem("descriptor", display, line=1, column=1, params={"pointer": "/", "detail": note}))
    return problems


TABLE_PROFILE = "schemas/tableschema.profile.json"


def _schema_problems(schema: object, text: str, display: str, root: Path) -> list[Problem]:
    """Frictionless' own Table Schema check (a package-level check skips schemas given as paths), then
    the project's extensions (schemas/tableschema.profile.json) and the fields they name."""
    import jsonschema
    from frictionless import Schema

    def problem(detail: str, path: tuple = ()) -> Problem:
        line, column = locate(text, path) if path else (1, 1)
        return Problem("descriptor", display, line=line, column=column, params={"pointer": "/" + "/".join(map(str, path)), "detail": detail})

    if not isinstance(schema, dict):
        return [problem("a Table Schema must be a JSON object")]
    try:
        report = Schema.validate_descriptor(schema)
    except Exception as exc:  # noqa: BLE001 - frictionless raises on some malformed schemas instead of reporting
        return [problem(f"not a valid Table Schema ({exc})")]
    problems = [problem(note) for note, in report.flatten(["note"])]
    if problems:
        return problems
    profile = json.loads(((root / TABLE_PROFILE) if (root / TABLE_PROFILE).is_file() else Path(__file__).resolve().parents[2] / TABLE_PROFILE)
                         .read_text(encoding="utf-8"))
    for error in jsonschema.Draft202012Validator(profile).iter_errors(schema):
        problems.append(problem(error.message, tuple(error.absolute_path)))
    names = {f.get("name") for f in schema.get("fields", [])}
    reference = schema.get("x-recordReference")
    if isinstance(reference, dict):
        for key in ("table", "id", "fields"):
            if key in reference and reference[key] not in names:
                problems.append(problem(f"x-recordReference.{key} names {reference[key]!r}, which is not a field", ("x-recordReference", key)))
    return problems


def load_package(descriptor_path: Path) -> tuple[Package | None, list[Problem]]:
    """Read the descriptor and schemas. Returns (None, problems) when nothing can be checked."""
    descriptor_path = Path(descriptor_path)
    root = descriptor_path.parent.resolve()
    display = descriptor_path.name
    descriptor, text, problems = read_json(descriptor_path, display, "json-syntax")
    if problems:
        return None, problems
    if not isinstance(descriptor, dict):
        return None, [Problem("descriptor", display, line=1, column=1, params={"pointer": "/", "detail": "the descriptor must be a JSON object"})]
    problems = _profile_problems(descriptor, text, root, display)
    package = Package(root=root, descriptor_path=descriptor_path, descriptor=descriptor)
    resources = descriptor.get("resources") if isinstance(descriptor.get("resources"), list) else []
    unsafe = False
    for index, res in enumerate(resources):
        if not isinstance(res, dict):
            continue
        for key in ("path", "schema"):
            if key in res and safe_path(root, res[key]) is None:
                line, column = locate(text, ("resources", index, key))
                problems.append(Problem("unsafe-path", display, line=line, column=column, value=res[key]))
                unsafe = True
    if unsafe or problems:
        return None, problems  # never hand a descriptor we have not vetted to a library that may fetch
    for index, res in enumerate(resources):
        schema_path = safe_path(root, res["schema"])
        schema, schema_text, schema_problems = read_json(schema_path, res["schema"], "schema-json")
        problems += schema_problems or _schema_problems(schema, schema_text, res["schema"], root)
        data_path = safe_path(root, res["path"])
        if not data_path.is_file():
            line, column = locate(text, ("resources", index, "path"))
            problems.append(Problem("file-missing", display, line=line, column=column, value=res["path"]))
        if isinstance(schema, dict) and not schema_problems:
            package.resources.append(Resource(res["name"], data_path, res["path"], schema, res))
    if problems:
        return None, problems
    names = {r.name for r in package.resources}
    for index, resource in enumerate(package.resources):
        for fk in resource.foreign_keys:
            target = fk.get("reference", {}).get("resource") or resource.name
            if target not in names:
                problems.append(Problem("descriptor", resource.descriptor["schema"], line=1, column=1,
                                        params={"pointer": "/foreignKeys", "detail": f"a foreign key refers to {target!r}, which is not a resource of this package"}))
    problems += _frictionless_problems(descriptor, text, root, display)
    if problems:
        return None, problems
    return package, []
