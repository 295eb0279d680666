"""/manager/whatif (issue 19, item 5): ask, watch the progress, read the answer, come back to it later;
bad requests get a clear message and start nothing."""

from __future__ import annotations

import io
import time
from datetime import timedelta

from flask.testing import FlaskClient
from openpyxl import load_workbook

from hallq.demo.history import write_history
from hallq.operations.context import HallContext

from .conftest import MONDAY_10AM, Tokens

DAY = MONDAY_10AM.date()
LAST_WEEK = {"first": (DAY - timedelta(days=7)).isoformat(), "last": (DAY - timedelta(days=3)).isoformat()}


def finished(client: FlaskClient, headers: dict[str, str], location: str) -> dict:
    """Follow a run's JSON until it is no longer running (each run here takes well under a few seconds)."""
    deadline = time.monotonic() + 30
    while True:
        run: dict = client.get(f"{location}.json", headers=headers).get_json()
        if run["state"] != "running" or time.monotonic() > deadline:
            return run
        time.sleep(0.05)


def start(client: FlaskClient, headers: dict[str, str], form: dict[str, str]) -> str:
    response = client.post("/manager/whatif/runs", data=form, headers=headers)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_manager_runs_what_ifs_and_comes_back_to_them(
    client: FlaskClient, ctx: HallContext, tokens: Tokens
) -> None:
    manager = Tokens.header(tokens.manager)
    page = client.get("/manager/whatif", headers=manager)
    assert page.status_code == 200 and "假设分析" in page.get_data(as_text=True)
    empty = client.post("/manager/whatif/runs", data={"kind": "replay", **LAST_WEEK}, headers=manager)
    assert (
        empty.status_code == 422
        and "no tickets were issued from 2026-11-16 to 2026-11-20" in empty.get_data(as_text=True)
    )
    write_history(ctx, DAY - timedelta(days=35), DAY - timedelta(days=1), 300, queued=True)

    replay = start(client, manager, {"kind": "replay", **LAST_WEEK, "window_hours": "W03=closed@09:00-12:00"})
    run = finished(client, manager, replay)
    assert run["state"] == "done" and run["progress"] == 1.0 and run["created_by"] == "manager-token"
    html = client.get(replay, headers=manager).get_data(as_text=True)
    assert 'id="result"' in html and html.count("<svg") == 1
    assert "3号 投资审批 关闭 09:00–12:00" in html  # the change in words, not W03=closed@…
    assert 'id="by-hour"' in html and "<td>09:00</td>" in html

    staffing = start(client, manager, {"kind": "staffing", "weekday": "0"})
    assert finished(client, manager, staffing)["state"] == "done"
    assert 'id="result"' in client.get(staffing, headers=manager).get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(client.get(f"{staffing}/staffing.xlsx", headers=manager).data)).active
    assert sheet is not None and sheet.max_row == 1 + 6 * 8
    csv = client.get(f"{staffing}/staffing.csv", headers=manager)
    assert csv.status_code == 200 and csv.data.decode("utf-8-sig").startswith("分区 / Zone")
    assert client.get(f"{replay}/staffing.csv", headers=manager).status_code == 404

    merge = start(client, manager, {"kind": "consolidation", **LAST_WEEK, "into": "W13"})
    assert finished(client, manager, merge)["state"] == "done"
    merged = client.get(merge, headers=manager).get_data(as_text=True)
    assert "并入 13号" in merged and "W13" not in merged  # windows by number and name

    listing = client.get("/manager/whatif", headers=manager).get_data(as_text=True)
    assert "3号 投资审批 关闭 09:00–12:00" in listing  # each run lists the changes it tried
    for location in (replay, staffing, merge):
        assert f'href="{location}"' in listing
    assert client.get("/manager/whatif/runs/999", headers=manager).status_code == 404


def test_bad_requests_say_what_is_wrong(client: FlaskClient, ctx: HallContext, tokens: Tokens) -> None:
    manager = Tokens.header(tokens.manager)
    write_history(ctx, DAY - timedelta(days=14), DAY - timedelta(days=1), 100, queued=True)
    for form, message in [
        ({"kind": "replay", **LAST_WEEK, "add_b": "W99:invoice"}, "unknown window &#39;W99&#39;"),
        ({"kind": "replay", **LAST_WEEK, "window_hours": "W03 closed"}, "W03=closed@09:00-12:00"),
        ({"kind": "replay", "first": "2026-11-20", "last": "2026-11-16"}, "comes before"),
        ({"kind": "replay"}, "choose the first and the last day"),
        ({"kind": "consolidation", **LAST_WEEK, "into": "W99"}, "unknown window &#39;W99&#39;"),
        ({"kind": "staffing", "weekday": "6"}, "no sunday with tickets"),
        ({"kind": "guess"}, "kind: Input should be"),
        ({"kind": "replay", **LAST_WEEK, "arrivals_factor": "many"}, "arrivals_factor"),
    ]:
        response = client.post("/manager/whatif/runs", data=form, headers=manager)
        assert response.status_code == 422, form
        assert message in response.get_data(as_text=True), (form, message)
    # none of them started a run
    assert "还没有分析" in client.get("/manager/whatif", headers=manager).get_data(as_text=True)
