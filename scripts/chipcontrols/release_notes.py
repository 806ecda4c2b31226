"""Before a tag becomes a release: the checks (the tag names the descriptor's version, CHANGELOG.md
has its entry and, if the entry records a content hash, the data have it; CITATION.cff and
.zenodo.json are as generated), and the release notes: the CHANGELOG entry, the content hash and
`chipcontrols diff` against the previous release."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from chipcontrols.history import changelog_entries, content_hash, release_data
from chipcontrols.jsonpos import locate
from chipcontrols.problems import RULES, Problem
from chipcontrols.publication import links, stale_metadata
from chipcontrols.release import NAME

RULES.update({
    "release-tag": ("tag {value} does not name version {version} of datapackage.json", "Tag the commit v{version}, or set the version to {tag_version} (with its CHANGELOG.md entry) and tag again."),
    "release-changelog": ("CHANGELOG.md has no entry for version {version}", "Add '## [{version}] - YYYY-MM-DD' to CHANGELOG.md, saying what changed, before tagging."),
    "release-hash": ("CHANGELOG.md records content hash {value} for {version}, but the data have {actual}", "Tag the commit whose data the entry describes, or correct the entry's 'Data content hash' line (`chipcontrols release-notes --tag v{version}` prints the hash)."),
    "release-metadata": ("{value} does not say what datapackage.json and CHANGELOG.md say", "Run `chipcontrols metadata` and commit the files it writes."),
})


def check(root: Path, tag: str) -> list[Problem]:
    descriptor_text = (root / "datapackage.json").read_text(encoding="utf-8")
    version = json.loads(descriptor_text)["version"]
    line, column = locate(descriptor_text, ("version",))
    problems = []
    if tag != f"v{version}":
        problems.append(Problem("release-tag", "datapackage.json", line=line, column=column, value=tag,
                                params={"version": version, "tag_version": tag.removeprefix("v")}))
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = next((e for e in changelog_entries(text) if e.version == version), None)
    if entry is None:
        problems.append(Problem("release-changelog", "CHANGELOG.md", params={"version": version}))
    elif entry.content_hash and entry.content_hash != content_hash(root):
        problems.append(Problem("release-hash", "CHANGELOG.md", line=_line_of(text, entry.content_hash), value=f"sha256:{entry.content_hash}",
                                params={"version": version, "actual": f"sha256:{content_hash(root)}"}))
    try:
        stale = stale_metadata(root)
    except ValueError:
        stale = []  # the CHANGELOG entry is missing: reported above
    problems += [Problem("release-metadata", name, value=name) for name in stale]
    return problems


def _line_of(text: str, needle: str) -> int | None:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else None


def _shift_headings(markdown: str, levels: int) -> str:
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + levels) + " ", markdown, flags=re.M)


def notes(root: Path) -> str:
    """The release notes of the version in datapackage.json (checked first with `check`)."""
    from chipcontrols.release_diff import diff, to_markdown

    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    version = descriptor["version"]
    entries = changelog_entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    position = next(i for i, e in enumerate(entries) if e.version == version)
    entry, previous = entries[position], (entries[position + 1] if position + 1 < len(entries) else None)
    body = "\n".join(line for line in entry.body.splitlines() if not line.startswith("Data content hash:")).strip()
    link = links(descriptor)
    zip_name = f"{NAME}-{version}.zip"
    parts = [f"Version {version} of {descriptor['title']}, released {entry.date}.", "", body, "",
             "## Data", "", f"Content hash of the data: `sha256:{content_hash(root)}` (the SHA-256 of `sha256sum` over every resource file, "
             "sorted by path; see the README).", ""]
    if link.doi:
        parts += [f"DOI (all versions): [{link.doi}]({link.doi_url})", ""]
    parts += [f"Documentation: {link.site}", ""]
    if previous is None:
        parts += ["## Changes", "", "The first release.", ""]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            origin = release_data(root, previous, Path(tmp))
            if origin is None:
                parts += ["## Changes", "", f"The data of {previous.version} are not in this repository's history (no tag v{previous.version} "
                          "and no commit with its content hash), so no table-by-table comparison.", ""]
            else:
                result = diff(Path(tmp), root)
                parts += [f"## Changes since {previous.version} ({origin})", "", _shift_headings(to_markdown(result), 2).strip(), ""]
    parts += ["## Verify", "", "```sh", "sha256sum -c SHA256SUMS", f"chipcontrols verify {zip_name}", "```", ""]
    return "\n".join(parts)

