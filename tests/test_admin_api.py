"""Accounts and device tokens administered over the API (issue 31, items 3 and 5's contract): a clerk who
leaves is deactivated and their open caller loses its socket at once; a token is issued with its secret once,
listed without it, and revoked with its display's socket closed at once; every change audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from hallq.operations.audit import entries
from hallq.operations.context import HallContext

from .conftest import Tokens


def test_accounts_are_created_changed_and_deactivated(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    admin = Tokens.header(tokens.admin)
    made = client.post(
        "/api/v1/users",
        json={"username": "li.na", "display_name": "李娜", "role": "clerk", "password": "first-pass"},
        headers=admin,
    )
    assert made.status_code == 201 and made.get_json()["active"] is True
    assert (
        client.post(
            "/api/v1/users", json={"username": "li.na", "password": "first-pass"}, headers=admin
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/users", json={"username": "x y", "password": "first-pass"}, headers=admin
        ).status_code
        == 422
    )
    assert client.get("/api/v1/users", headers=Tokens.header(tokens.manager)).status_code == 403
    listed = client.get("/api/v1/users", headers=admin).get_json()["users"]
    assert {"username": "li.na", "display_name": "李娜", "role": "clerk", "active": True}.items() <= next(
        u for u in listed if u["username"] == "li.na"
    ).items()
    # the clerk signs in at the caller, with its socket open
    clerk = app.test_client()
    assert (
        clerk.post("/api/v1/session", json={"username": "li.na", "password": "first-pass"}).status_code == 200
    )
    caller = app.extensions["socketio"].test_client(app, flask_test_client=clerk)
    assert caller.emit("join", {"room": "window:W03"}, callback=True)["ok"]
    renamed = client.patch("/api/v1/users/li.na", json={"display_name": "李娜（综合窗口）"}, headers=admin)
    assert renamed.status_code == 200 and caller.is_connected()  # a new name ends nothing
    gone = client.patch("/api/v1/users/li.na", json={"active": False}, headers=admin)
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    assert not caller.is_connected()  # at once, not at the next sweep
    assert clerk.get("/api/v1/session").status_code == 401
    assert (
        clerk.post("/api/v1/session", json={"username": "li.na", "password": "first-pass"}).status_code == 401
    )
    reset = client.patch(
        "/api/v1/users/li.na", json={"active": True, "password": "second-pass"}, headers=admin
    )
    assert reset.status_code == 200
    assert (
        clerk.post("/api/v1/session", json={"username": "li.na", "password": "second-pass"}).status_code
        == 200
    )
    assert client.patch("/api/v1/users/nobody", json={"active": False}, headers=admin).status_code == 404
    assert client.patch("/api/v1/users/li.na", json={"role": "janitor"}, headers=admin).status_code == 422
    actions = [(e["action"], e["subject"]) for e in entries(ctx)]
    for action in ("user.created", "user.changed", "user.deactivated", "user.activated", "user.password_set"):
        assert (action, "li.na") in actions, action


def test_tokens_are_issued_once_listed_without_secrets_and_revoked_at_once(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    admin = Tokens.header(tokens.admin)
    issued = client.post("/api/v1/tokens", json={"role": "display", "name": "大厅主屏"}, headers=admin)
    assert issued.status_code == 201
    body = issued.get_json()
    secret, token_id = body["token"], body["id"]
    assert secret.startswith("hq_display_") and body["name"] == "大厅主屏"
    listed = client.get("/api/v1/tokens", headers=admin).get_json()["tokens"]
    assert any(row["id"] == token_id for row in listed) and secret not in str(listed)
    assert all("token" not in row for row in listed)
    screen = app.extensions["socketio"].test_client(app, auth={"token": secret})
    assert screen.emit("join", {"room": "hall"}, callback=True)["ok"]
    assert client.get("/api/v1/hall", headers=Tokens.header(secret)).status_code == 200
    revoked = client.delete(f"/api/v1/tokens/{token_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert not screen.is_connected()
    assert client.get("/api/v1/hall", headers=Tokens.header(secret)).status_code == 401
    assert client.delete("/api/v1/tokens/99999", headers=admin).status_code == 404
    for wrong in (
        {"role": "evaluator"},
        {"role": "agent"},
        {"role": "kiosk", "kiosk_id": "K9"},
        {"role": "clerk", "window_id": "W99"},
        {"role": "janitor"},
    ):
        assert client.post("/api/v1/tokens", json=wrong, headers=admin).status_code == 422, wrong
    tablet = client.post("/api/v1/tokens", json={"role": "evaluator", "window_id": "W05"}, headers=admin)
    assert tablet.status_code == 201 and tablet.get_json()["window_id"] == "W05"
    logged = [(e["action"], e["subject"]) for e in entries(ctx)]
    assert ("token.created", "display 大厅主屏") in logged and ("token.revoked", "display 大厅主屏") in logged
