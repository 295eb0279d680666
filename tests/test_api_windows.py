"""Window actions over HTTP: the whole life of a ticket, wrong states, wrong windows, wrong roles."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from hallq.engine import ManualClock

from .conftest import AB_RULE, Tokens


class Desk:
    """A window driven through the API with one credential."""

    def __init__(self, client: FlaskClient, window_id: str, token: str | None = None) -> None:
        self.client, self.window_id = client, window_id
        self.headers = Tokens.header(token) if token else {}

    def post(self, verb: str, body: dict[str, Any] | None = None, window_id: str | None = None):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/api/v1/windows/{window_id or self.window_id}/{verb}", json=body, headers=self.headers
        )

    def ok(self, verb: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(verb, body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def error(self, verb: str, body: dict[str, Any] | None = None) -> tuple[int, str]:
        response = self.post(verb, body)
        return response.status_code, response.get_json()["error"]


def take(client: FlaskClient, tokens: Tokens, service_id: str, **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/tickets", json={"service_id": service_id, **extra}, headers=Tokens.header(tokens.kiosk)
    )
    assert response.status_code == 201
    return response.get_json()


@pytest.fixture
def desk(client: FlaskClient, tokens: Tokens) -> Desk:
    desk = Desk(client, "W01", tokens.bridge)
    desk.ok("open")
    return desk


def events(client: FlaskClient, tokens: Tokens, ticket_id: int) -> list[str]:
    body = client.get(f"/api/v1/tickets/{ticket_id}", headers=Tokens.header(tokens.manager)).get_json()
    return [e["type"] for e in body["events"]]


def test_whole_life_of_a_ticket(client: FlaskClient, tokens: Tokens, desk: Desk, clock: ManualClock) -> None:
    ticket = take(client, tokens, "biz_setup")
    clock.advance(300)
    called = desk.ok("call-next")
    assert called["ticket"]["number"] == ticket["number"] and called["ticket"]["status"] == "called"
    assert called["ticket"]["called_at"] == "2026-11-23T10:05:00+08:00"
    assert desk.ok("recall")["ticket"]["recalls"] == 1
    assert desk.ok("start")["ticket"]["status"] == "serving"
    assert desk.ok("finish")["ticket"]["status"] == "finished"
    assert events(client, tokens, ticket["id"]) == ["issued", "called", "recalled", "started", "finished"]
    history = client.get(f"/api/v1/tickets/{ticket['id']}", headers=Tokens.header(tokens.manager)).get_json()
    assert history["events"][-1]["detail"] == {"outcome": "served"}
    assert [e["at"] for e in history["events"]][-1] == "2026-11-23T10:05:00+08:00"
    assert all(e["window"] == "W01" for e in history["events"][1:])
    assert desk.ok("call-next")["ticket"] is None  # nobody waits


@pytest.mark.parametrize("hall_file", [[AB_RULE]], indirect=True)
def test_call_next_follows_the_ab_rule(
    client: FlaskClient, tokens: Tokens, desk: Desk, clock: ManualClock
) -> None:
    """W01: A = biz_setup, biz_change; B = biz_cancel, seal. Default bonus for own work: 300 s."""
    Desk(client, "W02", tokens.bridge).ok("open")  # seal's and biz_cancel's A window is staffed
    b_first = take(client, tokens, "seal")  # B, issued first
    clock.advance(60)
    a_later = take(client, tokens, "biz_setup")  # A, one minute later
    clock.advance(60)
    green = take(client, tokens, "biz_change", priority="green")
    take(client, tokens, "pension")  # not served by W01 at all
    clock.advance(600)
    b_old = take(client, tokens, "biz_cancel")
    clock.advance(400)
    a_new = take(client, tokens, "biz_change")
    order = []
    for _ in range(6):
        result = desk.ok("call-next")["ticket"]
        order.append(result and result["number"])
        if result:
            desk.ok("finish")
    # green first; then A before a B ticket that waited only 60 s longer; the B tickets next, since they
    # waited over 300 s longer than the newest A ticket; that one last; never a service W01 does not serve
    numbers = [t["number"] for t in (green, a_later, b_first, b_old, a_new)]
    assert order == [*numbers, None]


def test_second_call_next_while_busy_is_409(client: FlaskClient, tokens: Tokens, desk: Desk) -> None:
    take(client, tokens, "biz_setup")
    take(client, tokens, "biz_setup")
    desk.ok("call-next")
    assert desk.error("call-next") == (409, "ticket_in_progress")
    desk.ok("no-show")
    assert desk.ok("call-next")["ticket"]["number"] == "A002"


@pytest.mark.parametrize("verb", ["recall", "start", "finish", "no-show", "transfer"])
def test_actions_on_nothing_are_409(desk: Desk, verb: str) -> None:
    body = {"service_id": "seal"} if verb == "transfer" else None
    assert desk.error(verb, body) == (409, "no_current_ticket")


def test_wrong_state_actions(client: FlaskClient, tokens: Tokens, desk: Desk) -> None:
    take(client, tokens, "biz_setup")
    desk.ok("call-next")
    desk.ok("start")
    assert desk.error("recall") == (409, "invalid_state")
    assert desk.error("no-show") == (409, "invalid_state")
    assert desk.error("start") == (409, "invalid_state")
    assert desk.error("close") == (409, "ticket_in_progress")
    desk.ok("finish")


def test_call_a_specific_ticket(client: FlaskClient, tokens: Tokens, desk: Desk) -> None:
    take(client, tokens, "biz_setup")
    second = take(client, tokens, "biz_setup")
    called = desk.ok("call", {"ticket_id": second["id"]})
    assert called["ticket"]["number"] == "A002"
    desk.ok("finish")
    assert desk.error("call", {"ticket_id": second["id"]}) == (409, "invalid_state")
    assert desk.error("call", {"ticket_id": 12345}) == (404, "unknown_ticket")
    assert desk.error("call", {"ticket_id": "one"}) == (422, "invalid_request")
    assert desk.error("call", {}) == (422, "invalid_request")


def test_transfer_keeps_the_place_in_the_new_queue(
    client: FlaskClient, tokens: Tokens, desk: Desk, clock: ManualClock
) -> None:
    early = take(client, tokens, "biz_setup")
    clock.advance(600)
    take(client, tokens, "pension")  # issued later, waiting at the social security windows
    desk.ok("call-next")
    moved = desk.ok("transfer", {"service_id": "pension"})["ticket"]
    assert (
        moved["status"] == "waiting"
        and moved["service_id"] == "pension"
        and moved["number"] == early["number"]
    )
    social = Desk(client, "W08", tokens.bridge)
    social.ok("open")
    assert social.ok("call-next")["ticket"]["number"] == early["number"]
    assert events(client, tokens, early["id"]) == ["issued", "called", "transferred", "called"]


def test_transfer_to_a_window(client: FlaskClient, tokens: Tokens, desk: Desk) -> None:
    ticket = take(client, tokens, "biz_setup")
    take(client, tokens, "biz_setup")
    desk.ok("call-next")
    # a closed window would never call it (issue 32): refused, the ticket stays in hand
    assert desk.error("transfer", {"window_id": "W02"}) == (409, "window_closed")
    other = Desk(client, "W02", tokens.bridge)
    other.ok("open")
    other.ok("pause")  # a paused window will call it when its clerk is back
    desk.ok("transfer", {"window_id": "W02"})
    # W01 itself may not take it back: it was sent to W02
    assert desk.ok("call-next")["ticket"]["number"] == "A002"
    other.ok("resume")
    assert other.ok("call-next")["ticket"]["id"] == ticket["id"]


def test_a_window_that_closes_gives_its_transferred_tickets_back(
    client: FlaskClient, tokens: Tokens, desk: Desk
) -> None:
    """A ticket sent to a window that then closes goes back to its service's queue, in its old place."""
    ticket = take(client, tokens, "biz_setup")
    later = take(client, tokens, "biz_setup")
    other = Desk(client, "W02", tokens.bridge)
    other.ok("open")
    desk.ok("call-next")
    desk.ok("transfer", {"window_id": "W02"})
    other.ok("close")  # its clerk left before calling it
    assert desk.ok("call-next")["ticket"]["id"] == ticket["id"]  # first again, before the later ticket
    assert later["id"] != ticket["id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "invalid_request"),
        ({"service_id": "seal", "window_id": "W02"}, 422, "invalid_request"),
        ({"service_id": "nope"}, 422, "unknown_service"),
        ({"window_id": "W99"}, 422, "unknown_window"),
        ({"window_id": "W01"}, 422, "invalid_request"),
    ],
)
def test_bad_transfers(
    client: FlaskClient, tokens: Tokens, desk: Desk, body: dict[str, Any], status: int, code: str
) -> None:
    take(client, tokens, "biz_setup")
    desk.ok("call-next")
    assert desk.error("transfer", body) == (status, code)


def test_pause_resume_open_close(client: FlaskClient, tokens: Tokens, desk: Desk) -> None:
    take(client, tokens, "biz_setup")
    assert desk.ok("pause")["window"]["state"] == "paused"
    assert desk.error("call-next") == (409, "window_not_open")
    assert desk.ok("pause")["window"]["state"] == "paused"  # pausing twice is harmless
    assert desk.ok("resume")["window"]["state"] == "open"
    assert desk.error("resume") == (409, "window_not_paused")
    assert desk.ok("close")["window"]["state"] == "closed"
    assert desk.error("call-next") == (409, "window_not_open")
    assert desk.error("pause") == (409, "window_not_open")


def test_unknown_window_and_action(desk: Desk) -> None:
    assert desk.post("call-next", window_id="W99").status_code == 404
    assert desk.error("dance") == (404, "unknown_action")


def test_malformed_body_on_window_action(client: FlaskClient, tokens: Tokens) -> None:
    response = client.post(
        "/api/v1/windows/W01/open",
        data="{oops",
        headers={**Tokens.header(tokens.bridge), "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.get_json()["error"] == "malformed_json"


def test_window_snapshot_lists_what_it_may_call(client: FlaskClient, tokens: Tokens, desk: Desk) -> None:
    take(client, tokens, "seal")
    take(client, tokens, "biz_setup")
    take(client, tokens, "pension")
    body = client.get("/api/v1/windows/W01", headers=Tokens.header(tokens.bridge)).get_json()
    assert [(t["number"], t["a_service"]) for t in body["waiting"]] == [("A001", False), ("A002", True)]
    assert body["window"]["state"] == "open" and body["current"] is None
    assert client.get("/api/v1/windows/W01", headers=Tokens.header(tokens.kiosk)).status_code == 403


def test_b_window_takes_over_when_every_a_window_is_away(
    client: FlaskClient, tokens: Tokens, desk: Desk, clock: ManualClock
) -> None:
    """AB岗: seal's only A window (W02) is closed, so W01 treats seal as its own work."""
    seal = take(client, tokens, "seal")
    clock.advance(30)
    take(client, tokens, "biz_setup")
    assert desk.ok("call-next")["ticket"]["number"] == seal["number"]


@pytest.mark.parametrize(
    ("hall_file", "helps"),
    [((AB_RULE,), False), ((('rule = "own-first"', 'rule = "own-first"'),), True)],
    indirect=["hall_file"],
    ids=["ab", "own-first"],
)
def test_the_hall_file_chooses_the_call_rule(
    client: FlaskClient, tokens: Tokens, clock: ManualClock, helps: bool
) -> None:
    """One young invoice ticket, both its A windows (W12, W13) open and busy: W01 (its B window, nothing of
    its own waiting) leaves it to them under `ab` and helps at once under `own-first`."""
    w12, w13, w01 = (Desk(client, w, tokens.bridge) for w in ("W12", "W13", "W01"))
    for desk in (w12, w13, w01):
        desk.ok("open")
    take(client, tokens, "housing_fund"), take(client, tokens, "housing_fund")
    w12.ok("call-next"), w13.ok("call-next")
    invoice = take(client, tokens, "invoice")
    clock.advance(60)
    called = w01.ok("call-next")["ticket"]
    assert (called is not None and called["number"] == invoice["number"]) is helps
    assert (called is None) is not helps


def test_rating_once_per_finished_visit(client: FlaskClient, tokens: Tokens, desk: Desk) -> None:
    ticket = take(client, tokens, "biz_setup")
    path = f"/api/v1/tickets/{ticket['id']}/rating"
    bridge = Tokens.header(tokens.bridge)
    assert client.post(path, json={"level": 5}, headers=bridge).get_json()["error"] == "not_served"
    desk.ok("call-next")
    desk.ok("finish")
    assert client.post(path, json={"level": 5}, headers=Tokens.header(tokens.kiosk)).status_code == 403
    # content comes from the level's own list ([ratings.indicators]): a bad level's reason is not a good one's
    good_with_bad_reason = client.post(path, json={"level": 4, "reasons": ["等候时间长"]}, headers=bridge)
    assert good_with_bad_reason.status_code == 422
    assert good_with_bad_reason.get_json()["error"] == "unknown_content"
    assert client.post(path, json={"level": 6}, headers=bridge).status_code == 422
    assert client.post(path, json={"level": "5"}, headers=bridge).status_code == 422
    rated = client.post(path, json={"level": 2, "reasons": ["等候时间长"]}, headers=bridge)
    assert rated.status_code == 201
    body = rated.get_json()
    assert (body["level"], body["label"], body["bad"], body["window"]) == (2, "不满意", True, "W01")
    again = client.post(path, json={"level": 5}, headers=bridge)
    assert (again.status_code, again.get_json()["error"]) == (409, "already_rated")
    assert events(client, tokens, ticket["id"])[-1] == "rated"
    assert client.post("/api/v1/tickets/999/rating", json={"level": 5}, headers=bridge).status_code == 404


def test_devices_for_a_bridge(client: FlaskClient, tokens: Tokens) -> None:
    answer = client.get("/api/v1/devices", headers=Tokens.header(tokens.bridge))
    bridge = answer.get_json()["bridge"]
    assert (
        answer.status_code == 200 and len(bridge["devices"]) == 43 and bridge["keys"]["next"] == "call-next"
    )
    assert client.get("/api/v1/devices", headers=Tokens.header(tokens.display)).status_code == 403
    assert client.get("/api/v1/devices").status_code == 401


def test_a_no_show_is_undone_and_waits_in_its_old_place(
    client: FlaskClient, tokens: Tokens, desk: Desk, clock: ManualClock
) -> None:
    """过号 pressed by mistake, or the citizen is back (issue 32): the ticket waits again, first in line."""
    missed = take(client, tokens, "biz_setup")
    clock.advance(60)
    later = take(client, tokens, "biz_setup")
    desk.ok("call-next")
    gone = desk.ok("no-show")["ticket"]
    assert gone["id"] == missed["id"] and gone["status"] == "no_show"
    snapshot = client.get("/api/v1/windows/W01", headers=Tokens.header(tokens.manager)).get_json()
    assert [t["id"] for t in snapshot["no_shows"]] == [missed["id"]]
    other = Desk(client, "W02", tokens.bridge)
    other.ok("open")
    assert other.error("requeue", {"ticket_id": missed["id"]}) == (404, "unknown_ticket")  # not W02's
    back = desk.ok("requeue", {"ticket_id": missed["id"]})["ticket"]
    assert back["status"] == "waiting" and back["number"] == missed["number"]
    assert desk.error("requeue", {"ticket_id": missed["id"]}) == (404, "unknown_ticket")  # once
    assert desk.ok("call-next")["ticket"]["id"] == missed["id"]  # before the later ticket
    assert later["id"] != missed["id"]
    assert events(client, tokens, missed["id"]) == ["issued", "called", "no_show", "requeued", "called"]
