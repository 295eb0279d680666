"""Benchmark: ticket issues/s, call-next/s, push latency to 50 displays, and the floor (the cheapest request
with a token) over HTTP on 127.0.0.1.

One `hallq serve` process on SQLite (the embedded default), driven by client processes on the same
2-core machine, so the figures include the clients' own cost. Run: `make bench` or
`python bench/issue_and_call.py [--async-mode eventlet|threading] [--json]`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from loadhall import SERVICES, WINDOWS, load_test_hall, loopback_only, machine

from hallq.simulate.report import percentile

ROOT = Path(__file__).resolve().parents[1]


def prepare(instance: Path, database_url: str | None = None) -> tuple[Path, dict[str, str]]:
    """A copy of the demo hall that issues at any hour, an initialised database (SQLite in `instance`, or
    `database_url`), and tokens."""
    sys.path.insert(0, str(ROOT))
    from hallq.app.factory import create_app
    from hallq.config.settings import Settings
    from hallq.operations.accounts import create_token

    instance.mkdir(parents=True, exist_ok=True)
    hall = load_test_hall(ROOT, instance)
    settings = Settings(instance=instance, hall_file=hall, database_url=database_url, async_mode="threading")
    ctx = create_app(settings).extensions["hallq"]
    tokens = {
        role: create_token(ctx.store, role, ctx.now(), name=f"bench-{role}")
        for role in ("kiosk", "bridge", "display", "admin")
    }
    ctx.store.dispose()
    return hall, tokens


def bare_push_latency(port: int, clients: int, calls: int = 100, processes: int = 5) -> list[float]:
    """push_latency against bench/bare_fanout.py: the same display clients, a bare emit per call."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    listeners, readies = [], []
    for index in range(processes):
        share = clients // processes + (1 if index < clients % processes else 0)
        ready = context.Event()
        listener = context.Process(target=_displays, args=(port, "none", share, calls, ready, out))
        listener.start()
        listeners.append(listener)
        readies.append(ready)
    if not all(ready.wait(60) for ready in readies):
        raise SystemExit("display clients did not connect to the bare server")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent: dict[int, float] = {}
    for ticket_id in range(1, calls + 1):
        sent[ticket_id] = time.monotonic()
        _post(conn, "/call", "none", {"id": ticket_id})
        time.sleep(0.03)
    received = [item for _ in listeners for item in out.get(timeout=90)]
    for listener in listeners:
        listener.join(10)
    return [at - sent[ticket_id] for ticket_id, at in received if ticket_id in sent]


def start_bare(port: int) -> subprocess.Popen[bytes]:
    """bench/bare_fanout.py, once it answers HTTP."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("bare_fanout.py")), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return _answering(process, port)


def start_server(
    instance: Path, hall: Path, port: int, async_mode: str, extra: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    """`hallq serve` (with `extra` options), once it answers HTTP."""
    command = [
        sys.executable,
        "-m",
        "hallq",
        "serve",
        "--instance",
        str(instance),
        "--config",
        str(hall),
        "--port",
        str(port),
        "--async-mode",
        async_mode,
        *extra,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return _answering(process, port)


def _answering(process: subprocess.Popen[bytes], port: int) -> subprocess.Popen[bytes]:
    """`process` once it answers HTTP on `port`; killed, with its errors, when it does not within 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/api/v1/openapi.json")
            probe.getresponse().read()  # answered, not just accepted (a --workers parent listens at once)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server did not start: {process.stderr.read().decode() if process.stderr else ''}")


def _post(
    conn: http.client.HTTPConnection, path: str, token: str, body: dict | None = None
) -> tuple[int, dict]:
    payload = json.dumps(body).encode() if body is not None else b""
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request("POST", path, body=payload, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def _issue_worker(args: tuple[int, str, int, int]) -> list[float]:
    port, token, count, offset = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies = []
    for i in range(count):
        started = time.perf_counter()
        status, _ = _post(
            conn, "/api/v1/tickets", token, {"service_id": SERVICES[(i + offset) % len(SERVICES)]}
        )
        latencies.append(time.perf_counter() - started)
        assert status == 201, status
    return latencies


def _floor_worker(args: tuple[int, str, int]) -> int:
    """The cheapest request with a token (`GET /api/v1/session`: no database): what HTTP, eventlet, Flask
    and the token check cost alone, the ceiling for any request on this machine."""
    port, token, count = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(count):
        conn.request("GET", "/api/v1/session", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
    return count


def _call_worker(args: tuple[int, str, list[str], float]) -> tuple[list[float], int]:
    """Call-next then finish, round the worker's windows, until each of its windows finds nobody waiting."""
    port, token, windows, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies: list[float] = []
    cycles = 0
    active = list(windows)
    deadline = time.perf_counter() + seconds
    while active and time.perf_counter() < deadline:
        for window in list(active):
            started = time.perf_counter()
            status, body = _post(conn, f"/api/v1/windows/{window}/call-next", token)
            latencies.append(time.perf_counter() - started)
            assert status == 200, (status, body)
            if body["ticket"] is None:
                active.remove(window)
                continue
            status, _ = _post(conn, f"/api/v1/windows/{window}/finish", token)
            assert status == 200
            cycles += 1
    return latencies, cycles


def _next_worker(args: tuple[int, str, list[str], float]) -> int:
    """下一位 round the worker's windows: one request ends the current ticket and calls the next, until each
    window finds nobody waiting. Returns how many tickets were called."""
    port, token, windows, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    called = 0
    active = list(windows)
    deadline = time.perf_counter() + seconds
    while active and time.perf_counter() < deadline:
        for window in list(active):
            status, body = _post(conn, f"/api/v1/windows/{window}/next", token)
            assert status == 200, (status, body)
            if body["ticket"] is None:
                active.remove(window)
            else:
                called += 1
    return called


def _displays(
    port: int,
    token: str,
    clients: int,
    calls: int,
    ready: multiprocessing.Event,
    out: multiprocessing.Queue,
    listen_s: float = 60.0,
) -> None:
    """Display clients in one asyncio loop (python-socketio's AsyncClient), stamping each call on arrival."""
    import asyncio

    import socketio

    async def run() -> list[tuple[int, float]]:
        received: list[tuple[int, float]] = []

        def on_call(data: dict) -> None:
            received.append((data["ticket"]["id"], time.monotonic()))

        sockets = []
        for _ in range(clients):
            client = socketio.AsyncClient(reconnection=False)
            client.on("ticket_called", on_call)
            await client.connect(
                f"http://127.0.0.1:{port}", auth={"token": token}, transports=["websocket"], wait_timeout=10
            )
            await client.call("join", {"room": "hall"}, timeout=10)
            sockets.append(client)
        ready.set()
        deadline = time.monotonic() + listen_s
        while time.monotonic() < deadline and len(received) < clients * calls:
            await asyncio.sleep(0.05)
        for client in sockets:
            await client.disconnect()
        return received

    out.put(asyncio.run(run()))


def push_latency(
    port: int,
    tokens: dict[str, str],
    clients: int = 50,
    calls: int = 100,
    processes: int = 5,
    call_port: int | None = None,
) -> list[float]:
    """Time from just before the call-next POST to each display's receipt of ticket_called.

    The displays are spread over a few processes so that one client process handling 50 messages in a
    row does not add its own queueing to the figure. With `call_port`, the calls go to another server
    process than the displays' (across a message queue).
    """
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    listeners, readies = [], []
    for index in range(processes):
        share = clients // processes + (1 if index < clients % processes else 0)
        ready = context.Event()
        listener = context.Process(target=_displays, args=(port, tokens["display"], share, calls, ready, out))
        listener.start()
        listeners.append(listener)
        readies.append(ready)
    if not all(ready.wait(60) for ready in readies):
        raise SystemExit("display clients did not connect")
    conn = http.client.HTTPConnection("127.0.0.1", call_port or port, timeout=10)
    sent: dict[int, float] = {}
    window = "W14"
    _post(conn, f"/api/v1/windows/{window}/open", tokens["bridge"])
    for _ in range(calls):
        _post(conn, "/api/v1/tickets", tokens["kiosk"], {"service_id": "id_card"})
        started = time.monotonic()
        status, body = _post(conn, f"/api/v1/windows/{window}/call-next", tokens["bridge"])
        assert status == 200 and body["ticket"], body
        sent[body["ticket"]["id"]] = started
        _post(conn, f"/api/v1/windows/{window}/finish", tokens["bridge"])
        time.sleep(0.03)
    received = [item for _ in listeners for item in out.get(timeout=90)]
    for listener in listeners:
        listener.join(10)
    latencies = [at - sent[ticket_id] for ticket_id, at in received if ticket_id in sent]
    if len(latencies) != clients * calls:
        print(f"warning: {clients * calls - len(latencies)} pushes missing", file=sys.stderr)
    return latencies


def main() -> None:
    loopback_only()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--async-mode", default="eventlet", choices=["eventlet", "threading"])
    parser.add_argument("--tickets", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--display-processes", type=int, default=5)
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hallq-bench-") as tmp:
        instance = Path(tmp)
        hall, tokens = prepare(instance)
        server = start_server(instance, hall, args.port, args.async_mode)
        try:
            pool = multiprocessing.get_context("spawn").Pool(args.clients)
            per = args.tickets // args.clients
            started = time.perf_counter()
            issue_lat = [
                x
                for batch in pool.map(
                    _issue_worker, [(args.port, tokens["kiosk"], per, i) for i in range(args.clients)]
                )
                for x in batch
            ]
            issue_wall = time.perf_counter() - started
            started = time.perf_counter()
            floor_requests = sum(
                pool.map(_floor_worker, [(args.port, tokens["bridge"], per) for _ in range(args.clients)])
            )
            floor_wall = time.perf_counter() - started
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
            for window in WINDOWS:
                _post(conn, f"/api/v1/windows/{window}/open", tokens["bridge"])
            groups = [WINDOWS[i :: args.clients] for i in range(args.clients)]
            started = time.perf_counter()
            results = pool.map(_call_worker, [(args.port, tokens["bridge"], g, 30.0) for g in groups if g])
            call_wall = time.perf_counter() - started
            # the same tickets again, served with 下一位: one request a whole call (issue 21)
            pool.map(_issue_worker, [(args.port, tokens["kiosk"], per, i) for i in range(args.clients)])
            started = time.perf_counter()
            next_calls = sum(
                pool.map(_next_worker, [(args.port, tokens["bridge"], g, 30.0) for g in groups if g])
            )
            next_wall = time.perf_counter() - started
            pool.close()
            call_lat = [x for lat, _ in results for x in lat]
            cycles = sum(n for _, n in results)
            push = push_latency(args.port, tokens, args.displays, processes=args.display_processes)
            push_200 = push_latency(args.port, tokens, 200, processes=args.display_processes)
        finally:
            server.terminate()
            server.wait(10)
        bare = start_bare(args.port + 1)
        try:
            bare_50 = bare_push_latency(args.port + 1, args.displays, processes=args.display_processes)
            bare_200 = bare_push_latency(args.port + 1, 200, processes=args.display_processes)
        finally:
            bare.terminate()
            bare.wait(10)
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    report = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "async_mode": args.async_mode,
        "clients": args.clients,
        "issues": len(issue_lat),
        "issues_per_s": round(len(issue_lat) / issue_wall),
        "issue_p50_ms": ms(statistics.median(issue_lat)),
        "issue_p99_ms": ms(percentile(issue_lat, 0.99)),
        "floor_requests_per_s": round(floor_requests / floor_wall),
        "calls": cycles,
        "calls_per_s": round(cycles / call_wall),
        "window_requests_per_s": round((len(call_lat) + cycles) / call_wall),
        "next_calls_per_s": round(next_calls / next_wall),
        "next_calls_per_floor": round(next_calls / next_wall / (floor_requests / floor_wall), 3),
        "issues_per_floor": round(len(issue_lat) / issue_wall / (floor_requests / floor_wall), 3),
        "call_next_p50_ms": ms(statistics.median(call_lat)),
        "call_next_p99_ms": ms(percentile(call_lat, 0.99)),
        "push_clients": args.displays,
        "push_client_processes": args.display_processes,
        "push_samples": len(push),
        "push_p50_ms": ms(statistics.median(push)),
        "push_p99_ms": ms(percentile(push, 0.99)),
        "push_200_p50_ms": ms(statistics.median(push_200)),
        "push_200_p99_ms": ms(percentile(push_200, 0.99)),
        "bare_push_p50_ms": ms(statistics.median(bare_50)),
        "bare_push_p99_ms": ms(percentile(bare_50, 0.99)),
        "bare_push_200_p50_ms": ms(statistics.median(bare_200)),
        "bare_push_200_p99_ms": ms(percentile(bare_200, 0.99)),
        "push_p99_over_bare": round(percentile(push, 0.99) / percentile(bare_50, 0.99), 2),
        "push_200_p99_over_bare": round(percentile(push_200, 0.99) / percentile(bare_200, 0.99), 2),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
