"""Who may act at a window over HTTP: roles without window rights, a clerk token bound to its window, a
signed-in clerk kept to the window signed in to, taking a window over and moving on, on the record."""

from __future__ import annotations

from flask.testing import FlaskClient

from .conftest import Tokens
from .test_api_windows import Desk, take


class TestWhoMayAct:
    def test_roles_without_window_rights(self, client: FlaskClient, tokens: Tokens) -> None:
        for token in (tokens.kiosk, tokens.display):
            assert Desk(client, "W01", token).error("open") == (403, "forbidden")
        assert Desk(client, "W01").error("open") == (401, "unauthorized")
        assert Desk(client, "W01", "hq_bridge_forged").error("open") == (401, "invalid_token")

    def test_clerk_token_is_bound_to_its_window(self, client: FlaskClient, tokens: Tokens) -> None:
        assert Desk(client, "W01", tokens.clerk_w01).ok("open")["window"]["state"] == "open"
        assert Desk(client, "W02", tokens.clerk_w01).error("open") == (403, "not_your_window")

    def test_session_clerk_acts_only_on_the_window_signed_in_to(
        self, client: FlaskClient, app, tokens: Tokens, clerks: dict[str, str]
    ) -> None:
        login = client.post("/api/v1/session", json={"username": "clerk01", "password": "secret-pass"})
        assert login.status_code == 200 and login.get_json()["role"] == "clerk"
        mine = Desk(client, "W03")
        opened = mine.ok("open")["window"]
        assert opened["clerk"] == "clerk01"
        take(client, tokens, "project_filing")
        assert mine.ok("call-next")["ticket"]["number"] == "B001"
        # a second clerk cannot sign in at an open window without taking it over, nor act on it
        other = app.test_client()
        assert (
            other.post("/api/v1/session", json={"username": "clerk02", "password": "secret-pass"}).status_code
            == 200
        )
        assert Desk(other, "W03").error("open") == (409, "window_staffed")
        assert Desk(other, "W03").error("finish") == (403, "not_your_window")
        mine.ok("finish")
        mine.ok("close")
        assert Desk(other, "W03").ok("open")["window"]["clerk"] == "clerk02"
        # events name the clerk who acted
        history = client.get("/api/v1/tickets/1", headers=Tokens.header(tokens.manager)).get_json()["events"]
        assert [e["clerk"] for e in history] == [None, "clerk01", "clerk01"]

    def test_taking_over_a_window_and_moving_to_another_are_on_the_record(
        self, client: FlaskClient, app, tokens: Tokens, clerks: dict[str, str]
    ) -> None:
        first, second = app.test_client(), app.test_client()
        for browser, name in ((first, "clerk01"), (second, "clerk02")):
            browser.post("/api/v1/session", json={"username": name, "password": "secret-pass"})
        Desk(first, "W03").ok("open")
        refused = Desk(second, "W03").post("open")
        assert refused.status_code == 409 and refused.get_json()["error"] == "window_staffed"
        assert "clerk01" in refused.get_json()["message"]
        assert Desk(second, "W03").error("open", {"take_over": "yes"}) == (422, "invalid_request")
        taken = Desk(second, "W03").ok("open", {"take_over": True})["window"]
        assert taken["clerk"] == "clerk02" and taken["state"] == "open"
        assert Desk(first, "W03").error("pause") == (403, "not_your_window")  # the first clerk is out
        # clerk02 moves to window 4: window 3 closes in the same step
        assert Desk(second, "W04").ok("open")["window"]["clerk"] == "clerk02"
        window3 = client.get("/api/v1/windows/W03", headers=Tokens.header(tokens.manager)).get_json()
        assert window3["window"]["state"] == "closed" and window3["window"]["clerk"] is None
        # ... but not while a ticket is in hand there
        take(client, tokens, "project_filing")
        assert Desk(second, "W04").ok("call-next")["ticket"] is not None
        assert Desk(second, "W03").error("open") == (409, "signed_in_elsewhere")
        window3 = client.get("/api/v1/windows/W03", headers=Tokens.header(tokens.manager)).get_json()
        assert window3["window"]["state"] == "closed"
        Desk(second, "W04").ok("finish")
        Desk(second, "W04").ok("close")
        log = client.get("/api/v1/audit", headers=Tokens.header(tokens.admin)).get_json()["entries"]
        windows = [
            (e["action"], e["actor"], e["detail"]) for e in reversed(log) if e["action"].startswith("window.")
        ]
        assert windows == [
            # where each clerk signed in from: a rating sent from there is flagged (好差评 integrity)
            ("window.signed_in", "clerk01", {"window": "W03", "address": "127.0.0.1"}),
            (
                "window.taken_over",
                "clerk02",
                {"window": "W03", "taken_over_from": "clerk01", "address": "127.0.0.1"},
            ),
            ("window.signed_out", "clerk02", {"window": "W03", "why": "moved to W04"}),
            ("window.signed_in", "clerk02", {"window": "W04", "address": "127.0.0.1"}),
            ("window.signed_out", "clerk02", {"window": "W04", "clerk": "clerk02", "why": "closed"}),
        ]

    def test_login_errors(self, client: FlaskClient, clerks: dict[str, str]) -> None:
        bad = client.post("/api/v1/session", json={"username": "clerk01", "password": "wrong"})
        assert bad.status_code == 401 and bad.get_json()["error"] == "bad_login"
        nobody = client.post("/api/v1/session", json={"username": "ghost", "password": "x"})
        assert nobody.status_code == 401
        assert client.post("/api/v1/session", json={"username": 3}).status_code == 422
        assert client.get("/api/v1/session").status_code == 401
        client.post("/api/v1/session", json={"username": "clerk01", "password": "secret-pass"})
        assert client.get("/api/v1/session").get_json()["username"] == "clerk01"
        client.delete("/api/v1/session")
        assert client.get("/api/v1/session").status_code == 401
