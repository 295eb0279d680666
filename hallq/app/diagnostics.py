"""Memory diagnostics for long runs. With HALLQ_TRACEMALLOC=DIR the server traces Python's allocations;
each SIGUSR1 writes DIR/memory-NNN.tracemalloc (load with `tracemalloc.Snapshot.load`) and beside it
DIR/memory-NNN.json with the bytes Python and SQLite hold then; SIGUSR2 writes the JSON alone (cheap).
bench/soak.py --tracemalloc uses it to tell growth in Python objects from SQLite's page caches."""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import json
import os
import signal
import tracemalloc
from pathlib import Path
from typing import Any


def sqlite_library() -> ctypes.CDLL | None:
    """The SQLite library Python's sqlite3 module uses (shared, on Linux distributions), or None."""
    name = ctypes.util.find_library("sqlite3")  # runs ldconfig: call it at start, never in a signal handler
    try:
        library = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if library is not None:
        library.sqlite3_memory_used.restype = ctypes.c_int64
    return library


def trace_memory_if_asked() -> None:
    directory = os.environ.get("HALLQ_TRACEMALLOC")
    if not directory:
        return
    tracemalloc.start()
    sqlite = sqlite_library()
    numbers = itertools.count(1)

    def dump(signum: int, _frame: Any) -> None:
        stem = Path(directory) / f"memory-{next(numbers):03d}"
        if signum == signal.SIGUSR1:
            tracemalloc.take_snapshot().dump(f"{stem}.part")
            os.replace(f"{stem}.part", f"{stem}.tracemalloc")
        traced, _peak = tracemalloc.get_traced_memory()
        figures = {"python_traced": traced, "sqlite_used": sqlite.sqlite3_memory_used() if sqlite else None}
        Path(f"{stem}.part").write_text(json.dumps(figures))
        os.replace(f"{stem}.part", f"{stem}.json")  # written last: its presence says the dump is complete

    signal.signal(signal.SIGUSR1, dump)
    signal.signal(signal.SIGUSR2, dump)
