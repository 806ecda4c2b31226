"""Release history: the releases CHANGELOG.md lists, the data each released (found by its git tag
v<version>, else by the content hash its entry records), and what changed from one to the next.

A release's content hash is the SHA-256 of the lines `<sha256 of file>  <path>` for every
resource file, sorted by path, each ending in a newline: exactly what
`sha256sum $(jq -r '.resources[].path' datapackage.json | LC_ALL=C sort) | sha256sum` prints in
a release or a checkout, so anyone can check it without this code. It covers the data (the
CSVs), which is what the version describes; the same files give the same hash whenever built."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chipcontrols.archive import sha256
from chipcontrols.versioning import _git, _released_tree

ENTRY = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})[^\n]*\n(.*?)(?=^## \[|\Z)", re.M | re.S)
HASH_LINE = re.compile(r"^Data content hash: `sha256:([0-9a-f]{64})`", re.M)


@dataclass
class Entry:
    version: str
    date: str
    body: str  # the entry's text below its heading
    content_hash: str | None  # recorded in the entry, once released


def changelog_entries(text: str) -> list[Entry]:
    """The entries of CHANGELOG.md in its order (newest first)."""
    entries = []
    for version, date, body in ENTRY.findall(text):
        found = HASH_LINE.search(body)
        entries.append(Entry(version, date, body.strip("\n"), found.group(1) if found else None))
    return entries


def content_hash(folder: Path) -> str:
    """The content hash of the data in a release folder or checkout (see the module's docstring)."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    paths = sorted(r["path"] for r in descriptor["resources"])
    return hashlib.sha256("".join(f"{sha256(folder / p)}  {p}\n" for p in paths).encode("utf-8")).hexdigest()


def _data_commits(root: Path) -> list[str]:
    result = _git(root, "log", "--reverse", "--format=%H", "--", "datapackage.json", "datapackage", "schemas")  # oldest first: where the data became the release
    return result.stdout.decode().split() if result is not None and result.returncode == 0 else []


def release_data(root: Path, entry: Entry, target: Path) -> str | None:
    """Put the data `entry` released into `target` (an empty folder); returns where it came from
    (the tag, or the commit whose data has the recorded content hash), None if not found here."""
    tag = f"v{entry.version}"
    found = _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}")
    if found is not None and found.returncode == 0 and _released_tree(root, tag, target):
        return f"tag {tag}"
    if not entry.content_hash:
        return None
    for commit in _data_commits(root):
        with tempfile.TemporaryDirectory() as tmp:
            if _released_tree(root, commit, Path(tmp)) and content_hash(Path(tmp)) == entry.content_hash:
                shutil.copytree(tmp, target, dirs_exist_ok=True)
                return f"commit {commit[:12]}"
    return None


def release_changes(root: Path, entries: list[Entry], current_version: str) -> list[dict]:
    """Newest first: for each entry its data's origin and the diff from the entry before it (None
    for the first release, which gets row counts instead, or where either release's data is not in
    this checkout). First, if the data here differ from the newest release found, an item with
    entry None and the unreleased changes."""
    from chipcontrols.release_diff import diff

    out = []
    here_hash = content_hash(root)
    with tempfile.TemporaryDirectory() as tmp:
        folders, origins = {}, {}
        for number, entry in enumerate(entries):
            folder = Path(tmp) / str(number)
            folder.mkdir()
            origin = release_data(root, entry, folder)
            if origin is None and entry.version == current_version and entry.content_hash in (None, here_hash):
                folder, origin = root, "this checkout"
            folders[entry.version], origins[entry.version] = (folder if origin else None), origin
        newest = next((e for e in entries if folders[e.version] is not None), None)
        if newest is not None and folders[newest.version] != root and content_hash(folders[newest.version]) != here_hash:
            out.append({"entry": None, "origin": "this checkout", "previous": newest, "diff": diff(folders[newest.version], root), "tables": None})
        for number, entry in enumerate(entries):
            previous = entries[number + 1] if number + 1 < len(entries) else None
            here, before = folders[entry.version], folders.get(previous.version) if previous else None
            out.append({"entry": entry, "origin": origins[entry.version], "previous": previous,
                        "diff": diff(before, here) if here and before else None,
                        "tables": _row_counts(here) if here and previous is None else None})
    return out


def _row_counts(folder: Path) -> dict[str, int]:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    counts = {}
    for resource in descriptor["resources"]:
        counts[resource["name"]] = sum(1 for _ in csv.reader(io.StringIO((folder / resource["path"]).read_text(encoding="utf-8"), newline=""))) - 1
    return counts
