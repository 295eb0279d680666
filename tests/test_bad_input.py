"""Bad input gets a clear 4xx, never a 500, a traceback or a hung socket (issue 30 item 7): JSON nested
deeper than any message, ids past what the database stores, a booking in year 9999, a chunked body."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
import websocket
from flask import Flask
from flask.testing import FlaskClient

from .conftest import Tokens
from .livehall import cli_token, free_port, live_serve

NESTED = "[" * 5000 + "]" * 5000  # well under the 64 KiB body limit; Python's parser gives up at ~1000


def test_deeply_nested_json_is_malformed_json(client: FlaskClient, tokens: Tokens) -> None:
    kiosk = Tokens.header(tokens.kiosk)
    for path, headers in (("/api/v1/session", {}), ("/api/v1/tickets", kiosk)):
        for body in (NESTED, '{"a":' * 3000 + "1" + "}" * 3000):
            answer = client.post(path, data=body, content_type="application/json", headers=headers)
            assert answer.status_code == 400, (path, answer.get_data(as_text=True)[:200])
            assert answer.get_json()["error"] == "malformed_json"
    # brackets inside strings do not count against a message that is otherwise shallow
    ok = client.post("/api/v1/tickets", json={"service_id": "biz_setup", "kiosk_id": "]]]]"}, headers=kiosk)
    assert ok.status_code == 422 and "kiosk" in ok.get_json()["message"]


def test_ids_past_64_bits_are_refused_not_overflowed(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    bridge = Tokens.header(tokens.bridge)
    assert client.post("/api/v1/windows/W01/open", headers=bridge).status_code == 200
    for ticket_id in (2**63, 2**64 + 1, 10**40):
        answer = client.post("/api/v1/windows/W01/call", json={"ticket_id": ticket_id}, headers=bridge)
        assert answer.status_code == 422, answer.get_data(as_text=True)
    assert client.get(f"/api/v1/tickets/{2**63}", headers=bridge).status_code == 404
    from hallq.operations.accounts import create_token

    ctx = app.extensions["hallq"]
    agent = app.extensions["socketio"].test_client(
        app, auth={"token": create_token(ctx.store, "agent", ctx.now(), kiosk_id="K1")}
    )
    for job_id in (2**63, -1, 0):
        answer = agent.emit("print_result", {"job_id": job_id, "ok": True}, callback=True)
        assert answer["ok"] is False and answer["error"] == "invalid_result"


def test_a_booking_far_in_the_future_is_refused(client: FlaskClient, tokens: Tokens) -> None:
    manager = Tokens.header(tokens.manager)
    for slot_at in ("9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00+08:00", "2030-01-01T09:00:00+08:00"):
        body = {"code": "BK-9999", "service_id": "seal", "slot_at": slot_at}
        answer = client.post("/api/v1/appointments", json=body, headers=manager)
        assert answer.status_code == 422, (slot_at, answer.get_data(as_text=True))
        assert answer.get_json()["error"] in ("slot_out_of_range", "invalid_request")


@pytest.mark.server
def test_a_real_server_reads_chunked_bodies_and_survives_bad_packets(tmp_path: Path, hall_file: Path) -> None:
    instance = tmp_path / "instance"
    token = cli_token(instance, hall_file, "display")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with live_serve(instance, hall_file, port) as server:
        # a chunked body (no Content-Length) is read, not taken for an empty one
        chunks = (part for part in (b'{"username": "nobody",', b' "password": "wrong-pass"}'))
        answer = requests.post(
            f"{url}/api/v1/session", data=chunks, headers={"Content-Type": "application/json"}, timeout=5
        )
        assert answer.status_code == 401 and answer.json()["error"] == "bad_login"
        nested = requests.post(
            f"{url}/api/v1/session", data=NESTED, headers={"Content-Type": "application/json"}, timeout=5
        )
        assert nested.status_code == 400 and nested.json()["error"] == "malformed_json"
        # a Socket.IO packet nested too deeply is answered with an error; the socket goes on working
        socket = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", timeout=5
        )
        assert socket.recv().startswith("0")
        socket.send("40" + json.dumps({"token": token}))
        assert socket.recv().startswith("40")
        socket.send('427["join",' + NESTED + "]")
        socket.send('428["join",{"room":"hall"}]')
        answers = {}
        deadline = time.monotonic() + 5
        while len(answers) < 2 and time.monotonic() < deadline:
            message = socket.recv()
            if message.startswith("43"):
                answers[message[2]] = json.loads(message[3:])[0]
        assert answers["7"]["error"] == "malformed_packet"
        assert answers["8"]["ok"] is True
        socket.close()
        server.send_signal(2)
        output = server.communicate(timeout=10)[0]
    assert "Traceback" not in output and "error" not in output.lower(), output
