"""A city deployment: two halls in one server, each under /h/<id>, isolated from each other on every route and
on Socket.IO; the city managers' view compares them. On SQLite and on PostgreSQL (one schema per hall)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hallq.app.city import create_city
from hallq.config.settings import Settings
from hallq.engine import ManualClock
from hallq.operations.accounts import create_token, ensure_user
from hallq.operations.context import HallContext

from .conftest import MONDAY_10AM, SMALL_HALL
from .postgres import scratch_database

PASSWORD = "secret-pass"
ROLES = ("kiosk", "display", "bridge", "clerk", "manager", "admin")


def write_city(folder: Path, any_hour: bool = False) -> Path:
    """Two halls from the small test hall file: north and south (issuing at any hour for live servers)."""
    text = SMALL_HALL.read_text(encoding="utf-8")
    if any_hour:
        text = text.replace('stop_issuing = "16:30"', 'stop_issuing = "16:30"\nenforce = false', 1)
    (folder / "north.toml").write_text(text.replace("测试大厅", "北厅", 1), encoding="utf-8")
    (folder / "south.toml").write_text(text.replace("测试大厅", "南厅", 1), encoding="utf-8")
    city = folder / "city.toml"
    city.write_text(
        '[city]\nname = "测试市"\n\n[[halls]]\nid = "north"\nfile = "north.toml"\n\n'
        '[[halls]]\nid = "south"\nfile = "south.toml"\n',
        encoding="utf-8",
    )
    return city


@pytest.fixture(params=["sqlite", "postgresql"])
def city(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with ExitStack() as stack:
        url = stack.enter_context(scratch_database()) if request.param == "postgresql" else None
        settings = Settings(
            instance=tmp_path / "instance", database_url=url, async_mode="threading", testing=True
        )
        app = create_city(settings, write_city(tmp_path), clock=ManualClock(MONDAY_10AM))
        yield app
        for hall in app.extensions["hallq_halls"].values():
            hall.extensions["hallq"].store.dispose()
        app.extensions["hallq_city"].users.dispose()


def hall_ctx(city: Flask, hall_id: str) -> HallContext:
    ctx: HallContext = city.extensions["hallq_halls"][hall_id].extensions["hallq"]
    return ctx


def hall_tokens(ctx: HallContext) -> dict[str, str]:
    now = ctx.now()
    found = {role: create_token(ctx.store, role, now, name=f"{role}-token") for role in ROLES}
    found["clerk"] = create_token(ctx.store, "clerk", now, window_id="W1", name="clerk-w1")
    found["evaluator"] = create_token(ctx.store, "evaluator", now, window_id="W1", name="tablet-w1")
    return found


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_each_hall_numbers_its_own_tickets_under_its_own_url(city: Flask) -> None:
    client = city.test_client()
    north, south = hall_tokens(hall_ctx(city, "north")), hall_tokens(hall_ctx(city, "south"))
    first = client.post("/h/north/api/v1/tickets", json={"service_id": "a1"}, headers=bearer(north["kiosk"]))
    second = client.post("/h/south/api/v1/tickets", json={"service_id": "a1"}, headers=bearer(south["kiosk"]))
    assert first.status_code == second.status_code == 201
    assert first.json["number"] == second.json["number"] == "A001"  # each hall counts from 1
    assert first.json["status_url"].startswith("/h/north/t/")
    status_token = first.json["status_url"].rsplit("/", 1)[1]
    assert client.get(first.json["status_url"]).status_code == 200
    assert client.get(f"/h/north/api/v1/status/{status_token}").status_code == 200
    assert client.get(f"/h/south/api/v1/status/{status_token}").status_code == 404
    hall = client.get("/h/south/api/v1/hall", headers=bearer(south["display"]))
    assert hall.status_code == 200 and hall.json["name"] == "南厅"
    document = client.get("/h/south/api/v1/openapi.json").json
    assert document["servers"] == [{"url": "/h/south"}]
    assert document["components"]["securitySchemes"]["session"]["name"] == "hallq_south"
    index = client.get("/").get_data(as_text=True)
    assert 'href="/h/north/"' in index and 'href="/h/south/"' in index


def _routes(app: Flask) -> list[tuple[str, str]]:
    """(method, path) for every route of a hall app, with sample values for its parameters."""
    samples = {"window_id": "W1", "ticket_id": "1", "status_token": "x", "follow_up_id": "1", "window": "W1"}
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples.get(m.group(1), "1"), rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def _call(client: FlaskClient, method: str, path: str, headers: dict[str, str]) -> int:
    body: dict[str, Any] = {"service_id": "a1", "ticket_id": 1, "level": 5, "status": "contacted"}
    return client.open(path, method=method, json=body, headers=headers).status_code


def test_another_halls_tokens_and_logins_reach_nothing(city: Flask) -> None:
    """Every route of hall north, called with each token of hall south and with a logged-in manager of
    south, answers as it answers nobody at all: the credentials of one hall mean nothing in another."""
    north = hall_ctx(city, "north")
    hall_tokens(north)  # north has its own tokens of every role: south's must still not match them
    south = hall_tokens(hall_ctx(city, "south"))
    ensure_user(hall_ctx(city, "south").store, "boss", PASSWORD, "admin", MONDAY_10AM, "south admin")
    routes = _routes(city.extensions["hallq_halls"]["north"])
    assert len(routes) > 30
    anonymous = {(m, p): _call(city.test_client(), m, f"/h/north{p}", {}) for m, p in routes}
    checked = 0
    for role, token in south.items():
        client = city.test_client()
        for method, path in routes:
            status = _call(client, method, f"/h/north{path}", bearer(token))
            expected = anonymous[method, path]
            assert status == expected, f"{role} token of south: {method} /h/north{path} -> {status}"
            checked += 1
    logged_in = city.test_client()
    login = logged_in.post("/h/south/api/v1/session", json={"username": "boss", "password": PASSWORD})
    assert login.status_code == 200
    for method, path in routes:
        status = _call(logged_in, method, f"/h/north{path}", {})
        expected = anonymous[method, path]
        assert status == expected, f"south's admin session: {method} /h/north{path} -> {status}"
    assert logged_in.get("/h/south/api/v1/session").status_code == 200  # still logged in where it belongs
    assert checked == len(routes) * len(south)
    assert sum(1 for status in anonymous.values() if status in (401, 302)) > 20  # most routes need someone


def test_another_halls_display_token_cannot_join_its_rooms(city: Flask) -> None:
    south = hall_tokens(hall_ctx(city, "south"))
    north_app = city.extensions["hallq_halls"]["north"]
    socketio = north_app.extensions["socketio"]
    stranger = socketio.test_client(north_app, auth={"token": south["display"]})
    assert not stranger.is_connected()
    own = socketio.test_client(north_app, auth={"token": hall_tokens(hall_ctx(city, "north"))["display"]})
    assert own.is_connected()
    own.disconnect()


def test_city_managers_compare_the_halls(city: Flask) -> None:
    north, south = hall_ctx(city, "north"), hall_ctx(city, "south")
    north_kiosk, south_kiosk = hall_tokens(north)["kiosk"], hall_tokens(south)["kiosk"]
    client = city.test_client()
    for _ in range(3):
        client.post("/h/north/api/v1/tickets", json={"service_id": "b2"}, headers=bearer(north_kiosk))
    client.post("/h/south/api/v1/tickets", json={"service_id": "a1"}, headers=bearer(south_kiosk))
    ensure_user(south.store, "south-manager", PASSWORD, "manager", MONDAY_10AM, "south manager")
    ensure_user(city.extensions["hallq_city"].users, "mayor", PASSWORD, "manager", MONDAY_10AM, "city")

    assert client.get("/city").status_code == 302
    assert client.get("/city/overview.json").status_code == 401
    # a hall's manager is no city manager
    refused = client.post("/city/session", json={"username": "south-manager", "password": PASSWORD})
    assert refused.status_code == 401
    assert client.post("/city/session", data="x").status_code == 400
    assert client.post("/city/session", json={"username": "mayor", "password": PASSWORD}).status_code == 200
    overview = client.get("/city/overview.json")
    assert overview.status_code == 200
    rows = {row["hall_id"]: row for row in overview.json["halls"]}
    assert rows["north"]["now"]["waiting"] == 3 and rows["south"]["now"]["waiting"] == 1
    assert rows["north"]["period"]["tickets"] == 3 and rows["south"]["period"]["tickets"] == 1
    assert rows["north"]["name"] == "北厅" and rows["north"]["url"] == "/h/north/"
    page = client.get("/city")
    assert page.status_code == 200 and "北厅" in page.get_data(as_text=True)
    assert client.get("/city/overview.json?from=2026-13-01").status_code == 422
    # the city login opens no hall
    assert client.get("/h/north/api/v1/stats/live").status_code == 401


def test_the_command_line_knows_the_city(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hallq.cli.main import cli

    runner = CliRunner()
    city_file = write_city(tmp_path)
    checked = runner.invoke(cli, ["check-config", str(city_file)])
    assert checked.exit_code == 0 and "north, south" in checked.output
    (tmp_path / "broken.toml").write_text(
        city_file.read_text(encoding="utf-8").replace('file = "south.toml"', 'file = "gone.toml"')
    )
    broken = runner.invoke(cli, ["check-config", str(tmp_path / "broken.toml")])
    assert (
        broken.exit_code == 1 and "halls[1].file (line 10)" in broken.output and "gone.toml" in broken.output
    )

    instance = ["--instance", str(tmp_path / "instance"), "--city", str(city_file)]
    issued = runner.invoke(cli, ["token", "kiosk", *instance, "--hall", "south"])
    assert issued.exit_code == 0, issued.output
    no_hall = runner.invoke(cli, ["token", "kiosk", *instance])
    assert no_hall.exit_code == 2 and "one hall of the city" in no_hall.output
    unknown = runner.invoke(cli, ["token", "kiosk", *instance, "--hall", "east"])
    assert unknown.exit_code == 2 and "north, south" in unknown.output
    added = runner.invoke(
        cli, ["user", "add", "mayor", "--role", "manager", *instance], input="long-pass\n" * 2
    )
    assert added.exit_code == 0, added.output
    lone = runner.invoke(cli, ["serve", "--workers", "2", "--instance", str(tmp_path)])
    assert lone.exit_code == 2 and "--message-queue" in lone.output

    settings = Settings(instance=tmp_path / "instance", async_mode="threading", testing=True)
    city = create_city(settings, city_file)
    token = issued.output.strip().splitlines()[-1]
    client = city.test_client()
    assert client.get("/h/south/api/v1/hall", headers=bearer(token)).status_code == 200
    assert client.get("/h/north/api/v1/hall", headers=bearer(token)).status_code == 401
    assert (
        client.post("/city/session", json={"username": "mayor", "password": "long-pass"}).status_code == 200
    )


@pytest.mark.parametrize(
    ("server_url", "path"),
    [
        ("http://10.0.0.5:5000", "socket.io"),
        ("http://10.0.0.5:5000/", "socket.io"),
        ("https://zwfw.example.gov.cn/h/town", "h/town/socket.io"),
        ("https://zwfw.example.gov.cn/h/town/", "h/town/socket.io"),
    ],
)
def test_the_bridge_and_kiosk_agent_find_a_halls_socket_io(server_url: str, path: str) -> None:
    from hallq.net.urls import socketio_path

    assert socketio_path(server_url) == path
