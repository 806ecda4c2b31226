"""Semantic versioning for data: the descriptor's version is documented in CHANGELOG.md and is
high enough for what changed since the last release (the newest CHANGELOG version with a git
tag v<version>), as `chipcontrols diff` judges it."""

from __future__ import annotations

import re
import subprocess
import tarfile
import io
import tempfile
from pathlib import Path

from chipcontrols.jsonpos import locate
from chipcontrols.problems import RULES, Problem

RULES.update({
    "version-changelog": ("version {value} has no entry in CHANGELOG.md", "Add a section '## [{value_raw}] - YYYY-MM-DD' to CHANGELOG.md saying what changed."),
    "version-backwards": ("version {value} is lower than {last}, the newest version in CHANGELOG.md", "Versions only go up: set a version above {last}."),
    "version-bump": ("the data changed since release {last} ({reason}) but version {value} is not a {bump} bump", "Set the version to at least {required} and describe the change under '## [{required}]' in CHANGELOG.md."),
})

VERSION = re.compile(r"^## \[(\d+)\.(\d+)\.(\d+)\]", re.M)


def parse(version: str) -> tuple[int, int, int] | None:
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)", version or "")
    return tuple(map(int, match.groups())) if match else None


def required_version(last: tuple, bump: str) -> tuple:
    major, minor, patch = last
    return {"major": (major + 1, 0, 0), "minor": (major, minor + 1, 0), "patch": (major, minor, patch + 1)}.get(bump, last)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _released_tree(root: Path, tag: str, target: Path) -> bool:
    result = _git(root, "archive", "--format=tar", tag, "datapackage.json", "schemas", "datapackage")
    if result is None or result.returncode != 0:
        return False
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        archive.extractall(target, filter="data")
    return True


def version_problems(package, tables) -> list[Problem]:
    root = package.root
    changelog = root / "CHANGELOG.md"
    version = package.descriptor.get("version", "")
    current = parse(version)
    text = (package.descriptor_path).read_text(encoding="utf-8")
    line, column = locate(text, ("version",))
    where = {"line": line, "column": column}
    if current is None or not changelog.is_file():
        return []
    listed = [tuple(map(int, m)) for m in VERSION.findall(changelog.read_text(encoding="utf-8"))]
    problems = []
    shown = ".".join(map(str, current))
    if current not in listed:
        problems.append(Problem("version-changelog", package.rel(package.descriptor_path), value=shown, params={"value_raw": shown}, **where))
    if listed and max(listed) > current:
        problems.append(Problem("version-backwards", package.rel(package.descriptor_path), value=shown, params={"last": ".".join(map(str, max(listed)))}, **where))
    for released in sorted(listed, reverse=True):
        tag = "v" + ".".join(map(str, released))
        check = _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}")
        if check is None or check.returncode != 0:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            if not _released_tree(root, tag, Path(tmp)):
                break
            from chipcontrols.release_diff import diff

            result = diff(Path(tmp), root)
        bump = result["suggested_bump"]
        required = required_version(released, bump)
        if bump != "none" and current < required:
            reason = ", ".join(f"{name}: " + ", ".join(k.replace("_", " ") for k in entry) for name, entry in list(result["tables"].items())[:3])
            problems.append(Problem("version-bump", package.rel(package.descriptor_path), value=shown,
                                    params={"last": ".".join(map(str, released)), "bump": bump, "reason": reason, "required": ".".join(map(str, required))}, **where))
        break
    return problems


RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


def bump_between(old: tuple, new: tuple) -> str:
    """The kind of step from one version to a higher one."""
    if new[0] > old[0]:
        return "major"
    if new[:2] > old[:2]:
        return "minor"
    return "patch" if new > old else "none"


def needed_version(base: tuple, bump: str, last_release: tuple | None = None) -> tuple:
    """The lowest version a change may carry, given the version it starts from (`base`), the bump
    the change needs, and the last release (None: `base` is released). A base already bumped past
    the last release covers changes up to that bump: adding rows on top of a pending 0.2.0 needs
    no 0.3.0, but removing a column needs 1.0.0."""
    last = last_release or base
    combined = max(bump, bump_between(last, base), key=RANK.__getitem__)
    return max(base, required_version(last, combined))
