"""What if, from the hall's own log (issue 19): recorded days replayed in the simulator reproduce what the
log says, changes move the figures the way they should, and bad requests get a clear message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hallq.cli.main import cli
from hallq.config.hall import load_hall
from hallq.demo.history import write_history
from hallq.engine import ManualClock, make_policy
from hallq.operations.context import HallContext
from hallq.store.db import Store, sqlite_url
from hallq.whatif.log import NoRecordedDays, read_days
from hallq.whatif.replay import BadChange, Changes, WindowHours, what_if

from .conftest import MONDAY_10AM, demo_hall_copy
from .serverday import ServerDay

DAY = MONDAY_10AM.date()
#: issue 19: replaying a recorded day must give each zone's mean wait within 15% of the log's
REPLAY_TOLERANCE = 0.15


@dataclass
class LoggedHall:
    ctx: HallContext
    instance: Path
    hall_file: Path


def busy_rates(ctx: HallContext, load: float) -> dict[str, float]:
    """Tickets per hour per service keeping each window about `load` busy with its A services."""
    config = ctx.config
    return {
        service.id: load
        * sum(3600 / service.mean_service_s / len(w.a_services) for w in config.windows_for(service.id)[0])
        for service in config.services
        if service.ask_identity is None
    }


@pytest.fixture(scope="module")
def server_day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoggedHall]:
    """One Monday in the real server (its operations, its call rule, SQLite), with W05's clerk away 10-11."""
    folder = tmp_path_factory.mktemp("server-day")
    hall_file = demo_hall_copy(folder, ("enforce = true", "enforce = false"))
    store = Store(sqlite_url(folder))
    store.migrate()
    ctx = HallContext(load_hall(hall_file), store, ManualClock(MONDAY_10AM), make_policy())
    issued = ServerDay(ctx, DAY, busy_rates(ctx, 0.85), seed=3, away=[("W05", time(10), time(11))]).run()
    assert issued > 400
    yield LoggedHall(ctx, folder, hall_file)
    store.dispose()


def assert_replay_matches(result: dict) -> None:
    recorded, replayed = result["recorded"], result["replayed"]
    assert replayed["hall"]["tickets"] == recorded["hall"]["tickets"]
    for zone, figures in recorded["per_zone"].items():
        assert replayed["per_zone"][zone]["mean_wait_s"] == pytest.approx(
            figures["mean_wait_s"], rel=REPLAY_TOLERANCE, abs=5
        ), zone
    for window_id, busy in recorded["utilisation"].items():
        assert replayed["utilisation"][window_id] == pytest.approx(busy, abs=0.03), window_id


def test_replaying_a_day_of_the_real_server_reproduces_its_waits(server_day: LoggedHall) -> None:
    days = read_days(server_day.ctx, DAY, DAY)
    (away,) = [a for a in days[0].absences if a.window_id == "W05"]
    # W05 paused at its first free moment after 10:00, and was back at 11:00
    assert 36_000 <= away.start_s < 39_600 and away.end_s == 39_600
    result = what_if(server_day.ctx.config, days)
    assert_replay_matches(result)
    assert result["recorded"]["hall"]["mean_wait_s"] > 120  # a busy day: waits worth reproducing
    assert result["rule"] == "ab"


def test_replaying_the_demo_history_reproduces_its_waits(tmp_path: Path) -> None:
    """The demo's month of history is a queue the simulator ran (hallq/demo/history.py, queued=True)."""
    store = Store(sqlite_url(tmp_path))
    store.migrate()
    ctx = HallContext(load_hall(demo_hall_copy(tmp_path)), store, ManualClock(MONDAY_10AM), make_policy())
    write_history(ctx, DAY - timedelta(days=7), DAY - timedelta(days=1), 300, with_events=True, queued=True)
    days = read_days(ctx, DAY - timedelta(days=7), DAY)
    assert len(days) == 5  # the working days of that week
    assert_replay_matches(what_if(ctx.config, days))
    store.dispose()


def test_changes_move_the_figures_the_way_they_should(server_day: LoggedHall) -> None:
    config, days = server_day.ctx.config, read_days(server_day.ctx, DAY, DAY)
    recorded = what_if(config, days)["replayed"]
    busier = what_if(config, days, Changes(arrivals_factor=1.2))["replayed"]
    assert busier["hall"]["tickets"] > 1.15 * recorded["hall"]["tickets"]
    assert busier["hall"]["mean_wait_s"] > recorded["hall"]["mean_wait_s"]
    # W03 (A: project_filing, plan_permit in zone B) away all day (to midnight): zone B waits longer
    without_w03 = what_if(config, days, Changes(window_hours=(WindowHours("W03", "closed", 32_400, 86_400),)))
    assert without_w03["replayed"]["per_zone"]["B"]["mean_wait_s"] > recorded["per_zone"]["B"]["mean_wait_s"]
    assert without_w03["replayed"]["utilisation"]["W03"] == 0.0
    # W05 kept at its desk 10-11: no worse anywhere in the hall
    kept = what_if(config, days, Changes(window_hours=(WindowHours("W05", "open", 36_000, 39_600),)))
    assert kept["replayed"]["hall"]["mean_wait_s"] <= recorded["hall"]["mean_wait_s"] + 1
    helped = what_if(config, days, Changes(add_b=(("W14", "house_transfer"),)))
    assert helped["replayed"]["per_zone"]["C"]["mean_wait_s"] < recorded["per_zone"]["C"]["mean_wait_s"]
    other_rule = what_if(config, days, Changes(rule="own-first"))
    assert other_rule["rule"] == "own-first"
    assert other_rule["replayed"]["hall"]["mean_wait_s"] != recorded["hall"]["mean_wait_s"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (Changes(add_b=(("W99", "invoice"),)), "unknown window 'W99'"),
        (Changes(remove_b=(("W01", "tax"),)), "unknown service 'tax'"),
        (Changes(add_b=(("W01", "biz_setup"),)), "biz_setup is already an A service of W01"),
        (Changes(window_hours=(WindowHours("W01", "closed", 40_000, 30_000),)), "a time span within the day"),
        (Changes(arrivals_factor=0), "scaled by more than 0"),
        (Changes(rule="fastest"), "unknown call policy 'fastest'"),
    ],
)
def test_bad_changes_are_named(server_day: LoggedHall, changes: Changes, message: str) -> None:
    days = read_days(server_day.ctx, DAY, DAY)
    with pytest.raises(BadChange, match=message):
        what_if(server_day.ctx.config, days, changes)


def test_days_with_nothing_to_replay(server_day: LoggedHall) -> None:
    with pytest.raises(NoRecordedDays, match="no tickets were issued from 2026-11-24 to 2026-11-25"):
        read_days(server_day.ctx, date(2026, 11, 24), date(2026, 11, 25))
    with pytest.raises(NoRecordedDays, match="comes before"):
        read_days(server_day.ctx, DAY, DAY - timedelta(days=1))


def test_the_command_line(server_day: LoggedHall) -> None:
    runner = CliRunner()
    where = ["--instance", str(server_day.instance), "--config", str(server_day.hall_file)]
    table = runner.invoke(cli, ["simulate", "--from-log", DAY.isoformat(), *where])
    assert table.exit_code == 0, table.output
    assert "1 recorded day(s) 2026-11-23 .. 2026-11-23 · rule ab" in table.output
    assert table.output.count("\n") >= 9  # the hall, six zones, the header and the windows
    as_json = runner.invoke(
        cli,
        [
            "simulate",
            "--from-log",
            f"{DAY}..{DAY}",
            "--json",
            "--scale-arrivals",
            "1.2",
            "--policy",
            "own-first",
            "--window",
            "W03=closed@09:00-12:00",
            "--add-b",
            "W14:house_transfer",
            *where,
        ],
    )
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.output)
    assert (
        body["rule"] == "own-first"
        and body["replayed"]["hall"]["tickets"] > body["recorded"]["hall"]["tickets"]
    )
    for args, message in [
        (["--from-log", "last monday"], "give DATE or DATE..DATE"),
        (["--from-log", DAY.isoformat(), "--add-b", "W14"], "give WINDOW:SERVICE"),
        (["--from-log", DAY.isoformat(), "--window", "W03 closed"], "give e.g. W03=closed@09:00-12:00"),
        (["--from-log", DAY.isoformat(), "--add-b", "W99:invoice"], "unknown window 'W99'"),
        (["--from-log", "2026-11-24"], "no tickets were issued from 2026-11-24 to 2026-11-24"),
        ([], "give a SCENARIO_FILE, or --from-log"),
    ]:
        bad = runner.invoke(cli, ["simulate", *args, *where])
        assert bad.exit_code in (1, 2) and message in bad.output, (args, bad.output)
        assert "Traceback" not in bad.output
