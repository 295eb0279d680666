"""Benchmark: hallq on PostgreSQL + Redis with 1, 2 and 4 server processes, against one SQLite process.

Measures, in one run on this machine, over HTTP on 127.0.0.1 with the traffic of issue_and_call.py:
ticket issues/s and call-next/s (whole calls: call-next + finish) with `hallq serve --workers N` on
PostgreSQL (N = 1, 2, 4), the same on the one-process SQLite default, and the push latency to 50 displays
connected to one process for calls made through another (Redis message queue), beside the same-process
figure. Needs PostgreSQL and Redis on 127.0.0.1 (as CI has). Run: `make bench` or
`python bench/scale_out.py [--json]`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from issue_and_call import _call_worker, _issue_worker, _post, prepare, push_latency, start_server
from loadhall import WINDOWS, loopback_only, machine

from hallq.simulate.report import percentile

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("HALLQ_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("HALLQ_TEST_REDIS", "redis://127.0.0.1:6379/0")


@contextmanager
def scratch_database() -> Iterator[str]:
    import psycopg

    name = f"hallq_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (from /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _processes(parent: int) -> tuple[list[int], list[int]]:
    """(the server and its workers, PostgreSQL's processes)."""
    server, postgres = [parent], []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name, fields = stat.split("(", 1)[1].rsplit(")", 1)[0], stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            server.append(int(entry))
        elif name.startswith("postgres"):
            postgres.append(int(entry))
    return server, postgres


def load(port: int, tokens: dict[str, str], tickets: int, clients: int, server_pid: int) -> dict[str, float]:
    """Issue `tickets` from `clients` processes, then call them all from 14 windows; with the CPU time the
    server processes and PostgreSQL spent per request, which says what more cores would give."""
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    server, postgres = _processes(server_pid)
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        cpu = _cpu_s(server), _cpu_s(postgres)
        started = time.perf_counter()
        jobs = [(port, tokens["kiosk"], tickets // clients, index) for index in range(clients)]
        issued = [x for batch in pool.map(_issue_worker, jobs) for x in batch]
        issue_wall = time.perf_counter() - started
        issue_cpu = _cpu_s(server) - cpu[0], _cpu_s(postgres) - cpu[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for window in WINDOWS:
            _post(conn, f"/api/v1/windows/{window}/open", tokens["bridge"])
        groups = [WINDOWS[index::clients] for index in range(clients)]
        cpu = _cpu_s(server), _cpu_s(postgres)
        started = time.perf_counter()
        results = pool.map(_call_worker, [(port, tokens["bridge"], group, 60.0) for group in groups if group])
        call_wall = time.perf_counter() - started
        call_cpu = _cpu_s(server) - cpu[0], _cpu_s(postgres) - cpu[1]
    calls = [x for latencies, _ in results for x in latencies]
    cycles = sum(n for _, n in results)
    return {
        "issues_per_s": round(len(issued) / issue_wall),
        "issue_p50_ms": ms(statistics.median(issued)),
        "issue_p99_ms": ms(percentile(issued, 0.99)),
        "issue_cpu_ms_server": ms(issue_cpu[0] / len(issued)),
        "issue_cpu_ms_postgres": ms(issue_cpu[1] / len(issued)),
        "calls_per_s": round(cycles / call_wall),
        "call_next_p50_ms": ms(statistics.median(calls)),
        "call_next_p99_ms": ms(percentile(calls, 0.99)),
        "call_cpu_ms_server": ms(call_cpu[0] / cycles),
        "call_cpu_ms_postgres": ms(call_cpu[1] / cycles),
    }


def main() -> None:
    loopback_only()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--port", type=int, default=5199)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict[str, object] = {"date": date.today().isoformat(), "machine": machine(), "runs": []}
    runs: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="hallq-bench-") as tmp:
        instance = Path(tmp) / "sqlite"
        hall, tokens = prepare(instance, None)
        server = start_server(instance, hall, args.port, "eventlet")
        try:
            runs.append(
                {
                    "database": "sqlite",
                    "processes": 1,
                    **load(args.port, tokens, args.tickets, args.clients, server.pid),
                }
            )
        finally:
            server.terminate()
            server.wait(10)
        for workers in [int(n) for n in args.workers.split(",")]:
            with scratch_database() as url:
                instance = Path(tmp) / f"pg{workers}"
                hall, tokens = prepare(instance, url)
                extra = ("--database-url", url, "--message-queue", REDIS_URL, "--workers", str(workers))
                server = start_server(instance, hall, args.port, "eventlet", extra)
                time.sleep(3)  # every worker up, not only the first
                try:
                    figures = load(args.port, tokens, args.tickets, args.clients, server.pid)
                    runs.append({"database": "postgresql", "processes": workers, **figures})
                finally:
                    server.terminate()
                    server.wait(15)
        with scratch_database() as url:
            instance = Path(tmp) / "push"
            hall, tokens = prepare(instance, url)
            extra = ("--database-url", url, "--message-queue", REDIS_URL)
            ports = args.port, args.port + 1
            servers = [
                start_server(Path(tmp) / f"push{port}", hall, port, "eventlet", extra) for port in ports
            ]
            try:
                same = push_latency(ports[1], tokens, args.displays)
                across = push_latency(ports[1], tokens, args.displays, call_port=ports[0])
            finally:
                for server in servers:
                    server.terminate()
                    server.wait(10)
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    sqlite = runs[0]
    for run in runs:
        run["issues_vs_sqlite"] = round(run["issues_per_s"] / sqlite["issues_per_s"], 2)  # type: ignore[operator]
        run["calls_vs_sqlite"] = round(run["calls_per_s"] / sqlite["calls_per_s"], 2)  # type: ignore[operator]
    report["runs"] = runs
    report["push_postgresql_redis"] = {
        "displays": args.displays,
        "same_process_p50_ms": ms(statistics.median(same)),
        "same_process_p99_ms": ms(percentile(same, 0.99)),
        "across_processes_p50_ms": ms(statistics.median(across)),
        "across_processes_p99_ms": ms(percentile(across, 0.99)),
        "samples": len(across),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['date']} · {report['machine']}")
    columns = ("database", "processes", "issues_per_s", "issues_vs_sqlite", "issue_p99_ms", "calls_per_s")
    columns += ("calls_vs_sqlite", "call_next_p99_ms", "issue_cpu_ms_server", "issue_cpu_ms_postgres")
    columns += ("call_cpu_ms_server", "call_cpu_ms_postgres")
    print(" | ".join(columns))
    for run in runs:
        print(" | ".join(str(run[column]) for column in columns))
    print(json.dumps(report["push_postgresql_redis"]))


if __name__ == "__main__":
    main()
