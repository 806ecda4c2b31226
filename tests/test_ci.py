"""What runs around the code: the GitHub workflow (its validate step annotates a broken copy, its
tests run without skips), the pre-commit hooks (fmt sorts what a contributor added anywhere,
validate then passes), the Makefile's progress messages and pytest's skip reasons."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, assert_no_traceback, copy_project, read_rows, write_rows

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _steps() -> list[dict]:
    return [step for path in WORKFLOWS for job in yaml.safe_load(path.read_text())["jobs"].values() for step in job.get("steps", [])]  # a job calling a reusable workflow has none


def _project(tmp_path: Path) -> Path:
    """A copy of the project that make can work in: the package, the Makefile and what it depends
    on (timestamps kept, so make sees the environment as up to date), and the real .venv linked."""
    folder = copy_project(tmp_path / "project")
    installed = (ROOT / ".venv" / ".installed").stat().st_mtime
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "requirements.in"):
        shutil.copy2(ROOT / name, folder / name)
        os.utime(folder / name, (installed - 1, installed - 1))  # the linked .venv is what these files describe
    (folder / ".venv").symlink_to(ROOT / ".venv")
    return folder


def _run(command: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    full.update(env)
    return subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=cwd, env=full, capture_output=True, text=True, timeout=300)


def _misspell_company(folder: Path) -> int:
    """nvidia -> nvdia in the first event_companies row that names it; returns that row's line."""
    path = folder / "datapackage" / "event_companies.csv"
    header, rows, lines = read_rows(path)
    row = next(i for i, r in enumerate(rows) if r[header.index("company_id")] == "nvidia")
    rows[row][header.index("company_id")] = "nvdia"
    write_rows(path, header, rows)
    return lines[row]


def test_validate_step_annotates_each_problem_on_its_line(tmp_path: Path):
    [step] = [s for s in _steps() if s.get("name", "").startswith("Validate")]
    folder = _project(tmp_path)
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), **step.get("env", {})}

    clean = _run(step["run"], folder, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "::error" not in clean.stdout

    line = _misspell_company(folder)
    summary.unlink()
    broken = _run(step["run"], folder, env)
    assert broken.returncode != 0, "the step must fail the job"
    assert_no_traceback(broken)
    annotations = [a for a in broken.stdout.splitlines() if a.startswith("::error ")]
    assert annotations == [f"::error file=datapackage/event_companies.csv,line={line},col=2,title=error[foreign-key]::"
                           "'nvdia' is not a company_id in companies%0ADid you mean 'nvidia'? Use an existing company_id from "
                           "datapackage/companies.csv, or add that row there first."], broken.stdout
    listed = summary.read_text()
    assert listed.startswith("## chipcontrols validate: 1 error(s)")
    assert f"| `datapackage/event_companies.csv:{line}:2` | error[foreign-key]: 'nvdia' is not a company_id in companies |" in listed


def test_summary_cannot_be_broken_by_a_cell(tmp_path: Path):
    from chipcontrols.problems import Problem
    from chipcontrols.report import as_summary

    text = as_summary([Problem("enum", "datapackage/events.csv", 2, 7, "country", "<img src=x> | x\nnext", params={"allowed": "US"})])
    row = text.splitlines()[-1]
    assert "<img" not in text and "&lt;img src=x&gt; \\| x" in row and row.count(" | ") == 2


def test_workflow_runs_every_test(tmp_path: Path):
    """On GitHub the browser tests run (Chromium is there or installed by .ci/run), and a skipped
    test fails the job rather than passing quietly."""
    [tests] = [s for s in _steps() if s.get("name") == "Tests"]
    assert tests["run"].strip() == ".ci/run" and tests["env"]["CHIPCONTROLS_NO_SKIPS"] == "1"
    script = (ROOT / ".ci" / "run").read_text()
    assert "apt-get install" in script and "chromium" in script and "make test" in script

    folder = tmp_path / "suite"
    (folder / "tests").mkdir(parents=True)
    shutil.copy2(ROOT / "tests" / "conftest.py", folder / "tests" / "conftest.py")
    (folder / "tests" / "test_skips.py").write_text(
        "import pytest\n\ndef test_runs():\n    pass\n\n@pytest.mark.skip(reason='needs the moon')\ndef test_skipped():\n    pass\n")
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(folder), "-p", "no:cacheprovider",
               str(folder / "tests")]
    env = {k: v for k, v in os.environ.items() if k != "CHIPCONTROLS_NO_SKIPS"}
    here = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert here.returncode == 0 and "needs the moon" in here.stdout, here.stdout  # make test says why
    strict = subprocess.run(command, cwd=folder, env={**env, "CHIPCONTROLS_NO_SKIPS": "1"}, capture_output=True, text=True, timeout=120)
    assert strict.returncode == 1 and "needs the moon" in strict.stdout and "CHIPCONTROLS_NO_SKIPS=1" in strict.stdout, strict.stdout


def test_first_build_says_what_it_is_doing():
    """Each slow step of setting up .venv is announced before it starts (make -n lists the recipe)."""
    recipe = subprocess.run(["make", "-n", "-B", ".venv/.installed"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout.splitlines()
    slow = [i for i, line in enumerate(recipe) if " -m venv " in line or " -m pip install " in line]
    assert len(slow) == 3
    for i in slow:
        assert recipe[i - 1].startswith('echo "==> '), recipe[i - 1]


HOOKS = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]


def test_pre_commit_hooks_sort_rows_added_anywhere(tmp_path: Path):
    """A contributor adds a row at the top; the hooks, in order, sort it into place and validate."""
    [local] = [repo for repo in HOOKS if repo["repo"] == "local"]
    hooks = {hook["id"]: hook for hook in local["hooks"]}
    assert list(hooks) == ["chipcontrols-fmt", "chipcontrols-validate"]
    folder = _project(tmp_path)
    path = folder / "datapackage" / "companies.csv"
    header, rows, _ = read_rows(path)
    write_rows(path, header, [rows[-1]] + rows[:-1])  # the last company, added at the top

    unsorted = _run(hooks["chipcontrols-validate"]["entry"], folder, {})
    assert unsorted.returncode != 0, "the hook must stop the commit"
    assert "error[sort-order]" in unsorted.stdout and "make fmt" in unsorted.stdout
    assert unsorted.stdout.count("error[sort-order]") == 1, "one file out of order is one problem"

    formatted = _run(hooks["chipcontrols-fmt"]["entry"], folder, {})
    assert formatted.returncode == 0 and "reformatted datapackage/companies.csv" in formatted.stdout
    assert path.read_bytes() == (ROOT / "datapackage" / "companies.csv").read_bytes()
    valid = _run(hooks["chipcontrols-validate"]["entry"], folder, {})
    assert valid.returncode == 0, valid.stdout


@pytest.mark.parametrize("document", ["README.md", "CONTRIBUTING.md"])
def test_docs_say_one_thing_about_row_order(document: str):
    text = (ROOT / document).read_text()
    assert "any position" not in text or "pre-commit" in text
    if document == "CONTRIBUTING.md":
        assert "pre-commit install" in text and "make fmt" in text
