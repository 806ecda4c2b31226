"""Validation benchmark: times the pyarrow floor, `chipcontrols validate` and `frictionless
validate` on synthetic copies of the package (generated from its own schemas), in one run, and
prints ratios. Each measurement runs in a fresh process; peak memory is the child's maximum
resident set size as the OS reports it. Not part of `make test` (tests run it at 1k rows)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import SHAPES, generate  # noqa: E402

# The floor: the cheapest correct parse. pyarrow's default splits the file at every line end, which
# misreads a line break inside a quoted cell; so newlines_in_values is set for exactly the files
# that hold one (found before timing, argv[2:]), and for no other.
FLOOR = """
import sys, json
import pyarrow as pa, pyarrow.csv as c
d = json.load(open(sys.argv[1]))
root = sys.argv[1].rsplit("/", 1)[0]
for r in d["resources"]:
    names = open(f"{root}/{r['path']}", encoding="utf-8").readline().rstrip("\\n").split(",")
    c.read_csv(f"{root}/{r['path']}", parse_options=c.ParseOptions(newlines_in_values=r["path"] in sys.argv[2:]),
               convert_options=c.ConvertOptions(column_types={n: pa.string() for n in names}))
"""

# Runs a command and reports its wall time and peak memory: as the only child of this wrapper,
# RUSAGE_CHILDREN is exactly that command's.
MEASURE = """
import resource, subprocess, sys, time, json
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "code": result.returncode}))
"""


def _generate(target: Path, n: int, errors: int, shape: str) -> tuple[Path, list]:
    injected: list = []
    return generate(target, n, errors=errors, shape=shape, injected=injected), injected


def generate_apart(target: Path, n: int, errors: int, shape: str) -> tuple[Path, list]:
    """Generate in a child process: the rows it builds (gigabytes of Python objects at 1M rows)
    then leave with it instead of staying in this process while the timings run."""
    with ProcessPoolExecutor(max_workers=1) as child:
        return child.submit(_generate, target, n, errors, shape).result()


def _sample(command: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _summary(samples: list[dict]) -> dict:
    return {"seconds": statistics.median(s["seconds"] for s in samples), "peak_mb": max(s["peak_mb"] for s in samples),
            "code": samples[0]["code"], "samples": [round(s["seconds"], 3) for s in samples]}


def measure(command: list[str], runs: int) -> dict:
    return _summary([_sample(command) for _ in range(runs)])


def measure_against_floor(floor: list[str], ours: list[str], runs: int) -> tuple[dict, dict, float]:
    """Floor and ours run in turn, run after run, so a noisy spell on the machine hits both; the
    ratio is the median of the per-run ratios. `ours["best_ratio"]` compares the fastest run of
    each: noise here only ever adds time (other work, memory reclaim), so the minimum is the
    steadiest estimate of what the code costs (as the timeit documentation advises)."""
    os.sync()  # the files were just written: let their write-back finish before any timing
    _sample(floor), _sample(ours)  # warm-up, not counted: caches and page tables as a second run finds them
    pairs = [(_sample(floor), _sample(ours)) for _ in range(runs)]
    if any(f["code"] != 0 for f, _ in pairs):
        raise SystemExit(f"the floor failed (exit {pairs[0][0]['code']}): its time would mean nothing")
    ratios = sorted(o["seconds"] / f["seconds"] for f, o in pairs)
    floor, ours = _summary([f for f, _ in pairs]), _summary([o for _, o in pairs])
    ours["ratios"] = [round(r, 2) for r in ratios]
    ours["best_ratio"] = min(o["seconds"] for _, o in pairs) / min(f["seconds"] for f, _ in pairs)
    return floor, ours, statistics.median(ratios)


@dataclass
class CsvFacts:
    rows: int  # data rows, not lines: a cell may hold a line break
    size: int  # bytes after the header
    line_breaks_in_cells: bool


def csv_facts(descriptor: Path) -> dict[str, CsvFacts]:
    """Per resource path, read once with the csv module (untimed)."""
    facts = {}
    for resource in json.loads(descriptor.read_text())["resources"]:
        path = descriptor.parent / resource["path"]
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = len(",".join(next(reader, []))) + 1
            rows, breaks = 0, False
            for row in reader:
                rows += 1
                breaks = breaks or any("\n" in cell for cell in row)
        facts[resource["path"]] = CsvFacts(rows, path.stat().st_size - header, breaks)
    return facts


def floor_command(descriptor: Path, facts: dict[str, CsvFacts]) -> list[str]:
    return [sys.executable, "-c", FLOOR, str(descriptor), *(path for path, f in facts.items() if f.line_breaks_in_cells)]


def csv_bytes(descriptor: Path) -> int:
    return sum(p.stat().st_size for p in (descriptor.parent / "datapackage").glob("*.csv"))


def row_widths(facts: dict[str, CsvFacts]) -> dict[str, float]:
    """Mean bytes per row of each table."""
    return {Path(path).stem: f.size / max(f.rows, 1) for path, f in sorted(facts.items())}


def rows_in(facts: dict[str, CsvFacts]) -> int:
    return sum(f.rows for f in facts.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="rows of events (and of citations)")
    parser.add_argument("--errors", type=int, default=10_000, help="errors injected in the error run at the largest size")
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (the median is reported)")
    parser.add_argument("--shape", choices=SHAPES, default="real",
                        help="real: free text as long as in the committed package (the default); narrow: each field's example only")
    parser.add_argument("--frictionless-rows", type=int, default=100_000, help="size at which frictionless is measured, then scaled linearly")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    ours = [python, "-m", "chipcontrols", "validate"]
    frictionless = [str(Path(python).parent / "frictionless"), "validate"]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sizes = sorted(set(args.rows))
        for n in sizes:
            descriptor, _ = generate_apart(Path(tmp) / f"clean-{n}", n, 0, args.shape)
            facts = csv_facts(descriptor)
            rows, size = rows_in(facts), csv_bytes(descriptor)
            floor, mine, ratio = measure_against_floor(floor_command(descriptor, facts), [*ours, str(descriptor)], args.runs)
            entry = {"label": f"{n:,} clean", "rows": rows, "mb": size / 1e6, "floor": floor, "ours": mine, "ratio": ratio,
                     "widths": row_widths(facts), "descriptor": str(descriptor)}
            if n == min(args.frictionless_rows, max(sizes)) or n == args.frictionless_rows:
                fr = measure([*frictionless, str(descriptor)], 1)
                entry["frictionless"] = fr
            results.append(entry)
        if args.errors:
            n = max(sizes)
            descriptor, injected = generate_apart(Path(tmp) / f"errors-{n}", n, args.errors, args.shape)
            out = subprocess.run([*ours, str(descriptor), "--format", "json"], capture_output=True, text=True)
            problems = json.loads(out.stdout)["problems"]
            found = {(p["file"], p["line"], p["field"], p["rule"]) for p in problems}
            reported = len(problems)
            missed = sum(1 for i in injected if tuple(i) not in found)
            facts = csv_facts(descriptor)
            floor, mine, ratio = measure_against_floor(floor_command(descriptor, facts), [*ours, str(descriptor)], args.runs)
            clean_twin = next(r["descriptor"] for r in results if r["label"] == f"{n:,} clean")
            _, twin, versus_clean = measure_against_floor([*ours, clean_twin], [*ours, str(descriptor)], args.runs)
            results.append({"label": f"{n:,} with {args.errors:,} errors", "versus_clean": versus_clean, "versus_clean_best": twin["best_ratio"], "rows": rows_in(facts), "mb": csv_bytes(descriptor) / 1e6,
                            "floor": floor, "ours": mine, "ratio": ratio, "reported": reported,
                            "injected": len(injected), "missed": missed})
    fr_entry = next((r for r in results if "frictionless" in r), None)
    fr_rate = fr_entry["rows"] / fr_entry["frictionless"]["seconds"] if fr_entry else None
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"{'run':28} {'rows':>10} {'MB':>7} {'floor s':>8} {'ours s':>8} {'x floor':>8} {'best x':>7} {'peak MB':>8} {'x size':>7} {'rows/s':>11} {'fl. s':>9} {'speed-up':>9}")
    for r in results:
        fl_seconds = r["frictionless"]["seconds"] if "frictionless" in r else (r["rows"] / fr_rate if fr_rate else float("nan"))
        note = "" if "frictionless" in r else "*"
        print(f"{r['label']:28} {r['rows']:>10,} {r['mb']:>7.1f} {r['floor']['seconds']:>8.2f} {r['ours']['seconds']:>8.2f} "
              f"{r['ratio']:>8.2f} {r['ours']['best_ratio']:>7.2f} {r['ours']['peak_mb']:>8.0f} {r['ours']['peak_mb'] / r['mb']:>7.2f} "
              f"{r['rows'] / r['ours']['seconds']:>11,.0f} {fl_seconds:>8.1f}{note} {fl_seconds / r['ours']['seconds']:>9.1f}")
    clean = [r for r in results if r["label"].endswith("clean")]
    if len(clean) >= 2:
        small, large = clean[-2], clean[-1]
        print(f"scaling: {large['rows'] / small['rows']:.0f}x the rows took {large['ours']['seconds'] / small['ours']['seconds']:.1f}x the time")
    errors = next((r for r in results if "reported" in r), None)
    if errors:
        print(f"error run: {errors['injected']:,} errors injected, {errors['injected'] - errors['missed']:,} of them reported at their file, "
              f"line, field and rule ({errors['reported']:,} problems in all, as the damage also leaves records uncited); "
              f"time {errors['versus_clean']:.2f}x the clean run (median of per-run ratios, the two run in turn; "
              f"{errors['versus_clean_best']:.2f}x fastest against fastest)")
    for r in results:
        print(f"{r['label']}: floor s {r['floor']['samples']}, ours s {r['ours']['samples']}, x floor per run {r['ours']['ratios']}")
    widths = clean[-1]["widths"] if clean else {}
    print(f"shape {args.shape}: bytes per row " + ", ".join(f"{name} {w:.0f}" for name, w in widths.items()))
    print("floor = a fresh Python process reading every CSV with pyarrow (all columns as text; newlines_in_values only for "
          "files with a line break in a cell); ours = `chipcontrols validate` "
          "(every check it runs on the real package); medians of", args.runs, "runs, floor and ours in turn; x floor is the median "
          "of the per-run ratios, best x the fastest run of ours over the fastest floor. * frictionless measured once at "
          f"{fr_entry['label'] if fr_entry else '-'} and scaled linearly by rows.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
