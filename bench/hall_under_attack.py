"""Benchmark: the hall under the two stalls of the red-team run (issue 30 items 1, 2), against `hallq serve`
(eventlet) on 127.0.0.1.

1. Idle connections: N requests left half-sent (request line and half the headers), then a display's
   request (GET /api/v1/hall) 20 times: how long it waits. Target: under 1 s with 1,100 open.
2. Login flood: 16 threads of logins with random usernames for 8 s, each thread from its own loopback
   address (127.0.0.11-26, so the per-address limit does not simply stop them), while a kiosk takes a
   ticket every 0.25 s from 127.0.0.1. Target: the kiosk's ticket p95 under 1 s.

`python bench/hall_under_attack.py [CHECKOUT ...]` runs both against each checkout (default: this one) in
one run, e.g. `git worktree add /tmp/before <commit> && python bench/hall_under_attack.py /tmp/before .`.
Every connection goes to 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from loadhall import load_test_hall, loopback_only, machine

FLOOD_THREADS = 16
FLOOD_SECONDS = 8.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hallq(checkout: Path, *args: str, **popen: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "hallq", *args]
    return subprocess.Popen(command, cwd=checkout, env=env, **popen)  # type: ignore[call-overload,no-any-return]


def token(checkout: Path, instance: Path, hall: Path, role: str) -> str:
    process = hallq(
        checkout, "token", role, "--instance", str(instance), "--config", str(hall), stdout=subprocess.PIPE
    )
    out, _ = process.communicate(timeout=120)
    return out.decode().strip().splitlines()[-1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def idle_connections(port: int, display: str, counts: tuple[int, ...]) -> list[str]:
    lines = []
    for count in counts:
        idle = []
        try:
            for _ in range(count):
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                connection.sendall(b"GET /api/v1/hall HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                idle.append(connection)
            time.sleep(0.5)
            waits = []
            for _ in range(20):
                started = time.monotonic()
                try:
                    client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    client.request("GET", "/api/v1/hall", headers={"Authorization": f"Bearer {display}"})
                    client.getresponse().read()
                    client.close()
                    waits.append(time.monotonic() - started)
                except OSError:
                    waits.append(float("inf"))  # not answered within 5 s
            answered = [wait for wait in waits if wait != float("inf")]
            median = f"{statistics.median(answered) * 1000:.1f} ms" if answered else "-"
            worst = f"{max(answered) * 1000:.1f} ms" if answered else "-"
            lines.append(
                f"  {count:>5} idle: display answered {len(answered)}/20, median {median}, max {worst}"
            )
        finally:
            for connection in idle:
                connection.close()
        time.sleep(1)
    return lines


def login_flood(port: int, kiosk: str) -> list[str]:
    stop = time.monotonic() + FLOOD_SECONDS
    answers: dict[int, int] = {}
    lock = threading.Lock()

    def attacker(index: int) -> None:
        client = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=30, source_address=(f"127.0.0.{11 + index}", 0)
        )
        while time.monotonic() < stop:
            body = json.dumps({"username": secrets.token_hex(6), "password": "guess-guess"})
            try:
                client.request("POST", "/api/v1/session", body, {"Content-Type": "application/json"})
                status = client.getresponse()
                status.read()
            except OSError:
                client.close()
                continue
            with lock:
                answers[status.status] = answers.get(status.status, 0) + 1

    threads = [threading.Thread(target=attacker, args=(index,)) for index in range(FLOOD_THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    waits = []
    kiosk_client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {kiosk}", "Content-Type": "application/json"}
    while time.monotonic() < stop - 0.3:
        started = time.monotonic()
        kiosk_client.request("POST", "/api/v1/tickets", json.dumps({"service_id": "biz_setup"}), headers)
        kiosk_client.getresponse().read()
        waits.append(time.monotonic() - started)
        time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))
    for thread in threads:
        thread.join()
    logins = ", ".join(f"{count} x {status}" for status, count in sorted(answers.items()))
    return [
        f"  login flood ({FLOOD_THREADS} threads, {FLOOD_SECONDS:.0f} s; answers {logins}):",
        f"    kiosk tickets {len(waits)}: median {statistics.median(waits) * 1000:.0f} ms,"
        f" p95 {percentile(waits, 0.95) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms",
    ]


def measure(checkout: Path) -> list[str]:
    instance = Path(tempfile.mkdtemp(prefix="hallq-attack-"))
    hall = load_test_hall(checkout, instance)
    display, kiosk = token(checkout, instance, hall, "display"), token(checkout, instance, hall, "kiosk")
    port = free_port()
    server = hallq(
        checkout,
        "serve",
        "--instance",
        str(instance),
        "--config",
        str(hall),
        "--port",
        str(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        lines = [f"{checkout}:"]
        lines += idle_connections(port, display, (100, 1100, 2000))
        lines += login_flood(port, kiosk)
        return lines
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    loopback_only()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    checkouts = [Path(arg).resolve() for arg in sys.argv[1:]] or [Path(__file__).resolve().parents[1]]
    print(f"hall under attack, {time.strftime('%Y-%m-%d %H:%M')}, {machine()}")
    for checkout in checkouts:
        print("\n".join(measure(checkout)))


if __name__ == "__main__":
    main()
