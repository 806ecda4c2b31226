"""Generate the documentation site's pages from the descriptor, the schemas and the data, so the
site can never drift from them. Every string that comes from the data is escaped: a cell reading
`<script>` or `[x](javascript:...)` shows as that text and does nothing."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

from chipcontrols import changelog_page, charts, cookbook, publication
from chipcontrols.dates import display_date
from chipcontrols.descriptor import Package
from chipcontrols.table import Table

_MARKDOWN_SPECIAL = {"[": "&#91;", "]": "&#93;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "{": "&#123;", "}": "&#125;", "|": "&#124;", "\\": "&#92;"}
SAFE_URL = re.compile(r"^https://[^\s\"'<>\\`]+$")


def esc(value) -> str:
    """Text as inert HTML, with Markdown's special characters neutralised too."""
    text = html.escape("" if value is None else str(value), quote=True)
    return "".join(_MARKDOWN_SPECIAL.get(ch, ch) for ch in text)


def link(url: str, text: str) -> str:
    """A link only for a plain https URL; anything else is shown as text."""
    if url and SAFE_URL.match(url):
        return f'<a href="{html.escape(url, quote=True)}" rel="nofollow noopener">{esc(text)}</a>'
    return esc(text)


def html_table(header: list[str], rows: list[list[str]], css: str = "") -> str:
    """Cells must already be escaped or built from escaped parts."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    attribute = f' class="{css}"' if css else ""
    return f'\n<div class="table-wrap"><table{attribute}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>\n'


class Site:
    def __init__(self, package: Package, tables: dict[str, Table], created: str):
        self.package, self.tables, self.created = package, tables, created
        self.descriptor = package.descriptor
        self.sources = {r["source_id"]: r for r in self.records("sources")}
        self.cites = defaultdict(list)
        for c in self.records("citations"):
            self.cites[(c["record_table"], c["record_id"])].append(c)

    def records(self, name: str) -> list[dict]:
        table = self.tables.get(name)
        if table is None:
            return []
        names = list(table.text)
        return [dict(zip(names, values)) for values in zip(*(table.values(n) for n in names))]

    def source_links(self, record_table: str, record_id: str) -> str:
        seen, parts = set(), []
        for c in self.cites.get((record_table, record_id), []):
            source = self.sources.get(c["source_id"])
            if source and source["source_id"] not in seen:
                seen.add(source["source_id"])
                parts.append(link(source["url"], source["publisher"]))
        return ", ".join(parts)

    # ---- pages
    def home(self) -> str:
        d = self.descriptor
        events = self.records("events")
        dates = sorted(e["date"] for e in events)
        counts = [[esc(r.name), f'<a href="tables/{esc(r.name)}/">{len(self.tables[r.name].lines):,}</a>'] for r in self.package.resources]
        version, homepage = d["version"], d.get("homepage", "")
        base = f"{homepage}/releases/download/v{version}"
        name = d["name"]
        downloads = [link(f"{base}/{name}-{version}.zip", f"{name}-{version}.zip (CSV, Parquet, SQLite, schemas)"),
                     link(f"{base}/SHA256SUMS", "SHA256SUMS")]
        from chipcontrols.cite import citation

        root = self.package.root
        cite = {style: citation(root, style) for style in ("bibtex", "apa", "cff")} if (root / "CITATION.cff").is_file() else {}
        jsonld = {
            "@context": "https://schema.org/", "@type": "Dataset", "name": d.get("title"), "description": d.get("description"),
            "version": version, "dateModified": self.created[:10], "license": "https://creativecommons.org/licenses/by/4.0/",
            "keywords": d.get("keywords", []), "url": homepage, "isAccessibleForFree": True,
            "creator": [{"@type": "Organization", "name": c.get("title", "")} for c in d.get("contributors", [])],
            "temporalCoverage": f"{dates[0]}/{dates[-1]}" if dates else None,
            "distribution": [{"@type": "DataDownload", "encodingFormat": "application/zip", "contentUrl": f"{base}/{name}-{version}.zip"}],
            "variableMeasured": [r.name for r in self.package.resources],
        }
        script = json.dumps(jsonld, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
        parts = [f"# {esc(d.get('title', name))}", "", f"<p>{esc(d.get('description', ''))}</p>", "",
                 f"<p><strong>Version {esc(version)}</strong>, built {esc(self.created[:10])}. "
                 f"Events from {esc(dates[0] if dates else '')} to {esc(dates[-1] if dates else '')}.</p>", "",
                 "## Tables", html_table(["table", "rows"], counts), "## Download", "", "<ul>" + "".join(f"<li>{x}</li>" for x in downloads) + "</ul>", "",
                 "Verify a download with `chipcontrols verify <file>` before use.", "", "## How to cite", ""]
        for style, label, lang in (("apa", "APA", "text"), ("bibtex", "BibTeX", "bibtex"), ("cff", "CFF", "yaml")):
            if style in cite:
                parts += [f"**{label}**", "", f"```{lang}", cite[style], "```", ""]
        parts += ['<script type="application/ld+json">', script, "</script>", ""]
        return "\n".join(parts)

    def dictionary(self, resource) -> str:
        table = self.tables[resource.name]
        parts = [f"# {esc(resource.descriptor.get('title', resource.name))}", "", f"<p>{esc(resource.descriptor.get('description', ''))}</p>", "",
                 f"<p>File <code>{esc(resource.relpath)}</code>, {len(table.lines):,} rows. Primary key: "
                 f"<code>{esc(', '.join(resource.primary_key))}</code>.</p>"]
        if resource.derived:
            parts.append("<p>This table is computed by <code>chipcontrols derive</code>; it is never edited by hand.</p>")
        fks = [f"<li><code>{esc(', '.join(fk['fields']))}</code> → <a href=\"../{esc(fk['reference']['resource'])}/\">"
               f"{esc(fk['reference']['resource'])}</a>.<code>{esc(', '.join(fk['reference']['fields']))}</code></li>" for fk in resource.foreign_keys]
        if fks:
            parts += ["", "<p>Foreign keys:</p>", "<ul>" + "".join(fks) + "</ul>"]
        rows = []
        for f in resource.fields:
            constraints = f.get("constraints", {})
            shown = []
            for key, value in constraints.items():
                if key == "enum":
                    shown.append("one of " + ", ".join(f"<code>{esc(v)}</code>" for v in value[:40]) + (" …" if len(value) > 40 else ""))
                elif value is True:
                    shown.append(esc(key))
                else:
                    shown.append(f"{esc(key)} <code>{esc(value)}</code>")
            rows.append([f"<code>{esc(f['name'])}</code>", esc(f.get("type", "string")), "; ".join(shown), esc(f.get("description", "")),
                         f"<code>{esc(f.get('example', ''))}</code>"])
        parts += ["", "## Fields", html_table(["field", "type", "constraints", "description", "example"], rows)]
        sample = [[esc(table.cell(n, i)) for n in resource.field_names if n in table.text] for i in range(min(5, len(table.lines)))]
        parts += ["## First rows", html_table([n for n in resource.field_names if n in table.text], sample)]
        return "\n".join(parts)

    def timeline(self) -> str:
        events = sorted(self.records("events"), key=lambda e: (e["date"], e["event_id"]))
        names = {c["company_id"]: c["name"] for c in self.records("companies")}
        chip_names = {c["chip_id"]: c["name"] for c in self.records("chips")}
        actors, chips = defaultdict(list), defaultdict(list)
        for link_row in self.records("event_companies"):
            actors[link_row["event_id"]].append(f"{names.get(link_row['company_id'], link_row['company_id'])} ({link_row['role']})")
        for link_row in self.records("event_chips"):
            chips[link_row["event_id"]].append(chip_names.get(link_row["chip_id"], link_row["chip_id"]))
        parts = ["# Timeline", "", "<p>Every event in date order. Reports later overtaken by events are marked <em>superseded</em>; "
                 "disputed and unconfirmed reports are marked too.</p>", ""]
        year = None
        for e in events:
            if e["date"][:4] != year:
                year = e["date"][:4]
                parts += ["", f"## {year}", ""]
            status = e["status"]
            badge = "" if status == "confirmed" else f' <span class="status status-{esc(status)}">{esc(status)}</span>'
            superseded = ""
            if e.get("superseded_by"):
                superseded = f'<p class="superseded">Superseded by <a href="#{esc(e["superseded_by"])}">{esc(e["superseded_by"])}</a>.</p>'
            meta = [esc(e["event_type"].replace("_", " ")), esc(e.get("authority") or "")]
            parts.append(
                f'<div class="event status-{esc(status)}" id="{esc(e["event_id"])}">'
                f'<p class="event-head"><strong><time datetime="{esc(e["date"])}">{esc(display_date(e["date"], e["date_precision"]))}</time></strong> · {" · ".join(m for m in meta if m)}{badge}</p>'
                f'<p class="event-title"><strong>{esc(e["title"])}</strong></p><p>{esc(e["description"])}</p>{superseded}'
                + (f'<p class="actors">Companies: {esc("; ".join(actors[e["event_id"]]))}</p>' if actors[e["event_id"]] else "")
                + (f'<p class="chips">Chips: {esc(", ".join(chips[e["event_id"]]))}</p>' if chips[e["event_id"]] else "")
                + f'<p class="sources">Sources: {self.source_links("events", e["event_id"])}</p></div>\n')
        return "\n".join(parts)

    def chip_charts(self, folder: Path) -> str:
        chips = {c["chip_id"]: c for c in self.records("chips")}
        chart = self.descriptor["x-site"]["chipChart"]
        status = [s for s in self.records("chip_rule_status") if s["rule_id"] == chart["rule_id"]]
        points, bw_points = [], []
        for s in status:
            chip = chips.get(s["chip_id"])
            if not chip or not s["tpp"]:
                continue
            common = {"name": chip["name"], "china_specific": chip["china_specific"] == "true", "tpp": float(s["tpp"]), "url": f"#{chip['chip_id']}"}
            if s["performance_density"]:
                points.append({**common, "pd": float(s["performance_density"])})
            if chip["memory_bandwidth_tbps"]:
                bw_points.append({**common, "bw": float(chip["memory_bandwidth_tbps"])})
        labelled = defaultdict(set)
        for c in self.records("rule_criteria"):
            if c["rule_id"] == chart["rule_id"] and c["metric"] in ("tpp", "performance_density") and c["threshold"] and c["operator"] in (">=", ">"):
                labelled[(c["metric"], float(c["threshold"]))].add(c["clause"])
        lines = sorted((metric, value, f"{'TPP' if metric == 'tpp' else 'PD'} {value:g} ({', '.join(sorted(clauses))})")
                       for (metric, value), clauses in labelled.items())
        pairs = []
        by_id = {s["chip_id"]: s for s in status}
        for chip in chips.values():
            parent = chips.get(chip.get("derived_from") or "")
            if chip["china_specific"] == "true" and parent and by_id.get(chip["chip_id"], {}).get("tpp") and by_id.get(parent["chip_id"], {}).get("tpp"):
                pairs.append({"name": chip["name"], "tpp": float(by_id[chip["chip_id"]]["tpp"]), "parent": parent["name"],
                              "parent_tpp": float(by_id[parent["chip_id"]]["tpp"]), "url": f"#{chip['chip_id']}", "parent_url": f"#{parent['chip_id']}"})
        pairs.sort(key=lambda p: p["name"])
        (folder / "tpp-vs-density.svg").write_text(charts.tpp_vs_density(sorted(points, key=lambda p: p["name"]), lines), encoding="utf-8")
        (folder / "bandwidth-vs-tpp.svg").write_text(charts.bandwidth_vs_tpp(sorted(bw_points, key=lambda p: p["name"])), encoding="utf-8")
        (folder / "china-parts-vs-parents.svg").write_text(charts.china_parts_vs_parents(pairs), encoding="utf-8")
        spec_columns = ["name", "vendor_id", "china_specific", "derived_from", "memory_gb", "memory_bandwidth_tbps", "interconnect_bandwidth_gbps",
                        "fp16_dense_tflops", "fp8_dense_tflops", "int8_dense_tops", "die_area_mm2"]
        rows = [[f'<span id="{esc(c["chip_id"])}">{esc(c["name"])}</span>'] + [esc(c[k]) for k in spec_columns[1:]] + [self.source_links("chips", c["chip_id"])]
                for c in sorted(chips.values(), key=lambda c: c["chip_id"])]
        return "\n".join([
            "# Chips", "", "<p>Specifications as published (dense tensor throughput), and each chip's TPP and performance density "
            f"under {esc(chart['title'])}, computed by <code>chipcontrols derive</code> (see Methodology).</p>", "",
            "## TPP against performance density", "",
            f"![Scatter chart of total processing performance against performance density for each chip, with the lines of {esc(chart['title'])} "
            "as dashed and dotted lines; China-specific parts in orange are labelled.](tpp-vs-density.svg)", "",
            "## Memory bandwidth against TPP", "", "![Scatter chart of memory bandwidth in TB/s against total processing performance for each chip.](bandwidth-vs-tpp.svg)", "",
            "## China-specific parts beside their parents", "",
            "![Bar chart comparing the TPP of each China-specific part (orange) with the chip it was cut down from (blue).](china-parts-vs-parents.svg)", "",
            "## Specifications", html_table(spec_columns + ["sources"], rows),
        ])

    def money(self, folder: Path) -> str:
        chart = self.descriptor["x-site"]["revenueChart"]
        figures = [f for f in self.records("financial_figures") if f["company_id"] == chart["company_id"] and f["unit"] == "USD"]
        url_of = {}
        for f in figures:
            cites = self.cites.get(("financial_figures", f["figure_id"]), [])
            source = self.sources.get(cites[0]["source_id"]) if cites else None
            url_of[f["figure_id"]] = source["url"] if source and SAFE_URL.match(source["url"]) else None
        basis_labels = chart.get("basis_labels", {})
        revenue = sorted((f for f in figures if f["metric"] == chart["metric"] and re.fullmatch(r"FY\d{4}", f["fiscal_period"] or "")),
                         key=lambda f: (f["fiscal_period"], list(basis_labels).index(f["reporting_basis"]) if f["reporting_basis"] in basis_labels else 99))
        # one bar per fiscal year and reporting basis, labelled with both: a recast year is shown beside the year as first reported
        bars = [{"label": f"{f['fiscal_period']} {basis_labels.get(f['reporting_basis'], f['reporting_basis'])}", "value": float(f["value"]),
                 "url": url_of[f["figure_id"]]} for f in revenue]
        bar_of_year = {f["fiscal_period"]: bar["label"] for f, bar in zip(revenue, bars)}
        charges = [{"label": bar_of_year.get(f["fiscal_period"][:6], f["fiscal_period"][:6]), "value": float(f["value"])} for f in figures
                   if f["metric"] == chart["charge_metric"] and f["fiscal_period"] and f["provenance"] == "reported"]
        years = sorted({int(f["fiscal_period"][2:]) for f in revenue})
        missing = [f"FY{y}" for y in range(years[0], years[-1] + 1) if f"FY{y}" not in bar_of_year] if years else []
        (folder / "revenue.svg").write_text(charts.revenue_bars(bars, charges), encoding="utf-8")
        rows = [[esc(f["fiscal_period"] or ""), esc(f["metric"]), esc(f"{float(f['value']):,.0f}"), esc(f["provenance"]), esc(f["reporting_basis"]), esc(f["description"]),
                 self.source_links("financial_figures", f["figure_id"])] for f in sorted(figures, key=lambda f: (f["period_end"] or f["reported_date"] or "", f["figure_id"]))]
        company, measure, charges_label = esc(chart["company"]), esc(chart["label"]), esc(chart["charge_label"])
        return "\n".join([
            "# Money", "", f"<p>{company}'s {measure} by fiscal year as it disclosed it, with the {charges_label} "
            "it reported marked on their year. Each bar links to its source; quarterly figures are in the table. Amounts are in US dollars.</p>", "",
            f"![Bar chart of {company}'s {measure} by fiscal year, in US$ billion, with {charges_label} annotated.](revenue.svg)", "",
            f"<p>{esc(chart.get('note', ''))}</p>", "",
            f"<p>No figure in the package for: {esc(', '.join(missing))}.</p>" if missing else "", "",
            f"## All {company} figures in US dollars", html_table(["fiscal period", "metric", "value (USD)", "provenance", "reporting basis", "what it covers", "sources"], rows),
        ])

    def bibliography(self) -> str:
        cited_for = defaultdict(list)
        for (table, record), cites in self.cites.items():
            for c in cites:
                cited_for[c["source_id"]].append(f"{table}:{record}")
        by_publisher = defaultdict(list)
        for s in self.sources.values():
            by_publisher[s["publisher"]].append(s)
        parts = ["# Sources", "", f"<p>{len(self.sources):,} sources, by publisher, with the records each is cited for.</p>", ""]
        for publisher in sorted(by_publisher, key=str.lower):
            parts += ["", f"## {esc(publisher)}", ""]
            items = []
            for s in sorted(by_publisher[publisher], key=lambda s: (s["published_date"], s["source_id"])):
                uses = sorted(set(cited_for[s["source_id"]]))
                items.append(f'<li id="{esc(s["source_id"])}">{link(s["url"], s["title"])} ({esc(s["source_type"].replace("_", " "))}, '
                             f'{esc(s["published_date"] or "undated")}). Cited for: {esc(", ".join(uses[:12]))}{" …" if len(uses) > 12 else ""}</li>')
            parts.append("<ul>" + "\n".join(items) + "</ul>")
        return "\n".join(parts)


def generate(package: Package, tables: dict[str, Table], out: Path, created: str) -> Path:
    """Write the site sources and an mkdocs config into `out`; returns the config's path."""
    if out.exists():
        shutil.rmtree(out)
    pages = out / "site-src"
    (pages / "tables").mkdir(parents=True)
    site = Site(package, tables, created)
    (pages / "index.md").write_text(site.home(), encoding="utf-8")
    nav_tables = []
    for resource in package.resources:
        (pages / "tables" / resource.name).mkdir()
        (pages / "tables" / resource.name / "index.md").write_text(site.dictionary(resource), encoding="utf-8")
        nav_tables.append({resource.descriptor.get("title", resource.name): f"tables/{resource.name}/index.md"})
    (pages / "timeline.md").write_text(site.timeline(), encoding="utf-8")
    (pages / "chips").mkdir()
    (pages / "chips" / "index.md").write_text(site.chip_charts(pages / "chips"), encoding="utf-8")
    (pages / "money").mkdir()
    (pages / "money" / "index.md").write_text(site.money(pages / "money"), encoding="utf-8")
    (pages / "sources.md").write_text(site.bibliography(), encoding="utf-8")
    root = package.root
    for name, target in (("CHANGELOG.md", "changelog.md"), ("CONTRIBUTING.md", "contributing.md"), ("docs/methodology.md", "methodology.md")):
        if (root / name).is_file():
            (pages / target).write_text((root / name).read_text(encoding="utf-8"), encoding="utf-8")
    (pages / "changelog.md").write_text(changelog_page.page(root, package.descriptor["version"]), encoding="utf-8")  # each release, table by table
    if (root / "docs" / "stylesheets").is_dir():
        shutil.copytree(root / "docs" / "stylesheets", pages / "stylesheets")
    nav = [{"Home": "index.md"}, {"Data dictionary": nav_tables}, {"Timeline": "timeline.md"}, {"Chips": "chips/index.md"},
           {"Money": "money/index.md"}, {"Sources": "sources.md"}, {"Methodology": "methodology.md"}, {"Contributing": "contributing.md"},
           {"Changelog": "changelog.md"}]
    cookbook.add_to_site(package, pages, nav, created)  # research questions run against a release built here
    config = {"INHERIT": str((root / "mkdocs.yml").resolve()), "docs_dir": "site-src", "site_dir": str((root / "site").resolve()), "nav": nav}
    config.update(publication.mkdocs_urls(package.descriptor))
    path = out / "mkdocs.yml"
    path.write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # JSON is valid YAML
    return path
