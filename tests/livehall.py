"""A real `hallq demo` process on 127.0.0.1 for tests that meet hallq the way a user does."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def until(check: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Wait for `check()` to be true, polling every 20 ms; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.02)


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: the probes stay bound together (one closed probe's port may come back)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


@dataclass
class LiveHall:
    url: str
    kiosk_token: str
    display_token: str
    bridge_token: str
    evaluator_token: str
    #: the demo's 好差评 province, played on 127.0.0.1 (GET it: the ratings reported)
    province_url: str
    process: subprocess.Popen[str]
    output: list[str]


def _token(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if not match:
        raise AssertionError(f"no {pattern!r} in demo output:\n{text}")
    return match.group(1)


@contextmanager
def live_demo(instance: Path, async_mode: str = "eventlet", timeout: float = 30.0) -> Iterator[LiveHall]:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-m",
        "hallq",
        "demo",
        "--instance",
        str(instance),
        "--port",
        str(port),
        "--async-mode",
        async_mode,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    output: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Ctrl+C" in line:
                break
        text = "".join(output)
        if process.poll() is not None or "Ctrl+C" not in text:
            raise AssertionError(f"hallq demo did not start:\n{text}")
        _wait_for_port(port, deadline)
        yield LiveHall(
            url=f"http://127.0.0.1:{port}",
            kiosk_token=_token(r"/kiosk\?kiosk=K1&token=(\S+)", text),
            display_token=_token(r"/display\?token=(\S+)", text),
            bridge_token=_token(r"Bridge token\s+(\S+)", text),
            evaluator_token=_token(r"/evaluate/W01\?token=(\S+)", text),
            province_url=_token(r"好差评 province\s+simulated on (\S+)", text),
            process=process,
            output=output,
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
        output.append(rest or "")


def _wait_for_port(port: int, deadline: float, process: subprocess.Popen[str] | None = None) -> None:
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:  # it ended: say why, not "nothing listens"
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the server exited ({process.returncode}):\n{output}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


@contextmanager
def live_serve(
    instance: Path, hall_file: Path, port: int, timeout: float = 30.0, extra: tuple[str, ...] = ()
) -> Iterator[subprocess.Popen[str]]:
    """`hallq serve` of a given hall file; stopped with SIGINT as an operator would."""
    command = [sys.executable, "-m", "hallq", "serve", "--instance", str(instance)]
    command += ["--config", str(hall_file), "--port", str(port), *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        _wait_for_port(port, time.monotonic() + timeout, process)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def take_ticket(url: str, token: str, service_id: str = "id_card") -> dict[str, Any]:
    """A ticket over HTTP, as a kiosk takes it; fails the test unless it was issued."""
    import requests

    response = requests.post(
        f"{url}/api/v1/tickets",
        json={"service_id": service_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def cli_token(instance: Path, hall_file: Path, role: str, *options: str) -> str:
    """`hallq token ROLE` for a hall that a test runs, as an operator would type it."""
    command = [sys.executable, "-m", "hallq", "token", role, *options]
    command += ["--instance", str(instance), "--config", str(hall_file)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.strip()


def signed_in(hall: LiveHall, username: str) -> Any:
    """An HTTP session (requests) of one of the demo's accounts (password hallq-demo)."""
    import requests

    session = requests.Session()
    answer = session.post(
        f"{hall.url}/api/v1/session", json={"username": username, "password": "hallq-demo"}, timeout=5
    )
    assert answer.status_code == 200, answer.text
    return session


def served_at_w01(hall: LiveHall) -> dict[str, Any]:
    """A visit at window 1, through the API as the bridge would: issued, called, finished."""
    import requests

    ticket = take_ticket(hall.url, hall.kiosk_token, "biz_setup")
    bridge = {"Authorization": f"Bearer {hall.bridge_token}"}
    requests.post(f"{hall.url}/api/v1/windows/W01/open", headers=bridge, timeout=5)
    called = requests.post(f"{hall.url}/api/v1/windows/W01/call-next", headers=bridge, timeout=5).json()
    assert called["ticket"]["id"] == ticket["id"], called
    assert requests.post(f"{hall.url}/api/v1/windows/W01/finish", headers=bridge, timeout=5).ok
    return ticket
