"""A reproducible random sample of citations for a self-audit: stratified by the cited table, so
small tables (rules, criteria) are checked too and not only the large ones."""

from __future__ import annotations

import csv
import random
from pathlib import Path


def allocate(sizes: dict[str, int], total: int, floor: int) -> dict[str, int]:
    """How many citations to draw from each table: `floor` each (or all a table has), the rest in
    proportion to the tables' sizes (largest remainders), never more than a table has."""
    alloc = {name: min(size, floor) for name, size in sizes.items()}
    left = total - sum(alloc.values())
    while left > 0:
        spare = {n: sizes[n] - alloc[n] for n in sizes if sizes[n] > alloc[n]}
        if not spare:
            break
        room = sum(spare.values())
        shares = {n: left * s / room for n, s in spare.items()}
        extra = {n: min(spare[n], int(v)) for n, v in shares.items()}
        if not any(extra.values()):  # the remainders decide who gets the last few
            for name in sorted(shares, key=lambda n: (-(shares[n] - int(shares[n])), n))[:left]:
                extra[name] = 1
        for name, k in extra.items():
            alloc[name] += k
        left = total - sum(alloc.values())
    return alloc


def sample_citations(citations_csv: Path, total: int, seed: int, floor: int = 6) -> list[dict]:
    """The sample, each row with its line in the file; the same file, size and seed give the same rows."""
    with citations_csv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows, last = [], reader.line_num
        for row in reader:
            rows.append({"line": last + 1, **row})  # the line the row starts on, as validate reports it
            last = reader.line_num
    by_table: dict[str, list[dict]] = {}
    for row in rows:
        by_table.setdefault(row["record_table"], []).append(row)
    rng = random.Random(seed)
    picked = []
    for name, k in sorted(allocate({n: len(v) for n, v in by_table.items()}, total, floor).items()):
        picked += rng.sample(by_table[name], k)
    return sorted(picked, key=lambda r: r["line"])
