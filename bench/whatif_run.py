"""Benchmark: what-if runs of /manager/whatif on the demo hall's history (target: one day's run under 5 s).

Five weeks of the demo's history (300 tickets a working day, queued by the simulator) in a fresh SQLite file;
then, timed one after the other, the whole path a manager's run takes (read the log, compute, write the
answer) for: one day replayed, one day replayed with changes, a week replayed, the staffing advice for a
typical Monday (four Mondays), and the consolidation advice over a week. Each is run three times; the best
and the worst are printed.

Run: `python bench/whatif_run.py` (also part of `make bench`). Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import platform
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hallq.config.hall import load_hall
from hallq.demo.history import write_history
from hallq.engine import ManualClock, make_policy
from hallq.operations.context import HallContext
from hallq.store.db import Store, sqlite_url
from hallq.whatif import runs

ROOT = Path(__file__).resolve().parents[1]
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def timed(function: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return min(seconds), max(seconds)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(sqlite_url(Path(folder)))
        store.migrate()
        ctx = HallContext(load_hall(ROOT / "config" / "hall.toml"), store, ManualClock(MONDAY), make_policy())
        today = MONDAY.date()
        write_history(ctx, today - timedelta(days=35), today - timedelta(days=1), 300, queued=True)
        friday = (today - timedelta(days=3)).isoformat()
        monday = (today - timedelta(days=7)).isoformat()
        cases: dict[str, dict[str, object]] = {
            "one day replayed": {"kind": "replay", "first": friday, "last": friday},
            "one day, W03 away all morning, 20% more citizens": {
                "kind": "replay",
                "first": friday,
                "last": friday,
                "window_hours": ["W03=closed@09:00-12:00"],
                "arrivals_factor": 1.2,
            },
            "a week replayed": {"kind": "replay", "first": monday, "last": friday},
            "staffing for a typical Monday (4 Mondays)": {"kind": "staffing", "weekday": 0},
            "consolidation over a week": {"kind": "consolidation", "first": monday, "last": friday},
        }
        print(f"{date.today()} {platform.machine()} {platform.python_version()} SQLite; best / worst of 3")
        for name, fields in cases.items():

            def whole_run(fields: dict[str, object] = fields) -> None:
                request, days = runs.prepare(ctx, fields)
                run_id = runs.start(ctx, request, "bench")
                runs.finish(ctx, run_id, runs.compute(ctx, request, days, lambda share: None))

            best, worst = timed(whole_run)
            print(f"  {name:<52} {best:6.2f} s / {worst:6.2f} s")
        store.dispose()


if __name__ == "__main__":
    main()
