"""Migrations match the models; the OpenAPI document matches the routes; the command line works."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hallq.cli.main import cli
from hallq.demo.hall import DEMO_PASSWORD, prepare_demo
from hallq.store.db import Store, sqlite_url
from hallq.store.models import Base

from .conftest import Tokens


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path))
    store.migrate()
    store.migrate()  # a second run is a no-op
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    store.dispose()
    assert diff == []


def test_openapi_documents_every_api_route(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    # the generic /windows/{window_id}/{verb} route is documented verb by verb
    generic = {(p, m) for p, m in served if p.endswith("/{verb}")}
    verbs = {p.rsplit("/", 1)[1] for p, _ in documented if p.startswith("/api/v1/windows/{window_id}/")}
    assert {"call-next", "recall", "no-show", "start", "finish", "pause", "resume", "open", "close"} <= verbs
    assert served - generic <= documented
    assert {p for p, _ in documented} - {p for p, _ in served} <= {
        f"/api/v1/windows/{{window_id}}/{verb}" for verb in verbs
    }


def test_token_command_prints_one_usable_token(tmp_path: Path, app: Flask, client: FlaskClient) -> None:
    instance = Path(app.instance_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["token", "kiosk", "--instance", str(instance), "--name", "entrance"])
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert line.startswith("hq_kiosk_")
    response = client.post("/api/v1/tickets", json={"service_id": "seal"}, headers=Tokens.header(line))
    assert response.status_code == 201
    bad = runner.invoke(cli, ["token", "clerk", "--instance", str(instance), "--window", "W99"])
    assert bad.exit_code == 2 and "unknown window 'W99'" in bad.output
    bad_role = runner.invoke(cli, ["token", "janitor", "--instance", str(instance)])
    assert bad_role.exit_code == 2 and "janitor" in bad_role.output


def test_bad_hall_file_is_a_clear_cli_error(tmp_path: Path) -> None:
    hall = tmp_path / "hall.toml"
    hall.write_text('[hall]\nname = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["token", "kiosk", "--instance", str(tmp_path), "--config", str(hall)])
    assert result.exit_code == 1
    assert "zones: Field required" in result.output and "Traceback" not in result.output


def test_user_add(tmp_path: Path) -> None:
    runner = CliRunner()
    args = [
        "user",
        "add",
        "wang",
        "--role",
        "manager",
        "--instance",
        str(tmp_path),
        "--password",
        "s3cret-pw",
    ]
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 1 and "already exists" in again.output
    weak = runner.invoke(cli, ["user", "add", "li", "--instance", str(tmp_path), "--password", "short"])
    assert weak.exit_code == 1 and "at least 8 characters" in weak.output


def test_demo_text_has_every_page_and_working_logins(app: Flask, client: FlaskClient) -> None:
    text = prepare_demo(app, "http://127.0.0.1:5000")
    pages = ("/kiosk?kiosk=K1&token=hq_kiosk_", "/display?token=hq_display_", "/caller", "/manager")
    for page in (*pages, "/evaluate/W01?token=hq_evaluator_"):
        assert f"http://127.0.0.1:5000{page}" in text
    # four weeks of history for the managers' pages, written once
    assert "synthetic past tickets" in text
    login = client.post("/api/v1/session", json={"username": "clerk14", "password": DEMO_PASSWORD})
    assert login.status_code == 200
    kiosk_token = re.search(r"token=(hq_kiosk_\S+)", text).group(1)  # type: ignore[union-attr]
    assert client.get("/api/v1/hall", headers=Tokens.header(kiosk_token)).status_code == 200
    # running it again keeps one account per login and the history it wrote
    assert "past tickets already in the database" in prepare_demo(app, "http://127.0.0.1:5000")
    assert (
        client.post("/api/v1/session", json={"username": "manager", "password": DEMO_PASSWORD}).status_code
        == 200
    )
