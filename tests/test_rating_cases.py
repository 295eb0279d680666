"""好差评 as the national rules ask (issue 35): ratings tied to cases, content by level, the report's payload,
appeals, integrity flags."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hallq.demo.province import ProvinceEmulator
from hallq.operations.accounts import create_token
from hallq.operations.context import HallContext
from hallq.province.sender import send_due
from hallq.stats.integrity import integrity_flags
from hallq.stats.summary import Period, summary
from hallq.store.models import RatingReport, VisitCases
from tests.conftest import Tokens, small_hall_with

from .test_follow_ups import served


@pytest.fixture
def province() -> Iterator[ProvinceEmulator]:
    emulator = ProvinceEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def hall_file(tmp_path: Path, province: ProvinceEmulator) -> Path:
    """The small hall, its a1 given a 事项编码 and a department, reporting to the emulated province."""
    path = small_hall_with(
        tmp_path,
        f'\n[province]\nadapter = "json-http"\nurl = "{province.url}"\nhall_code = "h1"\n'
        'region_code = "340100"\nsend_applicant = true\ntimeout_s = 2.0\n',
    )
    source = path.read_text(encoding="utf-8").replace(
        'id = "a1"\n', 'id = "a1"\ncode = "11340100-A1"\ndepartment = "市场监管局"\n', 1
    )
    path.write_text(source, encoding="utf-8")
    return path


def _integration(ctx: HallContext) -> dict[str, str]:
    return Tokens.header(create_token(ctx.store, "integration", ctx.now(), name="case-system"))


def _reports(ctx: HallContext) -> list[RatingReport]:
    with ctx.store.read() as session:
        return list(session.scalars(select(RatingReport).order_by(RatingReport.id)))


def test_the_case_system_arms_the_last_visit_and_the_rating_carries_its_cases(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, province: ProvinceEmulator
) -> None:
    ticket = served(client, tokens)
    integration = _integration(ctx)
    body = {
        "cases": [{"case_number": "BJ-2026-0001", "service_code": "11340100-A1-01", "name": "设立登记"}],
        "applicant": {"name": "张三", "id_number": "340102199001011234", "phone": "13800000000"},
    }
    socket = client.application.extensions["socketio"].test_client(
        client.application, auth={"token": create_token(ctx.store, "evaluator", ctx.now(), window_id="W1")}
    )
    socket.emit("join", {"room": "window:W1"}, callback=True)
    socket.get_received()
    armed = client.post("/api/v1/windows/W1/evaluation", json=body, headers=integration)
    assert armed.status_code == 200, armed.get_json()
    assert armed.get_json()["asks"] == "now" and armed.get_json()["ticket"]["id"] == ticket["id"]
    # the window's tablet is asked again, for this visit
    asked = [m for m in socket.get_received() if m["name"] == "rating_requested"]
    assert asked and asked[0]["args"][0]["ticket"]["id"] == ticket["id"]
    socket.disconnect()
    # the same number twice is kept once; a second case is added
    again = {"cases": [{"case_number": "BJ-2026-0001"}, {"case_number": "BJ-2026-0002"}]}
    cases = client.post("/api/v1/windows/W1/evaluation", json=again, headers=integration).get_json()["cases"]
    assert [c["case_number"] for c in cases] == ["BJ-2026-0001", "BJ-2026-0002"]
    tablet = Tokens.header(create_token(ctx.store, "evaluator", ctx.now(), window_id="W1"))
    rated = client.post(
        f"/api/v1/tickets/{ticket['id']}/rating",
        json={"level": 2, "reasons": ["等候时间长", "服务态度差"], "comment": "窗口人员离岗十分钟"},
        headers=tablet,
    )
    assert rated.status_code == 201, rated.get_json()
    assert rated.get_json()["indicators"] == [
        {"indicator": "服务效率", "text": "等候时间长"},
        {"indicator": "服务态度", "text": "服务态度差"},
    ]
    (report,) = _reports(ctx)
    payload = report.payload
    assert payload["id"] == report.message_id and payload["id"].startswith("h1-rating-")
    assert payload["case_numbers"] == ["BJ-2026-0001", "BJ-2026-0002"]
    assert payload["service_code"] == "11340100-A1" and payload["department"] == "市场监管局"
    assert payload["channel"] == "tablet" and payload["level_name"] == "不满意"
    assert payload["indicator_version"] == "hallq-2026.1" and payload["comment"] == "窗口人员离岗十分钟"
    assert payload["window"]["id"] == "W1" and payload["region_code"] == "340100"
    assert payload["applicant"]["id_number"] == "340102199001011234"  # the province asks for it here
    with ctx.store.read() as session:  # ... and the hall keeps it nowhere else
        assert session.get(VisitCases, ticket["id"]).applicant is None
    assert send_due(ctx) == (1, 0)
    assert province.received[0]["case_numbers"] == ["BJ-2026-0001", "BJ-2026-0002"]
    (delivered,) = _reports(ctx)
    assert delivered.state == "delivered" and "applicant" not in delivered.payload  # dropped once delivered


def test_the_trigger_is_refused_where_it_has_nothing_to_arm(
    client: FlaskClient, tokens: Tokens, ctx: HallContext
) -> None:
    integration = _integration(ctx)
    body = {"cases": [{"case_number": "BJ-1"}]}
    nothing = client.post("/api/v1/windows/W2/evaluation", json=body, headers=integration)
    assert nothing.status_code == 409 and nothing.get_json()["error"] == "no_visit"
    unknown = client.post("/api/v1/windows/W9/evaluation", json=body, headers=integration)
    assert unknown.status_code == 404
    bad = client.post(
        "/api/v1/windows/W1/evaluation", json={"cases": [{"case_number": "a b"}]}, headers=integration
    )
    assert bad.status_code == 422
    assert (
        client.post("/api/v1/windows/W1/evaluation", json={"cases": []}, headers=integration).status_code
        == 422
    )
    # the visit in hand: armed for 办结, no tablet asked yet
    bridge = Tokens.header(tokens.bridge)
    client.post("/api/v1/tickets", json={"service_id": "a1"}, headers=Tokens.header(tokens.kiosk))
    client.post("/api/v1/windows/W1/open", headers=bridge)
    client.post("/api/v1/windows/W1/call-next", headers=bridge)
    elsewhere = Tokens.header(create_token(ctx.store, "clerk", ctx.now(), window_id="W2"))
    not_here = client.post("/api/v1/windows/W1/evaluation", json=body, headers=elsewhere)
    assert not_here.status_code == 403 and not_here.get_json()["error"] == "not_your_window"
    armed = client.post("/api/v1/windows/W1/evaluation", json=body, headers=integration)
    assert armed.status_code == 200 and armed.get_json()["asks"] == "at_finish"


def test_content_depends_on_the_level_and_a_bad_rating_needs_a_reason(
    client: FlaskClient, tokens: Tokens, ctx: HallContext
) -> None:
    ticket = served(client, tokens)
    token = ticket["status_url"].removeprefix("/t/")
    url = f"/api/v1/status/{token}/rating"
    content = client.get(f"/api/v1/status/{token}").get_json()["rating"]["content"]
    good = {item["text"] for item in content["by_level"]["5"]}
    bad = {item["text"] for item in content["by_level"]["1"]}
    assert "服务态度好" in good and "服务态度差" in bad and not good & bad
    assert {item["indicator"] for item in content["by_level"]["1"]} == {
        "服务效率",
        "服务水平",
        "服务态度",
        "整体满意度",
    }
    no_reason = client.post(url, json={"level": 1})
    assert no_reason.status_code == 422 and no_reason.get_json()["error"] == "reason_required"
    wrong_level = client.post(url, json={"level": 5, "reasons": ["服务态度差"]})
    assert wrong_level.status_code == 422 and wrong_level.get_json()["error"] == "unknown_content"
    words_only = client.post(
        url, json={"level": 1, "reasons": ["其他"], "comment": "  材料清单与窗口说法不一  "}
    )
    assert words_only.status_code == 201
    assert words_only.get_json()["comment"] == "材料清单与窗口说法不一"


def test_a_pad_on_the_bridge_rates_bad_without_a_reason(client: FlaskClient, tokens: Tokens) -> None:
    """A 5-key evaluator pad cannot choose content: its bad rating is taken, with no content."""
    ticket = served(client, tokens)
    rated = client.post(
        f"/api/v1/tickets/{ticket['id']}/rating", json={"level": 1}, headers=Tokens.header(tokens.bridge)
    )
    assert rated.status_code == 201 and rated.get_json()["source"] == "pad"


def _bad_rating(client: FlaskClient, tokens: Tokens) -> int:
    ticket = served(client, tokens)
    token = ticket["status_url"].removeprefix("/t/")
    assert (
        client.post(
            f"/api/v1/status/{token}/rating", json={"level": 1, "reasons": ["服务态度差"]}
        ).status_code
        == 201
    )
    manager = Tokens.header(tokens.manager)
    follow_ups = client.get("/api/v1/follow-ups?status=all", headers=manager).get_json()["follow_ups"]
    return int(next(f["rating_id"] for f in follow_ups if f["ticket_id"] == ticket["id"]))


def test_an_upheld_appeal_takes_the_rating_out_of_the_figures_and_is_reported(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, province: ProvinceEmulator
) -> None:
    rating_id = _bad_rating(client, tokens)
    today = Period(ctx.day(), ctx.day())
    before = summary(ctx, today, "window")["total"]
    assert (before["rated"], before["ratings"]["1"], before["satisfaction_rate"]) == (1, 1, 0.0)
    manager, bridge = Tokens.header(tokens.manager), Tokens.header(tokens.bridge)
    url = f"/api/v1/ratings/{rating_id}/appeal"
    assert client.post(url, json={"reason": "x"}, headers=manager).status_code == 422  # a reason in words
    filed = client.post(url, json={"reason": "群众对政策不满，非窗口服务问题"}, headers=manager)
    assert filed.status_code == 201 and filed.get_json()["state"] == "open"
    assert client.post(url, json={"reason": "再次申诉"}, headers=manager).status_code == 409
    assert client.post(url, json={"reason": "桥接设备"}, headers=bridge).status_code == 403
    decision = {"decision": "upheld", "note": "核实录音，属政策咨询"}
    decided = client.post(f"{url}/decision", json=decision, headers=manager)
    assert decided.status_code == 200 and decided.get_json()["state"] == "upheld"
    assert client.post(f"{url}/decision", json=decision, headers=manager).status_code == 409
    after = summary(ctx, today, "window")["total"]
    assert (after["rated"], after["ratings"]["1"], after["excluded"]) == (0, 0, 1)
    assert after["satisfaction_rate"] is None and after["rating_rate"] == 1.0  # the citizen did rate
    kinds = [(r.kind, r.payload.get("excluded")) for r in _reports(ctx)]
    assert kinds == [("rating", False), ("appeal", True)]
    appeal = _reports(ctx)[1].payload
    assert appeal["rating"] == _reports(ctx)[0].message_id and appeal["id"] == f"{appeal['rating']}-appeal"
    log = client.get("/api/v1/audit", headers=Tokens.header(tokens.admin)).get_json()["entries"]
    assert {"rating.appealed", "appeal.upheld"} <= {e["action"] for e in log}
    assert client.get("/api/v1/appeals", headers=manager).get_json()["appeals"][0]["state"] == "upheld"
    assert client.get("/manager/follow-ups?status=all", headers=manager).status_code == 200


def test_integrity_flags_bursts_the_clerks_own_reach_and_implausible_shares(
    client: FlaskClient, tokens: Tokens, ctx: HallContext
) -> None:
    tablet = Tokens.header(create_token(ctx.store, "evaluator", ctx.now(), window_id="W1", name="tablet-W1"))
    tickets = [served(client, tokens) for _ in range(5)]
    for ticket in tickets:  # five ratings from one tablet within a second: nobody is served that fast
        rated = client.post(f"/api/v1/tickets/{ticket['id']}/rating", json={"level": 5}, headers=tablet)
        assert rated.status_code == 201
    flags: list[dict[str, Any]] = integrity_flags(ctx, Period(ctx.day(), ctx.day()))
    burst = next(f for f in flags if f["kind"] == "burst")
    assert burst["sender"] == "tablet-W1" and burst["count"] == 5
    assert not [f for f in flags if f["kind"] == "implausible_share"]  # 5 visits: too few to judge
    listed = client.get("/api/v1/ratings/flags", headers=Tokens.header(tokens.manager)).get_json()["flags"]
    assert [f["kind"] for f in listed] == [f["kind"] for f in flags]
    assert not [f for f in flags if f["kind"] == "clerk_route"]  # the tablet and a bridge: not the clerk
    # a clerk signs in at W2 from this address, serves, and the visit is rated from the same address
    clerk = Tokens.header(create_token(ctx.store, "clerk", ctx.now(), window_id="W2", name="clerk-w2"))
    ticket = client.post("/api/v1/tickets", json={"service_id": "b1"}, headers=Tokens.header(tokens.kiosk))
    for action in ("open", "call-next", "finish"):
        assert client.post(f"/api/v1/windows/W2/{action}", headers=clerk).status_code == 200
    token = ticket.get_json()["status_url"].removeprefix("/t/")
    assert client.post(f"/api/v1/status/{token}/rating", json={"level": 5}).status_code == 201
    flags = integrity_flags(ctx, Period(ctx.day(), ctx.day()))
    own = [f for f in flags if f["kind"] == "clerk_route"]
    assert [(f["ticket"], f["clerk"], f["why"]) for f in own] == [
        (ticket.get_json()["number"], "clerk-w2", "clerk_address")
    ]
    # every visit at W1 rated 非常满意: implausible once there are enough visits to judge
    ratings = ctx.config.ratings.model_copy(update={"flag_min_visits": 5})
    ctx.switch(ctx.config.model_copy(update={"ratings": ratings}), ctx.policy, ctx.version)
    shares = [
        f for f in integrity_flags(ctx, Period(ctx.day(), ctx.day())) if f["kind"] == "implausible_share"
    ]
    assert [(f["group"], f["key"], f["top_share"]) for f in shares if f["group"] == "window"] == [
        ("window", "W1", 1.0)
    ]


def test_the_citizens_words_go_to_managers_not_to_the_windows_room(
    client: FlaskClient, tokens: Tokens, ctx: HallContext
) -> None:
    """The window's room holds the display and the tablet facing citizens: they hear that a visit was rated,
    not what the citizen wrote."""
    ticket = served(client, tokens)
    socketio = client.application.extensions["socketio"]
    tablet = socketio.test_client(
        client.application, auth={"token": create_token(ctx.store, "evaluator", ctx.now(), window_id="W1")}
    )
    manager = socketio.test_client(client.application, auth={"token": tokens.manager})
    tablet.emit("join", {"room": "window:W1"}, callback=True)
    manager.emit("join", {"room": "manager"}, callback=True)
    tablet.get_received(), manager.get_received()
    token = ticket["status_url"].removeprefix("/t/")
    body = {"level": 1, "reasons": ["其他"], "comment": "经办人电话 138…"}
    assert client.post(f"/api/v1/status/{token}/rating", json=body).status_code == 201
    at_window = [m["args"][0] for m in tablet.get_received() if m["name"] == "ticket_rated"]
    for_managers = [m["args"][0] for m in manager.get_received() if m["name"] == "ticket_rated"]
    assert at_window and "comment" not in at_window[0] and at_window[0]["level"] == 1
    assert for_managers[0]["comment"] == "经办人电话 138…"
    tablet.disconnect(), manager.disconnect()


def test_managers_see_the_reports_state_and_are_alerted_when_the_oldest_waits_too_long(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, province: ProvinceEmulator
) -> None:
    from datetime import timedelta

    from hallq.operations.rating_reports import report_status, wall_now

    _bad_rating(client, tokens)
    manager = Tokens.header(tokens.manager)
    status = client.get("/api/v1/province/status", headers=manager).get_json()
    assert (status["pending"], status["delivered_today"], status["failing"], status["alert"]) == (
        1,
        0,
        0,
        False,
    )
    assert client.get("/api/v1/stats/live", headers=manager).get_json()["province"]["pending"] == 1
    later = report_status(ctx, wall_now() + timedelta(minutes=61))  # [province] alert_after_minutes = 60
    assert later["alert"] and later["oldest_pending_s"] > 3600
    province.mode = "error"
    assert send_due(ctx) == (0, 1)
    failing = client.get("/api/v1/province/status", headers=manager).get_json()
    assert failing["failing"] == 1 and failing["last_error"].startswith("HTTP 500")


def test_an_applicant_never_reported_is_forgotten_a_day_past_the_time_to_rate(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, clock: Any
) -> None:
    from datetime import timedelta

    from hallq.operations.evaluation import forget_applicants

    ticket = served(client, tokens)
    body = {
        "cases": [{"case_number": "BJ-9"}],
        "applicant": {"name": "李四", "id_number": "340102199001019999"},
    }
    assert (
        client.post("/api/v1/windows/W1/evaluation", json=body, headers=_integration(ctx)).status_code == 200
    )
    assert forget_applicants(ctx) == 0  # it may still be rated
    clock.advance(timedelta(minutes=ctx.config.ratings.open_minutes, days=1, seconds=1).total_seconds())
    assert forget_applicants(ctx) == 1
    with ctx.store.read() as session:
        row = session.get(VisitCases, ticket["id"])
        assert row.applicant is None and row.cases == [
            {"case_number": "BJ-9", "service_code": "", "name": ""}
        ]
