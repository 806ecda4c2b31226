"""The package as committed: valid by our validator and by Frictionless itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli


def test_real_package_validates_clean():
    result = run_cli("validate", str(ROOT / "datapackage.json"), "--format", "json")
    report = json.loads(result.stdout)
    errors = [f"{p['file']}:{p['line']}: {p['rule']}: {p['message']}" for p in report["problems"] if p["severity"] == "error"]
    assert result.returncode == 0 and not errors, "\n".join(errors[:30])


def test_frictionless_validates_the_real_package():
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, indent=1)[:3000]


def test_fmt_leaves_the_real_package_unchanged():
    result = run_cli("fmt", "--check", str(ROOT / "datapackage.json"))
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_stats_reports_every_table():
    result = run_cli("stats", str(ROOT / "datapackage.json"), "--format", "json")
    stats = json.loads(result.stdout)
    assert set(stats["rows"]) == {r["name"] for r in json.loads((ROOT / "datapackage.json").read_text())["resources"]}
    assert stats["primary_sources"]["sources"] == stats["rows"]["sources"]


def test_validate_imports_no_test_tools():
    """pandera would import hypothesis, installed here for the tests, on every run (0.08 s); the entry point stops it."""
    script = ("import sys; import chipcontrols.cli as cli; sys.argv = ['chipcontrols', 'validate', 'datapackage.json']; exit_ = cli._flush_and_exit; "
              "cli._flush_and_exit = lambda code: (print(code, sorted(m for m, v in sys.modules.items() if v is not None "
              "and m.split('.')[0] in ('pandera', 'hypothesis', 'pytest'))), exit_(code)); cli.run()")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    code, imported = result.stdout.splitlines()[-1].split(" ", 1)
    assert code == "0", result.stdout + result.stderr
    assert "'pandera'" in imported  # the checks ran
    assert "hypothesis" not in imported and "pytest" not in imported
