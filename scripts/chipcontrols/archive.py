"""Reading a release: the sha256 of its files and a zip opened safely. Zips are inspected before
anything is extracted: entries that would land outside the target folder (absolute paths, '..',
links) make the whole archive refused. Used by `build`, `verify` and `diff` alike, so it imports
nothing of theirs."""

from __future__ import annotations

import hashlib
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from chipcontrols.problems import RULES, Problem

RULES.update({
    "unsafe-archive": ("archive entry {value} would be written outside the release folder", "Do not use this file: download the release again from its official source."),
    "not-a-release": ("{value} is not a release folder or zip: {detail}", "Give the folder or .zip that `chipcontrols build` wrote (it contains datapackage.json and SHA256SUMS)."),
    "checksum": ("{value} does not match its checksum ({detail})", "The file was changed or damaged after release: download it again."),
})


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unsafe(info: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(info.filename)
    mode = info.external_attr >> 16
    return (info.filename.startswith(("/", "\\")) or ".." in name.parts or ":" in info.filename or "\\" in info.filename
            or stat.S_ISLNK(mode))


def extract(archive_path: Path, target: Path) -> tuple[Path | None, list[Problem]]:
    """Unpack a release zip into `target`; returns the release folder inside it, or the problems."""
    display = archive_path.name
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as exc:
        return None, [Problem("not-a-release", display, value=display, params={"detail": str(exc)})]
    with archive:
        bad = [Problem("unsafe-archive", display, value=i.filename) for i in archive.infolist() if _unsafe(i)]
        if bad:
            return None, bad
        try:
            archive.extractall(target)
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
            return None, [Problem("checksum", display, value=display, params={"detail": f"the archive is damaged: {exc}"})]
    tops = [p for p in target.iterdir()]
    return (tops[0] if len(tops) == 1 and tops[0].is_dir() else target), []
