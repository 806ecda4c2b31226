"""Where the package is published and how it is identified, from datapackage.json alone: the
repository (`homepage`, written once), the site on GitHub Pages and the release downloads derived
from it, and the DOI once Zenodo has minted one (`id`, the Data Package property for a globally
unique identifier). CITATION.cff and .zenodo.json are generated from these (`chipcontrols
metadata`), because GitHub and Zenodo read them as files and they must never disagree."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

DOI_URL = re.compile(r"^https://doi\.org/(10\.\d{4,9}/\S+)$")
GITHUB_REPO = re.compile(r"^https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+)$")
CHANGELOG_ENTRY = r"^## \[{version}\] - (\d{{4}}-\d{{2}}-\d{{2}})"


@dataclass(frozen=True)
class Links:
    repository: str
    site: str
    doi: str | None  # "10.5281/zenodo.123", without the resolver

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    def download(self, version: str, name: str) -> str:
        """The URL of a file attached to the GitHub release of `version` (what the release workflow uploads)."""
        return f"{self.repository}/releases/download/v{version}/{name}"


def links(descriptor: dict) -> Links:
    repository = descriptor["homepage"].rstrip("/")
    match = GITHUB_REPO.match(repository)
    if not match:
        raise ValueError(f"homepage {repository!r} is not a GitHub repository URL (https://github.com/OWNER/REPO)")
    owner, repo = match.groups()
    site = f"https://{owner.lower()}.github.io/{repo}/"  # where GitHub Pages serves a project site
    identifier = descriptor.get("id")
    doi = None
    if identifier:
        found = DOI_URL.match(identifier)
        if not found:
            raise ValueError(f"id {identifier!r} is not a DOI URL (https://doi.org/10.NNNN/...)")
        doi = found.group(1)
    return Links(repository, site, doi)


def mkdocs_urls(descriptor: dict) -> dict:
    """The site's own address (canonical links, sitemap) and its repository link."""
    link = links(descriptor)
    return {"site_url": link.site, "repo_url": link.repository}


def release_date(root: Path, version: str) -> str:
    """The date of `version`'s CHANGELOG.md entry: the release date every citation gives."""
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(CHANGELOG_ENTRY.format(version=re.escape(version)), text, flags=re.M)
    if not match:
        raise ValueError(f"CHANGELOG.md has no entry '## [{version}] - YYYY-MM-DD'")
    return match.group(1)


def _authors(descriptor: dict) -> list[str]:
    return [c["title"] for c in descriptor.get("contributors", []) if "author" in c.get("roles", ["author"])]


def citation_cff(descriptor: dict, date: str) -> str:
    import yaml

    link = links(descriptor)
    cff = {"cff-version": "1.2.0", "message": "If you use this dataset, please cite the version you used.", "type": "dataset",
           "title": descriptor["title"], "version": descriptor["version"], "date-released": date,
           "license": descriptor["licenses"][0]["name"], "repository-code": link.repository, "url": link.site}
    if link.doi:
        cff["doi"] = link.doi
    cff["authors"] = [{"name": name} for name in _authors(descriptor)]
    cff["keywords"] = descriptor.get("keywords", [])
    cff["abstract"] = descriptor["description"]
    header = "# Generated from datapackage.json by `chipcontrols metadata`: edit that file, then run the command.\n"
    return header + yaml.safe_dump(cff, sort_keys=False, allow_unicode=True, width=100)


def zenodo_json(descriptor: dict, date: str) -> str:
    """The metadata Zenodo's GitHub integration reads when a release is published (it mints the DOI)."""
    link = links(descriptor)
    record = {"title": descriptor["title"], "upload_type": "dataset", "description": descriptor["description"],
              "creators": [{"name": name} for name in _authors(descriptor)], "license": descriptor["licenses"][0]["name"],
              "version": descriptor["version"], "publication_date": date, "keywords": descriptor.get("keywords", []),
              "access_right": "open",
              "related_identifiers": [{"identifier": link.repository, "relation": "isSupplementTo", "resource_type": "software"},
                                      {"identifier": link.site, "relation": "isDocumentedBy"}]}
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def metadata_files(root: Path) -> dict[str, str]:
    """The generated files, by name, as they must read."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    date = release_date(root, descriptor["version"])
    return {"CITATION.cff": citation_cff(descriptor, date), ".zenodo.json": zenodo_json(descriptor, date)}


def stale_metadata(root: Path) -> list[str]:
    """The generated files that do not read as datapackage.json and CHANGELOG.md say they must."""
    return [name for name, text in metadata_files(root).items()
            if not (root / name).is_file() or (root / name).read_text(encoding="utf-8") != text]
