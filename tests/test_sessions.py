"""Nobody stays in after they leave (issue 30 item 4): logout, a new password and deactivation end every
session of the user, a session lasts a working day, a revoked token is refused at its next request and its
sockets are disconnected; each of these done from the command line is in the audit log."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
import socketio
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hallq.cli.main import cli
from hallq.operations.accounts import create_token, ensure_user
from hallq.operations.audit import entries
from hallq.operations.context import HallContext
from hallq.web.revocation import end_sockets

from .conftest import Tokens
from .livehall import cli_token, free_port, live_serve, until


@pytest.fixture
def manager_login(ctx: HallContext) -> dict[str, str]:
    ensure_user(ctx.store, "boss", "secret-pass", "admin", ctx.now(), "主任")
    return {"username": "boss", "password": "secret-pass"}


def signed_in(app: Flask, login: dict[str, str]) -> FlaskClient:
    client = app.test_client()
    assert client.post("/api/v1/session", json=login).status_code == 200
    return client


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of the session cookie (captured, or a second tab)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    return other


def test_logout_ends_every_copy_of_the_session(app: Flask, manager_login: dict[str, str]) -> None:
    client = signed_in(app, manager_login)
    captured = copy_of(app, client)
    assert captured.get("/api/v1/audit").status_code == 200
    assert client.delete("/api/v1/session").status_code == 200
    assert captured.get("/api/v1/audit").status_code == 401  # Flask's own cookie would still be valid
    assert captured.get("/api/v1/session").status_code == 401
    again = signed_in(app, manager_login)  # signing in again works, of course
    assert again.get("/api/v1/audit").status_code == 200


def test_a_session_lasts_a_working_day(
    app: Flask, manager_login: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(app, manager_login)
    now = time.time()
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: now + 11 * 3600)
    assert client.get("/api/v1/session").status_code == 200
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: now + 13 * 3600)
    assert client.get("/api/v1/session").status_code == 401


def test_new_password_and_deactivation_from_the_command_line(
    app: Flask, ctx: HallContext, hall_file: Path, manager_login: dict[str, str]
) -> None:
    options = ["--instance", str(app.instance_path), "--config", str(hall_file)]
    runner = CliRunner()
    client = signed_in(app, manager_login)
    changed = runner.invoke(cli, ["user", "passwd", "boss", *options], input="another-pass\n" * 2)
    assert changed.exit_code == 0, changed.output
    assert client.get("/api/v1/session").status_code == 401
    assert app.test_client().post("/api/v1/session", json=manager_login).status_code == 401
    client = signed_in(app, {"username": "boss", "password": "another-pass"})
    gone = runner.invoke(cli, ["user", "deactivate", "boss", *options])
    assert gone.exit_code == 0, gone.output
    assert client.get("/api/v1/session").status_code == 401
    refused = app.test_client().post("/api/v1/session", json={"username": "boss", "password": "another-pass"})
    assert refused.status_code == 401
    unknown = runner.invoke(cli, ["user", "deactivate", "nobody", *options])
    assert unknown.exit_code == 1 and "nobody" in unknown.output and "Traceback" not in unknown.output
    assert runner.invoke(cli, ["user", "activate", "boss", *options]).exit_code == 0
    assert signed_in(app, {"username": "boss", "password": "another-pass"})
    logged = [(entry["action"], entry["subject"]) for entry in entries(ctx)]
    for action in ("user.password_set", "user.deactivated", "user.activated"):
        assert (action, "boss") in logged


def test_a_revoked_token_is_refused_at_once_and_its_sockets_end(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens, hall_file: Path
) -> None:
    options = ["--instance", str(app.instance_path), "--config", str(hall_file)]
    display = Tokens.header(tokens.display)
    assert client.get("/api/v1/hall", headers=display).status_code == 200
    server = app.extensions["socketio"]
    screen = server.test_client(app, auth={"token": tokens.display})
    other = server.test_client(app, auth={"token": tokens.kiosk})
    listed = CliRunner().invoke(cli, ["token", "list", *options])
    assert listed.exit_code == 0
    row = next(line for line in listed.output.splitlines() if "display-1" in line)
    token_id = row.split()[0]
    revoked = CliRunner().invoke(cli, ["token", "revoke", token_id, *options])
    assert revoked.exit_code == 0 and "display-1" in revoked.output
    assert client.get("/api/v1/hall", headers=display).status_code == 401  # the very next request
    assert end_sockets(ctx.store, server, app.extensions["hallq_socket_actors"]) == 1
    assert not screen.is_connected() and other.is_connected()
    listed_again = CliRunner().invoke(cli, ["token", "list", *options]).output
    row = next(line for line in listed_again.splitlines() if "display-1" in line)
    assert row.split()[-1] != "-" and row.split()[-2].startswith("2026-")  # when it was revoked
    assert entries(ctx)[0]["action"] == "token.revoked"
    missing = CliRunner().invoke(cli, ["token", "revoke", "999", *options])
    assert missing.exit_code == 1 and "999" in missing.output


def test_a_user_whose_sessions_ended_loses_their_sockets(
    app: Flask, ctx: HallContext, manager_login: dict[str, str]
) -> None:
    client = signed_in(app, manager_login)
    server = app.extensions["socketio"]
    live = server.test_client(app, flask_test_client=client)
    assert live.emit("join", {"room": "manager"}, callback=True)["ok"]
    actors = app.extensions["hallq_socket_actors"]
    assert end_sockets(ctx.store, server, actors) == 0
    client.delete("/api/v1/session")
    assert end_sockets(ctx.store, server, actors) == 1 and not live.is_connected()


def test_a_kiosk_pages_token_cannot_pose_as_the_print_agent(app: Flask, ctx: HallContext) -> None:
    server = app.extensions["socketio"]
    kiosk = server.test_client(
        app, auth={"token": create_token(ctx.store, "kiosk", ctx.now(), kiosk_id="K2")}
    )
    assert kiosk.emit("agent_join", {}, callback=True)["error"] == "forbidden"
    assert kiosk.emit("print_result", {"job_id": 1, "ok": True}, callback=True)["error"] == "forbidden"
    agent = server.test_client(
        app, auth={"token": create_token(ctx.store, "agent", ctx.now(), kiosk_id="K2")}
    )
    assert agent.emit("agent_join", {}, callback=True)["ok"]


@pytest.mark.server
def test_a_running_server_disconnects_a_revoked_display(tmp_path: Path, hall_file: Path) -> None:
    """`hallq token revoke` in another process: the server's display socket ends within seconds."""
    instance = tmp_path / "instance"
    token = cli_token(instance, hall_file, "display", "--name", "lobby")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with live_serve(instance, hall_file, port):
        screen = socketio.Client(reconnection=False)
        screen.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        assert screen.call("join", {"room": "hall"}, timeout=5)["ok"]
        command = [sys.executable, "-m", "hallq", "token", "revoke", "1"]
        command += ["--instance", str(instance), "--config", str(hall_file)]
        import subprocess

        subprocess.run(command, check=True, capture_output=True, timeout=60)
        started = time.monotonic()
        until(lambda: not screen.connected, timeout=10, what="the revoked display's socket to end")
        assert time.monotonic() - started < 5
        import requests

        answer = requests.get(f"{url}/api/v1/hall", headers=Tokens.header(token), timeout=5)
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"
        refused = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            refused.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
