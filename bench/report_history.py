"""Managers' figures on a big history: 1,000,000 generated tickets, on SQLite and on PostgreSQL.

    python bench/report_history.py [--tickets 1000000] [--per-day 2000] [--postgres URL | --no-postgres]

The history is the demo hall's (demo/history.py: every working day of about two years at 2,000 tickets a day,
ratings, follow-ups, window events; no per-ticket event logs, which no report reads). Then it times, in
process, each call five times (median, and the slowest): a month's report by window and the other groupings,
the month's ranking, the XLSX export, and the live page's data with today's hall busy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadhall import SERVICES, load_test_hall, loopback_only, machine
from hallq.app.factory import create_app
from hallq.config.settings import REPO_ROOT, Settings
from hallq.demo.history import write_history
from hallq.operations.context import Actor, HallContext
from hallq.operations.issuing import IssueRequest, issue_ticket
from hallq.operations.windows import call_next, change_state
from hallq.stats.export import to_xlsx
from hallq.stats.live import live_hall
from hallq.stats.ranking import month_period, ranking
from hallq.stats.summary import summary

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def timed(function: Callable[[], Any], runs: int = 5) -> tuple[float, float]:
    """(median, slowest) in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def busy_today(ctx: HallContext) -> None:
    """Today's hall as the live page sees it: 400 tickets issued, 14 windows open, each calling one."""
    for index in range(400):
        issue_ticket(ctx, IssueRequest(service_id=SERVICES[index % len(SERVICES)]))
    for window in ctx.config.windows:
        actor = Actor(role="clerk", name=f"clerk{window.number:02d}")
        change_state(ctx, window.id, actor, "open")
        call_next(ctx, window.id, actor)


def run(label: str, instance: Path, database_url: str | None, tickets: int, per_day: int) -> list[str]:
    instance.mkdir(parents=True)
    hall = load_test_hall(REPO_ROOT, instance)
    settings = Settings(instance=instance, hall_file=hall, database_url=database_url, async_mode="threading")
    ctx: HallContext = create_app(settings).extensions["hallq"]
    today = ctx.day()
    working_days = -(-tickets // per_day)
    first = today - timedelta(days=1)
    while ctx.config.work_calendar.working_days(first, today - timedelta(days=1)) < working_days:
        first -= timedelta(days=7)
    start = time.perf_counter()
    written = write_history(ctx, first, today - timedelta(days=1), per_day)
    write_s = time.perf_counter() - start
    if database_url:  # a hall's database is vacuumed by now: not the state right after a bulk load
        import psycopg

        with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
    busy_today(ctx)
    month = month_period(None, today)
    in_month = summary(ctx, month, "window")["total"]["tickets"]
    lines = [
        f"{label}: {written:,} tickets from {first} ({write_s:.0f} s to write); "
        f"{month.first:%Y-%m} holds {in_month:,}"
    ]
    figures = {
        "month by window": lambda: summary(ctx, month, "window"),
        "month by zone": lambda: summary(ctx, month, "zone"),
        "month by service": lambda: summary(ctx, month, "service"),
        "month by clerk": lambda: summary(ctx, month, "clerk"),
        "month by hour": lambda: summary(ctx, month, "hour"),
        "month by day": lambda: summary(ctx, month, "day"),
        "month ranking (windows and clerks)": lambda: ranking(ctx, month),
        "month by window as XLSX": lambda: to_xlsx(summary(ctx, month, "window"), "bench", ctx.now()),
        "live page data": lambda: live_hall(ctx),
    }
    for name, function in figures.items():
        median, slowest = timed(function, runs=20 if name == "live page data" else 5)
        lines.append(f"| {label} | {name} | {median:.0f} | {slowest:.0f} |")
    ctx.store.dispose()
    return lines


def main() -> None:
    loopback_only()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--per-day", type=int, default=2000)
    parser.add_argument("--postgres", default=ADMIN_URL, help="an admin URL; a scratch database is made")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(f"# report_history, {date.today()}, {machine()}")
    print("| database | figure | median ms | slowest ms |\n| --- | --- | ---: | ---: |")
    results: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        results += run("SQLite", Path(folder) / "sqlite", None, args.tickets, args.per_day)
        print("\n".join(results[1:]), flush=True)
        if not args.no_postgres:
            pg_lines = with_postgres(args.postgres, Path(folder) / "pg", args.tickets, args.per_day)
            print("\n".join(pg_lines[1:]))
            results += pg_lines
    print()
    print("\n".join(line for line in results if not line.startswith("|")))


def with_postgres(admin_url: str, instance: Path, tickets: int, per_day: int) -> list[str]:
    import psycopg

    name = f"hallq_bench_{int(time.time())}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
            return run("PostgreSQL", instance, url, tickets, per_day)
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
