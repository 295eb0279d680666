"""`hallq backup` while the hall serves, `hallq restore` into a stopped hall: nothing acknowledged is lost."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from hallq.cli.main import cli
from hallq.operations.accounts import create_token
from hallq.operations.clocks import SystemClock
from hallq.store.db import Store, sqlite_url

from .conftest import ANY_HOUR, NO_ADDRESS_LIMIT, NO_LIMITS, NO_SERVICE_LIMIT, demo_hall_copy
from .livehall import free_port, live_serve

pytestmark = pytest.mark.server


def _kiosk_token(instance: Path) -> str:
    instance.mkdir(parents=True, exist_ok=True)
    store = Store(sqlite_url(instance))
    store.migrate()
    token = create_token(store, "kiosk", SystemClock().now())
    store.dispose()
    return token


def _take(url: str, token: str, session: requests.Session) -> dict[str, Any]:
    response = session.post(
        f"{url}/api/v1/tickets",
        json={"service_id": "biz_setup"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_backup_while_serving_then_restore_into_a_new_hall(tmp_path: Path) -> None:
    hall_file = demo_hall_copy(tmp_path, ANY_HOUR, NO_LIMITS, NO_SERVICE_LIMIT, NO_ADDRESS_LIMIT)
    instance, port, runner = tmp_path / "instance", free_port(), CliRunner()
    token = _kiosk_token(instance)
    answered: list[dict[str, Any]] = []
    stop = threading.Event()
    with live_serve(instance, hall_file, port):
        url = f"http://127.0.0.1:{port}"

        def keep_issuing() -> None:
            with requests.Session() as session:
                while not stop.is_set():
                    answered.append(_take(url, token, session))

        issuer = threading.Thread(target=keep_issuing)
        issuer.start()
        deadline = time.monotonic() + 30
        while len(answered) < 50 and issuer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(answered) >= 50
        before = len(answered)
        result = runner.invoke(cli, ["backup", str(tmp_path / "saved.sqlite3"), "--instance", str(instance)])
        after = len(answered)
        stop.set()
        issuer.join(10)
        assert result.exit_code == 0, result.output
        # a restore is refused while the server has the database open
        refused = runner.invoke(
            cli, ["restore", str(tmp_path / "saved.sqlite3"), "--instance", str(instance)]
        )
        assert refused.exit_code == 1 and "stop the hallq server" in refused.output
    with sqlite3.connect(tmp_path / "saved.sqlite3") as saved:
        numbers = [row[0] for row in saved.execute("SELECT number FROM tickets ORDER BY seq")]
    # one consistent moment: everything answered before the backup began, nothing torn
    assert before <= len(numbers) <= after + 1
    assert numbers == [f"A{n:03d}" for n in range(1, len(numbers) + 1)]
    assert {t["number"] for t in answered[:before]} <= set(numbers)

    again = runner.invoke(cli, ["backup", str(tmp_path / "saved.sqlite3"), "--instance", str(instance)])
    assert again.exit_code == 1 and "--overwrite" in again.output

    restored_instance = tmp_path / "restored"
    restored = runner.invoke(
        cli, ["restore", str(tmp_path / "saved.sqlite3"), "--instance", str(restored_instance)]
    )
    assert restored.exit_code == 0, restored.output
    with live_serve(restored_instance, hall_file, port):
        url = f"http://127.0.0.1:{port}"
        with requests.Session() as session:
            ticket = _take(url, token, session)  # the tokens came back with the data
            first = session.get(
                f"{url}/api/v1/tickets/1", headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
    assert ticket["number"] == f"A{len(numbers) + 1:03d}"  # numbering goes on, no duplicate
    assert first.status_code == 200 and first.json()["number"] == "A001"


def test_restore_refuses_what_is_not_a_sound_hallq_database(tmp_path: Path) -> None:
    runner = CliRunner()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    bad = runner.invoke(cli, ["restore", str(junk), "--instance", str(tmp_path / "i")])
    assert bad.exit_code == 1 and "not an SQLite database" in bad.output
    with sqlite3.connect(tmp_path / "other.sqlite3") as other:
        other.execute("CREATE TABLE things (id INTEGER)")
    foreign = runner.invoke(
        cli, ["restore", str(tmp_path / "other.sqlite3"), "--instance", str(tmp_path / "i")]
    )
    assert foreign.exit_code == 1 and "not a hallq database" in foreign.output
    missing = runner.invoke(
        cli, ["backup", str(tmp_path / "b.sqlite3"), "--instance", str(tmp_path / "none")]
    )
    assert missing.exit_code == 1 and "no database here" in missing.output
    postgres = runner.invoke(
        cli, ["backup", str(tmp_path / "b"), "--database-url", "postgresql+psycopg://127.0.0.1/x"]
    )
    assert postgres.exit_code == 1 and "pg_dump" in postgres.output
