"""Issuing and reading tickets over HTTP: success, every 4xx, and numbering that never skips."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from hallq.engine import ManualClock
from hallq.operations import issuing
from hallq.operations.context import HallContext
from hallq.operations.live_model import LiveWaitModel

from .conftest import NO_SERVICE_LIMIT, SHANGHAI, SMALL_HALL, Tokens


def issue(client: FlaskClient, token: str, service_id: str = "biz_setup", **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/tickets", json={"service_id": service_id, **extra}, headers=Tokens.header(token)
    )


def test_issue_returns_the_contract_shape(client: FlaskClient, tokens: Tokens) -> None:
    response = issue(client, tokens.kiosk, kiosk_id="K1")
    assert response.status_code == 201
    body = response.get_json()
    assert body["number"] == "A001"
    assert body["service_id"] == "biz_setup" and body["zone_id"] == "A"
    assert body["status"] == "waiting"
    assert body["issued_at"] == "2026-11-23T10:00:00+08:00"
    assert body["ahead"] == 0
    assert body["estimated_wait_s"] > 0  # no window is open yet: a figure, flagged as no promise
    assert body["no_window_open"] is True
    assert body["status_url"].startswith("/t/") and len(body["status_url"]) > 20
    # K1 has a printer (dummy:// here): the job is queued and its outcome pushed to the kiosk later
    assert body["print"] == {"ok": True, "state": "queued", "job_id": 1, "error": None}
    without_kiosk = issue(client, tokens.kiosk).get_json()["print"]
    assert without_kiosk["ok"] is False and "No kiosk given" in without_kiosk["error"]


def test_numbers_count_per_zone_and_people_ahead_per_service(client: FlaskClient, tokens: Tokens) -> None:
    numbers = [
        issue(client, tokens.kiosk, s).get_json() for s in ("biz_setup", "biz_setup", "pension", "seal")
    ]
    assert [t["number"] for t in numbers] == ["A001", "A002", "D001", "A003"]
    assert [t["ahead"] for t in numbers] == [0, 1, 0, 0]
    assert numbers[1]["estimated_wait_s"] > numbers[0]["estimated_wait_s"]


def test_green_ticket_goes_ahead_of_normal_ones(client: FlaskClient, tokens: Tokens) -> None:
    for _ in range(3):
        issue(client, tokens.kiosk)
    green = issue(client, tokens.kiosk, priority="green").get_json()
    assert green["priority"] == "green" and green["ahead"] == 0


def test_numbering_restarts_at_midnight_in_the_hall(
    client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    assert issue(client, tokens.kiosk).get_json()["number"] == "A001"
    assert issue(client, tokens.kiosk).get_json()["number"] == "A002"
    clock.set(datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI))
    assert issue(client, tokens.kiosk).get_json()["number"] == "A001"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"service_id": "nope"}', "application/json", 422, "unknown_service"),
        ('{"service_id": 7}', "application/json", 422, "invalid_request"),
        ("{}", "application/json", 422, "invalid_request"),
        ('{"service_id": "biz_setup", "priority": "vip"}', "application/json", 422, "invalid_request"),
        ('["biz_setup"]', "application/json", 422, "invalid_request"),
        ('{"service_id": ', "application/json", 400, "malformed_json"),
        ("service_id=biz_setup", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (
            '{"service_id": "biz_setup", "kiosk_id": "' + "k" * 65 + '"}',
            "application/json",
            422,
            "invalid_request",
        ),
    ],
)
def test_bad_issue_requests_get_a_clear_4xx(
    client: FlaskClient, tokens: Tokens, body: str, content_type: str, status: int, code: str
) -> None:
    response = client.post(
        "/api/v1/tickets", data=body, headers={**Tokens.header(tokens.kiosk), "Content-Type": content_type}
    )
    assert response.status_code == status
    assert response.get_json()["error"] == code
    assert response.get_json()["message"]


def test_issue_needs_a_valid_token_of_the_right_role(client: FlaskClient, tokens: Tokens) -> None:
    anonymous = client.post("/api/v1/tickets", json={"service_id": "biz_setup"})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "unauthorized"
    wrong = issue(client, "hq_kiosk_not-a-real-token")
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "invalid_token"
    display = issue(client, tokens.display)
    assert display.status_code == 403 and display.get_json()["error"] == "forbidden"
    bridge = issue(client, tokens.bridge)
    assert bridge.status_code == 403


def test_get_ticket_with_events_and_unknown_ticket(client: FlaskClient, tokens: Tokens) -> None:
    ticket = issue(client, tokens.kiosk).get_json()
    response = client.get(f"/api/v1/tickets/{ticket['id']}", headers=Tokens.header(tokens.display))
    assert response.status_code == 200
    body = response.get_json()
    assert body["number"] == "A001" and body["ahead"] == 0
    assert [e["type"] for e in body["events"]] == ["issued"]
    missing = client.get("/api/v1/tickets/999", headers=Tokens.header(tokens.display))
    assert missing.status_code == 404 and missing.get_json()["error"] == "unknown_ticket"
    assert client.get("/api/v1/tickets/abc", headers=Tokens.header(tokens.display)).status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket['id']}").status_code == 401


def test_hall_lists_zones_services_windows(client: FlaskClient, tokens: Tokens) -> None:
    body = client.get("/api/v1/hall", headers=Tokens.header(tokens.kiosk)).get_json()
    assert {z["prefix"] for z in body["zones"]} == {"A", "B", "C", "D", "E", "F"}
    service = next(s for s in body["services"] if s["id"] == "biz_setup")
    assert service["zone_id"] == "A" and "公司章程" in service["materials"]
    window = next(w for w in body["windows"] if w["id"] == "W01")
    assert window["number"] == 1 and window["state"] == "closed"
    assert window["a_services"] == ["biz_setup", "biz_change"]


def test_unknown_api_path_and_method_are_json(client: FlaskClient, tokens: Tokens) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = client.delete("/api/v1/tickets")
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"


class TestSmallHall:
    """Hours and caps on the small test hall (zone A cap 5, service b1 cap 3)."""

    @pytest.fixture
    def hall_file(self) -> Path:
        return SMALL_HALL

    def test_lunch_break_and_closed_hours(
        self, client: FlaskClient, tokens: Tokens, clock: ManualClock
    ) -> None:
        clock.set(datetime(2026, 11, 23, 12, 15, tzinfo=SHANGHAI))
        response = issue(client, tokens.kiosk, "a1")
        assert response.status_code == 409 and response.get_json()["error"] == "lunch_break"
        clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI))
        assert issue(client, tokens.kiosk, "a1").get_json()["error"] == "hall_closed"

    def test_daily_cap_refuses_without_leaving_a_gap(self, client: FlaskClient, tokens: Tokens) -> None:
        numbers = [issue(client, tokens.kiosk, "b1").get_json().get("number") for _ in range(3)]
        assert numbers == ["B001", "B002", "B003"]
        refused = issue(client, tokens.kiosk, "b1")
        assert refused.status_code == 409 and refused.get_json()["error"] == "daily_cap_reached"
        # the refused ticket took no number: the zone goes on at B004
        assert issue(client, tokens.kiosk, "b2").get_json()["number"] == "B004"
        for _ in range(5):
            issue(client, tokens.kiosk, "a1")
        assert issue(client, tokens.kiosk, "a1").get_json()["error"] == "daily_cap_reached"


def test_a_failed_issue_leaves_no_gap(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert issue(client, tokens.kiosk).get_json()["number"] == "A001"

    def broken(*_: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(issuing, "status_token", broken)
    with pytest.raises(RuntimeError):
        issuing.issue_ticket(ctx, issuing.IssueRequest("biz_setup"))
    monkeypatch.undo()
    assert issue(client, tokens.kiosk).get_json()["number"] == "A002"


def test_estimate_shrinks_as_windows_open(client: FlaskClient, tokens: Tokens, clock: ManualClock) -> None:
    for _ in range(4):
        issue(client, tokens.kiosk, "house_transfer")
    closed = issue(client, tokens.kiosk, "house_transfer").get_json()
    for window in ("W05", "W06"):
        client.post(f"/api/v1/windows/{window}/open", headers=Tokens.header(tokens.bridge))
    clock.advance(1)
    reopened = client.get(f"/api/v1/tickets/{closed['id']}", headers=Tokens.header(tokens.kiosk)).get_json()
    assert reopened["ahead"] == 4
    assert 0 < reopened["estimated_wait_s"] < closed["estimated_wait_s"]
    assert timedelta(seconds=reopened["estimated_wait_s"]) < timedelta(hours=2)


def test_citizen_status_by_token_without_login(client: FlaskClient, tokens: Tokens) -> None:
    ticket = issue(client, tokens.kiosk, "seal").get_json()
    status_token = ticket["status_url"].removeprefix("/t/")
    body = client.get(f"/api/v1/status/{status_token}").get_json()
    low, high = body["estimated_wait_range_s"]
    assert low < body["estimated_wait_s"] < high  # a range around the figure (docs/call-rule.md)
    assert body == {
        "room": f"ticket:{ticket['id']}",
        "number": "A001",
        "service_name": "公章刻制备案",
        "service_name_en": "Company seal registration",
        "zone_id": "A",
        "status": "waiting",
        "ahead": 0,
        "estimated_wait_s": body["estimated_wait_s"],
        "estimated_wait_range_s": body["estimated_wait_range_s"],
        "no_window_open": True,
        "issued_at": "2026-11-23T10:00:00+08:00",
        "called_at": None,
        "window": None,
        "rating": None,
        "materials": ["营业执照副本", "法定代表人身份证", "经办人身份证"],  # the whole list (issue 32)
        # 短信提醒: the demo hall sends no messages, so the page offers none (tests/test_messages.py)
        "notify": {"available": False, "when_ahead": 3, "phone": None},
    }
    client.post("/api/v1/windows/W02/open", headers=Tokens.header(tokens.bridge))
    client.post("/api/v1/windows/W02/call-next", headers=Tokens.header(tokens.bridge))
    called = client.get(f"/api/v1/status/{status_token}").get_json()
    assert called["status"] == "called" and called["window"] == {"number": 2, "name": "企业开办"}
    assert "events" not in called and "clerk" not in str(called)
    assert client.get("/api/v1/status/not-a-real-token-at-all").status_code == 404
    assert client.get(f"/api/v1/status/{'x' * 80}").status_code == 404
    page = client.get(ticket["status_url"])
    assert page.status_code == 200 and status_token in page.get_data(as_text=True)


@pytest.mark.parametrize("hall_file", [[NO_SERVICE_LIMIT]], indirect=True)  # 13 id_card tickets at once
def test_later_reads_of_the_log_learn_each_change_once_as_one_whole_read_would(
    client: FlaskClient, tokens: Tokens, clock: ManualClock, ctx: HallContext
) -> None:
    """The live model reads only what changed since its last read (a read costs the same all day); what it
    learns that way is what one read of the whole log learns, and a new day starts from the hall file."""
    bridge = Tokens.header(tokens.bridge)
    for window in ("W14", "W10"):
        client.post(f"/api/v1/windows/{window}/open", headers=bridge)
    for minute in range(12):
        issue(client, tokens.kiosk, "id_card")  # reads the log when 30 s have passed since the last read
        window = ("W14", "W10")[minute % 2]
        client.post(f"/api/v1/windows/{window}/call-next", headers=bridge)
        clock.advance(40 + 10 * minute)
        client.post(f"/api/v1/windows/{window}/finish", headers=bridge)
    clock.advance(31)
    issue(client, tokens.kiosk, "id_card")
    live = ctx.wait_model
    assert live is not None and len(live.visits_learned) == 12 and len(live.calls_learned) == 12
    whole = LiveWaitModel(ctx.config)
    with ctx.store.read() as session:
        whole.current(session, ctx.day(), ctx.now())
    for hour in (None, 10, 11):
        assert live.model.mean_s("id_card", hour) == pytest.approx(whole.model.mean_s("id_card", hour))
    assert live.model.cv("id_card") == pytest.approx(whole.model.cv("id_card"))
    assert live.model.mean_s("id_card") < 300  # learned: the hall file says 360 s
    clock.advance(24 * 3600)
    issue(client, tokens.kiosk, "id_card")
    assert not live.visits_learned and live.model.mean_s("id_card") == 360


def test_an_oversized_body_is_refused_clearly(client: FlaskClient, tokens: Tokens) -> None:
    body = '{"service_id": "biz_setup", "kiosk_id": "' + "k" * 70_000 + '"}'
    headers = {**Tokens.header(tokens.kiosk), "Content-Type": "application/json"}
    response = client.post("/api/v1/tickets", data=body, headers=headers)
    assert response.status_code == 413
    assert response.get_json()["error"] == "request_entity_too_large"


def test_estimate_learns_the_days_visit_times_from_the_log(
    client: FlaskClient, tokens: Tokens, clock: ManualClock, ctx: HallContext
) -> None:
    """id_card: the hall file says 6 minutes a visit; today they take one. Only W14 (A: id_card) is open."""
    bridge = Tokens.header(tokens.bridge)
    client.post("/api/v1/windows/W14/open", headers=bridge)
    for _ in range(6):
        issue(client, tokens.kiosk, "id_card")
    clock.advance(60)
    before = issue(client, tokens.kiosk, "id_card").get_json()  # 6 ahead at one window of 6-minute visits
    assert before["estimated_wait_s"] >= 6 * 360
    for _ in range(4):
        client.post("/api/v1/windows/W14/call-next", headers=bridge)
        clock.advance(60)
        client.post("/api/v1/windows/W14/finish", headers=bridge)
    client.post("/api/v1/windows/W14/call-next", headers=bridge)
    clock.advance(31)  # the model reads the log again after 30 s
    after = issue(client, tokens.kiosk, "id_card").get_json()
    assert after["ahead"] == 2  # of seven, four were served and one is at W14
    assert after["estimated_wait_s"] < 0.75 * 3 * 360  # 3 visits of 6 minutes by the hall file
    learned = ctx.wait_model
    assert learned is not None and learned.model.mean_s("id_card") < 250


def test_no_window_open_until_one_serving_it_opens(client: FlaskClient, tokens: Tokens) -> None:
    """暂无窗口开放 (issue 24): on the answer, the citizen's status page and the printed line."""
    from hallq.printing.layout import wait_line

    first = issue(client, tokens.kiosk, kiosk_id="K1").get_json()
    assert first["no_window_open"] is True
    status = client.get(f"/api/v1/status/{first['status_url'].rsplit('/', 1)[1]}").get_json()
    assert status["no_window_open"] is True
    bridge = Tokens.header(tokens.bridge)
    client.post("/api/v1/windows/W14/open", headers=bridge)  # a window of another service: still none
    assert issue(client, tokens.kiosk).get_json()["no_window_open"] is True
    client.post("/api/v1/windows/W01/open", headers=bridge)  # biz_setup's A window
    assert issue(client, tokens.kiosk).get_json()["no_window_open"] is False
    from .test_printing import sample

    assert wait_line(sample(no_window_open=True)).endswith("暂无窗口开放")
    assert "暂无窗口开放" not in wait_line(sample())
