"""The bridge end to end: a real server, `hallq bridge` with real pyserial, simulated devices on ptys."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import socketio

from firmware_bridge.emulators.hallq_devices import Bus
from firmware_bridge.emulators.simulator import DeviceSimulator, SimulatedBus
from hallq.config.hall import load_hall

from .conftest import ANY_HOUR, K2_PRINTER, demo_hall_copy
from .livehall import cli_token, free_port, live_serve, take_ticket, until

pytestmark = pytest.mark.server


@pytest.fixture
def hall_file(tmp_path: Path) -> Path:
    return demo_hall_copy(tmp_path, ANY_HOUR, (K2_PRINTER, '"dummy://"'))


def token(instance: Path, hall_file: Path, role: str) -> str:
    return cli_token(instance, hall_file, role)


@pytest.fixture
def simulator(tmp_path: Path, hall_file: Path) -> Iterator[DeviceSimulator]:
    devices = DeviceSimulator(tmp_path / "devices", load_hall(hall_file).bridge.model_dump())
    devices.start()
    yield devices
    devices.stop()


@pytest.fixture
def bridge_process() -> Iterator[Callable[[list[str]], subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(args: list[str]) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "hallq", "bridge", *args]
        started.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        return started[-1]

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_pads_boards_strip_and_evaluator(
    tmp_path: Path,
    hall_file: Path,
    simulator: DeviceSimulator,
    bridge_process: Callable[[list[str]], subprocess.Popen[str]],
) -> None:
    instance = tmp_path / "instance"
    bridge_token, kiosk_token = token(instance, hall_file, "bridge"), token(instance, hall_file, "kiosk")
    manager_token = token(instance, hall_file, "manager")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    bus = simulator.buses["main"].link
    with live_serve(instance, hall_file, port):
        bridge_process(["--server", url, "--token", bridge_token, "--port", f"main={bus}"])
        display = socketio.Client(reconnection=False)
        calls: list[dict] = []
        display.on("ticket_called", calls.append)
        try:
            until(
                lambda: simulator.text("W14") == "14号窗口 欢迎光临",
                what="the idle text on window 14's board",
            )
            display.connect(
                url, auth={"token": token(instance, hall_file, "display")}, transports=["websocket"]
            )
            assert display.call("join", {"room": "hall"}, timeout=5)["ok"]

            simulator.press("W14", "pause")  # a closed window: the pause key opens it
            until(lambda: "开" in simulator.text("W14", "call_pad"), what="window 14 open on its pad")
            issued = take_ticket(url, kiosk_token, "id_card")
            simulator.press("W14", "next")
            until(lambda: calls, what="ticket_called at the display")
            assert calls[0]["ticket"]["number"] == issued["number"] and calls[0]["window"]["number"] == 14
            expected = f"请{issued['number']}号到14号窗口"
            until(lambda: simulator.text("W14") == expected, what="the call on the board")
            until(lambda: expected in simulator.text(None, "hall_strip"), what="the call on the hall strip")
            assert simulator.device("W14", "window_board").lines[0].encode("gb2312")  # it arrived as GB2312

            simulator.press("W14", "finish")
            until(lambda: simulator.device("W14", "evaluator").lit, what="the evaluator's prompt")  # type: ignore[attr-defined]
            assert simulator.rate("W14", 5)
            manager = {"Authorization": f"Bearer {manager_token}"}

            def rated() -> bool:
                answer = requests.get(
                    f"{url}/api/v1/tickets/{issued['id']}", headers=manager, timeout=5
                ).json()
                return any(e["type"] == "rated" and e["detail"]["level"] == 5 for e in answer["events"])

            until(rated, what="the rating stored")
            until(lambda: simulator.text("W14") == "14号窗口 欢迎光临", what="the board idle again")
            strip = lambda: simulator.text(None, "hall_strip")  # noqa: E731
            until(lambda: strip() == "欢迎光临", what="the finished call off the strip")
            lit = lambda: simulator.device("W14", "evaluator").lit  # type: ignore[union-attr]  # noqa: E731
            until(lambda: not lit(), what="the prompt out")
            # rated at the desk, not on the pad: the server's ticket_rated puts the pad out (RATE_CANCEL)
            other = take_ticket(url, kiosk_token, "id_card")
            simulator.press("W14", "next")
            until(lambda: simulator.text("W14") == f"请{other['number']}号到14号窗口", what="the next call")
            simulator.press("W14", "finish")
            until(lit, what="the prompt for the next visit")
            answer = requests.post(
                f"{url}/api/v1/tickets/{other['id']}/rating", json={"level": 4}, headers=manager, timeout=5
            )
            assert answer.status_code == 201, answer.text
            until(lambda: not lit(), what="the pad dark after a rating elsewhere")
            assert not simulator.rate("W14", 5)

            # an unplugged adapter: boards lose power; plugged in again, the bridge reopens and resyncs them
            main = simulator.buses["main"]
            assert isinstance(main, SimulatedBus) and isinstance(main.bus, Bus)
            main.unplug()
            for device in main.bus.devices.values():
                device.lines.clear()
            time.sleep(1.5)
            simulator.buses["main"].plug()
            until(lambda: simulator.text("W14") == "14号窗口 欢迎光临", timeout=15, what="board 14 resynced")
            until(lambda: simulator.text(None, "hall_strip") == "欢迎光临", what="the strip resynced")

            # the administration page saves new board texts: the running bridge shows them (config_changed)
            admin = {"Authorization": f"Bearer {token(instance, hall_file, 'admin')}"}
            current = requests.get(f"{url}/api/v1/config", headers=admin, timeout=5).json()
            document = current["hall"]
            document["bridge"]["idle_text"] = "{window}号窗口 请取号"
            body = {"base_version": current["version"], "hall": document, "note": "新的待机文字"}
            saved = requests.put(f"{url}/api/v1/config", json=body, headers=admin, timeout=5)
            assert saved.status_code == 200, saved.text
            until(lambda: simulator.text("W14") == "14号窗口 请取号", what="the new idle text, no restart")
        finally:
            display.disconnect()
    # the server restarts; the bridge finds it again and the boards follow the new state
    with live_serve(instance, hall_file, port):
        second = take_ticket(url, kiosk_token, "id_card")

        def pressed_next() -> bool:
            simulator.press("W14", "next")  # until the bridge is back, a press does nothing
            time.sleep(0.5)
            return simulator.text("W14") == f"请{second['number']}号到14号窗口"

        until(pressed_next, timeout=30, what="a call after the server restart")


def test_bridge_with_a_bad_token_exits(tmp_path: Path, hall_file: Path) -> None:
    port = free_port()
    with live_serve(tmp_path / "instance", hall_file, port):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "hallq",
                "bridge",
                "--server",
                f"http://127.0.0.1:{port}",
                "--token",
                "hq_bridge_wrong",
                "--port",
                "loop://",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1 and "refused the bridge token" in result.stderr


def test_pressing_too_fast_is_one_press(simulator: DeviceSimulator) -> None:
    """Key bounce, without a server: two NEXT presses 0.1 s apart make one action."""
    from firmware_bridge.bridge import Bridge

    setup = simulator.setup
    hall = {"services": [{"id": "id_card", "name": "身份证"}]}
    hall["windows"] = [
        {"id": "W14", "number": 14, "a_services": ["id_card"], "b_services": [], "state": "open"}
    ]
    posted: list[str] = []
    done = threading.Event()

    class Server:
        def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
            if path.startswith("/windows/"):  # device status reports aside
                posted.append(path)
                done.set()
            return 200, {"ticket": {"number": "E001"}}

    only_w14 = {**setup, "devices": [d for d in setup["devices"] if d.get("window") == "W14"]}
    bridge = Bridge(only_w14, hall, Server(), {"main": str(simulator.buses["main"].link)})
    bridge.start()
    try:
        simulator.press("W14", "next")
        time.sleep(0.1)
        simulator.press("W14", "next")
        until(done.is_set, what="the first press")
        time.sleep(0.5)
        assert posted == ["/windows/W14/call-next"]
        simulator.press("W14", "next")  # a real second press, after the debounce time
        until(lambda: len(posted) == 2, what="the second press")
    finally:
        bridge.stop()


def test_bridge_inside_the_server_process(
    tmp_path: Path, hall_file: Path, simulator: DeviceSimulator
) -> None:
    """A one-machine hall: `hallq serve --bridge-port main=PORT` drives the devices itself (eventlet)."""
    instance = tmp_path / "instance"
    kiosk_token = token(instance, hall_file, "kiosk")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    bus = simulator.buses["main"].link
    with live_serve(instance, hall_file, port, extra=("--bridge-port", f"main={bus}")):
        until(lambda: simulator.text("W14") == "14号窗口 欢迎光临", timeout=20, what="the idle text")
        simulator.press("W14", "pause")
        until(lambda: "开" in simulator.text("W14", "call_pad"), what="window 14 open")
        issued = take_ticket(url, kiosk_token, "id_card")
        simulator.press("W14", "next")
        until(
            lambda: simulator.text("W14") == f"请{issued['number']}号到14号窗口", what="the call on the board"
        )


def test_an_unplugged_bus_stops_reading_before_its_fd_can_go_to_another_file(tmp_path: Path) -> None:
    """The devices' thread owns its pty side and closes it itself: after unplug() it has ended, so a file
    opened at that moment (it may get the same fd number) is read whole, by its own reader alone."""
    hall = load_hall(demo_hall_copy(tmp_path, ANY_HOUR))
    devices = DeviceSimulator(tmp_path / "devices", hall.bridge.model_dump())
    devices.start()
    text = b"0123456789abcdef" * 1024
    (tmp_path / "file").write_bytes(text)
    for _ in range(20):
        bus = devices.buses["main"]
        thread = bus._thread
        assert thread is not None and thread.is_alive()
        bus.unplug()
        assert not thread.is_alive()
        with open(tmp_path / "file", "rb") as handle:
            time.sleep(0.01)
            assert handle.read() == text
        bus.plug()
    devices.stop()
