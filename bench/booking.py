"""Benchmark: what 号源 booking and the message scan cost (issue 36), in one run on this machine.

1. A booking request's CPU, in process (Flask's test client, SQLite): `POST /api/v1/bookings` (limits, the
   slot's conditional UPDATE, the booking row), beside a kiosk's `POST /api/v1/tickets` in the same hall.
2. The message scan every server process runs each second: with WAITING tickets waiting and NOTIFIED of them
   having asked for a message, the time of one `scan` that finds nothing due (the common turn).
3. Over HTTP against one `hallq serve` process (eventlet, SQLite): BOOKINGS bookings by 8 threads at once,
   bookings a second and the p50/p90 answer time.

Run: `python bench/booking.py`. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from loadhall import load_test_hall, loopback_only, machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hallq.app.factory import create_app  # noqa: E402
from hallq.config.settings import Settings  # noqa: E402
from hallq.operations.accounts import create_token  # noqa: E402
from hallq.operations.messages import scan  # noqa: E402

REQUESTS = 400
WAITING, NOTIFIED = 300, 100
BOOKINGS = 400
#: house transfers bookable every day, all day, in slots of 500 (no slot fills: the cost of the path itself)
EVERY_DAY = [
    ("weekdays = [1, 2, 3, 4, 5]     # ISO", "weekdays = [1, 2, 3, 4, 5, 6, 7]     # ISO"),
    (
        'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["09:00", "12:00"]\n'
        "slot_minutes = 30\ncapacity = 4\nprovince_share = 1",
        'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5, 6, 7]\nhours = ["00:00", "23:30"]\n'
        "slot_minutes = 30\ncapacity = 500\nprovince_share = 0",
    ),
    (
        'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["13:30"',
        'service = "mortgage"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["13:30"',
    ),
    ("per_address_per_hour = 10", "per_address_per_hour = 0"),
    ("per_phone_per_week = 3", "per_phone_per_week = 50"),
    ('adapter = "none"               # "http"', 'adapter = "http"\nurl = "http://127.0.0.1:9/send" #'),
]


def booking_hall() -> Path:
    instance = Path(tempfile.mkdtemp(prefix="hallq-booking-"))
    hall = load_test_hall(ROOT, instance)
    text = hall.read_text(encoding="utf-8")
    for old, new in EVERY_DAY:
        assert old in text, old
        text = text.replace(old, new, 1)
    hall.write_text(text, encoding="utf-8")
    return hall


def open_slots(client, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    slots: list[str] = []
    day = date.today()
    while len(slots) < count:
        answer = client.get(f"/api/v1/booking/slots?service_id=house_transfer&date={day.isoformat()}")
        slots += [s["start"] for s in answer.get_json() if s["open"]]
        day += timedelta(days=1)
    return slots[:count]


def in_process() -> tuple[float, float, float]:
    hall = booking_hall()
    app = create_app(Settings(instance=hall.parent, hall_file=hall, async_mode="threading"))
    ctx = app.extensions["hallq"]
    kiosk = {"Authorization": f"Bearer {create_token(ctx.store, 'kiosk', ctx.now())}"}
    client = app.test_client()
    slots = open_slots(client, 48)
    started = time.process_time()
    for n in range(REQUESTS):
        body = {"service_id": "house_transfer", "slot_start": slots[n % len(slots)], "name": "市民",
                "phone": f"139{n:08d}"}  # fmt: skip
        assert client.post("/api/v1/bookings", json=body).status_code == 201
    booking_ms = (time.process_time() - started) / REQUESTS * 1000
    started = time.process_time()
    tickets = []
    for _ in range(WAITING):
        response = client.post("/api/v1/tickets", json={"service_id": "property_query"}, headers=kiosk)
        assert response.status_code == 201
        tickets.append(response.get_json())
    ticket_ms = (time.process_time() - started) / WAITING * 1000
    for ticket in tickets[-NOTIFIED:]:  # the last hundred: far from their turn, nothing due yet
        answer = client.post(
            f"/api/v1/tickets/{ticket['id']}/notify", json={"phone": "13800138000"}, headers=kiosk
        )
        assert answer.status_code == 201
    scan(ctx)
    turns = []
    for _ in range(20):
        started = time.perf_counter()
        assert scan(ctx) == 0
        turns.append((time.perf_counter() - started) * 1000)
    return booking_ms, ticket_ms, statistics.median(turns)


def over_http() -> tuple[float, float, float]:
    import requests

    sys.path.insert(0, str(ROOT / "tests"))
    from livehall import free_port  # type: ignore[import-not-found]

    hall = booking_hall()
    port = free_port()
    command = [sys.executable, "-m", "hallq", "serve", "--instance", str(hall.parent), "--config", str(hall),
               "--port", str(port)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(f"{url}/api/v1/booking/services", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        slots: list[str] = []
        day = date.today()
        while len(slots) < 48:
            answer = requests.get(
                f"{url}/api/v1/booking/slots",
                params={"service_id": "house_transfer", "date": day.isoformat()},
                timeout=5,
            )
            slots += [s["start"] for s in answer.json() if s["open"]]
            day += timedelta(days=1)
        times: list[float] = []

        def book(n: int) -> None:
            body = {
                "service_id": "house_transfer",
                "slot_start": slots[n % 48],
                "name": "市民",
                "phone": f"137{n:08d}",
            }
            started = time.perf_counter()
            answer = requests.post(f"{url}/api/v1/bookings", json=body, timeout=30)
            times.append(time.perf_counter() - started)
            assert answer.status_code == 201, answer.text

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(book, range(BOOKINGS)))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    times.sort()
    return BOOKINGS / elapsed, times[len(times) // 2] * 1000, times[int(len(times) * 0.9)] * 1000


def main() -> None:
    loopback_only()
    booking_ms, ticket_ms, scan_ms = in_process()
    per_second, p50, p90 = over_http()
    print(f"# bench/booking.py, {date.today()}, {machine()}, SQLite")
    print(f"booking request CPU: {booking_ms:.2f} ms; a kiosk ticket in the same hall {ticket_ms:.2f} ms "
          f"(booking x{booking_ms / ticket_ms:.2f})")  # fmt: skip
    print(
        f"message scan, {WAITING} waiting, {NOTIFIED} asked, nothing due: {scan_ms:.2f} ms a turn "
        "(median of 20)"
    )
    print(
        f"over HTTP, one process, 8 at once: {per_second:.0f} bookings/s, p50 {p50:.1f} ms, p90 {p90:.1f} ms"
    )


if __name__ == "__main__":
    main()
