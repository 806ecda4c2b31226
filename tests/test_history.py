"""Release history: the content hash of a release's data (checkable with coreutils), each release's
data found by tag or by that hash, the release checks and notes, the version a change needs, and
the site's changelog table by table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT, copy_project, read_rows, run_cli, write_rows

from chipcontrols.changelog_page import page
from chipcontrols.history import changelog_entries, content_hash, release_data
from chipcontrols.versioning import RANK, needed_version, required_version

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_AUTHOR_DATE": "2026-11-29T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-29T12:00:00Z", "PATH": "/usr/bin:/bin"}


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True, env={**GIT_ENV, "HOME": str(folder)}).stdout


def _first_release(folder: Path) -> None:
    """Make a copy of the project its own first release, 0.1.0 (whatever version the real one is at),
    with one CHANGELOG entry recording the copy's content hash and citation files to match."""
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["version"] = "0.1.0"
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")
    (folder / "CHANGELOG.md").write_text("# Changelog\n\nAll notable changes to the data.\n\n## [0.1.0] - 2026-11-29\n\n"
                                         f"Data content hash: `sha256:{content_hash(folder)}`\n\n### Added\n- The first tables.\n")
    assert run_cli("metadata", str(folder / "datapackage.json")).returncode == 0


def _repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of the project as its release 0.1.0, committed, not tagged."""
    folder = copy_project(tmp_path / "repo")
    shutil.copy2(ROOT / ".zenodo.json", folder / ".zenodo.json")
    shutil.copy2(ROOT / "CITATION.cff", folder / "CITATION.cff")
    _first_release(folder)
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "0.1.0")
    return folder


def _change_a_company(folder: Path) -> str:
    path = folder / "datapackage" / "companies.csv"
    header, rows, _ = read_rows(path)
    rows[0][header.index("description")] += " Corrected."
    write_rows(path, header, rows)
    return rows[0][0]


def _release(folder: Path, version: str, with_hash: bool = True) -> None:
    """Bump to `version` with a CHANGELOG entry (and its content hash), regenerate the citation files, commit."""
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["version"] = version
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")
    text = (folder / "CHANGELOG.md").read_text()
    head, _, rest = text.partition("\n## ")
    line = f"Data content hash: `sha256:{content_hash(folder)}`\n\n" if with_hash else ""
    (folder / "CHANGELOG.md").write_text(f"{head}\n## [{version}] - 2026-12-01\n\n{line}### Changed\n- A company's description corrected.\n\n## {rest}")
    assert run_cli("metadata", str(folder / "datapackage.json")).returncode == 0
    _git(folder, "commit", "-qam", version)


def test_the_content_hash_is_what_coreutils_print():
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    paths = sorted(r["path"] for r in descriptor["resources"])
    sums = subprocess.run(["sha256sum", *paths], cwd=ROOT, capture_output=True, check=True).stdout
    expected = subprocess.run(["sha256sum"], input=sums, capture_output=True, check=True).stdout.split()[0].decode()
    assert content_hash(ROOT) == expected


def test_the_content_hash_changes_with_any_byte_of_data(tmp_path: Path):
    folder = copy_project(tmp_path / "pkg")
    before = content_hash(folder)
    _change_a_company(folder)
    assert content_hash(folder) != before


def test_0_1_0_is_tagged_with_its_content_hash_in_the_changelog():
    entries = changelog_entries((ROOT / "CHANGELOG.md").read_text())
    first = entries[-1]
    assert first.version == "0.1.0" and first.date == "2026-11-29"
    assert first.content_hash == "b46ba4ac2b0d527e2a99989722cbe36466a948ece9cd54ceb6682344fc040e8e"


def test_0_1_0_data_are_in_the_history(tmp_path: Path):
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True, text=True)
    if shallow.returncode != 0 or shallow.stdout.strip() != "false":
        pytest.skip("needs the repository's history (a full clone, not a shallow one)")
    first = changelog_entries((ROOT / "CHANGELOG.md").read_text())[-1]
    assert release_data(ROOT, first, tmp_path) is not None and content_hash(tmp_path) == first.content_hash


def test_a_release_is_found_by_its_content_hash_without_a_tag(tmp_path: Path):
    folder = _repo(tmp_path)
    entry = changelog_entries((folder / "CHANGELOG.md").read_text())[-1]
    first_commit = _git(folder, "rev-parse", "HEAD").strip()
    _change_a_company(folder)
    _git(folder, "commit", "-qam", "later data")
    target = tmp_path / "found"
    target.mkdir()
    assert release_data(folder, entry, target) == f"commit {first_commit[:12]}"
    assert content_hash(target) == entry.content_hash
    entry.content_hash = "0" * 64
    assert release_data(folder, entry, tmp_path / "none") is None


def test_release_notes_check_the_tag_and_diff_against_the_previous_release(tmp_path: Path):
    folder = _repo(tmp_path)
    _git(folder, "tag", "v0.1.0")
    key = _change_a_company(folder)
    _git(folder, "commit", "-qam", "a correction")
    refused = run_cli("release-notes", str(folder / "datapackage.json"), "--tag", "v0.1.1")
    assert refused.returncode == 1 and "release-tag" in refused.stdout and "release-hash" in refused.stdout
    _release(folder, "0.1.1")
    _git(folder, "tag", "v0.1.1")
    result = run_cli("release-notes", str(folder / "datapackage.json"), "--tag", "v0.1.1")
    assert result.returncode == 0, result.stdout + result.stderr
    notes = result.stdout
    assert "## Changes since 0.1.0 (tag v0.1.0)" in notes and "Suggested version bump: **patch**" in notes
    assert f"| `{key}` | `description` |" in notes and f"sha256:{content_hash(folder)}" in notes
    assert "A company's description corrected." in notes and "Data content hash:" not in notes


def test_release_notes_refuse_stale_citation_files(tmp_path: Path):
    folder = _repo(tmp_path)
    (folder / "CITATION.cff").write_text((folder / "CITATION.cff").read_text().replace("version: 0.1.0", "version: 0.0.9"))
    result = run_cli("release-notes", str(folder / "datapackage.json"), "--tag", "v0.1.0")
    assert result.returncode == 1 and "CITATION.cff" in result.stdout and "chipcontrols metadata" in result.stdout


def test_the_site_changelog_shows_each_release_table_by_table(tmp_path: Path):
    folder = _repo(tmp_path)
    _change_a_company(folder)
    _release(folder, "0.1.1", with_hash=False)  # released data found by hash (0.1.0) and by being this checkout (0.1.1)
    text = page(folder, "0.1.1")
    newer, older = text.split("## 0.1.1 (2026-12-01)")[1].split("## 0.1.0 (2026-11-29)")
    assert "Changes since 0.1.0" in newer and "<tr><td><code>companies</code></td><td>0</td><td>0</td><td>1</td><td></td></tr>" in newer
    assert "The first release" in older and "<td><code>events</code></td>" in older
    assert "Not yet released" not in text
    _git(folder, "tag", "v0.1.1")
    _change_a_company(folder)  # data changed after the release, version not bumped yet
    later = page(folder, "0.1.1")
    assert "## Not yet released" in later and later.index("## Not yet released") < later.index("## 0.1.1")


def test_diff_check_bump_fails_when_the_version_is_too_low(tmp_path: Path):
    old = copy_project(tmp_path / "old")
    new = copy_project(tmp_path / "new")
    for folder in (old, new):
        for name in (".zenodo.json", "CITATION.cff"):
            shutil.copy2(ROOT / name, folder / name)
        _first_release(folder)
    _change_a_company(new)
    result = run_cli("diff", str(old), str(new), "--check-bump")
    assert result.returncode == 1 and "version-bump" in result.stderr and "0.1.1" in result.stderr
    assert result.stdout.startswith("# Changes from 0.1.0 to 0.1.0")
    descriptor = json.loads((new / "datapackage.json").read_text())
    descriptor["version"] = "0.1.1"
    (new / "datapackage.json").write_text(json.dumps(descriptor))
    assert run_cli("diff", str(old), str(new), "--check-bump").returncode == 0
    # the base already carries an unreleased 0.1.1 (patch) over release 0.1.0: a further correction needs nothing more
    old_descriptor = json.loads((old / "datapackage.json").read_text())
    (old / "datapackage.json").write_text(json.dumps({**old_descriptor, "version": "0.1.1"}))
    assert run_cli("diff", str(old), str(new), "--check-bump", "--last-release", "0.1.0").returncode == 0


def test_data_diff_script_writes_the_summary_and_fails_on_a_missing_bump(tmp_path: Path):
    folder = _repo(tmp_path)
    (folder / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "data-diff.sh", folder / "scripts" / "data-diff.sh")
    (folder / ".venv").symlink_to(ROOT / ".venv")
    base = _git(folder, "rev-parse", "HEAD").strip()
    key = _change_a_company(folder)
    build = run_cli("build", str(folder / "datapackage.json"), env={"SOURCE_DATE_EPOCH": "1764374400"})
    assert build.returncode == 0, build.stdout + build.stderr
    summary = tmp_path / "summary.md"
    result = subprocess.run(["bash", str(folder / "scripts" / "data-diff.sh"), base, str(summary)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    text = summary.read_text()
    assert f"| `{key}` | `description` |" in text and "## Version check failed" in text and "0.1.1" in text


@given(base=st.tuples(*[st.integers(0, 5)] * 3), last=st.none() | st.tuples(*[st.integers(0, 5)] * 3), bump=st.sampled_from(list(RANK)))
def test_needed_version_properties(base, last, bump):
    if last is not None and last > base:
        last = base
    needed = needed_version(base, bump, last)
    assert needed >= base
    if last is None or last == base:
        assert needed == (required_version(base, bump) if bump != "none" else base)
    else:
        assert needed >= required_version(last, bump)  # never less than the change needs from the release


@pytest.mark.parametrize("base,bump,last,expected", [
    ((0, 1, 0), "patch", None, (0, 1, 1)),
    ((0, 1, 0), "minor", None, (0, 2, 0)),
    ((0, 1, 0), "major", None, (1, 0, 0)),
    ((0, 2, 0), "minor", (0, 1, 0), (0, 2, 0)),  # rows added on top of a pending minor release
    ((0, 1, 1), "minor", (0, 1, 0), (0, 2, 0)),  # a pending patch release is not enough for new rows
    ((0, 2, 0), "major", (0, 1, 0), (1, 0, 0)),
    ((0, 1, 0), "none", None, (0, 1, 0)),
])
def test_needed_version_examples(base, bump, last, expected):
    assert needed_version(base, bump, last) == expected
