"""A thousand idle connections do not shut the hall out (issue 30 item 1): with 1,100 requests left half-sent
on the eventlet server (a busy hall's phones and screens, or someone holding connections open), a display's
request is still answered within a second."""

from __future__ import annotations

import resource
import socket
import time
from pathlib import Path

import pytest
import requests

from .conftest import skip_or_fail
from .livehall import cli_token, free_port, live_serve

IDLE = 1100


@pytest.mark.server
def test_a_display_is_answered_while_1100_requests_hang(tmp_path: Path, hall_file: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < IDLE + 300:
        if hard != resource.RLIM_INFINITY and hard < IDLE + 300:
            skip_or_fail(f"the open-files limit ({hard}) is too low for {IDLE} connections")
        resource.setrlimit(resource.RLIMIT_NOFILE, (IDLE + 300, hard))
    instance = tmp_path / "instance"
    token = cli_token(instance, hall_file, "display")
    port = free_port()
    idle: list[socket.socket] = []
    with live_serve(instance, hall_file, port):
        try:
            for _ in range(IDLE):
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                # a request line and half its headers, then nothing: the server waits for the rest
                connection.sendall(b"GET /api/v1/hall HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                idle.append(connection)
            time.sleep(0.5)  # the server has accepted them all by now
            started = time.monotonic()
            answer = requests.get(
                f"http://127.0.0.1:{port}/api/v1/hall",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
            took = time.monotonic() - started
            assert answer.status_code == 200
            assert took < 1.0, f"a display waited {took:.2f} s behind {IDLE} idle connections"
        finally:
            for connection in idle:
                connection.close()
