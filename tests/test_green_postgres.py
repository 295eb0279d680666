"""Under eventlet, a PostgreSQL query must not freeze the server process: other green threads (pushes,
other requests) run while it waits. psycopg 3 waits in C unless told otherwise (hallq/cli/entry.py)."""

from __future__ import annotations

import subprocess
import sys

from .postgres import ADMIN_URL, skip_or_fail

SCRIPT = """
import sys, time
from hallq.app.green import patch_eventlet
patch_eventlet()
import eventlet, psycopg
ticks = []
def tick():
    while True:
        ticks.append(time.monotonic())
        eventlet.sleep(0.01)
eventlet.spawn(tick)
eventlet.sleep(0.05)
with psycopg.connect(sys.argv[1], connect_timeout=3) as connection:
    before = len(ticks)
    connection.execute("SELECT pg_sleep(0.5)")
    print(len(ticks) - before)
"""


def test_a_slow_query_lets_the_other_green_threads_run() -> None:
    try:
        import psycopg

        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except Exception as exc:  # no server here
        skip_or_fail(f"no PostgreSQL at {ADMIN_URL}: {exc}")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, ADMIN_URL], capture_output=True, text=True, timeout=60, check=True
    )
    ticks_during_query = int(result.stdout.strip().splitlines()[-1])
    # 0.5 s of query at one tick per 10 ms: about 50 when the wait is green, 0 or 1 when it blocks
    assert ticks_during_query >= 20, result.stdout + result.stderr
