"""好差评 reported to the province (issue 35): the payload's documented fields, the anhui shape, back-off, and
the outbox surviving a province that fails, then says nothing, then comes back, with the server killed and
restarted in between."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from hallq.config.rating_rules import Province
from hallq.demo.province import ProvinceEmulator
from hallq.operations.accounts import create_token
from hallq.operations.clocks import SystemClock
from hallq.operations.outbox import backoff_s
from hallq.province.shapes import anhui, anhui_parameters, decode_anhui
from hallq.store.db import Store, sqlite_url
from hallq.store.models import RatingReport

from .conftest import ANY_HOUR, NO_ADDRESS_LIMIT, NO_LIMITS, NO_SERVICE_LIMIT, demo_hall_copy
from .livehall import free_port, live_serve
from .postgres import scratch_database

DOCUMENTED = {
    "id", "hall_id", "region_code", "case_numbers", "service_code", "department", "window", "clerk",
    "channel", "level", "level_name", "indicators", "comment", "served_at", "rated_at",
}  # fmt: skip


def _payload(**change: Any) -> dict[str, Any]:
    payload = {
        "id": "hall-rating-7", "kind": "rating", "hall_id": "hall", "region_code": "340100",
        "region_name": "合肥市",
        "case_numbers": ["BJ-1", "BJ-2"], "cases": [
            {"case_number": "BJ-1", "service_code": "11340100-001", "name": "设立登记"},
            {"case_number": "BJ-2", "service_code": "", "name": ""},
        ],
        "service_code": "11340100-000", "service_name": "企业开办", "department": "市场监管局",
        "department_code": "SCJG", "window": {"id": "W01", "number": 1, "name": "1号窗口"},
        "clerk": {"login": "clerk01", "name": "王芳"}, "channel": "pad", "level": 2, "level_name": "不满意",
        "indicator_version": "v1", "indicators": [{"indicator": "服务效率", "text": "等候时间长"}],
        "comment": "排队太久 & 没座位", "ticket": "A001", "served_at": "2026-12-07T10:15:00+08:00",
        "rated_at": "2026-12-07T10:16:00+08:00", "excluded": False,
    }  # fmt: skip
    return payload | change


def test_anhui_shape_one_message_per_case_twice_base64_with_the_materials_names() -> None:
    province = Province(adapter="anhui", url="http://127.0.0.1:9/x", fields={"source": "501", "version": "2"})
    requests_ = anhui(_payload(), province)
    assert len(requests_) == 2  # 一事一评: one message per case
    form = requests_[0].body.decode("ascii")
    assert form.startswith("params=")
    from urllib.parse import parse_qs

    fields = decode_anhui(parse_qs(form)["params"][0])
    assert fields["evaluateChannel"] == "PJQ" and fields["projNo"] == "BJ-1"
    assert fields["serviceCode"] == "11340100-001" and fields["projName"] == "设立登记"
    assert fields["serviceDepartment"] == "市场监管局" and fields["regionCode"] == "340100"
    assert fields["transactionTime"] == "2026-12-07 10:15:00"
    assert fields["evaluatedPersonInfo"] == '[{"loginName":"clerk01","name":"王芳"}]'
    assert fields["evaluateComment"] == "排队太久 & 没座位"  # a "&" in a value does not split a field
    assert (fields["source"], fields["version"]) == ("501", "2")
    second = anhui_parameters(_payload(), province)[1]
    assert dict(second)["serviceCode"] == "11340100-000"  # a case without its own code: the service's
    assert dict(second)["messageId"] == "hall-rating-7-BJ-2"


def test_back_off_doubles_to_its_cap_with_jitter() -> None:
    rng = random.Random(1)
    waits = [backoff_s(n, 5, 60, rng) for n in range(1, 8)]
    for attempt, wait in enumerate(waits, start=1):
        base = min(60, 5 * 2 ** (attempt - 1))
        assert 0.8 * base <= wait <= 1.2 * base


def _visit_rated(url: str, bridge: dict[str, str], kiosk: dict[str, str], level: int) -> int:
    ticket = requests.post(
        f"{url}/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk, timeout=5
    )
    assert ticket.status_code == 201, ticket.text
    for action in ("call-next", "finish"):
        requests.post(f"{url}/api/v1/windows/W01/{action}", headers=bridge, timeout=5).raise_for_status()
    ticket_id = ticket.json()["id"]
    body = {"level": level, **({"reasons": ["等候时间长"]} if level <= 2 else {})}
    rated = requests.post(f"{url}/api/v1/tickets/{ticket_id}/rating", json=body, headers=bridge, timeout=5)
    assert rated.status_code == 201, rated.text
    return int(ticket_id)


def _until(condition: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, tuple[str, ...]]]:
    with ExitStack() as stack:
        (tmp_path / "instance").mkdir()
        if request.param == "postgresql":
            url = stack.enter_context(scratch_database())
            store, options = Store(url, pool_size=1), ("--database-url", url)
        else:
            store, options = Store(sqlite_url(tmp_path / "instance")), ()
        store.migrate()
        yield store, options
        store.dispose()


@pytest.mark.server
def test_every_rating_reaches_the_province_through_errors_silence_and_a_killed_server(
    tmp_path: Path, database: tuple[Store, tuple[str, ...]]
) -> None:
    province = ProvinceEmulator().start()
    province.mode = "error"
    reporting = (
        'adapter = "none"',
        f'adapter = "json-http"\nurl = "{province.url}"\nhall_code = "test-hall"\nregion_code = "340100"\n'
        "timeout_s = 1.0\nretry_first_s = 0.2\nretry_max_s = 1.0",
    )
    hall_file = demo_hall_copy(tmp_path, ANY_HOUR, NO_LIMITS, NO_SERVICE_LIMIT, NO_ADDRESS_LIMIT, reporting)
    instance, port = tmp_path / "instance", free_port()
    store, options = database
    now = SystemClock().now()
    kiosk = {"Authorization": f"Bearer {create_token(store, 'kiosk', now)}"}
    bridge = {"Authorization": f"Bearer {create_token(store, 'bridge', now)}"}
    url = f"http://127.0.0.1:{port}"
    rated: list[int] = []
    try:
        with live_serve(instance, hall_file, port, extra=options) as server:
            requests.post(f"{url}/api/v1/windows/W01/open", headers=bridge, timeout=5).raise_for_status()
            rated += [_visit_rated(url, bridge, kiosk, level) for level in (5, 1, 4)]
            _until(lambda: province.refused >= 3, 15, "the province refusing the first reports")
            province.mode = "silent"  # then nothing: connections accepted, never answered
            rated += [_visit_rated(url, bridge, kiosk, level) for level in (3, 2)]
            time.sleep(2.5)  # attempts meet the 1 s timeout
            os.kill(server.pid, signal.SIGKILL)  # a power cut, reports still pending
        assert province.received == []
        with live_serve(instance, hall_file, port, extra=options):
            rated += [_visit_rated(url, bridge, kiosk, 5)]
            province.mode = "ok"
            _until(lambda: len(province.ids()) >= len(rated), 30, "every rating at the province")
            with store.read() as session:
                reports = session.scalars(select(RatingReport).order_by(RatingReport.rating_id)).all()
            assert [r.state for r in reports] == ["delivered"] * len(rated)
            assert any(r.attempts > 1 for r in reports)  # retried, not sent once by luck
    finally:
        province.stop()
    # each rating arrived (at least once), under its stable id, with the documented fields
    by_id = {message["id"]: message for message in province.received}
    assert set(by_id) == {f"test-hall-rating-{r.rating_id}" for r in reports}
    for message in by_id.values():
        assert set(message) >= DOCUMENTED, DOCUMENTED - set(message)
        assert message["hall_id"] == "test-hall" and message["region_code"] == "340100"
        assert message["channel"] == "pad" and message["window"]["id"] == "W01"
    levels = sorted(message["level"] for message in by_id.values())
    assert levels == [1, 2, 3, 4, 5, 5]
    bad = next(m for m in by_id.values() if m["level"] == 1)
    assert bad["level_name"] == "非常不满意"
    assert bad["indicators"] == [{"indicator": "服务效率", "text": "等候时间长"}]
