"""Benchmark: what reporting 好差评 to the province costs (issue 35), in one run on this machine.

1. The rating request's CPU, in process (Flask's test client): `POST /tickets/<id>/rating` by the bridge with
   `[province] adapter = "none"` and with `json-http` (the outbox row and its payload written in the rating's
   transaction); the ratio of the two.
2. Catching up after an outage: RATINGS reports pending, then the province (played on 127.0.0.1) comes back;
   the time `send_due` takes to deliver them all, reports a second.

Run: `python bench/province.py`. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from loadhall import SERVICES, load_test_hall, loopback_only, machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hallq.app.factory import create_app  # noqa: E402
from hallq.config.settings import Settings  # noqa: E402
from hallq.demo.province import ProvinceEmulator  # noqa: E402
from hallq.operations.accounts import create_token  # noqa: E402
from hallq.province.sender import send_due  # noqa: E402

RATINGS = 600
#: window W01's own services in the demo hall
W01_SERVICES = ["biz_setup", "biz_change"]


def rated_hall(province_url: str | None) -> tuple[float, object]:
    """A hall whose window W01 serves and the bridge rates RATINGS visits; the CPU ms per rating request."""
    instance = Path(tempfile.mkdtemp(prefix="hallq-province-"))
    hall = load_test_hall(ROOT, instance)
    if province_url:
        text = hall.read_text(encoding="utf-8").replace(
            'adapter = "none"', f'adapter = "json-http"\nurl = "{province_url}"\nhall_code = "bench"', 1
        )
        hall.write_text(text, encoding="utf-8")
    app = create_app(Settings(instance=instance, hall_file=hall, async_mode="threading"))
    ctx = app.extensions["hallq"]
    kiosk = {"Authorization": f"Bearer {create_token(ctx.store, 'kiosk', ctx.now())}"}
    bridge = {"Authorization": f"Bearer {create_token(ctx.store, 'bridge', ctx.now())}"}
    client = app.test_client()
    client.post("/api/v1/windows/W01/open", headers=bridge)
    served = []
    for index in range(RATINGS):
        service = W01_SERVICES[index % 2]
        client.post("/api/v1/tickets", json={"service_id": service}, headers=kiosk)
        ticket = client.post("/api/v1/windows/W01/call-next", headers=bridge).get_json()["ticket"]
        client.post("/api/v1/windows/W01/finish", headers=bridge)
        served.append(ticket["id"])
    started = time.process_time()
    for index, ticket_id in enumerate(served):
        body = {"level": 5 - index % 5}
        if body["level"] <= 2:
            body["reasons"] = ["等候时间长"]
        response = client.post(f"/api/v1/tickets/{ticket_id}/rating", json=body, headers=bridge)
        assert response.status_code == 201, response.get_json()
    return (time.process_time() - started) / RATINGS * 1000, ctx


def main() -> None:
    loopback_only()
    assert SERVICES  # the load hall's services exist in this checkout
    province = ProvinceEmulator().start()
    try:
        plain_ms, _ = rated_hall(None)
        reported_ms, ctx = rated_hall(province.url)
        started = time.perf_counter()
        delivered = 0
        while True:
            sent, failed = send_due(ctx, limit=100)  # type: ignore[arg-type]
            assert not failed
            if not sent:
                break
            delivered += sent
        drained_s = time.perf_counter() - started
    finally:
        province.stop()
    assert delivered == RATINGS and len(province.ids()) == RATINGS
    print(f"# bench/province.py, {date.today()}, {machine()}, SQLite")
    print(f"rating request CPU: {plain_ms:.2f} ms without a province, {reported_ms:.2f} ms with json-http "
          f"(x{reported_ms / plain_ms:.2f})")  # fmt: skip
    print(f"catch-up: {RATINGS} pending reports delivered in {drained_s:.2f} s ({RATINGS / drained_s:.0f}/s)")


if __name__ == "__main__":
    main()
