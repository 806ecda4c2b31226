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
