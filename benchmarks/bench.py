"""Validation benchmark: times the pyarrow floor, `chipcontrols validate` and `frictionless
validate` in one run, on two shapes: synthetic copies of the package (generated from its own
schemas, synth.py) and the committed package grown k-fold (every event copied with its links and
citations, grow.py); prints ratios, and each shape's per-row cost against the floor's. Each
measurement runs in a fresh process; peak memory is the child's maximum resident set size as the
OS reports it. Not part of `make test` (tests run it at 1k rows)."""

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
from grow import events_in, grow  # noqa: E402
from synth import SHAPES, generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

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

# Runs a command and reports its wall time and peak memory (in MB of 10^6 bytes, as the CSV sizes
# are): as the only child of this wrapper, RUSAGE_CHILDREN is exactly that command's.
MEASURE = """
import resource, subprocess, sys, time, json
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e6, "code": result.returncode}))
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


def in_turn(commands: list[list[str]], runs: int) -> list[list[dict]]:
    """Every command once per run, in turn, run after run, so a noisy spell on the machine hits
    all of them; one warm-up of each first (not counted): caches and page tables as a second run
    finds them. Returns each command's samples."""
    os.sync()  # the files were just written: let their write-back finish before any timing
    for command in commands:
        _sample(command)
    samples: list[list[dict]] = [[] for _ in commands]
    for _ in range(runs):
        for command, taken in zip(commands, samples):
            taken.append(_sample(command))
    return samples


def timed_sizes(packages: list[tuple[str, Path]], ours: list[str], runs: int) -> list[dict]:
    """Floor and ours on every package, all in turn (see `in_turn`): the per-row cost below
    compares runs taken side by side."""
    facts = [csv_facts(descriptor) for _, descriptor in packages]
    commands = [c for (_, descriptor), f in zip(packages, facts) for c in (floor_command(descriptor, f), [*ours, str(descriptor)])]
    samples = in_turn(commands, runs)
    entries = []
    for k, ((label, descriptor), f) in enumerate(zip(packages, facts)):
        floors, mine = samples[2 * k], samples[2 * k + 1]
        if any(s["code"] != 0 for s in floors):
            raise SystemExit(f"the floor failed on {label}: its time would mean nothing")
        ratios = sorted(o["seconds"] / fl["seconds"] for fl, o in zip(floors, mine))
        floor, ours_summary = _summary(floors), _summary(mine)
        ours_summary["ratios"] = [round(r, 2) for r in ratios]
        ours_summary["best_ratio"] = min(o["seconds"] for o in mine) / min(fl["seconds"] for fl in floors)
        entries.append({"label": label, "rows": rows_in(f), "mb": csv_bytes(descriptor) / 1e6, "floor": floor, "ours": ours_summary,
                        "ratio": statistics.median(ratios), "widths": row_widths(f), "descriptor": str(descriptor),
                        "floor_runs": [s["seconds"] for s in floors], "ours_runs": [s["seconds"] for s in mine]})
    return entries


def per_row_cost(small: dict, large: dict) -> dict:
    """What each added row costs ours against the floor: (ours at large - ours at small) over
    (floor at large - floor at small), per run (the four taken in turn) and from the medians;
    and the fixed start of each (the time at zero rows, on the line through the two sizes)."""
    def slope(a, b):
        return (b - a) / (large["rows"] - small["rows"])

    per_run = sorted((ol - os_) / (fl - fs) for fs, os_, fl, ol in
                     zip(small["floor_runs"], small["ours_runs"], large["floor_runs"], large["ours_runs"]) if fl > fs)
    floor_slope = slope(small["floor"]["seconds"], large["floor"]["seconds"])
    ours_slope = slope(small["ours"]["seconds"], large["ours"]["seconds"])
    return {"small": small["label"], "large": large["label"], "ratio": ours_slope / floor_slope if floor_slope > 0 else float("nan"),
            "per_run": [round(r, 2) for r in per_run], "per_run_median": statistics.median(per_run) if per_run else float("nan"),
            "floor_us_per_row": floor_slope * 1e6, "ours_us_per_row": ours_slope * 1e6,
            "floor_start": small["floor"]["seconds"] - floor_slope * small["rows"], "ours_start": small["ours"]["seconds"] - ours_slope * small["rows"]}


def error_run(descriptor: Path, injected: list, clean_twin: str, ours: list[str], runs: int, label: str) -> dict:
    """Every injected error must be in the JSON report at its file, line, field and rule; then the
    run is timed against the floor and against its clean twin."""
    out = subprocess.run([*ours, str(descriptor), "--format", "json"], capture_output=True, text=True)
    problems = json.loads(out.stdout)["problems"]
    found = {(p["file"], p["line"], p["field"], p["rule"]) for p in problems}
    missed = sum(1 for i in injected if tuple(i) not in found)
    entry = timed_sizes([(label, descriptor)], ours, runs)[0]
    twin, damaged = in_turn([[*ours, clean_twin], [*ours, str(descriptor)]], runs)
    versus = sorted(d["seconds"] / t["seconds"] for t, d in zip(twin, damaged))
    entry.update({"versus_clean": statistics.median(versus), "versus_clean_best": min(d["seconds"] for d in damaged) / min(t["seconds"] for t in twin),
                  "reported": len(problems), "injected": len(injected), "missed": missed})
    return entry


def grow_apart(target: Path, copies: int, errors: int) -> tuple[Path, list]:
    with ProcessPoolExecutor(max_workers=1) as child:
        return child.submit(_grow, target, copies, errors).result()


def _grow(target: Path, copies: int, errors: int) -> tuple[Path, list]:
    injected: list = []
    return grow(target, copies, errors=errors, injected=injected), injected


def versus_ref(ref: str, tmp: Path, descriptor: Path, runs: int) -> dict:
    """`chipcontrols validate` on `descriptor` with the code of git commit `ref` (exported to a
    temporary folder, run with the same interpreter and libraries) and with this code, in turn."""
    code = tmp / f"code-{ref}"
    code.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "scripts"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "scripts")], check=True)
    before = ["env", f"PYTHONPATH={code / 'scripts'}", sys.executable, "-m", "chipcontrols", "validate", str(descriptor)]
    now = ["env", f"PYTHONPATH={ROOT / 'scripts'}", sys.executable, "-m", "chipcontrols", "validate", str(descriptor)]
    then, here = in_turn([before, now], runs)
    ratios = sorted(n["seconds"] / b["seconds"] for b, n in zip(then, here))
    return {"ref": ref, "before": _summary(then), "now": _summary(here), "ratio": statistics.median(ratios), "ratios": [round(r, 2) for r in ratios],
            "best_ratio": min(n["seconds"] for n in here) / min(b["seconds"] for b in then)}


def print_table(title: str, results: list[dict], fr_rate: float | None) -> None:
    print(title)
    print(f"{'run':28} {'rows':>10} {'MB':>7} {'floor s':>8} {'ours s':>8} {'x floor':>8} {'best x':>7} {'peak MB':>8} {'x size':>7} {'rows/s':>11} {'fl. s':>9} {'speed-up':>9}")
    for r in results:
        fl_seconds = r["frictionless"]["seconds"] if "frictionless" in r else (r["rows"] / fr_rate if fr_rate else None)
        note = "" if "frictionless" in r else "*"
        versus = f"{fl_seconds:>8.1f}{note} {fl_seconds / r['ours']['seconds']:>9.1f}" if fl_seconds else f"{'-':>9} {'-':>9}"
        print(f"{r['label']:28} {r['rows']:>10,} {r['mb']:>7.1f} {r['floor']['seconds']:>8.2f} {r['ours']['seconds']:>8.2f} "
              f"{r['ratio']:>8.2f} {r['ours']['best_ratio']:>7.2f} {r['ours']['peak_mb']:>8.0f} {r['ours']['peak_mb'] / r['mb']:>7.2f} "
              f"{r['rows'] / r['ours']['seconds']:>11,.0f} {versus}")


def print_per_row(name: str, cost: dict) -> None:
    print(f"per-row cost, {name} ({cost['small']} to {cost['large']}): ours {cost['ours_us_per_row']:.2f} us a row, floor "
          f"{cost['floor_us_per_row']:.2f} us: {cost['ratio']:.2f}x the floor's (from the medians; per run, the four in turn: median "
          f"{cost['per_run_median']:.2f}, all {cost['per_run']}); fixed start (the line through the two sizes at zero rows): "
          f"ours {cost['ours_start']:.2f} s, floor {cost['floor_start']:.2f} s")


def print_errors(errors: dict) -> None:
    print(f"error run, {errors['label']}: {errors['injected']:,} errors injected, {errors['injected'] - errors['missed']:,} of them reported at their file, "
          f"line, field and rule ({errors['reported']:,} problems in all, as the damage also leaves records uncited); "
          f"time {errors['versus_clean']:.2f}x the clean run (median of per-run ratios, the two run in turn; "
          f"{errors['versus_clean_best']:.2f}x fastest against fastest)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000, 1_000_000], help="synthetic shape: rows of events (and of citations)")
    parser.add_argument("--grown", type=int, nargs="*", default=[100_000, 500_000],
                        help="real shape: the committed package grown to about this many events (each event copied with its links and citations)")
    parser.add_argument("--errors", type=int, default=10_000, help="errors injected in the error run at the largest size of each shape")
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (the median is reported)")
    parser.add_argument("--shape", choices=SHAPES, default="real",
                        help="synthetic text: real: free text as long as in the committed package (the default); narrow: each field's example only")
    parser.add_argument("--frictionless-rows", type=int, default=100_000, help="size at which frictionless is measured, then scaled linearly")
    parser.add_argument("--versus", metavar="GIT_REF", help="also time the committed package's validate with the code of this commit, in turn with this code")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    ours = [python, "-m", "chipcontrols", "validate"]
    frictionless = [str(Path(python).parent / "frictionless"), "validate"]
    out: dict = {"synthetic": [], "grown": []}
    with tempfile.TemporaryDirectory() as tmp:
        sizes = sorted(set(args.rows))
        if sizes:
            packages = [(f"{n:,} clean", generate_apart(Path(tmp) / f"clean-{n}", n, 0, args.shape)[0]) for n in sizes]
            out["synthetic"] = timed_sizes(packages, ours, args.runs)
            for entry, n in zip(out["synthetic"], sizes):
                if n == min(args.frictionless_rows, max(sizes)) or n == args.frictionless_rows:
                    entry["frictionless"] = measure([*frictionless, entry["descriptor"]], 1)
            if args.errors:
                n = max(sizes)
                descriptor, injected = generate_apart(Path(tmp) / f"errors-{n}", n, args.errors, args.shape)
                out["synthetic"].append(error_run(descriptor, injected, out["synthetic"][-1]["descriptor"], ours, args.runs, f"{n:,} with {args.errors:,} errors"))
        per_copy = events_in(1)
        copies = sorted({max(1, round(n / per_copy)) for n in args.grown})
        if copies:
            packages = [(f"{c * per_copy:,} events (x{c})", grow_apart(Path(tmp) / f"grown-{c}", c, 0)[0]) for c in copies]
            out["grown"] = timed_sizes(packages, ours, args.runs)
            if args.errors:
                c = max(copies)
                descriptor, injected = grow_apart(Path(tmp) / f"grown-errors-{c}", c, args.errors)
                out["grown"].append(error_run(descriptor, injected, out["grown"][-1]["descriptor"], ours, args.runs, f"x{c} with {args.errors:,} errors"))
        if args.versus:
            out["versus"] = versus_ref(args.versus, Path(tmp), ROOT / "datapackage.json", max(args.runs, 9))
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    fr_entry = next((r for r in out["synthetic"] if "frictionless" in r), None)
    fr_rate = fr_entry["rows"] / fr_entry["frictionless"]["seconds"] if fr_entry else None
    for name, results in (("synthetic", out["synthetic"]), ("grown", out["grown"])):
        if not results:
            continue
        title = (f"synthetic shape (events and citations generated from the schemas, text {args.shape})" if name == "synthetic" else
                 "real shape (the committed package, every event copied with its links and citations)")
        print_table(title, results, fr_rate if name == "synthetic" else None)
        clean = [r for r in results if "reported" not in r]
        if len(clean) >= 2:
            print_per_row(name, per_row_cost(clean[-2], clean[-1]))
        errors = next((r for r in results if "reported" in r), None)
        if errors:
            print_errors(errors)
        for r in results:
            print(f"  {r['label']}: floor s {r['floor']['samples']}, ours s {r['ours']['samples']}, x floor per run {r['ours']['ratios']}")
        widths = clean[-1]["widths"] if clean else {}
        print("  bytes per row: " + ", ".join(f"{table} {w:.0f}" for table, w in widths.items()))
        print()
    if "versus" in out:
        v = out["versus"]
        print(f"the committed package, validate with the code of {v['ref']} against this code, in turn: {v['before']['seconds']:.3f} s "
              f"-> {v['now']['seconds']:.3f} s (median of per-run ratios {v['ratio']:.2f}x, all {v['ratios']}; fastest against fastest "
              f"{v['best_ratio']:.2f}x); runs: before {v['before']['samples']}, now {v['now']['samples']}")
    print("floor = a fresh Python process reading every CSV with pyarrow (all columns as text; newlines_in_values only for "
          "files with a line break in a cell); ours = `chipcontrols validate` "
          "(every check it runs on the real package); medians of", args.runs, "runs, all sizes of a shape in turn; x floor is the median "
          "of the per-run ratios, best x the fastest run of ours over the fastest floor; peak MB the largest of the runs. * frictionless "
          f"measured once at {fr_entry['label'] if fr_entry else '-'} and scaled linearly by rows.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
