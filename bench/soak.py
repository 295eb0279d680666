"""Soak: a hall day compressed 20x against one `hallq serve` (SQLite, eventlet), watching for memory growth
and answers getting slower as the day goes on.

Traffic of a busy district hall (1,500 tickets over an 8-hour day, 14 windows each calling and finishing, a
manager's live page every 15 s, 50 displays on websockets), all 20x faster. The server's clock runs as fast
(HALLQ_CLOCK_SPEED, hallq.operations.clocks.CompressedClock): at closing time it jumps to the next morning, so
an hour at 20x is two and a half working days, each its own service day, as a hall meets them. Every sample
period the server's resident memory and the issue and call-next latencies of that period are recorded.
Run by hand: `python bench/soak.py [--minutes 60] [--speed 20] [--tracemalloc] [--json]`;
figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import signal
import sqlite3
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from issue_and_call import _displays, _post, prepare, start_server
from loadhall import SERVICES, WINDOWS, loopback_only, machine

from hallq.simulate.report import percentile

#: arrivals stay below what 14 windows serve (1500 / 8 h against 14 windows at 4 min), so queues come and go
TICKETS_PER_DAY, DAY_HOURS, MEAN_SERVICE_S = 1500, 8, 240


def memory_dump(pid: int, directory: Path, full: bool) -> dict:
    """Ask a server run with HALLQ_TRACEMALLOC for its memory figures (and a snapshot when `full`)."""
    before = set(directory.glob("memory-*.json"))
    os.kill(pid, signal.SIGUSR1 if full else signal.SIGUSR2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        new = set(directory.glob("memory-*.json")) - before
        if new:
            path = new.pop()
            return {"path": path.with_suffix(".tracemalloc"), **json.loads(path.read_text())}
        time.sleep(0.05)
    raise SystemExit("the server wrote no memory figures")


def memory_growth(first: Path, last: Path, lines: int = 12) -> list[str]:
    """Where Python's traced memory grew most between two snapshots, by source line."""
    import tracemalloc

    ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
    older = tracemalloc.Snapshot.load(str(first)).filter_traces(ignore)
    newer = tracemalloc.Snapshot.load(str(last)).filter_traces(ignore)
    return [str(stat) for stat in newer.compare_to(older, "lineno")[:lines]]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Soak:
    def __init__(self, port: int, tokens: dict[str, str], speed: float) -> None:
        self.port, self.tokens, self.speed = port, tokens, speed
        self.issue_ms: list[float] = []
        #: call-next that called someone (a state change and pushes to every screen); one that found nobody
        #: is cheaper, and how many do depends on the queues of the moment, so the two are kept apart
        self.call_ms: list[float] = []
        self.empty_call_ms: list[float] = []
        self.errors = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _timed(
        self, conn: http.client.HTTPConnection, path: str, token: str, body: dict | None = None
    ) -> tuple:
        started = time.perf_counter()
        status, answer = _post(conn, path, token, body)
        return status, answer, (time.perf_counter() - started) * 1000

    def kiosk(self) -> None:
        rate = TICKETS_PER_DAY / (DAY_HOURS * 3600) * self.speed  # tickets a second, compressed
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        chance = random.Random(1)
        while not self.stop.wait(chance.expovariate(rate)):
            service = chance.choice(SERVICES)
            status, _, ms = self._timed(
                conn, "/api/v1/tickets", self.tokens["kiosk"], {"service_id": service}
            )
            with self.lock:
                self.issue_ms.append(ms)
                self.errors += status != 201

    def window(self, window_id: str, seed: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        chance = random.Random(seed)
        _post(conn, f"/api/v1/windows/{window_id}/open", self.tokens["bridge"])
        while not self.stop.is_set():
            status, answer, ms = self._timed(
                conn, f"/api/v1/windows/{window_id}/call-next", self.tokens["bridge"]
            )
            with self.lock:
                (self.call_ms if answer.get("ticket") else self.empty_call_ms).append(ms)
                self.errors += status != 200
            if not answer.get("ticket"):
                self.stop.wait(30 / self.speed)  # nobody waiting: the clerk presses again half a minute later
                continue
            self.stop.wait(chance.expovariate(1 / MEAN_SERVICE_S) / self.speed)
            _post(conn, f"/api/v1/windows/{window_id}/finish", self.tokens["bridge"])

    def manager(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.stop.wait(15 / self.speed):  # the live page refreshes every 15 s
            conn.request(
                "GET", "/api/v1/stats/live", headers={"Authorization": f"Bearer {self.tokens['admin']}"}
            )
            conn.getresponse().read()

    def take(self) -> tuple[list[float], list[float], list[float], int]:
        with self.lock:
            taken = self.issue_ms, self.call_ms, self.empty_call_ms, self.errors
            self.issue_ms, self.call_ms, self.empty_call_ms, self.errors = [], [], [], 0
        return taken


def main() -> None:
    loopback_only()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--speed", type=float, default=20)
    parser.add_argument("--sample-s", type=float, default=60)
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--port", type=int, default=5399)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace the server's Python memory: its traced bytes and SQLite's each sample, and the lines "
        "that grew most between the end of the first sample and the end (slows the server somewhat)",
    )
    args = parser.parse_args()
    rows = []
    growth: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hallq-soak-") as tmp:
        instance = Path(tmp)
        hall, tokens = prepare(instance)
        if args.tracemalloc:
            os.environ["HALLQ_TRACEMALLOC"] = str(instance)
        os.environ["HALLQ_CLOCK_SPEED"] = str(args.speed)
        server = start_server(instance, hall, args.port, "eventlet")
        snapshots: list[Path] = []
        context = multiprocessing.get_context("spawn")
        ready, out = context.Event(), context.Queue()
        listen_s = args.minutes * 60 + 30  # the displays stay for the whole soak
        displays = context.Process(
            target=_displays,
            args=(args.port, tokens["display"], args.displays, 10**9, ready, out, listen_s),
        )
        displays.daemon = True
        displays.start()
        ready.wait(60)
        soak = Soak(args.port, tokens, args.speed)
        threads = [threading.Thread(target=soak.kiosk), threading.Thread(target=soak.manager)]
        threads += [threading.Thread(target=soak.window, args=(w, i)) for i, w in enumerate(WINDOWS)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        try:
            while time.monotonic() - started < args.minutes * 60:
                time.sleep(args.sample_s)
                issue, call, empty_call, errors = soak.take()
                memory = {}
                if args.tracemalloc:  # a snapshot after the first sample and at the end, figures always
                    final = time.monotonic() - started + args.sample_s > args.minutes * 60
                    figures = memory_dump(server.pid, instance, full=not rows or final)
                    if not rows or final:
                        snapshots.append(figures["path"])
                    memory = {
                        "python_mb": round(figures["python_traced"] / 2**20, 2),
                        "sqlite_mb": round((figures["sqlite_used"] or 0) / 2**20, 2),
                    }
                rows.append(
                    {
                        "minute": round((time.monotonic() - started) / 60, 1),
                        "rss_mb": round(rss_mb(server.pid), 1),
                        **memory,
                        "issues": len(issue),
                        "issue_p50_ms": round(statistics.median(issue), 2) if issue else None,
                        "issue_p99_ms": round(percentile(issue, 0.99), 2) if issue else None,
                        "calls": len(call),
                        "call_p50_ms": round(statistics.median(call), 2) if call else None,
                        "call_p99_ms": round(percentile(call, 0.99), 2) if call else None,
                        "empty_calls": len(empty_call),
                        "empty_call_p50_ms": round(statistics.median(empty_call), 2) if empty_call else None,
                        "errors": errors,
                    }
                )
                if not args.json:
                    print(rows[-1], flush=True)
            if len(snapshots) >= 2:
                growth = memory_growth(snapshots[0], snapshots[-1])
        finally:
            soak.stop.set()
            for thread in threads:
                thread.join(15)
            displays.terminate()
            server.terminate()
            server.wait(10)
        with sqlite3.connect(instance / "hallq.sqlite3") as db:
            by_day = "select service_day, count(*) from tickets group by service_day order by service_day"
            tickets_by_day = dict(db.execute(by_day))
    quarter = max(1, len(rows) // 4)
    first, last = rows[:quarter], rows[-quarter:]

    def mean(part: list[dict], key: str) -> float:
        values = [row[key] for row in part if row[key] is not None]
        return statistics.fmean(values) if values else float("nan")

    report = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "minutes": args.minutes,
        "speed": args.speed,
        "rss_first_quarter_mb": round(mean(first, "rss_mb"), 1),
        "rss_last_quarter_mb": round(mean(last, "rss_mb"), 1),
        "issue_p50_last_vs_first": round(mean(last, "issue_p50_ms") / mean(first, "issue_p50_ms"), 2),
        "call_p50_last_vs_first": round(mean(last, "call_p50_ms") / mean(first, "call_p50_ms"), 2),
        "empty_call_p50_last_vs_first": round(
            mean(last, "empty_call_p50_ms") / mean(first, "empty_call_p50_ms"), 2
        ),
        "issue_p99_last_vs_first": round(mean(last, "issue_p99_ms") / mean(first, "issue_p99_ms"), 2),
        "call_p99_last_vs_first": round(mean(last, "call_p99_ms") / mean(first, "call_p99_ms"), 2),
        "errors": sum(row["errors"] for row in rows),
        "tickets_by_service_day": tickets_by_day,
        "python_growth_by_line": growth,
        "samples": rows,
    }
    print(
        json.dumps(report, indent=2)
        if args.json
        else json.dumps({k: v for k, v in report.items() if k != "samples"})
    )


if __name__ == "__main__":
    main()
