"""The citation of the current version, from CITATION.cff and datapackage.json (which must agree:
`chipcontrols metadata` generates the one from the other). With a DOI the citation points at it."""

from __future__ import annotations

import json
from pathlib import Path

from chipcontrols.publication import links


def _authors(cff: dict) -> list[str]:
    names = []
    for author in cff.get("authors", []):
        names.append(author.get("name") or " ".join(filter(None, [author.get("given-names"), author.get("family-names")])))
    return names


def citation(root: Path, style: str) -> str:
    import yaml

    text = (root / "CITATION.cff").read_text(encoding="utf-8")
    cff = yaml.safe_load(text)
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    version, year = descriptor["version"], str(cff["date-released"])[:4]
    authors = _authors(cff)
    link = links(descriptor)
    url = link.doi_url or link.site
    if style == "cff":
        return text.rstrip("\n")
    if style == "bibtex":
        key = descriptor["name"].replace("-", "_") + "_" + version.replace(".", "_")
        return (f"@misc{{{key},\n  title = {{{{{cff['title']}}}}},\n  author = {{{' and '.join('{' + a + '}' for a in authors)}}},\n"
                f"  year = {{{year}}},\n  version = {{{version}}},\n" + (f"  doi = {{{link.doi}}},\n" if link.doi else "") + f"  url = {{{url}}},\n"
                f"  note = {{Data set, {cff.get('license', '')}}}\n}}")
    return f"{', '.join(authors)}. ({year}). {cff['title']} (Version {version}) [Data set]. {url}"
