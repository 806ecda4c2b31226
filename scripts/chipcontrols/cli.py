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
    p = sub.add_parser("docs", help="generate the documentation site from the schemas and data, then build it with mkdocs --strict")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--no-build", action="store_true", help="only generate the pages (into build/docs)")
    p = sub.add_parser("stats", help="counts per table, citations per record, primary sources, records per year")
    p.add_argument("path", nargs="?", default="datapackage.json")
    p.add_argument("--format", choices=["text", "json"], default="text")
    return parser


def _descriptor(path: str) -> Path:
    descriptor = Path(path)
    if descriptor.is_dir():
        descriptor = descriptor / "datapackage.json"
    if not descriptor.is_file():
        raise UsageError(f"no package descriptor at {descriptor}: give the path of a datapackage.json")
    return descriptor


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
    return EXIT_OK if result.valid else EXIT_INVALID


def cmd_fmt(args) -> int:
    from chipcontrols.descriptor import load_package
    from chipcontrols.report import print_text

    package, problems = load_package(_descriptor(args.path))
    if package is None:
        print_text(problems)
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
    from chipcontrols.descriptor import load_package
    from chipcontrols.report import print_text
    from chipcontrols.stats import compute, print_stats
    from chipcontrols.validate import load_tables

    package, problems = load_package(_descriptor(args.path))
    if package is None:
        print_text(problems)
        return EXIT_INVALID
    stats = compute({n: t for n, t in load_tables(package).items() if t.readable})
    if args.format == "json":
        print(json.dumps(stats, indent=1, ensure_ascii=False))
    else:
        print_stats(stats)
    return EXIT_OK


COMMANDS = {"validate": cmd_validate, "fmt": cmd_fmt, "derive": cmd_derive, "build": cmd_build, "verify": cmd_verify,
            "cite": cmd_cite, "diff": cmd_diff, "docs": cmd_docs, "stats": cmd_stats}
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
    args = _parser().parse_args()
    code = _dispatch(args)
    if args.command in READ_ONLY:
        # nothing left to write but the report: skip the interpreter's teardown (collecting every
        # module's objects, freeing the tables piece by piece), 0.2 s of the real package's 1.0 s
        # validate and 0.3 s of a 1M-row one
        _flush_and_exit(code)
    return code


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
