"""Diagnostics for benchmarks: memory figures on demand (HALLQ_TRACEMALLOC) and a compressed clock
(HALLQ_CLOCK_SPEED), as bench/soak.py uses them on a running server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time as time_module
import tracemalloc
from pathlib import Path

SCRIPT = """
import os, signal, sqlite3
from hallq.app.diagnostics import trace_memory_if_asked
trace_memory_if_asked()
keep = [bytes(1000) for _ in range(1000)]  # a megabyte of Python objects, traced
db = sqlite3.connect(":memory:")
db.execute("create table t (x)")
db.executemany("insert into t values (?)", [(str(i) * 20,) for i in range(20000)])
os.kill(os.getpid(), signal.SIGUSR1)
os.kill(os.getpid(), signal.SIGUSR2)
"""


def test_a_signal_writes_the_snapshot_and_the_figures(tmp_path: Path) -> None:
    env = {**os.environ, "HALLQ_TRACEMALLOC": str(tmp_path)}
    subprocess.run([sys.executable, "-c", SCRIPT], env=env, check=True, timeout=60)
    full, light = (
        json.loads((tmp_path / "memory-001.json").read_text()),
        json.loads((tmp_path / "memory-002.json").read_text()),
    )
    assert full["python_traced"] > 1_000_000 and light["python_traced"] > 1_000_000
    assert full["sqlite_used"] is None or full["sqlite_used"] > 500_000  # the table's pages
    snapshot = tracemalloc.Snapshot.load(str(tmp_path / "memory-001.tracemalloc"))
    assert sum(stat.size for stat in snapshot.statistics("filename")) > 1_000_000
    assert not (tmp_path / "memory-002.tracemalloc").exists()  # SIGUSR2: the figures alone
    assert not list(tmp_path.glob("*.part"))


def test_without_the_variable_nothing_is_traced(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "HALLQ_TRACEMALLOC"}
    script = "from hallq.app.diagnostics import trace_memory_if_asked; import tracemalloc\n"
    script += "trace_memory_if_asked(); print(tracemalloc.is_tracing())"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_compressed_clock_gives_every_working_day_its_own_numbers(tmp_path: Path) -> None:
    """bench/soak.py runs the server's clock as fast as its traffic (HALLQ_CLOCK_SPEED): each compressed
    day is a service day of its own, numbered from 001, opening at the hall's opening time."""
    from hallq.app.factory import create_app
    from hallq.config.settings import Settings
    from hallq.operations.accounts import create_token

    from .conftest import DEMO_HALL

    # the demo hall's 8-hour day passes in 0.2 s
    settings = Settings(instance=tmp_path, hall_file=DEMO_HALL, async_mode="threading", clock_speed=144_000)
    settings.enforce_hours, settings.testing = False, True
    app = create_app(settings)
    ctx = app.extensions["hallq"]
    hours = ctx.config.hall.hours
    header = {"Authorization": f"Bearer {create_token(ctx.store, 'kiosk', ctx.now(), name='k')}"}
    client = app.test_client()
    days = []
    for _ in range(3):
        answer = client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=header)
        assert answer.status_code == 201, answer.get_json()
        assert answer.get_json()["number"] == "A001"  # a new day every time: numbering starts again
        issued = ctx.now().astimezone(ctx.config.tz)
        assert hours.open <= issued.time() < hours.close
        days.append(ctx.day())
        time_module.sleep(0.25)
    assert days == sorted(set(days)), days
    ctx.store.dispose()
