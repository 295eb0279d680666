"""The demo hall as a real server process, in both async modes: HTTP in, websocket push out."""

from __future__ import annotations

import errno
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
import socketio

from hallq.app.serving import bound_socket, listening_socket

from .livehall import live_demo

pytestmark = pytest.mark.server


@pytest.mark.parametrize("async_mode", ["eventlet", "threading"])
def test_call_reaches_a_display_within_a_second(tmp_path: Path, async_mode: str) -> None:
    with live_demo(tmp_path, async_mode) as hall:
        calls: list[dict] = []
        snapshots: list[dict] = []
        arrived = threading.Event()
        display = socketio.Client(reconnection=False)
        display.on("snapshot", snapshots.append)

        @display.on("ticket_called")
        def on_call(data: dict) -> None:
            calls.append(data)
            arrived.set()

        display.connect(hall.url, auth={"token": hall.display_token}, wait_timeout=10)
        try:
            assert display.call("join", {"room": "hall"}, timeout=5) == {"ok": True, "room": "hall"}
            with requests.Session() as http:
                kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
                bridge = {"Authorization": f"Bearer {hall.bridge_token}"}
                issued = http.post(
                    f"{hall.url}/api/v1/tickets", json={"service_id": "id_card"}, headers=kiosk, timeout=5
                )
                assert issued.status_code == 201, issued.text
                assert (
                    http.post(f"{hall.url}/api/v1/windows/W14/open", headers=bridge, timeout=5).status_code
                    == 200
                )
                started = time.monotonic()
                called = http.post(f"{hall.url}/api/v1/windows/W14/call-next", headers=bridge, timeout=5)
                assert (
                    called.status_code == 200 and called.json()["ticket"]["number"] == issued.json()["number"]
                )
                assert arrived.wait(1.0), "ticket_called did not arrive within a second"
                assert time.monotonic() - started < 1.0
            assert calls[0]["announce"] == f"请{issued.json()['number']}号到14号窗口办理"
            assert snapshots and snapshots[0]["room"] == "hall"
        finally:
            display.disconnect()
    output = "".join(hall.output)
    assert "deprecated" not in output.lower(), output
    # Ctrl+C (SIGINT) stops the server with one line and exit code 0, never a traceback
    assert "hallq: stopping (SIGINT)" in output, output
    assert "Traceback" not in output, output
    assert hall.process.returncode == 0


def test_demo_refuses_a_port_in_use_clearly(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "hallq",
                "demo",
                "--instance",
                str(tmp_path),
                "--port",
                str(port),
                "--async-mode",
                "threading",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_halls_port_is_held_from_the_start_and_refuses_until_the_server_listens() -> None:
    """`hallq serve` and `hallq demo` bind first (the demo's emulators then bind port 0 and cannot take the
    hall's port, as they once did in CI) and listen only when the hall is ready."""
    held = bound_socket("127.0.0.1", 0)
    port = held.getsockname()[1]
    try:
        with socket.socket() as other, pytest.raises(OSError) as taken:
            other.bind(("127.0.0.1", port))
        assert taken.value.errno == errno.EADDRINUSE
        with socket.socket() as early:
            assert early.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED
        listening_socket("127.0.0.1", port, held)
        with socket.socket() as ready:
            assert ready.connect_ex(("127.0.0.1", port)) == 0
    finally:
        held.close()
