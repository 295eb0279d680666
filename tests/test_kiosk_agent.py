"""`hallq kiosk-agent` against a real server: prints a kiosk's tickets, reconnects by itself, is refused
with a bad token, and its absence reaches managers."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import socketio

from hallq.printing.decode import read_receipt
from hallq.printing.emulator import PrinterEmulator

from .conftest import ANY_HOUR, demo_hall_copy
from .livehall import cli_token, free_port, live_serve, take_ticket

pytestmark = pytest.mark.server
AGENT = [sys.executable, "-m", "hallq", "kiosk-agent"]


@pytest.fixture
def hall_file(tmp_path: Path) -> Path:
    timeout = ('mode = "text"', 'mode = "text"\ntimeout_s = 0.5')
    return demo_hall_copy(tmp_path, ANY_HOUR, timeout)


def hallq(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "hallq", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


class Agent:
    def __init__(self, url: str, token: str, printer_uri: str) -> None:
        command = [sys.executable, "-m", "hallq", "kiosk-agent", "--server", url, "--token", token]
        command += ["--printer", printer_uri]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.connected = threading.Semaphore(0)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "connected to" in line:
                self.connected.release()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def issue(url: str, token: str) -> dict:
    return take_ticket(url, token)


def test_agent_prints_reconnects_and_is_missed(
    tmp_path: Path, hall_file: Path, printer: PrinterEmulator
) -> None:
    instance = tmp_path / "instance"
    kiosk_token = cli_token(instance, hall_file, "kiosk", "--kiosk", "K2")
    agent_token = cli_token(instance, hall_file, "agent", "--kiosk", "K2")
    manager_token = cli_token(instance, hall_file, "manager")
    assert kiosk_token.startswith("hq_kiosk_") and agent_token.startswith("hq_agent_")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with live_serve(instance, hall_file, port):
        agent = Agent(url, agent_token, printer.uri)
        try:
            assert agent.connected.acquire(timeout=20), "".join(agent.lines)
            first = issue(url, kiosk_token)
            assert first["print"]["ok"]
            assert printer.wait_for(1, timeout=10)
            receipt = read_receipt(printer.receipts[0])
            assert first["number"] in receipt.lines  # 58 mm, GB18030 text, as the hall file says for K2
            assert receipt.qr_data == f"{url}{first['status_url']}" and receipt.cut
        except BaseException:
            agent.stop()
            raise
    # the server restarts; the agent finds it again by itself
    with live_serve(instance, hall_file, port):
        try:
            assert agent.connected.acquire(timeout=30), "".join(agent.lines)
            second = issue(url, kiosk_token)
            assert printer.wait_for(2, timeout=10)
            assert second["number"] in read_receipt(printer.receipts[1]).lines

            manager = socketio.Client(reconnection=False)
            statuses: list[dict] = []
            gone = threading.Event()

            @manager.on("device_status")
            def on_status(data: dict) -> None:
                statuses.append(data)
                if data["state"] == "agent_offline":
                    gone.set()

            manager.connect(url, auth={"token": manager_token}, transports=["websocket"], wait_timeout=10)
            assert manager.call("join", {"room": "manager"}, timeout=5)["ok"]
            agent.stop()
            assert gone.wait(10), statuses
            unprinted = issue(url, kiosk_token)  # nobody prints it: the kiosk hears so after the agent's time
            failed = threading.Event()
            kiosk = socketio.Client(reconnection=False)
            kiosk.on(
                "print_status",
                lambda data: failed.set() if data["job_id"] == unprinted["print"]["job_id"] else None,
            )
            kiosk.connect(url, auth={"token": kiosk_token}, transports=["websocket"], wait_timeout=10)
            assert kiosk.call("join", {"room": "kiosk:K2"}, timeout=5)["ok"]
            assert failed.wait(15)
            kiosk.disconnect()
            manager.disconnect()
        finally:
            agent.stop()


def test_agent_with_a_bad_token_says_so_and_exits(
    tmp_path: Path, hall_file: Path, printer: PrinterEmulator
) -> None:
    port = free_port()
    with live_serve(tmp_path / "instance", hall_file, port):
        result = subprocess.run(
            [
                *AGENT,
                "--server",
                f"http://127.0.0.1:{port}",
                "--token",
                "hq_kiosk_x",
                "--printer",
                printer.uri,
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert "refused the token" in result.stderr and "Traceback" not in result.stderr


def test_agent_needs_a_real_printer_uri() -> None:
    result = hallq("kiosk-agent", "--server", "http://127.0.0.1:9", "--token", "t", "--printer", "agent://")
    assert result.returncode == 2 and "the agent needs the real printer's URI" in result.stderr


def test_agent_asks_the_printer_unless_told_not_to(printer: PrinterEmulator) -> None:
    """`--no-status` is for printers that never answer DLE EOT: the agent then prints without asking."""
    from hallq.printing.agent import KioskAgent
    from hallq.printing.escpos_ticket import text_ticket
    from hallq.printing.layout import PAPERS
    from hallq.printing.uri import parse_printer_uri

    from .test_printing import sample

    printer.faults.add("offline")  # answers DLE EOT with "offline", takes data all the same
    data = text_ticket(sample(), PAPERS[58])
    uri = parse_printer_uri(printer.uri)
    asking = KioskAgent("http://127.0.0.1:9", "t", uri, timeout_s=1, say=lambda _line: None)
    refused = asking._print(1, data)
    assert (refused["ok"], refused["error"]) == (False, "offline") and printer.receipts == []
    blind = KioskAgent(
        "http://127.0.0.1:9", "t", uri, timeout_s=1, check_status=False, say=lambda _line: None
    )
    assert blind._print(2, data)["ok"] and printer.wait_for(1)
