"""Read a package's CSV files in a background thread while the main thread is still importing the
checking libraries and validating the descriptor. pyarrow parses with the GIL released, so on a
machine with two cores the parse and the imports overlap instead of queueing.

Only files inside the package folder are touched (the same rule as the descriptor check), and
memory stays bounded: the next file is read ahead only while the files read ahead and not yet
released by the checks add up to less than `budget` bytes, so two large tables are not held at
once just because one was read early. Anything the prefetch cannot do, the caller does itself."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from chipcontrols.csvfile import RawTable, read_csv
from chipcontrols.descriptor import safe_path

BUDGET = 64 * 1024 * 1024


class Prefetch:
    def __init__(self, descriptor_path: Path, budget: int = BUDGET) -> None:
        self.root = Path(descriptor_path).parent.resolve()
        self.budget = budget
        self.pending: list[tuple[Path, str, int]] = []  # (path, display, bytes), in resource order
        self.done: dict[Path, tuple[str, RawTable | None]] = {}
        self.held: dict[Path, int] = {}  # read ahead and not yet released: path -> bytes
        self.current: Path | None = None
        self.closed = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="chipcontrols-prefetch", daemon=True)
        self._plan(Path(descriptor_path))

    def _plan(self, descriptor_path: Path) -> None:
        try:
            resources = json.loads(descriptor_path.read_text(encoding="utf-8")).get("resources")
        except (OSError, ValueError, AttributeError):
            return  # the descriptor check will say what is wrong
        for resource in resources if isinstance(resources, list) else []:
            path = safe_path(self.root, resource.get("path")) if isinstance(resource, dict) else None
            if path is not None and path.is_file() and path not in {p for p, _, _ in self.pending}:
                self.pending.append((path, path.relative_to(self.root).as_posix(), path.stat().st_size))

    def start(self) -> Prefetch:
        # Measured (benchmarks/README.md): capping the parse at one core while the main thread
        # imports was slower, as a read keeps the cap it started with.
        if self.pending:
            self.thread.start()
        return self

    def _next(self) -> tuple[Path, str, int] | None:
        with self.cond:
            while not self.closed and self.pending and sum(self.held.values()) >= self.budget:
                self.cond.wait()
            if self.closed or not self.pending:
                return None
            self.current = self.pending[0][0]
            return self.pending.pop(0)

    def _run(self) -> None:
        while (item := self._next()) is not None:
            path, display, size = item
            try:
                raw = read_csv(path, display)
            except Exception:  # noqa: BLE001 - the main thread reads it again and reports what happens
                raw = None
            with self.cond:
                self.done[path], self.current = (display, raw), None
                if raw is not None:
                    self.held[path] = size
                self.cond.notify_all()
            del raw  # this frame must not keep the table alive once the checks drop columns

    def take(self, path: Path, display: str) -> RawTable | None:
        """The file as read ahead (waiting if it is being read), or None: then the caller reads it."""
        with self.cond:
            if any(p == path for p, _, _ in self.pending):
                self.pending = [item for item in self.pending if item[0] != path]  # not started: the caller is faster
                return None
            while self.current == path:
                self.cond.wait()
            read_as, raw = self.done.pop(path, (None, None))
        return raw if read_as == display else None

    def release(self, path: Path) -> None:
        """The checks are done with this file's full contents: read further ahead."""
        with self.cond:
            self.held.pop(path, None)
            self.cond.notify_all()

    def close(self) -> None:
        """Stop after the file being read (so no parser thread outlives the command) and drop the rest."""
        with self.cond:
            self.closed = True
            self.pending.clear()
            self.cond.notify_all()
        if self.thread.is_alive():
            self.thread.join()
        self.done.clear()
