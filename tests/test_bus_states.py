"""A device's state follows what it does (issue 34), sans-IO: offline also when it never answered since the
bridge started, fault while it refuses requests and ok again as soon as it answers normally, each told
once; and the silence Modbus RTU asks before every request."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from firmware_bridge.bridge import Bridge
from firmware_bridge.drivers.base import Answer, DeviceDriver, DeviceFault, Kind, Request, Wire
from firmware_bridge.emulators.modbus import ModbusBusSimulator, ModuleState
from firmware_bridge.emulators.simulator import DeviceSimulator
from firmware_bridge.master import BusMaster, DeviceDown, DeviceUp, Timing, frame_gap_s
from hallq.config.hall import load_hall
from hallq.engine import ManualClock

from .conftest import ANY_HOUR, Tokens, demo_hall_copy
from .livehall import until


@dataclass
class Scripted(DeviceDriver):
    """A device whose next answers are scripted: "ok", "refuse" (an exception, a NACK) or nothing."""

    script: list[str] | None = None

    def poll(self, now: float) -> Request | None:
        return Wire(b"?")

    def feed(self, request: Request, data: bytes, now: float) -> Answer | None:
        if data == b"refuse":
            return Answer(
                done=True, events=(DeviceFault(self.address, "Modbus exception 2 (illegal address)"),)
            )
        return Answer(done=True)


def ask(master: BusMaster, answer: bytes | None, now: float) -> list[object]:
    """One poll at `now` and its answer (or its timeouts until the master gives up)."""
    request = master.next_request(now)
    assert request is not None
    if answer is not None:
        return master.receive(answer, now + 0.01)
    events: list[object] = []
    while master.awaiting is not None:
        now += 1.0
        events += master.expire(now)[1]
    return events


def test_a_device_that_never_answered_is_offline_once() -> None:
    master = BusMaster.for_drivers([Scripted(7, Kind.WINDOW_BOARD)], Timing(offline_retry_s=0.0))
    assert ask(master, None, 0.0) == [DeviceDown(7)]  # silent since the start: said at once
    assert ask(master, None, 10.0) == []  # and not again
    assert ask(master, b"ok", 20.0) == [DeviceUp(7)]


def test_a_fault_clears_as_soon_as_the_device_answers_normally() -> None:
    master = BusMaster.for_drivers([Scripted(3, Kind.EVALUATOR)])
    assert ask(master, b"ok", 0.0) == [DeviceUp(3)]
    fault = DeviceFault(3, "Modbus exception 2 (illegal address)")
    assert ask(master, b"refuse", 1.0) == [fault]
    assert ask(master, b"refuse", 2.0) == [fault]  # the driver says each refusal; the state stays fault
    assert ask(master, b"ok", 3.0) == [DeviceUp(3)]  # ok again at its first normal answer
    assert ask(master, b"ok", 4.0) == []


def test_a_port_that_cannot_be_opened_puts_every_device_offline_with_why() -> None:
    master = BusMaster.for_drivers([Scripted(1, Kind.CALL_PAD), Scripted(2, Kind.WINDOW_BOARD)])
    why = "串口 /dev/ttyUSB9 打不开 / cannot open /dev/ttyUSB9"
    assert master.port_lost(0.0, why) == [DeviceDown(1, why), DeviceDown(2, why)]
    assert master.port_lost(1.0, why) == []  # retried every second: told once


@pytest.mark.parametrize(
    ("baudrate", "gap_ms"), [(9600, 4.01), (19200, 2.005), (38400, 1.75), (115200, 1.75)]
)
def test_the_frame_gap_is_three_and_a_half_characters_or_1_75_ms(baudrate: int, gap_ms: float) -> None:
    assert frame_gap_s(baudrate) * 1000 == pytest.approx(gap_ms, abs=0.01)


def test_no_request_goes_out_inside_the_frame_gap() -> None:
    master = BusMaster.for_drivers([Scripted(1, Kind.CALL_PAD)], Timing(frame_gap_s=frame_gap_s(9600)))
    assert master.next_request(0.0) is not None
    master.receive(b"ok", 0.010)
    assert master.next_request(0.012) is None  # 2 ms after the answer: the line must stay quiet
    assert master.next_request(0.010 + frame_gap_s(9600)) is not None


def test_the_bridge_keeps_the_frame_gap_on_a_paced_modbus_line(tmp_path: Path) -> None:
    """Window 2's Modbus modules (pymodbus's server) behind a pty paced at 9600 baud, driven by the bridge:
    the line is silent for 3.5 characters (4.0 ms) before every request; it was 0.2-0.8 ms."""
    setup = load_hall(demo_hall_copy(tmp_path, ANY_HOUR)).bridge.model_dump()
    setup["devices"] = [d for d in setup["devices"] if d.get("window") == "W02"]
    devices = DeviceSimulator(tmp_path / "devices", setup, baudrate=9600)
    ports = devices.start()
    hall = {"services": [], "windows": [{"id": "W02", "number": 2, "a_services": [], "b_services": []}]}
    bridge = Bridge(setup, hall, Quiet(), ports, baudrate=9600)
    bridge.start()
    try:
        modbus = devices.buses["modbus"]
        assert isinstance(modbus, ModbusBusSimulator)
        until(lambda: len(modbus.gaps) >= 40, 20, "40 requests on the line")
        gaps_ms = sorted(gap * 1000 for gap in modbus.gaps[5:])
    finally:
        bridge.stop()
        devices.stop()
    assert gaps_ms[0] >= frame_gap_s(9600) * 1000 - 0.3, gaps_ms[:5]  # a pty's timing is good to 0.3 ms


class Quiet:
    """A server that takes every post (device states, kept) and asks nothing."""

    def __init__(self) -> None:
        self.states: list[tuple[str, str]] = []

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        if path.endswith("/status") and body is not None:
            self.states.append((path.split("/")[2], body["state"]))
        return 201, {}

    def get(self, path: str) -> dict:
        return {}

    def join(self, rooms: list[str]) -> None:
        pass


def test_managers_see_each_device_since_when_and_an_alert_once_it_stays_down(
    client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    """Issue 34, item 4: the live page lists every device with its state and since when; one offline (or in
    fault) longer than [hall.alerts] device_down_s (120 s) is an alert, a blink is not."""
    bridge, manager = Tokens.header(tokens.bridge), Tokens.header(tokens.manager)

    def report(device: str, state: str) -> None:
        body = {"state": state, "message": "无应答 / not answering" if state == "offline" else None}
        assert client.post(f"/api/v1/devices/{device}/status", json=body, headers=bridge).status_code == 200

    report("board-W01", "ok")
    report("pad-W01", "offline")
    live = client.get("/api/v1/stats/live", headers=manager).get_json()
    states = {d["device"]: (d["state"], d["for_s"]) for d in live["devices"]}
    assert states["serial:pad-W01"] == ("offline", 0) and states["serial:board-W01"] == ("ok", 0)
    assert not [a for a in live["alerts"] if a["kind"] == "device"]  # down for a moment only
    clock.advance(121)
    live = client.get("/api/v1/stats/live", headers=manager).get_json()
    (alert,) = [a for a in live["alerts"] if a["kind"] == "device"]
    assert (
        alert["device"] == "serial:pad-W01"
        and alert["for_s"] == 121
        and alert["at"].endswith("10:00:00+08:00")
    )
    report("pad-W01", "ok")
    assert not [
        a
        for a in client.get("/api/v1/stats/live", headers=manager).get_json()["alerts"]
        if a["kind"] == "device"
    ]


def test_a_modbus_module_that_answers_exceptions_is_in_fault_then_ok_again(tmp_path: Path) -> None:
    """pymodbus's own server answers the evaluator's reads with exception 4 (slave device failure) for a
    while, then normally: the bridge reports fault, then ok at the first normal answer (issue 34, item 2)."""
    setup = load_hall(demo_hall_copy(tmp_path, ANY_HOUR)).bridge.model_dump()
    setup["devices"] = [d for d in setup["devices"] if d.get("window") == "W02"]
    devices = DeviceSimulator(tmp_path / "devices", setup)
    ports = devices.start()
    hall = {"services": [], "windows": [{"id": "W02", "number": 2, "a_services": [], "b_services": []}]}
    server = Quiet()
    bridge = Bridge(setup, hall, server, ports)
    bridge.start()
    evaluator = devices.by_id["eval-W02"]
    assert isinstance(evaluator, ModuleState)
    try:
        until(lambda: ("eval-W02", "ok") in server.states, 10, "the evaluator ok")
        evaluator.refuse = 4
        until(lambda: server.states[-1:] == [("eval-W02", "fault")], 10, "the evaluator in fault")
        evaluator.refuse = None
        until(lambda: server.states[-1:] == [("eval-W02", "ok")], 10, "the evaluator ok again")
    finally:
        bridge.stop()
        devices.stop()
    mine = [state for device, state in server.states if device == "eval-W02"]
    assert mine == ["ok", "fault", "ok"]  # each change told once


def test_a_port_that_cannot_be_opened_is_reported_for_each_device(tmp_path: Path) -> None:
    """Issue 34, item 3: no adapter at the path given: every device of the bus is reported offline, with why
    (it used to be only logged, and a device that never answered was never reported)."""
    setup = load_hall(demo_hall_copy(tmp_path, ANY_HOUR)).bridge.model_dump()
    setup["devices"] = [d for d in setup["devices"] if d.get("window") == "W02"]
    hall = {"services": [], "windows": [{"id": "W02", "number": 2, "a_services": [], "b_services": []}]}
    server = Quiet()
    bridge = Bridge(setup, hall, server, {"modbus": str(tmp_path / "ttyUSB-missing")})
    bridge.start()
    try:
        until(lambda: len(server.states) >= 3, 10, "the three modules reported")
    finally:
        bridge.stop()
    assert sorted(server.states) == [
        ("board-W02", "offline"),
        ("eval-W02", "offline"),
        ("pad-W02", "offline"),
    ]
