"""The loopback guard (hallq/guard.py, tests/loopback_guard.py): nothing a test starts connects off this
machine. The two strict xfails try to, from the test process and from a `hallq serve`; they pass only because
the guard fails them, so a guard that stopped working turns them into failures (XPASS strict)."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import time
from pathlib import Path

import pytest

from hallq.net import guard

from .conftest import ANY_HOUR, demo_hall_copy
from .livehall import cli_token, free_port, live_serve, take_ticket

#: TEST-NET-1 (RFC 5737): documentation only, never routed
OFF_MACHINE = "192.0.2.1"


@pytest.mark.parametrize(
    ("family", "address", "allowed"),
    [
        (socket.AF_INET, ("127.0.0.1", 80), True),
        (socket.AF_INET, ("127.8.9.10", 80), True),
        (socket.AF_INET, ("localhost", 80), True),
        (socket.AF_INET6, ("::1", 80, 0, 0), True),
        (socket.AF_INET6, ("::ffff:127.0.0.1", 80, 0, 0), True),
        (socket.AF_UNIX, "/tmp/some.sock", True),
        (socket.AF_INET, ("192.168.10.21", 9100), False),
        (socket.AF_INET, ("10.0.0.5", 5000), False),
        (socket.AF_INET, ("172.16.0.1", 80), False),
        (socket.AF_INET, (OFF_MACHINE, 9), False),
        (socket.AF_INET, ("0.0.0.1", 9), False),
        (socket.AF_INET6, ("2001:db8::1", 80, 0, 0), False),
        (socket.AF_INET6, ("::ffff:192.168.1.1", 80, 0, 0), False),
        (socket.AF_INET6, ("fe80::1%lo", 80, 0, 0), False),
    ],
)
def test_what_the_guard_allows(family: int, address: object, allowed: bool) -> None:
    assert guard.allowed(family, address) is allowed


def test_loopback_and_unix_sockets_still_connect(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    path = str(tmp_path / "unix.sock")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)


def test_a_refused_connect_is_an_oserror_the_program_can_handle() -> None:
    with pytest.raises(OSError, match="refused"):
        socket.create_connection((OFF_MACHINE, 9), timeout=0.5)
    # the attempt was refused before a packet left; the run's own check must not fail this test for it
    from .loopback_guard import refused_since_last_look

    assert any(OFF_MACHINE in line for line in refused_since_last_look())


@pytest.mark.xfail(strict=True, reason="the guard fails a test that connects off this machine")
def test_the_guard_fails_a_test_that_connects_off_loopback_even_when_the_error_is_swallowed() -> None:
    with contextlib.suppress(OSError):
        socket.create_connection((OFF_MACHINE, 9), timeout=0.5)


def _print_job_state(instance: Path, deadline: float) -> str:
    """The state of the first print job, once it has printed or failed."""
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(instance / "hallq.sqlite3", timeout=5)) as db:
            row = db.execute("SELECT state FROM print_jobs ORDER BY id LIMIT 1").fetchone()
        if row and row[0] in ("printed", "failed"):
            return str(row[0])
        time.sleep(0.05)
    raise AssertionError("the ticket's print job never ended")


def _serve_and_print(tmp_path: Path, *replacements: tuple[str, str]) -> str:
    hall_file = demo_hall_copy(tmp_path, ANY_HOUR, *replacements)
    instance = tmp_path / "instance"
    token = cli_token(instance, hall_file, "kiosk", "--kiosk", "K1")
    port = free_port()
    with live_serve(instance, hall_file, port, extra=("--async-mode", "threading")):
        take_ticket(f"http://127.0.0.1:{port}", token)
        return _print_job_state(instance, time.monotonic() + 20)


@pytest.mark.server
@pytest.mark.xfail(strict=True, reason="the guard in `hallq serve` refuses and reports the print connect")
def test_the_guard_fails_a_test_whose_server_connects_off_loopback(tmp_path: Path) -> None:
    lan_printer = ('printer = "dummy://"', f'printer = "network://{OFF_MACHINE}:9100"\ntimeout_s = 0.5')
    _serve_and_print(tmp_path, lan_printer)


@pytest.mark.server
def test_the_shipped_hall_file_issues_and_prints_on_this_machine(tmp_path: Path) -> None:
    """`hallq serve` with config/hall.toml as shipped (opening hours aside) prints K1's ticket without a
    connect to any other address: the guard would fail this test if it tried."""
    assert _serve_and_print(tmp_path) == "printed"
