"""The hall's configuration as versions in the database, applied live (issue 31, items 1, 2 and 5): read,
save on the version it was made on, refuse a stale save with 409 and a broken one with every problem in
words, refuse removing a service citizens wait for, restore, export, and follow a version saved elsewhere."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hallq.app.factory import create_app
from hallq.cli.main import cli
from hallq.config.settings import Settings
from hallq.engine import ManualClock
from hallq.operations.audit import entries
from hallq.operations.context import HallContext
from hallq.web.live_config import catch_up

from .conftest import DEMO_HALL, MONDAY_10AM, Tokens, demo_hall_copy


def current(client: FlaskClient, token: str) -> dict[str, Any]:
    answer = client.get("/api/v1/config", headers=Tokens.header(token))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body: dict[str, Any] = answer.get_json()
    return body


def service(hall: dict[str, Any], service_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in hall["services"] if s["id"] == service_id)
    return found


def put(client: FlaskClient, token: str, base: int, hall: dict[str, Any], note: str = "") -> Any:
    body = {"base_version": base, "hall": hall, "note": note}
    return client.put("/api/v1/config", json=body, headers=Tokens.header(token))


def test_a_saved_version_is_in_force_at_once_and_every_page_hears_it(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    first = current(client, tokens.manager)
    assert first["version"] == 1 and first["saved_by"] == "server" and first["hall"]["hall"]["name"]
    assert client.get("/api/v1/config", headers=Tokens.header(tokens.clerk_w01)).status_code == 403
    display = app.extensions["socketio"].test_client(app, auth={"token": tokens.display})
    assert display.emit("join", {"room": "hall"}, callback=True)["ok"]
    display.get_received()
    hall = copy.deepcopy(first["hall"])
    service(hall, "seal")["materials"] = ["营业执照", "法定代表人身份证", "新：公章备案回执"]
    renamed = copy.deepcopy(hall)
    renamed["zones"][0]["name"] = (
        "新名称"  # managers change materials, the calendar and staffing; admins the rest
    )
    refused = put(client, tokens.manager, 1, renamed)
    assert refused.status_code == 403 and refused.get_json()["error"] == "admins_only"
    saved = put(client, tokens.admin, 1, hall, "公章材料更新")
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json() == {"version": 2}
    assert ctx.version == 2 and "新：公章备案回执" in ctx.config.service_by_id["seal"].materials
    kiosk_view = client.get("/api/v1/hall", headers=Tokens.header(tokens.kiosk)).get_json()
    assert "新：公章备案回执" in str(kiosk_view)
    assert {"name": "config_changed", "args": [{"version": 2}], "namespace": "/"} in display.get_received()
    again = current(client, tokens.manager)
    assert again["version"] == 2 and again["note"] == "公章材料更新" and again["saved_by"] == "admin-token"
    log = entries(ctx)[0]
    assert log["action"] == "config.saved" and "新：公章备案回执" in log["detail"]["diff"]
    service(hall, "seal")["materials"].append("经办人身份证")
    by_manager = put(client, tokens.manager, 2, hall, "加一项材料")
    assert by_manager.status_code == 200 and ctx.config.service_by_id["seal"].materials[-1] == "经办人身份证"


def test_two_admins_at_once_one_wins_the_other_hears_what_changed(
    ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    hall = current(client, tokens.admin)["hall"]
    mine, theirs = copy.deepcopy(hall), copy.deepcopy(hall)
    service(mine, "seal")["daily_cap"] = 80
    service(theirs, "invoice")["materials"] = ["身份证"]
    assert put(client, tokens.admin, 1, theirs).status_code == 200
    late = put(client, tokens.admin, 1, mine)
    assert late.status_code == 409
    body = late.get_json()
    assert body["error"] == "version_conflict" and body["current_version"] == 2
    assert any("身份证" in line for line in body["changes"])
    assert ctx.version == 2 and ctx.config.service_by_id["seal"].daily_cap != 80  # nothing of it applied


def test_a_broken_document_is_refused_with_every_problem_in_words(
    ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    hall = current(client, tokens.admin)["hall"]
    broken = copy.deepcopy(hall)
    broken["services"][2]["zone"] = "nowhere"
    broken["services"][2]["daily_cap"] = -5
    broken["hall"]["hours"]["open"] = "25:00"
    broken["zones"][0]["colour"] = "red"
    answer = put(client, tokens.admin, 1, broken)
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == "invalid_config"
    messages = [error["message"] for error in body["errors"]]
    third = hall["services"][2]["name"]
    assert any(m.startswith(f"第 3 个事项「{third}」的每日放号量 须大于 0") for m in messages), messages
    assert any(m.startswith("大厅的开放时间的开始时间 25:00 不是有效时间") for m in messages), messages
    assert any(m.startswith("第 1 个分区") and "不是可用的设置项" in m for m in messages), messages
    assert ctx.version == 1
    # the cross-checks come once the shapes are right: an unknown zone, positions counted from 1
    shaped = copy.deepcopy(hall)
    shaped["services"][2]["zone"] = "nowhere"
    errors = put(client, tokens.admin, 1, shaped).get_json()["errors"]
    assert (
        errors
        and errors[0]["message"].startswith(f"第 3 个事项「{third}」")
        and "nowhere" in errors[0]["message"]
    )
    assert put(client, tokens.admin, 1, "not a hall").status_code == 422  # type: ignore[arg-type]
    assert ctx.version == 1


def test_a_service_citizens_wait_for_cannot_be_removed(
    ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    ticket = client.post("/api/v1/tickets", json={"service_id": "seal"}, headers=Tokens.header(tokens.kiosk))
    hall = current(client, tokens.admin)["hall"]
    without = copy.deepcopy(hall)
    without["services"] = [s for s in hall["services"] if s["id"] != "seal"]
    for window in without["windows"]:
        for key in ("a_services", "b_services"):
            window[key] = [s for s in window.get(key, []) if s != "seal"]
    refused = put(client, tokens.admin, 1, without)
    assert refused.status_code == 422
    (error,) = refused.get_json()["errors"]
    assert "「seal」还有 1 张票" in error["message"] and ctx.version == 1
    voided = client.post(
        f"/api/v1/tickets/{ticket.get_json()['id']}/cancel",
        json={"reason": "事项调整"},
        headers=Tokens.header(tokens.manager),
    )
    assert voided.status_code == 200
    assert put(client, tokens.admin, 1, without).status_code == 200 and "seal" not in ctx.config.service_by_id


def test_restore_export_and_the_command_line(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens, hall_file: Path
) -> None:
    hall = current(client, tokens.admin)["hall"]
    changed = copy.deepcopy(hall)
    changed["hall"]["footer"] = "新的页脚"
    assert put(client, tokens.admin, 1, changed).status_code == 200
    versions = client.get("/api/v1/config/versions", headers=Tokens.header(tokens.manager)).get_json()
    assert [v["version"] for v in versions["versions"]] == [2, 1]
    second = client.get("/api/v1/config/versions/2", headers=Tokens.header(tokens.manager)).get_json()
    assert '+footer = "新的页脚"' in second["diff"]
    restored = client.post("/api/v1/config/versions/1/restore", json={}, headers=Tokens.header(tokens.admin))
    assert (
        restored.get_json() == {"version": 3}
        and ctx.config.hall.footer == current(client, tokens.admin)["hall"]["hall"]["footer"]
    )
    assert ctx.config.hall.footer != "新的页脚"
    exported = client.get("/api/v1/config/export.toml", headers=Tokens.header(tokens.manager))
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("application/toml")
    assert tomllib.loads(exported.get_data(as_text=True))["hall"]["name"] == hall["hall"]["name"]
    options = ["--instance", app.instance_path, "--config", str(hall_file)]
    first_export = CliRunner().invoke(cli, ["config", "export", *options])
    assert first_export.exit_code == 0 and first_export.output == exported.get_data(as_text=True)
    assert (
        CliRunner().invoke(cli, ["config", "export", *options]).output == first_export.output
    )  # byte-stable


def test_a_version_saved_elsewhere_is_followed_and_a_bad_file_keeps_the_last_good_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hall_file = demo_hall_copy(tmp_path, ("footer = ", "footer = "))
    settings = Settings(
        instance=tmp_path / "instance", hall_file=hall_file, async_mode="threading", testing=True
    )
    one = create_app(settings, clock=ManualClock(MONDAY_10AM))
    other = create_app(settings, clock=ManualClock(MONDAY_10AM))  # a second process on the same database
    text = hall_file.read_text(encoding="utf-8").replace("过号请到服务台重新排队", "请留意叫号")
    edited = tmp_path / "edited.toml"
    edited.write_text(text, encoding="utf-8")
    imported = CliRunner().invoke(
        cli, ["config", "import", str(edited), "--instance", str(settings.instance)]
    )
    assert imported.exit_code == 0 and "version 2" in imported.output
    for app in (one, other):
        assert catch_up(app) and "请留意叫号" in app.extensions["hallq"].config.hall.footer
    pinned = one.extensions["hallq"].pinned()  # a request under way when the next version comes
    hall_file.write_text(text.replace('prefix = "A"', 'prefix = "a1"'), encoding="utf-8")  # a broken file
    capsys.readouterr()
    restarted = create_app(settings, clock=ManualClock(MONDAY_10AM))
    said = capsys.readouterr().err
    assert "prefix" in said and "line" in said and "last good version" in said
    assert restarted.extensions["hallq"].version == 2
    assert pinned.version == 2 and pinned.config is not None
    for app in (one, other, restarted):
        app.extensions["hallq"].store.dispose()


def test_check_config_says_each_problem_in_words_too(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = demo_hall_copy(tmp_path, ('prefix = "A"', 'prefix = "a1"')).read_text(encoding="utf-8")
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", str(bad)])
    assert result.exit_code == 1
    assert "zones[0].prefix (line" in result.output  # the key path and line, as before
    assert "第 1 个分区「企业开办区」的号码前缀 a1 格式不对" in result.output  # and in words, counted from 1


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_eight_admins_saving_on_one_version_at_once_give_one_version(tmp_path: Path, database: str) -> None:
    """Nothing lost or half-applied under concurrent saves: one wins, the others get 409, on both."""
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import ExitStack

    from hallq.config.document import from_toml
    from hallq.operations import hall_versions
    from hallq.operations.context import Actor
    from hallq.store.db import Store, sqlite_url

    from .conftest import DEMO_HALL
    from .postgres import scratch_database

    with ExitStack() as stack:
        url = stack.enter_context(scratch_database()) if database == "postgresql" else sqlite_url(tmp_path)
        store = Store(url, pool_size=8)
        store.migrate()
        document = from_toml(DEMO_HALL.read_text(encoding="utf-8"), "hall.toml")
        now = MONDAY_10AM
        assert hall_versions.save(store, document, base_version=None, by=Actor("admin", "a"), now=now) == 1

        def save(index: int) -> str:
            mine = copy.deepcopy(document)
            mine["hall"]["footer"] = f"footer {index}"
            try:
                hall_versions.save(store, mine, base_version=1, by=Actor("admin", f"a{index}"), now=now)
            except hall_versions.VersionConflict:
                return "conflict"
            return "saved"

        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(save, range(8)))
        assert sorted(outcomes) == ["conflict"] * 7 + ["saved"]
        assert [v.number for v in hall_versions.listing(store)] == [2, 1]
        store.dispose()


def test_rating_content_changed_under_the_same_version_is_refused_with_its_key_and_line(
    tmp_path: Path,
) -> None:
    """Issue 35: a hall cannot add or drop rating content silently; a changed list needs a new version, and
    every rating records the version it was made under."""
    from hallq.config.tomlfile import ConfigError
    from hallq.operations.hall_versions import import_file
    from hallq.store.db import Store, sqlite_url

    store = Store(sqlite_url(tmp_path))
    store.migrate()
    base = DEMO_HALL.read_text(encoding="utf-8")
    content = (
        '\n[ratings.indicators]\nversion = "{version}"\n'
        '[[ratings.indicators.content]]\nindicator = "服务态度"\ntext = "服务态度差"\nlevels = [1, 2]\n'
        "{extra}"
    )
    extra = '[[ratings.indicators.content]]\nindicator = "服务效率"\ntext = "排队太久"\nlevels = [1, 2]\n'
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert import_file(store, base + content.format(version="v1", extra=""), "hall.toml", now) == 1
    with pytest.raises(ConfigError) as refused:
        import_file(store, base + content.format(version="v1", extra=extra), "hall.toml", now)
    problem = refused.value.problems[0]
    assert problem.path == "ratings.indicators.version" and "版本" in problem.message
    assert problem.line is not None and "version" in (base + content).splitlines()[problem.line - 1]
    assert import_file(store, base + content.format(version="v2", extra=extra), "hall.toml", now) == 2
    store.dispose()
