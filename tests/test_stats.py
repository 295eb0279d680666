"""Managers' figures on a fixed morning whose every expected number is worked out by hand below.

The small hall (tests/data/small_hall.toml), Monday 2026-11-23, Asia/Shanghai:

    ticket  service  issued  called (window)  started  ended            rating
    A001    a1       09:00   09:05 (W1)       09:06    finished 09:16   5 非常满意 (tablet)
    B001    b1       09:01   09:03 (W2)       -        finished 09:08   2 不满意 (phone) -> follow-up
    B002    b2       09:02   09:10 (W2)       -        no-show  09:12   -
    A002    a1       09:10   09:20 (W1)       -        finished 09:30   none: unrated when rating closes
    B003    b2       09:20   -                                          (still waiting)

clerk01 opens W1 at 09:00 and closes it at 10:00; clerk02 opens W2 at 09:00, pauses 09:30-09:40, closes
10:00. Waits (issue to first call): A001 300 s, B001 120, B002 480, A002 600.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from hallq.app.factory import create_app
from hallq.config.settings import Settings
from hallq.engine import ManualClock
from hallq.operations.context import Actor, HallContext
from hallq.operations.issuing import IssueRequest, issue_ticket
from hallq.operations.ratings import RatingInput, close_unrated, rate_ticket
from hallq.operations.windows import call_next, change_state, finish, no_show, start
from tests.conftest import SHANGHAI, Tokens, small_hall_with
from tests.postgres import scratch_database

DAY = date(2026, 11, 23)
CLERK1 = Actor(role="clerk", name="clerk01")
CLERK2 = Actor(role="clerk", name="clerk02")


def at(clock_time: str) -> datetime:
    hour, minute = map(int, clock_time.split(":"))
    return datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def hall_file(tmp_path: Path) -> Path:
    """The small hall, ranking every window and clerk with one rated visit, one title each."""
    return small_hall_with(tmp_path, "\n[ranking]\nmin_rated = 1\ntitles = 1\n")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at("09:00"))


@pytest.fixture(params=["sqlite", "postgresql"])
def app(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock, hall_file: Path
) -> Iterator[Flask]:
    """Every figure below on the embedded SQLite and on PostgreSQL: the same hand-computed numbers."""
    with ExitStack() as stack:
        url = stack.enter_context(scratch_database()) if request.param == "postgresql" else None
        settings = Settings(
            instance=tmp_path / "instance",
            hall_file=hall_file,
            database_url=url,
            async_mode="threading",
            testing=True,
            printers={"K1": "dummy://", "K2": "dummy://"},
        )
        app = create_app(settings, clock=clock)
        stack.callback(app.extensions["hallq"].store.dispose)
        yield app


@pytest.fixture
def morning(ctx: HallContext, clock: ManualClock) -> dict[str, int]:
    """Plays the morning of the module docstring; returns ticket ids by number."""
    ids: dict[str, int] = {}

    def when(clock_time: str) -> None:
        clock.set(at(clock_time))

    def issue(service_id: str) -> None:
        ticket, _ = issue_ticket(ctx, IssueRequest(service_id=service_id))
        ids[ticket["number"]] = ticket["id"]

    def called(window: str, actor: Actor) -> str:
        ticket = call_next(ctx, window, actor).ticket
        assert ticket is not None
        return str(ticket["number"])

    when("09:00")
    change_state(ctx, "W1", CLERK1, "open")
    change_state(ctx, "W2", CLERK2, "open")
    issue("a1")
    when("09:01")
    issue("b1")
    when("09:02")
    issue("b2")
    when("09:03")
    assert called("W2", CLERK2) == "B001"
    when("09:05")
    assert called("W1", CLERK1) == "A001"
    when("09:06")
    start(ctx, "W1", CLERK1)
    when("09:08")
    finish(ctx, "W2", CLERK2)
    rate_ticket(ctx, ids["B001"], RatingInput(2, ["等候时间长"], source="phone"))
    when("09:10")
    issue("a1")
    assert called("W2", CLERK2) == "B002"
    when("09:12")
    no_show(ctx, "W2", CLERK2)
    when("09:16")
    finish(ctx, "W1", CLERK1)
    rate_ticket(ctx, ids["A001"], RatingInput(5, source="tablet"), window_id="W1")
    when("09:20")
    issue("b2")
    assert called("W1", CLERK1) == "A002"
    when("09:30")
    finish(ctx, "W1", CLERK1)
    change_state(ctx, "W2", CLERK2, "pause")
    when("09:40")
    change_state(ctx, "W2", CLERK2, "resume")
    when("10:00")
    change_state(ctx, "W1", CLERK1, "close")
    change_state(ctx, "W2", CLERK2, "close")
    when("12:00")  # A002 finished at 09:30; rating closes 120 minutes later
    assert close_unrated(ctx) == 1
    return ids


def report(client: FlaskClient, tokens: Tokens, group_by: str) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/stats/summary?from={DAY}&to={DAY}&group_by={group_by}",
        headers=Tokens.header(tokens.manager),
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def by_key(body: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return {row["key"]: row for row in body["rows"]}


def test_report_by_zone_matches_the_hand_figures(
    client: FlaskClient, tokens: Tokens, morning: dict[str, int]
) -> None:
    rows = by_key(report(client, tokens, "zone"))
    zone_a, zone_b = rows["A"], rows["B"]
    # zone A: A001, A002 served; waits 300 and 600; service 600 (start->finish) and 600 (call->finish)
    assert (zone_a["tickets"], zone_a["served"], zone_a["no_show"]) == (2, 2, 0)
    assert zone_a["no_show_rate"] == 0.0
    assert (zone_a["mean_wait_s"], zone_a["median_wait_s"], zone_a["p90_wait_s"]) == (450.0, 300.0, 600.0)
    assert zone_a["mean_service_s"] == 600.0
    assert (zone_a["rated"], zone_a["unrated"], zone_a["ratings"]["5"]) == (1, 1, 1)
    assert zone_a["satisfaction_rate"] == 1.0 and zone_a["bad_ratings"] == 0
    # zone B: B001 served, B002 no-show, B003 waiting; waits 120 and 480; one bad rating
    assert (zone_b["tickets"], zone_b["served"], zone_b["no_show"]) == (3, 1, 1)
    assert zone_b["no_show_rate"] == 0.5
    assert (zone_b["mean_wait_s"], zone_b["median_wait_s"], zone_b["p90_wait_s"]) == (300.0, 120.0, 480.0)
    assert zone_b["mean_service_s"] == 300.0
    assert (zone_b["rated"], zone_b["unrated"], zone_b["ratings"]["2"]) == (1, 0, 1)
    assert zone_b["satisfaction_rate"] == 0.0 and zone_b["bad_ratings"] == 1
    assert zone_a["label"] == "甲区" and zone_b["label"] == "乙区"


def test_total_line_and_unrated_never_counted_as_satisfied(
    client: FlaskClient, tokens: Tokens, morning: dict[str, int]
) -> None:
    total = report(client, tokens, "zone")["total"]
    assert (total["tickets"], total["served"], total["no_show"], total["no_show_rate"]) == (5, 3, 1, 0.25)
    # waits 120, 300, 480, 600: mean 375; nearest rank: median = 2nd = 300, p90 = 4th = 600
    assert (total["mean_wait_s"], total["median_wait_s"], total["p90_wait_s"]) == (375.0, 300.0, 600.0)
    assert total["mean_service_s"] == 500.0  # 600, 300, 600
    # two rated (5 and 2), A002 unrated: 1 of 2 rated visits satisfied, not 2 of 3
    assert (total["rated"], total["unrated"], total["satisfaction_rate"], total["bad_ratings"]) == (
        2,
        1,
        0.5,
        1,
    )


def test_window_and_clerk_rows_carry_open_time_and_idle_share(
    client: FlaskClient, tokens: Tokens, morning: dict[str, int]
) -> None:
    windows = by_key(report(client, tokens, "window"))
    # W1: open 09:00-10:00 = 3600 s; busy call->end 660 (A001 09:05-09:16) + 600 (A002 09:20-09:30)
    assert (windows["W1"]["open_s"], windows["W1"]["busy_s"]) == (3600.0, 1260.0)
    assert windows["W1"]["idle_share"] == 0.65
    # W2: open 09:00-09:30 and 09:40-10:00 = 3000 s; busy 300 (B001) + 120 (B002)
    assert (windows["W2"]["open_s"], windows["W2"]["busy_s"]) == (3000.0, 420.0)
    assert windows["W2"]["idle_share"] == 0.86
    assert windows[None]["tickets"] == 1 and windows[None]["idle_share"] is None  # B003, never called
    assert [row["key"] for row in report(client, tokens, "window")["rows"]] == ["W1", "W2", None]
    clerks = by_key(report(client, tokens, "clerk"))
    assert (clerks["clerk01"]["tickets"], clerks["clerk01"]["open_s"]) == (2, 3600.0)
    assert (clerks["clerk02"]["tickets"], clerks["clerk02"]["no_show"], clerks["clerk02"]["open_s"]) == (
        2,
        1,
        3000.0,
    )


def test_by_hour_is_in_the_halls_time_zone(
    client: FlaskClient, tokens: Tokens, morning: dict[str, int]
) -> None:
    rows = report(client, tokens, "hour")["rows"]
    # issued 09:00-09:20 Shanghai time (01:00-01:20 UTC): one row, 9 o'clock
    assert [(row["key"], row["label"], row["tickets"]) for row in rows] == [(9, "09:00–10:00", 5)]
    assert [row["key"] for row in report(client, tokens, "day")["rows"]] == ["2026-11-23"]


def test_late_rating_is_refused_and_stays_unrated(
    client: FlaskClient, tokens: Tokens, morning: dict[str, int]
) -> None:
    late = client.post(
        f"/api/v1/tickets/{morning['A002']}/rating", json={"level": 5}, headers=Tokens.header(tokens.manager)
    )
    assert late.status_code == 409 and late.get_json()["error"] == "rating_closed"
    events = client.get(
        f"/api/v1/tickets/{morning['A002']}", headers=Tokens.header(tokens.manager)
    ).get_json()
    assert [e["type"] for e in events["events"]][-1] == "unrated"
    assert report(client, tokens, "zone")["total"]["satisfaction_rate"] == 0.5


def test_monthly_ranking_by_the_documented_formula(
    client: FlaskClient, tokens: Tokens, morning: dict[str, int]
) -> None:
    body = client.get("/api/v1/stats/ranking?month=2026-11", headers=Tokens.header(tokens.manager)).get_json()
    # November 2026: 21 working days x (8 h - 1.5 h lunch) = 491,400 s scheduled
    assert body["scheduled_s"] == 21 * 6.5 * 3600
    w1, w2 = body["windows"]
    # W1: satisfaction 1/1, both called within 900 s, open 3600 s: 100 x (0.5 + 0.3 + 0.2 x 3600/491400)
    assert (w1["key"], w1["score"], w1["place"], w1["title"]) == ("W1", 80.15, 1, "红旗窗口")
    # W2: satisfaction 0/1, timely 2/2, open 3000 s, its one rating bad (100%):
    # 100 x (0.3 + 0.2 x 3000/491400) - 1 x 100 = -69.88, shown as 0
    assert (w2["key"], w2["score"], w2["place"], w2["title"]) == ("W2", 0.0, 2, None)
    assert (w2["bad_rate_part"], w1["bad_rate_part"]) == (1.0, 0.0)
    assert [(c["key"], c["title"]) for c in body["clerks"]] == [("clerk01", "先进工作者"), ("clerk02", None)]


def test_exports_read_back(client: FlaskClient, tokens: Tokens, morning: dict[str, int]) -> None:
    query = f"from={DAY}&to={DAY}&group_by=zone"
    csv_response = client.get(f"/api/v1/stats/export.csv?{query}", headers=Tokens.header(tokens.manager))
    assert csv_response.status_code == 200
    assert csv_response.data.startswith("\ufeff".encode())  # Excel reads UTF-8 Chinese only with the BOM
    assert "hallq-zone-2026-11-23-2026-11-23.csv" in csv_response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    header = lines[0]
    assert header[0] == "分组 / Group" and "满意率 / Satisfaction rate" in header
    rows = {line[0]: dict(zip(header, line, strict=True)) for line in lines[1:]}
    assert set(rows) == {"甲区", "乙区", "合计"}
    assert rows["乙区"]["过号率 / No-show rate"] == "0.5"
    assert rows["合计"]["平均等候(秒) / Mean wait (s)"] == "375.0"

    xlsx = client.get(f"/api/v1/stats/export.xlsx?{query}", headers=Tokens.header(tokens.manager))
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(xlsx.data))
    sheet = book.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == header
    by_group = {row[0]: dict(zip(header, row, strict=True)) for row in values[1:]}
    assert by_group["甲区"]["取号数 / Tickets"] == 2
    assert by_group["合计"]["满意率 / Satisfaction rate"] == 0.5
    assert by_group["合计"]["90%等候(秒) / P90 wait (s)"] == 600
    assert sheet["E2"].number_format == "0.0%"
    about = dict(book.worksheets[1].iter_rows(values_only=True))
    assert about["时区 Time zone"] == "Asia/Shanghai" and about["至 To"] == "2026-11-23"


def test_only_managers_read_figures_and_bad_queries_are_clear(client: FlaskClient, tokens: Tokens) -> None:
    for token in (tokens.kiosk, tokens.display, tokens.bridge, tokens.clerk_w01):
        response = client.get("/api/v1/stats/summary", headers=Tokens.header(token))
        assert response.status_code == 403
    assert client.get("/api/v1/stats/live").status_code == 401
    manager = Tokens.header(tokens.manager)
    for query, code in [
        ("group_by=colour", "bad_group_by"),
        ("from=2026-13-01", "bad_date"),
        ("from=2026-11-23&to=2026-11-01", "bad_range"),
        ("from=2024-01-01&to=2026-01-01", "range_too_long"),
    ]:
        response = client.get(f"/api/v1/stats/summary?{query}", headers=manager)
        assert response.status_code == 422 and response.get_json()["error"] == code, query
    assert client.get("/api/v1/stats/ranking?month=2026-1", headers=manager).status_code == 422
    empty = client.get("/api/v1/stats/summary?from=2026-01-05", headers=manager).get_json()
    assert (
        empty["rows"] == [] and empty["total"]["tickets"] == 0 and empty["total"]["satisfaction_rate"] is None
    )


def test_manager_pages_need_a_manager_and_show_the_figures(
    client: FlaskClient, tokens: Tokens, morning: dict[str, int], clerks: dict[str, str]
) -> None:
    assert client.get("/manager/reports").status_code == 302
    client.post("/api/v1/session", json={"username": "clerk01", "password": "secret-pass"})
    refused = client.get("/manager")
    assert refused.status_code == 302 and "/manager/login" in refused.headers["Location"]
    manager = Tokens.header(tokens.manager)
    page = client.get(f"/manager/reports?from={DAY}&to={DAY}&group_by=window", headers=manager)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<svg") == 2 and "1号窗口" in html and "65.0%" in html and "86.0%" in html
    bad = client.get("/manager/reports?from=2026-02-30", headers=manager)
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    ranking = client.get("/manager/ranking?month=2026-11", headers=manager).get_data(as_text=True)
    assert "红旗窗口" in ranking and "80.15" in ranking
    assert "差评率" in ranking and "Score =" not in ranking  # the formula, in Chinese, with the bad rate
    assert "1 (100.0%)" in ranking  # W2's one bad rating beside its rate
    follow_ups = client.get("/manager/follow-ups", headers=manager).get_data(as_text=True)
    assert "B001" in follow_ups and "2026-11-30" in follow_ups  # Monday + 5 working days
    assert client.get("/manager", headers=manager).status_code == 200


def test_reports_open_on_the_last_30_days(app, client: FlaskClient, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    """Opened with no range, the report covers the last 30 days (today alone hid the hall's history), and its
    export link asks for the same days."""
    today = app.extensions["hallq"].day()
    first = (today - timedelta(days=29)).isoformat()
    html = client.get("/manager/reports", headers=Tokens.header(tokens.manager)).get_data(as_text=True)
    assert f'name="from" value="{first}"' in html and f'name="to" value="{today.isoformat()}"' in html
    assert f"from={first}&amp;to={today.isoformat()}" in html


def test_the_ranking_weighs_bad_ratings_as_a_rate_not_a_count() -> None:
    """Issue 24: 2.0 points a bad rating put a window serving 710 (30 bad of 600 rated, 5%) places below one
    serving 131 (5 bad of 100 rated, 5%). As a rate both lose the same: by hand,
    100 x (0.5 x 0.95 + 0.3 x 0.9 + 0.2 x 0.9) / 1.0 - 1 x 5 = 87.5."""
    from hallq.stats.ranking import score_row

    weights = {"satisfaction": 0.5, "timeliness": 0.3, "attendance": 0.2}

    def window(served: int, rated: int, bad: int) -> dict[str, float]:
        return {
            "served": served,
            "no_show": 0,
            "timely": 0.9 * served,
            "open_s": 0.9 * 1000,
            "rated": rated,
            "bad_ratings": bad,
            "satisfaction_rate": 1 - bad / rated,
        }

    busy, quiet = window(710, 600, 30), window(131, 100, 5)
    assert score_row(busy, 1000, weights, 1.0) == score_row(quiet, 1000, weights, 1.0) == 87.5
    assert busy["bad_rate_part"] == quiet["bad_rate_part"] == 0.05
    worse = window(131, 100, 10)  # twice the rate: 100 x 0.9 - 10 = 80
    assert score_row(worse, 1000, weights, 1.0) == 80.0
