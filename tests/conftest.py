"""Fixtures in the Flask tutorial's shape (app, client, runner) plus a manual clock and ready tokens."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hallq.app.factory import create_app
from hallq.config.hall import load_hall
from hallq.config.settings import REPO_ROOT, Settings
from hallq.engine import ManualClock, make_policy
from hallq.operations.accounts import create_token, ensure_user
from hallq.operations.context import Actor, HallContext
from hallq.printing.emulator import PrinterEmulator
from hallq.store.db import Store

#: every test runs with the loopback guard (hallq/net/guard.py): nothing connects off this machine
pytest_plugins = ["tests.loopback_guard"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: a Monday, mid-morning in the hall's time zone
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
DEMO_HALL = REPO_ROOT / "config" / "hall.toml"
SMALL_HALL = Path(__file__).parent / "data" / "small_hall.toml"
#: CI sets this: tests that need a service (Chromium, PostgreSQL, Redis) fail instead of skipping
REQUIRE_SERVICES = os.environ.get("HALLQ_REQUIRE_SERVICES") == "1"


#: for demo_hall_copy: tickets at any hour; the demo hall's kiosk printers (K1 prints nowhere, K2 an agent)
ANY_HOUR = ("enforce = true", "enforce = false")
#: for demo_hall_copy: load tests issue faster than any person at a kiosk could
NO_LIMITS = ("issues_per_kiosk_per_minute = 30", "issues_per_kiosk_per_minute = 0")
NO_SERVICE_LIMIT = (
    "issues_per_kiosk_per_service_per_minute = 10",
    "issues_per_kiosk_per_service_per_minute = 0",
)
NO_ADDRESS_LIMIT = ("issues_per_address_per_minute = 60", "issues_per_address_per_minute = 0")
#: for demo_hall_copy: the `ab` call rule instead of the default own-first (tests of ab's own behaviour)
AB_RULE = ('rule = "own-first"', 'rule = "ab"')
K1_PRINTER = '"dummy://"'
K2_PRINTER = '"agent://"'


def demo_hall_copy(folder: Path, *replacements: tuple[str, str]) -> Path:
    """The demo hall file with some text replaced (each the first time it occurs), written into `folder`."""
    text = DEMO_HALL.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"{old!r} is not in the demo hall"
        text = text.replace(old, new, 1)
    path = folder / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


#: windows whose A and B services overlap: several of them can call each of these services' tickets
DESKS = ["W01", "W02", "W12", "W13"]
DESK_SERVICES = ["biz_setup", "biz_change", "biz_cancel", "seal", "housing_fund", "invoice"]


def desks_over_one_queue(store: Store, tickets: int) -> tuple[HallContext, Actor]:
    """The demo hall on `store` with `tickets` waiting for DESKS, all open; the bridge actor that opened
    them (for tests of windows calling at once)."""
    from hallq.operations import windows as ops
    from hallq.operations.issuing import IssueRequest, issue_ticket
    from hallq.operations.window_act import ensure_window_rows

    store.migrate()
    ctx = HallContext(load_hall(DEMO_HALL), store, ManualClock(MONDAY_10AM), make_policy())
    ensure_window_rows(ctx)  # what create_app does at start-up
    for index in range(tickets):
        issue_ticket(ctx, IssueRequest(DESK_SERVICES[index % len(DESK_SERVICES)]))
    bridge = Actor(role="bridge", name="bridge-test")
    for window_id in DESKS:
        ops.change_state(ctx, window_id, bridge, "open")
    return ctx, bridge


def small_hall_with(folder: Path, extra_toml: str) -> Path:
    """The small test hall with some TOML sections appended, written into `folder`."""
    path = folder / "small_hall.toml"
    path.write_text(SMALL_HALL.read_text(encoding="utf-8") + extra_toml, encoding="utf-8")
    return path


@pytest.fixture
def printer() -> Iterator[PrinterEmulator]:
    """A network printer on 127.0.0.1 that answers DLE EOT and keeps what it prints."""
    emulator = PrinterEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (HALLQ_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_10AM)


@pytest.fixture
def hall_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The demo hall; a test changes it by parametrizing this fixture indirectly with (old, new) pairs."""
    replacements = getattr(request, "param", ())
    return demo_hall_copy(tmp_path, *replacements) if replacements else DEMO_HALL


@pytest.fixture
def printers() -> dict[str, str]:
    """Kiosk printers for the app under test: nothing on the network unless a test says so (a test that
    prints points a kiosk at a printer listening on 127.0.0.1)."""
    return {"K1": "dummy://", "K2": "dummy://"}


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock, hall_file: Path, printers: dict[str, str]) -> Iterator[Flask]:
    settings = Settings(
        instance=tmp_path / "instance",
        hall_file=hall_file,
        async_mode="threading",
        testing=True,
        printers=printers,
    )
    app = create_app(settings, clock=clock)
    yield app
    app.extensions["hallq"].store.dispose()


@pytest.fixture
def ctx(app: Flask) -> HallContext:
    return app.extensions["hallq"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    """Runs the `hallq` command line in-process."""
    return CliRunner()


@dataclass
class Tokens:
    kiosk: str
    display: str
    bridge: str
    manager: str
    admin: str
    clerk_w01: str

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(ctx: HallContext) -> Tokens:
    now = ctx.now()
    return Tokens(
        kiosk=create_token(ctx.store, "kiosk", now, name="kiosk-1"),
        display=create_token(ctx.store, "display", now, name="display-1"),
        bridge=create_token(ctx.store, "bridge", now, name="bridge-1"),
        manager=create_token(ctx.store, "manager", now, name="manager-token"),
        admin=create_token(ctx.store, "admin", now, name="admin-token"),
        clerk_w01=create_token(ctx.store, "clerk", now, window_id="W01", name="clerk-token-w01"),
    )


@pytest.fixture
def clerks(ctx: HallContext) -> dict[str, str]:
    """Session users: clerk01 and clerk02 with password 'secret-pass'."""
    for name in ("clerk01", "clerk02"):
        ensure_user(ctx.store, name, "secret-pass", "clerk", ctx.now(), name)
    return {"clerk01": "secret-pass", "clerk02": "secret-pass"}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, one per test module that asks (tests/browsers.py)."""
    from .browsers import chromium

    yield from chromium()


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """`hallq demo` running, one per test module that asks (a LiveHall, tests/livehall.py)."""
    from .browsers import demo_hall

    yield from demo_hall(tmp_path_factory)
