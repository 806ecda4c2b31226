"""The one command-line interface: `chipcontrols <command>` (or `python -m chipcontrols`)."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chipcontrols", description="Validate, format and build the ai-chip-export-controls data package.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check the package and report every problem")
    p.add_argument("path", nargs="?", default="datapackage.json", help="the package descriptor (default: ./datapackage.json)")
    p.add_argument("--format", choices=["text", "json", "github"], default="text")
    p = sub.add_parser("fmt", help="rewrite the CSVs canonically (sorted, normal quoting and line endings)")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--check", action="store_true", help="only report files that would change; exit 1 if any")
    p = sub.add_parser("derive", help="recompute the derived tables (e.g. chip_rule_status) from the curated ones")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p = sub.add_parser("build", help="validate, then publish a reproducible release into dist/")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--dist", default=None, help="output folder (default: dist/ next to the descriptor)")
    p = sub.add_parser("verify", help="check a downloaded release (folder or zip) against its checksums and Frictionless")
    p.add_argument("release", help="a release folder or .zip")
    p = sub.add_parser("cite", help="print the citation of the current version")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--format", choices=["bibtex", "apa", "cff"], default="apa")
    p = sub.add_parser("diff", help="compare two releases (folders or zips) table by table and row by key")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--format", choices=["markdown", "json"], default="markdown")
    p.add_argument("--check-bump", action="store_true", help="exit 1 if the new version is lower than the change needs")
    p.add_argument("--last-release", default=None, help="with --check-bump: the last released version, when the old one is not released")
    p = sub.add_parser("metadata", help="write CITATION.cff and .zenodo.json from datapackage.json and CHANGELOG.md")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--check", action="store_true", help="only report files that would change; exit 1 if any")
    p = sub.add_parser("release-notes", help="check that a tag may be released, then print its release notes")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--tag", required=True, help="the tag being released, v<version>")
    p.add_argument("--output", default=None, help="write the notes to this file (default: print them)")
    p = sub.add_parser("docs", help="generate the documentation site from the schemas and data, then build it with mkdocs --strict")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--no-build", action="store_true", help="only generate the pages (into build/docs)")
    p = sub.add_parser("stats", help="counts per table, citations per record, primary sources and targets, records per year")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--short", action="store_true", help="also list every record short of a primary-evidence target")
    p = sub.add_parser("audit-sample", help="draw a seeded random sample of citations, stratified by table, for a self-audit")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--size", type=int, default=60, help="how many citations (default 60)")
    p.add_argument("--seed", type=int, required=True, help="the random seed: the same data and seed give the same sample")
    p = sub.add_parser("check-sources", help="re-check every quote against a saved copy of its source (no network unless --fetch)")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--snapshots", required=True, metavar="DIR", help="folder of saved copies: DIR/<source_id>.html, .txt or .pdf (.gone: the page was gone)")
    p.add_argument("--fetch", action="store_true", help="first save missing copies into DIR (https only, robots.txt obeyed, rate-limited; archive_url as fallback)")
    p.add_argument("--require-all", action="store_true", help="a source without a saved copy is an error, not a warning")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per request with --fetch (default 20)")
    p.add_argument("--delay", type=float, default=2.0, help="seconds between requests to one host with --fetch (default 2)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    return parser


def _descriptor(path: str) -> Path:
    descriptor = Path(path)
    if descriptor.is_dir():
        descriptor = descriptor / "datapackage.json"
    if not descriptor.is_file():
        raise UsageError(f"no package descriptor at {descriptor}: give the path of a datapackage.json")
    return descriptor


def _package(path: str):
    """The package at `path`, or None after printing why its descriptor cannot be read."""
    from chipcontrols.descriptor import load_package
    from chipcontrols.report import print_text

    package, problems = load_package(_descriptor(path))
    if package is None:
        print_text(problems)
    return package


class UsageError(Exception):
    pass


def cmd_validate(args) -> int:
    from chipcontrols.arrays import use_jemalloc
    from chipcontrols.prefetch import Prefetch

    descriptor = _descriptor(args.path)
    use_jemalloc()
    prefetch = Prefetch(descriptor).start()  # the CSVs are parsed while the imports below run
    from chipcontrols.quality import COLUMNS_USED, QUALITY_CHECKS
    from chipcontrols.report import as_github, as_json, print_text
    from chipcontrols.validate import validate

    result = validate(descriptor, extra_checks=QUALITY_CHECKS, columns_used=COLUMNS_USED, keep_all_columns=False, prefetch=prefetch)
    if args.format == "json":
        print(as_json(result.problems))
    elif args.format == "github":
        print(as_github(result.problems))
    else:
        print_text(result.problems)
    if args.format != "github" and os.environ.get("GITHUB_ACTIONS") == "true":
        print(as_github(result.problems))
    if args.format == "github" or os.environ.get("GITHUB_ACTIONS") == "true":
        _write_job_summary(result.problems)
    return EXIT_OK if result.valid else EXIT_INVALID


def _write_job_summary(problems) -> None:
    """On GitHub Actions, list every problem in the job summary (a step shows only its first annotations)."""
    from chipcontrols.report import as_summary

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(as_summary(problems))


def cmd_fmt(args) -> int:
    from chipcontrols.report import print_text

    package = _package(args.path)
    if package is None:
        return EXIT_INVALID
    refused = []
    for resource in package.resources:
        if args.check:
            from chipcontrols.fmt import would_change

            changed, blocking = would_change(package, resource)
        else:
            from chipcontrols.fmt import format_resource

            changed, blocking = format_resource(package, resource)
        refused += blocking
        if changed:
            print(f"{'would reformat' if args.check else 'reformatted'} {package.rel(resource.path)}")
    if refused:
        print("fmt left these files unchanged, because their values cannot be read without guessing:", file=sys.stderr)
        print_text(refused)
        return EXIT_INVALID
    return EXIT_OK


def cmd_derive(args) -> int:
    from chipcontrols.derive import derive
    from chipcontrols.report import print_text
    from chipcontrols.validate import validate

    result = validate(_descriptor(args.path), skip_derived=True)
    derived = {result.package.rel(r.path) for r in result.package.resources if r.derived} if result.package else set()
    blocking = [p for p in result.errors if p.file not in derived]
    if blocking or result.package is None:
        print("derive needs valid curated tables first:", file=sys.stderr)
        print_text(blocking or result.errors)
        return EXIT_INVALID
    for path in derive(result.package, result.tables):
        print(f"derived {path}")
    return EXIT_OK


def cmd_build(args) -> int:
    from chipcontrols.quality import QUALITY_CHECKS
    from chipcontrols.release import BuildError, build
    from chipcontrols.report import print_text
    from chipcontrols.validate import validate

    descriptor = _descriptor(args.path)
    result = validate(descriptor, extra_checks=QUALITY_CHECKS)
    if not result.valid:
        print_text(result.problems)
        print("build refused: the package is not valid", file=sys.stderr)
        return EXIT_INVALID
    warnings = [p for p in result.problems if p.severity == "warning"]
    if warnings:
        print(f"valid, with {len(warnings)} warning(s) (run `chipcontrols validate` to see them)")
    dist = Path(args.dist) if args.dist else descriptor.parent / "dist"
    try:
        for path in build(result.package, dist):
            print(f"wrote {path}")
    except BuildError as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def cmd_verify(args) -> int:
    from chipcontrols.report import print_text
    from chipcontrols.verify import verify

    if not Path(args.release).exists():
        raise UsageError(f"no release at {args.release}: give a release folder or .zip")
    problems = verify(Path(args.release))
    print_text(problems)
    return EXIT_INVALID if problems else EXIT_OK


def cmd_cite(args) -> int:
    from chipcontrols.cite import citation

    print(citation(_descriptor(args.path).parent, args.format))
    return EXIT_OK


def cmd_diff(args) -> int:
    from chipcontrols.release_diff import diff, to_markdown

    for path in (args.old, args.new):
        if not Path(path).exists():
            raise UsageError(f"no release at {path}: give two release folders or .zip files")
    try:
        result = diff(Path(args.old), Path(args.new))
    except (ValueError, KeyError, OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot compare these releases: {exc}") from exc
    print(json.dumps(result, indent=1, ensure_ascii=False) if args.format == "json" else to_markdown(result))
    return _check_bump(args, result) if args.check_bump else EXIT_OK


def _check_bump(args, result: dict) -> int:
    from rich.console import Console

    from chipcontrols.problems import Problem
    from chipcontrols.report import print_text
    from chipcontrols.versioning import needed_version, parse

    old, new = parse(result["old_version"]), parse(result["new_version"])
    last = parse(args.last_release) if args.last_release else None
    if old is None or new is None or (args.last_release and last is None):
        raise UsageError("--check-bump needs MAJOR.MINOR.PATCH versions in both releases (and in --last-release)")
    needed = needed_version(old, result["suggested_bump"], last)
    if new >= needed:
        return EXIT_OK
    shown, required = ".".join(map(str, new)), ".".join(map(str, needed))
    reason = ", ".join(f"{name}: " + ", ".join(k.replace("_", " ") for k in entry) for name, entry in list(result["tables"].items())[:3])
    print_text([Problem("version-bump", "datapackage.json", value=shown, params={"last": ".".join(map(str, last or old)), "bump": result["suggested_bump"],
                                                                                "reason": reason, "required": required})],
               console=Console(stderr=True, highlight=False, soft_wrap=True))  # stdout holds the diff, for the job summary
    return EXIT_INVALID


def cmd_metadata(args) -> int:
    from chipcontrols.publication import metadata_files, stale_metadata

    root = _descriptor(args.path).parent
    try:
        stale = stale_metadata(root)
        files = metadata_files(root)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    for name in stale:
        if not args.check:
            (root / name).write_text(files[name], encoding="utf-8")
        print(f"{'would rewrite' if args.check else 'wrote'} {name}")
    return EXIT_INVALID if args.check and stale else EXIT_OK


def cmd_release_notes(args) -> int:
    from chipcontrols.release_notes import check, notes
    from chipcontrols.report import print_text

    root = _descriptor(args.path).parent
    problems = check(root, args.tag)
    if problems:
        print_text(problems)
        print(f"release refused: {args.tag} cannot be released as it stands", file=sys.stderr)
        return EXIT_INVALID
    text = notes(root)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return EXIT_OK


def cmd_docs(args) -> int:
    import subprocess

    from chipcontrols.release import BuildError, iso, source_date_epoch
    from chipcontrols.report import print_text
    from chipcontrols.site import generate
    from chipcontrols.validate import validate

    descriptor = _descriptor(args.path)
    result = validate(descriptor)
    if not result.valid:
        print_text(result.errors)
        return EXIT_INVALID
    try:
        created = iso(source_date_epoch(result.package.root))
    except BuildError as exc:
        raise UsageError(str(exc)) from exc
    config = generate(result.package, result.tables, result.package.root / "build" / "docs", created)
    print(f"generated {result.package.rel(config.parent)}")
    if args.no_build:
        return EXIT_OK
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)], capture_output=True, text=True)
    if built.returncode != 0:
        print(built.stdout + built.stderr, file=sys.stderr)
        raise UsageError("mkdocs build --strict failed (see above)")
    print(f"built {result.package.rel(result.package.root / 'site')}")
    return EXIT_OK


def cmd_stats(args) -> int:
    from chipcontrols.policy import load_policy
    from chipcontrols.stats import compute, print_stats
    from chipcontrols.table import load_tables

    package = _package(args.path)
    if package is None:
        return EXIT_INVALID
    policy, _, _ = load_policy(package.root)
    stats = compute({n: t for n, t in load_tables(package).items() if t.readable}, (policy or {}).get("primary_targets"))
    if args.format == "json":
        print(json.dumps(stats, indent=1, ensure_ascii=False))
    else:
        print_stats(stats, short=args.short)
    return EXIT_OK


def cmd_audit_sample(args) -> int:
    import csv

    from chipcontrols.audit import sample_citations

    package = _package(args.path)
    if package is None:
        return EXIT_INVALID
    citations = next((r for r in package.resources if r.name == "citations"), None)
    if citations is None:
        raise UsageError("this package has no citations resource to sample")
    rows = sample_citations(citations.path, args.size, args.seed)
    writer = csv.DictWriter(sys.stdout, fieldnames=["line", "record_table", "record_id", "source_id", "field", "quote", "locator"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return EXIT_OK


def cmd_check_sources(args) -> int:
    from chipcontrols.checksources import as_json, check_sources, summary
    from chipcontrols.integrity import cites
    from chipcontrols.report import print_text
    from chipcontrols.table import load_table

    package = _package(args.path)
    if package is None:
        return EXIT_INVALID
    folder = Path(args.snapshots)
    if not folder.is_dir() and not args.fetch:
        raise UsageError(f"no folder of saved copies at {folder}: give an existing folder, or add --fetch to fill it")
    tables = {r.name: load_table(package, r) for r in package.resources}
    citations = next((t for t in tables.values() if cites(t)), None)
    if citations is None or not citations.complete or not {"source_id", "quote"} <= set(citations.text):
        print_text([p for t in tables.values() for p in t.problems])
        raise UsageError("no readable citations table in this package (run `chipcontrols validate`)")
    if args.fetch:
        from chipcontrols.fetch import fetch_missing, user_agent

        fk = next(fk for fk in citations.resource.foreign_keys if fk["fields"] in (["source_id"], "source_id"))
        sources = tables[fk["reference"]["resource"]]
        cited = set(citations.values("source_id"))
        wanted = [(sid, url, archive) for sid, url, archive in zip(sources.values("source_id"), sources.values("url"),
                  sources.values("archive_url") if "archive_url" in sources.text else [""] * len(sources.lines)) if sid in cited]
        agent = user_agent(package.descriptor.get("version", "0"), package.descriptor.get("homepage", ""))
        for line in fetch_missing(wanted, folder, agent, args.timeout, args.delay):
            print(line, file=sys.stderr)
    checks, found = check_sources(citations, folder, require_all=args.require_all)
    if args.format == "json":
        print(json.dumps(as_json(checks, found), ensure_ascii=False, indent=1))
    else:
        print_text(found)
        print("citations: " + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in summary(checks).items()))
    return EXIT_INVALID if any(p.severity == "error" for p in found) else EXIT_OK


COMMANDS = {"validate": cmd_validate, "fmt": cmd_fmt, "derive": cmd_derive, "build": cmd_build, "verify": cmd_verify,
            "cite": cmd_cite, "diff": cmd_diff, "docs": cmd_docs, "stats": cmd_stats, "metadata": cmd_metadata,
            "release-notes": cmd_release_notes, "audit-sample": cmd_audit_sample,
            "check-sources": cmd_check_sources}
# Commands that only read and print: they end without the interpreter's teardown (see `run`).
READ_ONLY = {"validate"}


def run() -> int:
    """The program's entry point (console script and `python -m chipcontrols`): a process of its own."""
    # pandera imports hypothesis (to synthesise test data, never done here) whenever it is
    # installed, and the test tools share this environment: 0.08 s of every command. Only at the
    # entry point, so a test calling `main` can still import hypothesis afterwards.
    sys.modules.setdefault("hypothesis", None)
    # A command is one short process whose data live in Arrow buffers, not Python objects: the
    # cyclic collector would only re-scan what the imports create, over and over (10% of a 1M-row
    # validate, 14% of the real package's). Peak memory of build and docs measured unchanged.
    gc.disable()
    _no_tracebacks()
    args = _parser().parse_args()
    code = _dispatch(args)
    if args.command in READ_ONLY:
        # nothing left to write but the report: skip the interpreter's teardown (collecting every
        # module's objects, freeing the tables piece by piece), 0.2 s of the real package's 1.0 s
        # validate and 0.3 s of a 1M-row one
        _flush_and_exit(code)
    return code


def _no_tracebacks() -> None:
    """An error raised where no caller can catch it (a library's callback, a thread) is printed by
    Python with a traceback. A contributor sees one line instead; CHIPCONTROLS_DEBUG=1 shows all."""
    import threading

    if os.environ.get("CHIPCONTROLS_DEBUG"):
        return
    previous = sys.unraisablehook

    def unraisable(args) -> None:  # noqa: ANN001 - sys.unraisablehook's signature
        if getattr(args.object, "chipcontrols_failures", None) is not None:
            previous(args)  # a parse's own callback: csvfile files the error with that parse
            return
        print(f"chipcontrols: note: ignored {type(args.exc_value).__name__} in a library callback ({args.exc_value}); "
              "the report below is complete. Set CHIPCONTROLS_DEBUG=1 for details.", file=sys.stderr)

    def in_thread(args) -> None:  # noqa: ANN001 - threading.excepthook's signature
        if args.exc_type is SystemExit:
            return
        print(f"chipcontrols: internal error in thread {args.thread.name if args.thread else '?'} "
              f"({args.exc_type.__name__}: {args.exc_value}). Set CHIPCONTROLS_DEBUG=1 for details.", file=sys.stderr)

    sys.unraisablehook = unraisable
    threading.excepthook = in_thread


def _flush_and_exit(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a reader that went away: as at a normal exit, the code still tells the outcome
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    return _dispatch(_parser().parse_args(argv))


def _dispatch(args: argparse.Namespace) -> int:
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"chipcontrols: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, MemoryError) as exc:
        print(f"chipcontrols: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a contributor must never see a traceback
        if os.environ.get("CHIPCONTROLS_DEBUG"):
            raise
        print(f"chipcontrols: internal error ({type(exc).__name__}: {exc}). This is a bug in chipcontrols, not in your data: "
              "please report it with the file you were checking (set CHIPCONTROLS_DEBUG=1 for details).", file=sys.stderr)
        return EXIT_USAGE
