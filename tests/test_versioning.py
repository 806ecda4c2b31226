"""validate holds the version to what changed since the last tagged release."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import find, read_rows, validate_json, write_rows


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(folder), "PATH": "/usr/bin:/bin"})


def _set_version(package: Path, version: str, changelog_entry: bool = True) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["version"] = version
    (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")
    if changelog_entry:
        text = (package / "CHANGELOG.md").read_text()
        head, _, rest = text.partition("\n## ")
        (package / "CHANGELOG.md").write_text(f"{head}\n## [{version}] - 2026-12-01\n\n- test\n\n## {rest}")


def test_added_rows_after_a_tagged_release_need_a_minor_bump(package: Path):
    _git(package, "init", "-q")
    _git(package, "add", "-A")
    _git(package, "commit", "-qm", "release")
    version = json.loads((package / "datapackage.json").read_text())["version"]
    _git(package, "tag", f"v{version}")
    assert validate_json(package)[0] == 0
    path = package / "datapackage" / "companies.csv"
    header, rows, _ = read_rows(path)
    rows[0][header.index("description")] += " Corrected."
    write_rows(path, header, rows)
    code, report = validate_json(package)
    hits = find(report["problems"], "version-bump")
    assert code == 1 and hits and "patch" in hits[0]["message"] and hits[0]["file"] == "datapackage.json"
    major, minor, patch = map(int, version.split("."))
    _set_version(package, f"{major}.{minor}.{patch + 1}")
    assert validate_json(package)[0] == 0


def test_version_needs_a_changelog_entry_and_cannot_go_back(package: Path):
    _set_version(package, "9.9.9", changelog_entry=False)
    code, report = validate_json(package)
    assert code == 1 and find(report["problems"], "version-changelog")
    _set_version(package, "0.0.1", changelog_entry=False)
    text = (package / "CHANGELOG.md").read_text().replace("## [", "## [0.0.1] - 2020-01-01\n\n## [", 1)
    (package / "CHANGELOG.md").write_text(text)
    code, report = validate_json(package)
    assert code == 1 and find(report["problems"], "version-backwards")
