"""Check a downloaded release against its own checksums and descriptor, then with Frictionless.
Zips are inspected before anything is extracted: entries that would land outside the target
folder (absolute paths, '..', links) make the whole archive refused."""

from __future__ import annotations

import json
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from chipcontrols.problems import RULES, Problem
from chipcontrols.release import sha256

RULES.update({
    "unsafe-archive": ("archive entry {value} would be written outside the release folder", "Do not use this file: download the release again from its official source."),
    "not-a-release": ("{value} is not a release folder or zip: {detail}", "Give the folder or .zip that `chipcontrols build` wrote (it contains datapackage.json and SHA256SUMS)."),
    "checksum": ("{value} does not match its checksum ({detail})", "The file was changed or damaged after release: download it again."),
    "missing-file": ("{value} is listed but missing", "The release is incomplete: download it again."),
    "unlisted-file": ("{value} is not listed in SHA256SUMS", "A file was added after release: remove it or download the release again."),
    "frictionless": ("Frictionless reports: {detail}", "The release does not follow the Data Package standard: download it again or report the problem."),
})


def _unsafe(info: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(info.filename)
    mode = info.external_attr >> 16
    return (info.filename.startswith(("/", "\\")) or ".." in name.parts or ":" in info.filename or "\\" in info.filename
            or stat.S_ISLNK(mode))


def _extract(archive_path: Path, target: Path) -> tuple[Path | None, list[Problem]]:
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


def verify_folder(folder: Path) -> list[Problem]:
    sums = folder / "SHA256SUMS"
    if not sums.is_file() or not (folder / "datapackage.json").is_file():
        return [Problem("not-a-release", folder.name, value=folder.name, params={"detail": "no SHA256SUMS or datapackage.json"})]
    problems, listed = [], set()
    for number, line in enumerate(sums.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        listed.add(name)
        path = folder / name
        if ".." in PurePosixPath(name).parts or name.startswith("/"):
            problems.append(Problem("unsafe-archive", "SHA256SUMS", line=number, value=name))
        elif not path.is_file():
            problems.append(Problem("missing-file", "SHA256SUMS", line=number, value=name))
        elif sha256(path) != digest:
            problems.append(Problem("checksum", name, value=name, params={"detail": "SHA256SUMS"}))
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name != "SHA256SUMS" and name not in listed:
            problems.append(Problem("unlisted-file", name, value=name))
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor.get("resources", []):
        path = folder / resource.get("path", "")
        if path.is_file():
            if path.stat().st_size != resource.get("bytes") or "sha256:" + sha256(path) != resource.get("hash"):
                problems.append(Problem("checksum", resource["path"], value=resource["path"], params={"detail": "datapackage.json bytes/hash"}))
    if not problems:
        from frictionless import validate

        report = validate(str(folder / "datapackage.json"))
        for error in report.flatten(["type", "note"])[:50]:
            problems.append(Problem("frictionless", "datapackage.json", params={"detail": f"{error[0]}: {error[1]}"}))
    return problems


def verify(path: Path) -> list[Problem]:
    if path.is_dir():
        return verify_folder(path)
    with tempfile.TemporaryDirectory() as tmp:
        folder, problems = _extract(path, Path(tmp))
        return problems if folder is None else verify_folder(folder)
