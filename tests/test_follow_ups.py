"""Bad ratings open follow-ups due in working days; who may rate what, from where."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from hallq.engine import ManualClock
from hallq.engine.calendar import WorkCalendar
from hallq.operations.accounts import create_token
from hallq.operations.context import HallContext
from tests.conftest import SHANGHAI, Tokens, small_hall_with

#: Friday 2026-11-27, 10:00 in the hall
FRIDAY_10AM = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)


def test_deadlines_skip_weekends_holidays_and_count_make_up_days() -> None:
    plain = WorkCalendar()
    assert plain.add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)  # Friday -> next Friday
    assert plain.add_working_days(date(2026, 11, 28), 5) == date(2026, 12, 4)  # rated on a Saturday
    assert plain.add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    holiday = WorkCalendar(holidays=frozenset({date(2026, 12, 1)}))
    assert holiday.add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 7)
    make_up = WorkCalendar(extra_workdays=frozenset({date(2026, 11, 28)}))  # 调休: Saturday worked
    assert make_up.add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 3)
    # National Day week 2026: Oct 1-7 off, Sep 27 (Sunday) and Oct 10 (Saturday) worked
    golden = WorkCalendar(
        holidays=frozenset(date(2026, 10, day) for day in range(1, 8)),
        extra_workdays=frozenset({date(2026, 9, 27), date(2026, 10, 10)}),
    )
    assert golden.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    # October 2026: 22 weekdays, 5 of them in the holiday (1, 2, 5, 6, 7), plus Saturday the 10th
    assert golden.working_days(date(2026, 10, 1), date(2026, 10, 31)) == 18
    with pytest.raises(ValueError):
        WorkCalendar(weekdays=frozenset()).add_working_days(date(2026, 1, 1), 1)


@pytest.fixture
def hall_file(tmp_path: Path) -> Path:
    return small_hall_with(
        tmp_path, "\n[calendar]\nholidays = [2026-12-01]\n\n[ratings]\nfollow_up_working_days = 5\n"
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(FRIDAY_10AM)


def served(client: FlaskClient, tokens: Tokens, service_id: str = "a1", window: str = "W1") -> dict:
    ticket = client.post(
        "/api/v1/tickets", json={"service_id": service_id}, headers=Tokens.header(tokens.kiosk)
    ).get_json()
    bridge = Tokens.header(tokens.bridge)
    client.post(f"/api/v1/windows/{window}/open", headers=bridge)
    assert (
        client.post(f"/api/v1/windows/{window}/call-next", headers=bridge).get_json()["ticket"]["id"]
        == ticket["id"]
    )
    client.post(f"/api/v1/windows/{window}/finish", headers=bridge)
    return ticket


def test_bad_rating_opens_a_follow_up_that_goes_overdue_and_is_resolved(
    client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    ticket = served(client, tokens)
    token = ticket["status_url"].removeprefix("/t/")
    assert client.get(f"/api/v1/status/{token}").get_json()["rating"]["open"] is True
    rated = client.post(f"/api/v1/status/{token}/rating", json={"level": 1, "reasons": ["服务态度差"]})
    assert rated.status_code == 201 and rated.get_json()["label"] == "非常不满意"
    state = client.get(f"/api/v1/status/{token}").get_json()["rating"]
    assert (state["open"], state["level"]) == (False, 1)
    # the content each level offers, the bad levels' reasons among them, and the version ratings record
    assert {"indicator": "服务态度", "text": "服务态度差"} in state["content"]["by_level"]["1"]
    assert state["content"]["version"] == "hallq-2026.1"
    manager = Tokens.header(tokens.manager)
    (follow_up,) = client.get("/api/v1/follow-ups", headers=manager).get_json()["follow_ups"]
    # Friday 11-27 + 5 working days, Tuesday 12-01 a holiday: Monday 12-07
    assert (follow_up["due_on"], follow_up["status"], follow_up["overdue"]) == ("2026-12-07", "open", False)
    assert follow_up["reasons"] == ["服务态度差"] and follow_up["window"]["id"] == "W1"
    assert client.get("/api/v1/follow-ups?status=overdue", headers=manager).get_json()["follow_ups"] == []

    clock.set(datetime(2026, 12, 8, 9, 0, tzinfo=SHANGHAI))
    (overdue,) = client.get("/api/v1/follow-ups?status=overdue", headers=manager).get_json()["follow_ups"]
    assert overdue["overdue"] is True
    live = client.get("/api/v1/stats/live", headers=manager).get_json()
    alert = live["alerts"][-1]
    assert (alert["kind"], alert["count"], alert["oldest"][0]["id"]) == (
        "follow_up_overdue",
        1,
        overdue["id"],
    )
    url = f"/api/v1/follow-ups/{overdue['id']}"
    silent = client.patch(url, json={"status": "contacted", "note": "  "}, headers=manager)
    assert (
        silent.status_code == 422 and silent.get_json()["error"] == "note_required"
    )  # 已回访: what was said
    contacted = client.patch(url, json={"status": "contacted", "note": "已电话回访"}, headers=manager)
    assert contacted.status_code == 200 and contacted.get_json()["status_label"] == "已回访"
    no_note = client.patch(url, json={"status": "resolved"}, headers=manager)
    assert no_note.status_code == 422 and no_note.get_json()["error"] == "note_required"
    done = client.patch(
        url, json={"status": "resolved", "note": "窗口已整改，当事人表示认可"}, headers=manager
    )
    assert done.get_json()["overdue"] is False and done.get_json()["handled_by"] == "manager-token"
    again = client.patch(url, json={"status": "contacted", "note": "再次回访"}, headers=manager)
    assert again.status_code == 409
    assert client.get("/api/v1/follow-ups?status=overdue", headers=manager).get_json()["follow_ups"] == []
    assert client.patch(url, json={"status": "open"}, headers=manager).status_code == 422
    assert (
        client.patch(
            "/api/v1/follow-ups/999", json={"status": "contacted", "note": "x"}, headers=manager
        ).status_code
        == 404
    )
    assert client.get("/api/v1/follow-ups?status=late", headers=manager).status_code == 422
    assert client.get("/api/v1/follow-ups", headers=Tokens.header(tokens.bridge)).status_code == 403


def test_who_rates_what(client: FlaskClient, tokens: Tokens, ctx: HallContext) -> None:
    ticket = served(client, tokens, "b1", "W2")
    w1_tablet = Tokens.header(create_token(ctx.store, "evaluator", ctx.now(), window_id="W1"))
    w2_tablet = Tokens.header(create_token(ctx.store, "evaluator", ctx.now(), window_id="W2"))
    url = f"/api/v1/tickets/{ticket['id']}/rating"
    other = client.post(url, json={"level": 4}, headers=w1_tablet)
    assert other.status_code == 403 and other.get_json()["error"] == "other_window"
    good_with_reasons = client.post(url, json={"level": 4, "reasons": ["x"]}, headers=w2_tablet)
    assert good_with_reasons.status_code == 422
    assert client.post(url, json={"level": 6}, headers=w2_tablet).status_code == 422
    first = client.post(url, json={"level": 4}, headers=w2_tablet)
    assert first.status_code == 201 and first.get_json()["source"] == "tablet"
    assert first.get_json()["follow_up_due"] is None
    token = ticket["status_url"].removeprefix("/t/")
    second = client.post(f"/api/v1/status/{token}/rating", json={"level": 1, "reasons": ["服务态度差"]})
    assert second.status_code == 409 and second.get_json()["error"] == "already_rated"
    waiting = client.post("/api/v1/tickets", json={"service_id": "b2"}, headers=Tokens.header(tokens.kiosk))
    early_url = f"/api/v1/tickets/{waiting.get_json()['id']}/rating"
    assert client.post(early_url, json={"level": 5}, headers=w2_tablet).status_code == 403  # not at W2
    early = client.post(early_url, json={"level": 5}, headers=Tokens.header(tokens.manager))
    assert early.status_code == 409 and early.get_json()["error"] == "not_served"
    assert client.post("/api/v1/status/not-a-token/rating", json={"level": 5}).status_code == 404
    for token_value in (tokens.kiosk, tokens.display, tokens.clerk_w01):
        assert client.post(url, json={"level": 5}, headers=Tokens.header(token_value)).status_code == 403
