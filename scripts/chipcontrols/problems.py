"""What a contributor sees when something is wrong: one record per problem, with a message
and a hint built from templates (modelled on frictionless' error classes), so that wording
lives in one place and every check reports the same way."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field

# rule -> (message template, hint template). Templates use str.format with the Problem's
# `params` plus `value`, `field`, `file`.
RULES: dict[str, tuple[str, str]] = {
    "json-syntax": ("not valid JSON: {detail}", "Fix the JSON syntax at this line and column (a missing comma or quote is the usual cause)."),
    "descriptor": ("descriptor problem at {pointer}: {detail}", "Correct datapackage.json so that it follows the Data Package standard and the project profile (schemas/package-profile.json)."),
    "unsafe-path": ("path {value} points outside the package or to a remote location", "Use a relative path inside the package folder, such as datapackage/events.csv; '..', absolute paths, links and URLs are refused."),
    "file-missing": ("file {value} does not exist", "Create the file, or correct the path in datapackage.json."),
    "schema-json": ("schema is not valid JSON: {detail}", "Fix the JSON syntax of the schema at this line and column."),
    "encoding": ("bytes are not valid UTF-8 ({detail})", "Save the file as UTF-8 (in Excel: 'CSV UTF-8'; in LibreOffice: character set 'Unicode (UTF-8)')."),
    "bom": ("file starts with a UTF-8 byte-order mark", "Run `chipcontrols fmt` (or save without BOM) so the header's first name reads cleanly."),
    "line-endings": ("line ends with {detail}; this package uses LF (\\n) line endings", "Run `chipcontrols fmt` to normalise line endings."),
    "nul-byte": ("the file contains a NUL byte", "Remove the NUL (\\x00) character; it usually comes from a bad copy-paste or a UTF-16 file."),
    "empty-file": ("the file is empty: it has no header", "Start the file with the header line: {expected}."),
    "blank-header": ("the first line is blank where the header should be", "Delete the blank line(s) above the header, so that line 1 reads: {expected}."),
    "csv-syntax": ("the CSV cannot be parsed: {detail}", "Check the quotes on this line: a field that contains a comma, quote or line break must be wrapped in double quotes, and a quote inside it doubled (\"\")."),
    "blank-line": ("blank line", "Delete the empty line."),
    "header": ("header {detail}", "Make the header exactly: {expected}."),
    "row-length": ("row has {actual} cells but the header has {expected}", "Check for a missing or extra comma, or a text value with a comma that is not wrapped in double quotes."),
    "type": ("{value} is not a valid {type}", "{type_hint}"),
    "required": ("{field} is required but the cell is empty", "Fill in {field}: {description} Example: {example}."),
    "enum": ("{value} is not an allowed value of {field}", "Use one of: {allowed}."),
    "pattern": ("{value} does not match the required pattern {pattern}", "{description} Example: {example}."),
    "minimum": ("{value} is below the minimum {limit}", "{field} must be at least {limit}."),
    "maximum": ("{value} is above the maximum {limit}", "{field} must be at most {limit}."),
    "minLength": ("{value} is shorter than {limit} characters", "{field} must have at least {limit} characters."),
    "maxLength": ("value is longer than {limit} characters ({length})", "Shorten {field} to at most {limit} characters (a quote should be at most about 40 words)."),
    "unique": ("{value} appears more than once in {field}", "Each {field} must be unique: remove the duplicate row or give it another identifier."),
    "unique-key": ("({key_fields}) = ({value}) appears more than once (also on line {first_line})", "{description} Give one of the rows another value of these columns, or merge the two rows."),
    "primary-key": ("primary key ({key_fields}) = ({value}) appears more than once", "Remove the duplicate row, or change one of the key values."),
    "foreign-key": ("{value} is not a {ref_fields} in {ref_resource}", "Use an existing {ref_fields} from {ref_path}, or add that row there first."),
    "record-reference": ("{value} is not a record of table {ref_resource}", "Set record_id to the primary key of a row in {ref_path} (composite keys joined with '/')."),
    "field-reference": ("{value} is not a column of {ref_resource}", "Name columns of {ref_resource} that this quote supports, separated by spaces ({ref_fields}), or leave the cell blank."),
    "citation-missing": ("{resource} record {value} has no citation", "Add a row to {citations_path} with record_table={resource}, record_id={value}, a source_id and a short verbatim quote from that source."),
    "future-date": ("{value} is in the future (today is {today})", "Dates record what has happened: check the year, or leave it blank until it happens."),
    "sort-order": ("row is out of order: its key ({value}) sorts before the previous row's ({previous}){more}", "Rows are kept sorted by primary key ({key_fields}) so that changes diff cleanly: run `make fmt` (or `.venv/bin/chipcontrols fmt`), which sorts every file without changing a value; the pre-commit hook (see CONTRIBUTING.md) runs it at each commit."),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def show_value(value: object, limit: int = 60) -> str:
    """A cell as a reader can see it: quoted, control characters escaped, long values cut."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


@dataclass
class Problem:
    rule: str
    file: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    value: object = None
    severity: str = "error"
    params: dict = dc_field(default_factory=dict)
    # the specific fix for this value, when one is known ("Did you mean 'nvidia'?"); it leads the hint
    suggestion: str | None = None

    @property
    def message(self) -> str:
        return self._render(0)

    @property
    def hint(self) -> str:
        general = self._render(1)
        return f"{self.suggestion} {general}" if self.suggestion else general

    def _render(self, which: int) -> str:
        template = RULES[self.rule][which]
        values = {"field": self.field or "", "file": self.file, **self.params, "value": show_value(self.value)}
        try:
            return template.format(**values)
        except (KeyError, IndexError):  # a missing parameter must never hide the problem itself
            return template

    @property
    def heading(self) -> str:
        """The first line of the report, as a compiler prints it: where, severity[rule], what."""
        return f"{self.location()}: {self.severity}[{self.rule}]: {self.message}"

    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("params")
        data["value"] = None if self.value is None else str(self.value)
        data["message"] = self.message
        data["hint"] = self.hint
        return data
