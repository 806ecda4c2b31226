"""Generate the documentation site's pages from the descriptor, the schemas and the data, so the
site can never drift from them. Pages are Jinja2 templates (scripts/chipcontrols/templates) with
autoescaping on: a cell reading `<script>` or `[x](javascript:...)` shows as that text and does
nothing. Data text only ever lands inside raw HTML blocks, which Markdown leaves alone."""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import jinja2
from markdown.extensions.toc import slugify as toc_slugify  # the ids mkdocs gives headings, so links to them hold

from chipcontrols import changelog_page, cookbook, publication, sitecharts, sitetext
from chipcontrols.descriptor import Package
from chipcontrols.table import Table

TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("chipcontrols", "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
TEMPLATES.filters.update(slug=lambda text: toc_slugify(text, "-"), date=sitetext.display_date, words=sitetext.words, number=sitetext.number, money=sitetext.money,
                         md=sitetext.inline_markdown, safe_url=sitetext.safe_url)
ASSETS = Path(__file__).parent / "assets"


class Site:
    """The data, indexed the ways the pages read it."""

    def __init__(self, package: Package, tables: dict[str, Table], created: str):
        self.package, self.tables, self.created = package, tables, created
        self.descriptor = package.descriptor
        self.sources = {r["source_id"]: r for r in self.records("sources")}
        self.cites = defaultdict(list)
        for c in self.records("citations"):
            self.cites[(c["record_table"], c["record_id"])].append(c)
        self.chips = {c["chip_id"]: c for c in self.records("chips")}
        self.companies = {c["company_id"]: c for c in self.records("companies")}
        self.rules = {r["rule_id"]: r for r in self.records("export_control_rules")}
        self.events = {e["event_id"]: e for e in sorted(self.records("events"), key=lambda e: (e["date"], e["event_id"]))}
        self.status = self.records("chip_rule_status")
        self.criteria = self.records("rule_criteria")
        self.figures = self.records("financial_figures")
        self.event_chips, self.chip_events = defaultdict(list), defaultdict(list)
        for row in self.records("event_chips"):
            self.event_chips[row["event_id"]].append(row)
            self.chip_events[row["chip_id"]].append(row)
        self.event_companies, self.company_events = defaultdict(list), defaultdict(list)
        for row in self.records("event_companies"):
            self.event_companies[row["event_id"]].append(row)
            self.company_events[row["company_id"]].append(row)
        outcome = self.field("chip_rule_status", "outcome") or self.field("rule_criteria", "outcome") or {}
        self.severity = outcome.get("constraints", {}).get("enum", [])
        self._vocabularies: dict = {}

    # ---- access
    def records(self, name: str) -> list[dict]:
        table = self.tables.get(name)
        if table is None:
            return []
        names = list(table.text)
        return [dict(zip(names, values)) for values in zip(*(table.values(n) for n in names))]

    def resource(self, name: str):
        return next((r for r in self.package.resources if r.name == name), None)

    def field(self, table: str, name: str) -> dict | None:
        resource = self.resource(table)
        return next((f for f in resource.fields if f["name"] == name), None) if resource else None

    def header(self, table: str, name: str) -> dict:
        """A column heading in words with its unit (the schema's title), and the field name for the hover text."""
        f = self.field(table, name) or {}
        label = f.get("title") or sitetext.words(name.removesuffix("_id") if name.endswith("_id") and name != "id" else name).capitalize()
        return {"label": label, "name": name, "description": f.get("description", "")}

    def vocabulary(self, table: str, name: str) -> dict[str, str]:
        """What each value of a controlled field means, read from its schema description ("`us_bis`: US Department of ...; `...`")."""
        key = (table, name)
        if key not in self._vocabularies:
            f = self.field(table, name) or {}
            text = f.get("description", "")
            self._vocabularies[key] = {v: m.group(1).strip() for v in f.get("constraints", {}).get("enum", [])
                                       if (m := re.search(rf"`{re.escape(v)}`: (.*?)(?=; `|\.?$)", text))}
        return self._vocabularies[key]

    def term(self, table: str, name: str, value: str | None) -> str:
        """A controlled value's meaning from the schema, else the value in words."""
        return self.vocabulary(table, name).get(value or "", "") or sitetext.words(value)

    def figure_columns(self) -> list[str]:
        """The financial_figures columns that qualify a figure (provenance, reporting basis, ...), whatever the schema adds:
        everything but the keys, links, amounts, periods and prose, which the tables show in their own way."""
        shown_apart = {"figure_id", "company_id", "chip_id", "event_id", "metric", "value", "unit", "period_start", "period_end",
                       "fiscal_period", "description", "reported_date"}
        resource = self.resource("financial_figures")
        return [f["name"] for f in (resource.fields if resource else []) if f["name"] not in shown_apart]

    def link_target(self, table: str, name: str) -> str | None:
        """The table a single-column foreign key points at, when that table's records have pages."""
        resource = self.resource(table)
        for fk in resource.foreign_keys if resource else []:
            if fk["fields"] == [name] and fk["reference"]["resource"] in ("chips", "companies", "export_control_rules", "events"):
                return fk["reference"]["resource"]
        return None

    def self_references(self, table: str) -> list[str]:
        """Fields of `table` that point at another record of the same table (a part's parent, a company's parent)."""
        resource = self.resource(table)
        if resource is None:
            return []
        return [fk["fields"][0] for fk in resource.foreign_keys if fk["reference"]["resource"] == table and len(fk["fields"]) == 1]

    def references(self, table: str, record: dict, target: str) -> set[str]:
        """The keys of `target` records that this record points at through a single-column foreign key."""
        resource = self.resource(table)
        fields = [fk["fields"][0] for fk in (resource.foreign_keys if resource else []) if fk["reference"]["resource"] == target and len(fk["fields"]) == 1]
        return {record[f] for f in fields if record.get(f)}

    def dated(self, record: dict, name: str) -> str:
        """A date field at the precision its `<name>_precision` companion gives (day when there is none)."""
        return sitetext.display_date(record.get(name), record.get(f"{name}_precision") or "day")

    def citations(self, table: str, record_id: str, field: str | None = None) -> list[dict]:
        """The sources behind a record, or behind one of its fields (citations.field lists the columns a quote supports)."""
        out, seen = [], set()
        for c in self.cites.get((table, record_id), []):
            fields = (c.get("field") or "").split()
            if field is not None and field not in fields:
                continue
            source = self.sources.get(c["source_id"])
            if source is None or (c["source_id"], c["quote"]) in seen:
                continue
            seen.add((c["source_id"], c["quote"]))
            out.append({"url": sitetext.safe_url(source["url"]), "publisher": source["publisher"], "title": source["title"],
                        "quote": c["quote"], "locator": c.get("locator") or "", "source_id": c["source_id"], "fields": fields})
        return out

    def record_sources(self, table: str, record_id: str) -> list[dict]:
        """One entry per source, whatever it supports."""
        out, seen = [], set()
        for c in self.citations(table, record_id):
            if c["source_id"] not in seen:
                seen.add(c["source_id"])
                out.append(c)
        return out

    def rule_name(self, rule_id: str) -> str:
        """A short name for a rule in tables: 'October 2022 rule (87 FR 62186)'."""
        rule = self.rules.get(rule_id)
        if rule is None:
            return rule_id
        kind = "letter" if rule.get("kind") == "letter" else "rule"
        citation = rule.get("citation") or ""
        return f"{sitetext.display_date(rule['published_date'], 'month')} {kind}" + (f" ({citation})" if citation and len(citation) <= 20 else "")

    def events_of(self, rows: list[dict]) -> list[dict]:
        """Events for link rows (event_chips or event_companies), in date order, with each row's role."""
        roles = defaultdict(list)
        for row in rows:
            roles[row["event_id"]].append(row["role"])
        return [{**self.events[e], "roles": sorted(set(roles[e]))} for e in self.events if e in roles]

    def margin(self, status: dict) -> str:
        from chipcontrols.controls import LABELS

        return sitetext.margin_text(status.get("margin"), status.get("margin_metric"), LABELS)

    def line(self, c: dict) -> str:
        """One of a rule's lines in words: 'TPP ≥ 4,800', 'designed for data centres', 'is the H20'."""
        from chipcontrols.controls import LABELS

        named = self.chips.get(c.get("chip_id") or "", {}).get("name", c.get("chip_id") or "")
        if c["metric"] == "named_chip":
            return f"is the {named}"
        if c["metric"] == "designed_for_datacenter":
            wanted = float(c["threshold"] or 0) == 1
            return "designed or marketed for data centres" if wanted == (c["operator"] == "==") else "not designed or marketed for data centres"
        label = LABELS.get(c["metric"], sitetext.words(c["metric"]))
        line = sitetext.number(c["threshold"]) if c["threshold"] else f"the {named}'s value"
        return f"{label} {sitetext.OPERATORS.get(c['operator'], c['operator'])} {line}"

    def latest_status(self, chip_id: str) -> dict | None:
        """The chip's status under the most recently issued rule that concerns it (not one that names other chips)."""
        rows = [s for s in self.status if s["chip_id"] == chip_id and s["outcome"] not in ("not_applicable", "not_named")]
        return max(rows, key=lambda s: (self.rules.get(s["rule_id"], {}).get("published_date", ""), s["rule_id"]), default=None)

    # ---- pages
    def render(self, template: str, root: str, **context) -> str:
        return TEMPLATES.get_template(template).render(site=self, root=root, margin=self.margin, line=self.line,
                                                       latest_status=self.latest_status, **context)

    def home(self) -> str:
        from chipcontrols.cite import citation

        d = self.descriptor
        dates = [e["date"] for e in self.events.values()]
        version, homepage, name = d["version"], d.get("homepage", ""), d["name"]
        base = f"{homepage}/releases/download/v{version}"
        root = self.package.root
        cite = {style: citation(root, style) for style in ("bibtex", "apa", "cff")} if (root / "CITATION.cff").is_file() else {}
        released = ""
        if (root / "CITATION.cff").is_file():
            import yaml

            released = str(yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8")).get("date-released") or "")
        jsonld = {
            "@context": "https://schema.org/", "@type": "Dataset", "name": d.get("title"), "description": d.get("description"),
            "version": version, "dateModified": released or self.created[:10], "license": "https://creativecommons.org/licenses/by/4.0/",
            "keywords": d.get("keywords", []), "url": homepage, "isAccessibleForFree": True,
            "creator": [{"@type": "Organization", "name": c.get("title", "")} for c in d.get("contributors", [])],
            "temporalCoverage": f"{min(dates)}/{max(dates)}" if dates else None,
            "distribution": [{"@type": "DataDownload", "encodingFormat": "application/zip", "contentUrl": f"{base}/{name}-{version}.zip"}],
            "variableMeasured": [r.name for r in self.package.resources],
        }
        counts = [(r, len(self.tables[r.name].lines)) for r in self.package.resources]
        downloads = [(sitetext.safe_url(f"{base}/{name}-{version}.zip"), f"{name}-{version}.zip (CSV, Parquet, SQLite, schemas)"),
                     (sitetext.safe_url(f"{base}/SHA256SUMS"), "SHA256SUMS")]
        return self.render("home.md.j2", "", d=d, version=version, released=released, first=next(iter(self.events.values()), {}),
                           last=list(self.events.values())[-1] if self.events else {}, counts=counts, downloads=downloads, cite=cite, jsonld=jsonld)

    def dictionary(self, resource) -> str:
        table = self.tables[resource.name]
        columns = [n for n in resource.field_names if n in table.text]
        # A key of a record with a page of its own links to it: the table's own key, or a foreign key to such a table.
        targets = {n: resource.name for n in resource.primary_key if len(resource.primary_key) == 1}
        targets.update({fk["fields"][0]: fk["reference"]["resource"] for fk in resource.foreign_keys if len(fk["fields"]) == 1})
        sample = [[(table.cell(n, i), self.record_link(targets[n], table.cell(n, i), "../../") if n in targets and table.cell(n, i) else None)
                   for n in columns] for i in range(min(5, len(table.lines)))]
        return self.render("dictionary.md.j2", "../../", resource=resource, rows=len(table.lines), columns=columns, sample=sample)

    def timeline(self) -> str:
        events = list(self.events.values())
        facets = {
            "year": sorted({e["date"][:4] for e in events}),
            "kind": sorted({e["event_type"] for e in events}),
            "status": [s for s in (self.field("events", "status") or {}).get("constraints", {}).get("enum", []) if any(e["status"] == s for e in events)],
            "company": sorted({r["company_id"] for e in events for r in self.event_companies[e["event_id"]]}, key=lambda c: self.companies[c]["name"].lower()),
            "chip": sorted({r["chip_id"] for e in events for r in self.event_chips[e["event_id"]]}, key=lambda c: self.chips[c]["name"].lower()),
        }
        data = {"facets": {
            "year": [[y, y] for y in facets["year"]],
            "kind": [[k, sitetext.words(k)] for k in facets["kind"]],
            "status": [[s, s] for s in facets["status"]],
            "company": [[c, self.companies[c]["name"]] for c in facets["company"]],
            "chip": [[c, self.chips[c]["name"]] for c in facets["chip"]],
        }, "events": [{"id": e["event_id"], "year": e["date"][:4], "kind": e["event_type"], "status": e["status"],
                       "company": sorted({r["company_id"] for r in self.event_companies[e["event_id"]]}),
                       "chip": sorted({r["chip_id"] for r in self.event_chips[e["event_id"]]})} for e in events]}
        by_year = defaultdict(list)
        for e in events:
            by_year[e["date"][:4]].append(e)
        return self.render("timeline.md.j2", "../", by_year=dict(by_year), data=data, total=len(events))

    def chip_page(self, chip: dict) -> str:
        chip_id = chip["chip_id"]
        skip = {"chip_id", "name"}
        specs = []
        for f in self.resource("chips").fields:
            value = chip.get(f["name"])
            if f["name"] in skip or f["name"].endswith("_precision") or value in (None, ""):
                continue
            specs.append({"header": self.header("chips", f["name"]), "field": f, "value": value,
                          "shown": self.dated(chip, f["name"]) if f.get("type") == "date" else value,
                          "sources": self.citations("chips", chip_id, f["name"])})
        relations = []
        for name in self.self_references("chips"):
            if chip.get(name) in self.chips:
                relations.append({"header": self.header("chips", name), "chips": [self.chips[chip[name]]], "direction": "parent"})
            children = sorted((c for c in self.chips.values() if c.get(name) == chip_id), key=lambda c: c["name"].lower())
            if children:
                relations.append({"header": self.header("chips", name), "chips": children, "direction": "children"})
        statuses = sorted((s for s in self.status if s["chip_id"] == chip_id), key=lambda s: (self.rules.get(s["rule_id"], {}).get("published_date", ""), s["rule_id"]))
        figures = sorted((f for f in self.figures if f.get("chip_id") == chip_id), key=_figure_order)
        return self.render("chip.md.j2", "../../", chip=chip, specs=specs, relations=relations, statuses=statuses,
                           events=self.events_of(self.chip_events[chip_id]), figures=figures,
                           whole=[c for c in self.citations("chips", chip_id) if not c["fields"]])

    def chips_index(self, folder: Path) -> str:
        charts = sitecharts.chip_overview(self, folder)
        columns = ["vendor_id", "china_specific", "market", "announced_date", "memory_gb", "memory_bandwidth_tbps", "interconnect_bandwidth_gbps",
                   "fp16_dense_tflops", "fp8_dense_tflops", "int8_dense_tops", "die_area_mm2", "tdp_w"]
        columns = [c for c in columns if self.field("chips", c)]
        chips = sorted(self.chips.values(), key=lambda c: (self.companies.get(c["vendor_id"], {}).get("name", c["vendor_id"]).lower(), c["name"].lower()))
        return self.render("chips.md.j2", "../", chips=chips, columns=columns, charts=charts)

    def rule_page(self, rule: dict, folder: Path) -> str:
        from chipcontrols.controls import LABELS

        rule_id = rule["rule_id"]
        lines = sorted((c for c in self.criteria if c["rule_id"] == rule_id), key=lambda c: (c["clause"], int(c["group"]), c["metric"], c["operator"]))
        statuses = [s for s in self.status if s["rule_id"] == rule_id]
        by_outcome = []
        for outcome in sorted(self.severity[::-1], key=lambda o: o == "undetermined"):  # most restrictive first, undecided last
            chips = sorted((s for s in statuses if s["outcome"] == outcome), key=lambda s: self.chips[s["chip_id"]]["name"].lower())
            if chips:
                by_outcome.append((outcome, chips))
        groups: dict[tuple, dict] = {}
        for c in lines:  # one row per group: its lines read together, as the rule applies them
            row = groups.setdefault((c["clause"], int(c["group"])), {"clause": c["clause"], "group": c["group"], "lines": [], "outcomes": [], "notes": []})
            row["lines"].append(self.line(c))
            row["outcomes"].append(c["outcome"])
            if c.get("note") and c["note"] not in row["notes"]:
                row["notes"].append(c["note"])
        for row in groups.values():
            row["outcome"] = max(row["outcomes"], key=lambda o: self.severity.index(o) if o in self.severity else -1)
        chart = sitecharts.rule_chart(self, rule, lines, statuses, folder)
        events = [self.events[e] for e in self.events if rule_id in self.references("events", self.events[e], "export_control_rules")]
        return self.render("rule.md.j2", "../../", rule=rule, lines=lines, groups=list(groups.values()), by_outcome=by_outcome, chart=chart, labels=LABELS, events=events,
                           superseded_by=self.rules.get(rule.get("superseded_by") or ""),
                           supersedes=[r for r in self.rules.values() if r.get("superseded_by") == rule_id])

    def rules_index(self) -> str:
        rules = sorted(self.rules.values(), key=lambda r: (r["published_date"], r["rule_id"]))
        counts = {r["rule_id"]: defaultdict(int) for r in rules}
        for s in self.status:
            counts[s["rule_id"]][s["outcome"]] += 1
        return self.render("rules.md.j2", "../", rules=rules, counts=counts)

    def company_page(self, company: dict) -> str:
        company_id = company["company_id"]
        chips = sorted((c for c in self.chips.values() if c.get("vendor_id") == company_id), key=lambda c: c["name"].lower())
        figures = sorted((f for f in self.figures if f.get("company_id") == company_id), key=_figure_order)
        parent = self.companies.get(company.get("parent_id") or "")
        subsidiaries = sorted((c for c in self.companies.values() if c.get("parent_id") == company_id), key=lambda c: c["name"].lower())
        return self.render("company.md.j2", "../../", company=company, chips=chips, figures=figures, parent=parent, subsidiaries=subsidiaries,
                           events=self.events_of(self.company_events[company_id]), sources=self.record_sources("companies", company_id))

    def companies_index(self) -> str:
        companies = sorted(self.companies.values(), key=lambda c: c["name"].lower())
        counts = {c["company_id"]: (len({r["event_id"] for r in self.company_events[c["company_id"]]}),
                                    sum(1 for chip in self.chips.values() if chip.get("vendor_id") == c["company_id"]),
                                    sum(1 for f in self.figures if f.get("company_id") == c["company_id"])) for c in companies}
        return self.render("companies.md.j2", "../", companies=companies, counts=counts)

    def money(self, folder: Path) -> str:
        chart = sitecharts.money_chart(self, folder)
        config = self.descriptor["x-site"]["revenueChart"]
        figures = sorted((f for f in self.figures if f["company_id"] == config["company_id"] and f["unit"] == "USD"), key=_figure_order)
        basis = "reporting_basis" if self.field("financial_figures", "reporting_basis") else None
        return self.render("money.md.j2", "../", config=config, chart=chart, figures=figures, basis_field=basis)

    def bibliography(self) -> str:
        cited_for = defaultdict(set)
        for (table, record), cites in self.cites.items():
            for c in cites:
                cited_for[c["source_id"]].add((table, record))
        by_publisher = defaultdict(list)
        for s in self.sources.values():
            by_publisher[s["publisher"]].append(s)
        groups = [(p, sorted(by_publisher[p], key=lambda s: (s["published_date"], s["source_id"]))) for p in sorted(by_publisher, key=str.lower)]
        return self.render("sources.md.j2", "../", groups=groups, cited_for={k: sorted(v) for k, v in cited_for.items()}, total=len(self.sources))

    def evidence(self) -> str:
        """The primary-evidence targets of the source policy, how far each is met, and every
        record short of one with what was searched for it."""
        from chipcontrols.policy import load_policy
        from chipcontrols.stats import compute, primary_kinds

        policy, _, _ = load_policy(self.package.root)
        stats = compute(self.tables, (policy or {}).get("primary_targets"))
        gaps = {(g["record_table"], g["record_id"]): g for g in self.records("evidence_gaps")}
        _, kinds = primary_kinds(self.tables["sources"]) if "sources" in self.tables else (None, set())
        return self.render("evidence.md.j2", "../", targets=stats.get("primary_targets", []), per_table=stats.get("citations_per_record", {}),
                           gaps=gaps, primary_kinds=[sitetext.words(k) for k in sorted(kinds)])

    def record_link(self, table: str, record_id: str, root: str) -> str | None:
        """Where a record has a page of its own, its address."""
        pages = {"chips": "chips", "companies": "companies", "export_control_rules": "rules"}
        if table in pages:
            return f"{root}{pages[table]}/{record_id}/"
        if table == "events":
            return f"{root}timeline/#{record_id}"
        return None


def _figure_order(f: dict) -> tuple:
    return (f.get("period_end") or f.get("reported_date") or "", f["figure_id"])


def _front_matter(title: str) -> str:
    return "---\ntitle: " + json.dumps(sitetext.plain_title(title), ensure_ascii=False) + "\n---\n\n"


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
    for key, record in site.chips.items():
        (pages / "chips" / key).mkdir(parents=True)
        (pages / "chips" / key / "index.md").write_text(_front_matter(record["name"]) + site.chip_page(record), encoding="utf-8")
    for key, record in site.rules.items():
        (pages / "rules" / key).mkdir(parents=True)  # the rule's chart goes beside its page
        (pages / "rules" / key / "index.md").write_text(_front_matter(site.rule_name(key)) + site.rule_page(record, pages / "rules" / key),
                                                        encoding="utf-8")
    for key, record in site.companies.items():
        (pages / "companies" / key).mkdir(parents=True)
        (pages / "companies" / key / "index.md").write_text(_front_matter(record["name"]) + site.company_page(record), encoding="utf-8")
    (pages / "chips" / "index.md").write_text(site.chips_index(pages / "chips"), encoding="utf-8")
    (pages / "rules" / "index.md").write_text(site.rules_index(), encoding="utf-8")
    (pages / "companies" / "index.md").write_text(site.companies_index(), encoding="utf-8")
    (pages / "money").mkdir()
    (pages / "money" / "index.md").write_text(site.money(pages / "money"), encoding="utf-8")
    (pages / "sources.md").write_text(site.bibliography(), encoding="utf-8")
    (pages / "evidence.md").write_text(site.evidence(), encoding="utf-8")
    root = package.root
    for name, target in (("CHANGELOG.md", "changelog.md"), ("CONTRIBUTING.md", "contributing.md"), ("docs/methodology.md", "methodology.md")):
        if (root / name).is_file():
            (pages / target).write_text((root / name).read_text(encoding="utf-8"), encoding="utf-8")
    (pages / "changelog.md").write_text(changelog_page.page(root, package.descriptor["version"]), encoding="utf-8")  # each release, table by table
    if (root / "docs" / "stylesheets").is_dir():
        shutil.copytree(root / "docs" / "stylesheets", pages / "stylesheets")
    shutil.copytree(ASSETS, pages / "javascripts")
    nav = [{"Home": "index.md"}, {"Timeline": "timeline.md"}, {"Chips": "chips/index.md"}, {"Rules": "rules/index.md"},
           {"Companies": "companies/index.md"}, {"Money": "money/index.md"}, {"Data dictionary": nav_tables}, {"Sources": "sources.md"}, {"Evidence": "evidence.md"},
           {"Methodology": "methodology.md"}, {"Contributing": "contributing.md"}, {"Changelog": "changelog.md"}]
    cookbook.add_to_site(package, pages, nav, created)  # research questions run against a release built here
    config = {"INHERIT": str((root / "mkdocs.yml").resolve()), "docs_dir": "site-src", "site_dir": str((root / "site").resolve()), "nav": nav,
              "extra_javascript": ["javascripts/timeline.js"]}
    config.update(publication.mkdocs_urls(package.descriptor))
    path = out / "mkdocs.yml"
    path.write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # JSON is valid YAML
    return path
