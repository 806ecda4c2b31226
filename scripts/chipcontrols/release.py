"""Publish a release: the CSVs and schemas with a release descriptor (bytes and sha256 of every
resource), Parquet and SQLite copies, a zip and SHA256SUMS. Every byte is a function of the
commit: times come from SOURCE_DATE_EPOCH or the last commit, file order and permissions are
fixed, and nothing is written under a final name until the whole release is complete."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from chipcontrols.archive import sha256
from chipcontrols.descriptor import Package

NAME = "ai-chip-export-controls"
EXTRA_FILES = ("README.md", "CHANGELOG.md", "CITATION.cff", "LICENSE")
ZIP_EPOCH_FLOOR = 315532800  # 1980-01-01, the earliest time a zip entry can hold


class BuildError(Exception):
    """The build cannot go on (no timestamp, disk full, read-only output): a usage/environment error."""


def source_date_epoch(root: Path) -> int:
    """The release time: SOURCE_DATE_EPOCH, else the last commit's time; never the wall clock."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=True, timeout=30)
        return int(out.stdout.strip())
    except (OSError, subprocess.CalledProcessError, ValueError, subprocess.TimeoutExpired) as exc:
        raise BuildError("cannot date the release: set SOURCE_DATE_EPOCH or build from a git checkout") from exc


def iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def release_descriptor(package: Package, folder: Path, created: str) -> dict:
    descriptor = json.loads(json.dumps(package.descriptor))
    descriptor["created"] = created
    descriptor["sources"] = [{"title": "Public documents listed, with quotes, in the sources and citations tables", "path": "datapackage/sources.csv"}]
    for resource in descriptor["resources"]:
        data = folder / resource["path"]
        resource["bytes"] = data.stat().st_size
        resource["hash"] = "sha256:" + sha256(data)
    return descriptor


def write_release_folder(package: Package, folder: Path, epoch: int) -> None:
    for resource in package.resources:
        for relpath in (resource.relpath, resource.descriptor["schema"]):
            target = folder / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package.root / relpath, target)
    for name in EXTRA_FILES:
        if (package.root / name).is_file():
            shutil.copyfile(package.root / name, folder / name)
    descriptor = release_descriptor(package, folder, iso(epoch))
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    from chipcontrols.export import write_parquet, write_sqlite

    write_parquet(package, folder / "parquet", descriptor)
    write_sqlite(package, folder / f"{NAME}.sqlite", descriptor)
    write_sums(folder)


def files_in(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())


def write_sums(folder: Path, exclude: str = "SHA256SUMS") -> None:
    lines = [f"{sha256(p)}  {p.relative_to(folder).as_posix()}" for p in files_in(folder) if p.name != exclude]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_zip(folder: Path, target: Path, epoch: int) -> None:
    stamp = dt.datetime.fromtimestamp(max(epoch, ZIP_EPOCH_FLOOR), dt.timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(target, "w") as archive:
        for path in files_in(folder):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)


def build(package: Package, dist: Path) -> list[Path]:
    """Write the release into `dist`; returns the final paths. Atomic per artefact."""
    version = package.descriptor["version"]
    epoch = source_date_epoch(package.root)
    base = f"{NAME}-{version}"
    try:
        dist.mkdir(parents=True, exist_ok=True)
        recover(dist)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=dist))
    except OSError as exc:
        raise BuildError(f"cannot write to {dist}: {exc.strerror or exc}") from exc
    try:
        os.chmod(staging, 0o755)
        folder = staging / base
        folder.mkdir()
        write_release_folder(package, folder, epoch)
        write_zip(folder, staging / f"{base}.zip", epoch)
        (staging / "SHA256SUMS").write_text(f"{sha256(staging / f'{base}.zip')}  {base}.zip\n", encoding="utf-8")
        for path in [folder, *files_in(folder)]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        for sub in (p for p in folder.rglob("*") if p.is_dir()):
            os.chmod(sub, 0o755)
        finals = []
        for name in (base, f"{base}.zip", "SHA256SUMS"):
            finals.append(_install(staging / name, dist / name))
        return finals
    except OSError as exc:
        raise BuildError(f"build failed, previous release left as it was: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def recover(dist: Path) -> None:
    """Undo what a killed build left: put a moved-aside release back if its final name is empty,
    and remove abandoned staging folders."""
    for aside in sorted(dist.glob(".old-*")):
        final = dist / aside.name[len(".old-"):].rsplit("-", 1)[0]
        if not final.exists():
            os.replace(aside, final)
        else:
            shutil.rmtree(aside) if aside.is_dir() else aside.unlink()
    for staging in dist.glob(".build-*"):
        shutil.rmtree(staging, ignore_errors=True)


def _install(new: Path, final: Path) -> Path:
    """Put a finished artefact under its final name; the old one is moved aside first, never half-replaced."""
    if final.exists() or final.is_symlink():
        aside = final.with_name(f".old-{final.name}-{os.getpid()}")
        os.replace(final, aside)
        os.replace(new, final)
        shutil.rmtree(aside) if aside.is_dir() else aside.unlink()
    else:
        os.replace(new, final)
    return final
