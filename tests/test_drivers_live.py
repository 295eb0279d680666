"""Devices a hall can buy, end to end: window 2 of the demo hall wired with Modbus-RTU modules played by
pymodbus's own server on a pty, a real `hallq bridge` process and a real `hallq serve`; window 3's board an
Onbon controller (our emulator, from the vendor's manual)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import socketio

from firmware_bridge.drivers import onbon_codec
from firmware_bridge.drivers.modbus import text_registers
from firmware_bridge.drivers.onbon import DEFAULT_FONT
from firmware_bridge.emulators.modbus import ModbusBusSimulator, ModuleState
from firmware_bridge.emulators.onbon import OnbonController
from firmware_bridge.emulators.simulator import DeviceSimulator
from hallq.config.hall import load_hall

from .conftest import ANY_HOUR, K2_PRINTER, demo_hall_copy
from .livehall import cli_token, free_port, live_serve, take_ticket, until

pytestmark = pytest.mark.server


@dataclass
class WiredHall:
    url: str
    instance: Path
    hall_file: Path
    devices: DeviceSimulator

    def token(self, role: str) -> str:
        return cli_token(self.instance, self.hall_file, role)

    def client(self, role: str, room: str) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.connect(self.url, auth={"token": self.token(role)}, transports=["websocket"])
        assert client.call("join", {"room": room}, timeout=5)["ok"]
        return client

    def module(self, device_id: str) -> ModuleState:
        module = self.devices.by_id[device_id]
        assert isinstance(module, ModuleState)
        return module


@pytest.fixture
def wired(tmp_path: Path) -> Iterator[WiredHall]:
    """Windows 2 and 3 with their devices, the bridge driving all three buses, the server up."""
    hall_file = demo_hall_copy(tmp_path, ANY_HOUR, (K2_PRINTER, '"dummy://"'))
    setup = load_hall(hall_file).bridge.model_dump()
    setup["devices"] = [d for d in setup["devices"] if d.get("window") in ("W02", "W03")]
    devices = DeviceSimulator(tmp_path / "devices", setup)
    ports = devices.start()
    instance, port = tmp_path / "instance", free_port()
    hall = WiredHall(f"http://127.0.0.1:{port}", instance, hall_file, devices)
    bridge_token = hall.token("bridge")
    try:
        with live_serve(instance, hall_file, port):
            command = [sys.executable, "-m", "hallq", "bridge", "--server", hall.url, "--token", bridge_token]
            for bus, path in ports.items():
                command += ["--port", f"{bus}={path}"]
            bridge = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                until(lambda: hall.module("board-W02").text() == "2号窗口 欢迎光临", 20, "W02's idle text")
                yield hall
            finally:
                bridge.terminate()
                bridge.wait(timeout=10)
    finally:
        devices.stop()


def test_a_modbus_button_calls_and_the_modules_show_it(wired: WiredHall) -> None:
    display = wired.client("display", "hall")
    calls: list[dict] = []
    display.on("ticket_called", calls.append)
    try:
        until(lambda: wired.module("pad-W02").reads > 1, what="the pad read twice (a baseline, then keys)")
        wired.devices.press("W02", "pause")  # a closed window: the pause key opens it
        until(lambda: wired.module("pad-W02").writes and not wired.module("pad-W02").lamps()["paused"], 5)
        issued = take_ticket(wired.url, wired.token("kiosk"), "biz_setup")
        wired.devices.press("W02", "next")  # input 0 rises on the digital-input module
        until(lambda: calls, what="ticket_called at the display")
        assert calls[0]["ticket"]["number"] == issued["number"] and calls[0]["window"]["number"] == 2
        expected = f"请{issued['number']}号到2号窗口"
        board = wired.module("board-W02")
        until(lambda: board.text() == expected, what="the call in the text module's registers")
        assert board.registers == text_registers(expected, 16)  # GB2312, high byte first, space padded
        assert bytes([board.registers[0] >> 8, board.registers[0] & 0xFF]).decode("gb2312") == "请"
        until(lambda: wired.module("pad-W02").lamps() == {"called": True, "serving": False, "paused": False})

        wired.devices.press("W02", "finish")
        evaluator = wired.module("eval-W02")
        until(lambda: evaluator.lamps()["prompt"], what="the evaluator armed")
        assert wired.devices.rate("W02", 5)  # 非常满意: input 0
        until(lambda: not evaluator.lamps()["prompt"], what="the rating taken")
    finally:
        display.disconnect()


def test_the_onbon_board_shows_the_call_as_dots(wired: WiredHall) -> None:
    controller = wired.devices.device("W03", "window_board")
    assert isinstance(controller, OnbonController)
    idle = onbon_codec.draw_pages("3号窗口 欢迎光临", 64, 16, DEFAULT_FONT)
    until(lambda: 0 in controller.areas and controller.areas[0].pages == idle, 20, "W03's idle text in dots")
    wired.devices.press("W03", "pause")
    issued = take_ticket(wired.url, wired.token("kiosk"), "project_filing")
    wired.devices.press("W03", "next")
    called = onbon_codec.draw_pages(f"请{issued['number']}号到3号窗口", 64, 16, DEFAULT_FONT)
    until(lambda: controller.areas[0].pages == called, what="the call on the Onbon board")
    assert len(called) > 1 and any(any(row) for row in called[0])  # several pages, each with lit dots


def test_a_module_unplugged_is_a_device_fault_within_5_s_and_recovers(wired: WiredHall) -> None:
    manager = wired.client("manager", "manager")
    states: list[dict] = []
    manager.on("device_status", states.append)
    bus = wired.devices.buses["modbus"]
    assert isinstance(bus, ModbusBusSimulator)
    try:
        unplugged = time.monotonic()
        bus.unplug()
        until(
            lambda: any(s["device"] == "serial:board-W02" and s["state"] == "offline" for s in states),
            5,
            "board-W02 reported offline",
        )
        assert time.monotonic() - unplugged < 5
        assert next(s for s in states if s["device"] == "serial:board-W02")["ok"] is False
        bus.plug()
        until(
            lambda: any(s["device"] == "serial:board-W02" and s["state"] == "ok" for s in states),
            15,
            "board-W02 back",
        )
        until(lambda: wired.module("board-W02").text() == "2号窗口 欢迎光临", what="resynced")
    finally:
        manager.disconnect()
