"""The audit log: hall file changes, users, tokens and manual ticket actions, each with who and when, written
with the change itself; admins read it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hallq.app.factory import create_app
from hallq.cli.main import cli
from hallq.config.settings import Settings
from hallq.engine import ManualClock
from hallq.operations.context import HallContext

from .conftest import MONDAY_10AM, Tokens, small_hall_with


def _log(client: FlaskClient, tokens: Tokens, **query: str) -> list[dict]:
    response = client.get("/api/v1/audit", headers=Tokens.header(tokens.admin), query_string=query)
    assert response.status_code == 200, response.json
    entries: list[dict] = response.json["entries"]
    return entries


def test_manual_ticket_actions_are_on_the_record(
    client: FlaskClient, tokens: Tokens, ctx: HallContext
) -> None:
    kiosk, clerk = Tokens.header(tokens.kiosk), Tokens.header(tokens.clerk_w01)
    first = client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk).json
    second = client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk).json
    assert client.post("/api/v1/windows/W01/open", headers=clerk).status_code == 200
    before = len(_log(client, tokens))
    assert (
        client.post("/api/v1/windows/W01/call", json={"ticket_id": second["id"]}, headers=clerk).status_code
        == 200
    )
    # a refused action leaves no entry: the entry is written in the action's own transaction
    refused = client.post("/api/v1/windows/W01/call", json={"ticket_id": first["id"]}, headers=clerk)
    assert refused.status_code == 409
    moved = client.post("/api/v1/windows/W01/transfer", json={"service_id": "biz_change"}, headers=clerk)
    assert moved.status_code == 200
    client.post("/api/v1/windows/W01/call-next", headers=clerk)  # the call rule's own order: not audited
    entries = _log(client, tokens)
    assert len(entries) == before + 2
    transferred, called = entries[0], entries[1]
    assert called["action"] == "ticket.called_specific" and called["subject"] == second["number"]
    assert called["actor"] == "clerk-token-w01" and called["role"] == "clerk"
    assert called["detail"] == {"window": "W01"} and called["at"].startswith("2026-11-23T10:00")
    assert transferred["action"] == "ticket.transferred"
    assert transferred["detail"]["to_service"] == "biz_change" and transferred["detail"]["window"] == "W01"
    # tokens made for the test are there too, newest first, and pages follow one another
    assert [e["action"] for e in entries[2:]].count("token.created") == 6
    page = _log(client, tokens, before=str(entries[1]["id"]))
    assert page[0]["id"] == entries[2]["id"]
    assert client.get("/api/v1/audit", headers=Tokens.header(tokens.manager)).status_code == 403
    assert client.get("/api/v1/audit?before=x", headers=Tokens.header(tokens.admin)).status_code == 422


def test_users_tokens_and_the_hall_file_are_on_the_record(tmp_path: Path) -> None:
    hall_file = small_hall_with(tmp_path, "")
    instance = tmp_path / "instance"
    runner = CliRunner()
    options = ["--instance", str(instance), "--config", str(hall_file)]
    assert runner.invoke(cli, ["token", "kiosk", "--name", "entrance", *options]).exit_code == 0
    added = runner.invoke(
        cli, ["user", "add", "wang", "--role", "manager", *options], input="long-pass\n" * 2
    )
    assert added.exit_code == 0, added.output
    hall_file.write_text(
        hall_file.read_text(encoding="utf-8").replace("测试大厅", "改名大厅"), encoding="utf-8"
    )
    app: Flask = create_app(
        Settings(instance=instance, hall_file=hall_file, async_mode="threading", testing=True),
        clock=ManualClock(MONDAY_10AM),
    )
    from hallq.operations.audit import entries

    ctx: HallContext = app.extensions["hallq"]
    log = list(reversed(entries(ctx)))
    actions = [(entry["action"], entry["subject"]) for entry in log]
    assert actions == [
        ("config.changed", "small_hall.toml"),  # the first start
        ("token.created", "kiosk entrance"),
        ("user.created", "wang"),  # the same hall file again: nothing to log
        ("config.changed", "small_hall.toml"),  # edited since
    ]
    assert log[1]["actor"].startswith("command line (") and log[2]["detail"] == {"role": "manager"}
    assert log[3]["detail"]["previous_sha256"] == log[0]["detail"]["sha256"] != log[3]["detail"]["sha256"]
    ctx.store.dispose()
