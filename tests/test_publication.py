"""The repository URL is written once (datapackage.json `homepage`) and the DOI once (`id`): the
site, CITATION.cff, .zenodo.json and `cite` all say the same, with no DOI yet and with one set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_project, run_cli, validate_json

from chipcontrols.publication import links, metadata_files, stale_metadata

DOI = "10.5281/zenodo.1234567"  # a made-up DOI, only ever written into temporary copies


def _descriptor(root: Path) -> dict:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def _project(tmp_path: Path, doi: str | None = None) -> Path:
    folder = copy_project(tmp_path / "pkg", docs=True)
    shutil.copy2(ROOT / ".zenodo.json", folder / ".zenodo.json")
    if doi:
        descriptor = _descriptor(folder)
        descriptor = {**{k: v for k, v in descriptor.items() if k != "resources"}, "id": doi, "resources": descriptor["resources"]}
        (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def test_the_committed_citation_files_are_generated_from_the_descriptor():
    assert stale_metadata(ROOT) == [], "run `chipcontrols metadata` and commit CITATION.cff and .zenodo.json"


def test_every_published_url_comes_from_the_homepage():
    descriptor = _descriptor(ROOT)
    link = links(descriptor)
    assert link.repository == descriptor["homepage"] == "https://github.com/ai-chip-export-controls/ai-chip-export-controls"
    assert link.site == "https://ai-chip-export-controls.github.io/ai-chip-export-controls/"
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["repository-code"] == link.repository and cff["url"] == link.site
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert {r["identifier"] for r in zenodo["related_identifiers"]} == {link.repository, link.site}
    assert zenodo["creators"] and zenodo["license"] == descriptor["licenses"][0]["name"] and zenodo["keywords"] == descriptor["keywords"]
    for style in ("apa", "bibtex"):
        assert link.site in run_cli("cite", str(ROOT / "datapackage.json"), "--format", style).stdout
    assert "github.com" not in yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8")).get("repo_url", ""), "the site's URLs come from the descriptor"


def test_the_site_links_to_the_files_the_release_workflow_attaches(tmp_path: Path):
    folder = _project(tmp_path)
    assert run_cli("docs", str(folder / "datapackage.json"), "--no-build", env={"SOURCE_DATE_EPOCH": "1764374400"}).returncode == 0
    descriptor = _descriptor(folder)
    config = yaml.safe_load((folder / "build" / "docs" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_url"] == links(descriptor).site and config["repo_url"] == descriptor["homepage"]
    home = (folder / "build" / "docs" / "site-src" / "index.md").read_text(encoding="utf-8")
    version = descriptor["version"]
    for name in (f"ai-chip-export-controls-{version}.zip", "SHA256SUMS"):  # what scripts/release.sh copies to release-assets/
        assert f'href="{links(descriptor).download(version, name)}"' in home
    assert "doi" not in home.lower()


def test_a_doi_once_set_appears_in_cite_citation_cff_and_the_site(tmp_path: Path):
    folder = _project(tmp_path, doi=f"https://doi.org/{DOI}")
    assert stale_metadata(folder) == ["CITATION.cff"], "the DOI changes CITATION.cff only (Zenodo mints it; .zenodo.json does not carry it)"
    result = run_cli("metadata", str(folder / "datapackage.json"))
    assert result.returncode == 0 and "wrote CITATION.cff" in result.stdout
    assert run_cli("metadata", str(folder / "datapackage.json"), "--check").returncode == 0
    cff = yaml.safe_load((folder / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["doi"] == DOI
    import jsonschema

    schema = json.loads((ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(cff, default=str)), schema)
    apa = run_cli("cite", str(folder / "datapackage.json")).stdout
    assert apa.rstrip().endswith(f"[Data set]. https://doi.org/{DOI}")
    bibtex = run_cli("cite", str(folder / "datapackage.json"), "--format", "bibtex").stdout
    assert f"doi = {{{DOI}}}" in bibtex and f"url = {{https://doi.org/{DOI}}}" in bibtex
    assert validate_json(folder)[0] == 0
    assert run_cli("docs", str(folder / "datapackage.json"), "--no-build", env={"SOURCE_DATE_EPOCH": "1764374400"}).returncode == 0
    home = (folder / "build" / "docs" / "site-src" / "index.md").read_text(encoding="utf-8")
    assert f"https://doi.org/{DOI}" in home and f"doi: {DOI}" in home


def test_without_a_doi_nothing_claims_one():
    assert links(_descriptor(ROOT)).doi is None, "set the DOI only once Zenodo has minted it"
    cff = yaml.safe_load(metadata_files(ROOT)["CITATION.cff"])
    assert "doi" not in cff
    for style in ("apa", "bibtex"):
        assert "doi" not in run_cli("cite", str(ROOT / "datapackage.json"), "--format", style).stdout


@pytest.mark.parametrize("field,value", [("id", "10.5281/zenodo.1"), ("id", "https://example.org/10.5281/x"), ("homepage", "https://example.org/data")])
def test_a_malformed_doi_or_homepage_is_a_validation_error_at_its_line(tmp_path: Path, field: str, value: str):
    folder = _project(tmp_path)
    descriptor = _descriptor(folder)
    descriptor[field] = value
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    code, report = validate_json(folder)
    hits = [p for p in report["problems"] if p["file"] == "datapackage.json" and value in (p["message"] + str(p["value"]))]
    assert code == 1 and hits and hits[0]["line"], report["problems"][:3]
    with pytest.raises(ValueError):
        links(descriptor)


def test_metadata_reports_a_missing_changelog_entry_as_a_usage_error(tmp_path: Path):
    folder = _project(tmp_path)
    descriptor = _descriptor(folder)
    descriptor["version"] = "9.9.9"
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    result = run_cli("metadata", str(folder / "datapackage.json"))
    assert result.returncode == 2 and "CHANGELOG.md has no entry '## [9.9.9]" in result.stderr and "Traceback" not in result.stderr
