"""Check a downloaded release against its own checksums and descriptor, then with Frictionless
(zips are opened by `archive`, which refuses unsafe ones before extracting anything)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path, PurePosixPath

from chipcontrols.archive import extract, sha256
from chipcontrols.problems import RULES, Problem

RULES.update({
    "missing-file": ("{value} is listed but missing", "The release is incomplete: download it again."),
    "unlisted-file": ("{value} is not listed in SHA256SUMS", "A file was added after release: remove it or download the release again."),
    "frictionless": ("Frictionless reports: {detail}", "The release does not follow the Data Package standard: download it again or report the problem."),
})


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
        folder, problems = extract(path, Path(tmp))
        return problems if folder is None else verify_folder(folder)
