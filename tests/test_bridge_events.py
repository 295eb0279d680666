"""The bridge fed server events directly (no server): the hall strip and the evaluators, on simulated buses
(hallq-protocol devices on a pty, Modbus modules played by pymodbus's server)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from firmware_bridge.bridge import Bridge
from firmware_bridge.emulators.modbus import ModuleState
from firmware_bridge.emulators.simulator import DeviceSimulator
from hallq.config.hall import load_hall

from .conftest import ANY_HOUR, demo_hall_copy
from .livehall import until

pytestmark = pytest.mark.server


class Server:
    """Records what the bridge posts; every post succeeds."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, dict[str, Any] | None]] = []
        #: what GET /devices and GET /hall answer after a config_changed
        self.configuration: tuple[dict[str, Any], dict[str, Any]] | None = None
        self.rooms: list[str] = []

    def get(self, path: str) -> dict[str, Any]:
        assert self.configuration is not None
        setup, hall = self.configuration
        return {"bridge": setup} if path == "/devices" else hall

    def join(self, rooms: list[str]) -> None:
        self.rooms = rooms

    def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        if not path.startswith("/devices/"):
            self.posted.append((path, body))
        return 201, {}


@pytest.fixture
def hall(tmp_path: Path) -> dict[str, Any]:
    config = load_hall(demo_hall_copy(tmp_path, ANY_HOUR))
    services = [{"id": s.id, "name": s.name} for s in config.services]
    windows = [
        {"id": w.id, "number": w.number, "a_services": [], "b_services": [], "state": "open"}
        for w in config.windows
    ]
    return {"setup": config.bridge.model_dump(), "hall": {"services": services, "windows": windows}}


@pytest.fixture
def simulator(tmp_path: Path, hall: dict[str, Any]) -> Iterator[DeviceSimulator]:
    setup = hall["setup"]
    wanted = [d for d in setup["devices"] if d.get("window") in ("W02", "W14") or d["kind"] == "hall_strip"]
    hall["setup"] = {**setup, "devices": wanted, "rating_timeout_s": 60}
    devices = DeviceSimulator(tmp_path / "devices", hall["setup"])
    devices.start()
    yield devices
    devices.stop()


@pytest.fixture
def bridge(hall: dict[str, Any], simulator: DeviceSimulator) -> Iterator[Bridge]:
    ports = {name: str(bus.link) for name, bus in simulator.buses.items()}
    running = Bridge(hall["setup"], hall["hall"], Server(), ports)
    running.start()
    yield running
    running.stop()


def called(ticket_id: int, number: str, window: int) -> dict[str, Any]:
    return {
        "ticket": {"id": ticket_id, "number": number},
        "window": {"id": f"W{window:02d}", "number": window},
        "announce": f"请{number}号到{window}号窗口",
    }


def ended(ticket_id: int, number: str, window: int) -> dict[str, Any]:
    return {"ticket": {"id": ticket_id, "number": number}, "window": f"W{window:02d}"}


def prompt_lit(simulator: DeviceSimulator, window: str) -> bool:
    device = simulator.device(window, "evaluator")
    if isinstance(device, ModuleState):
        return bool(device.lamps().get("prompt"))
    return bool(device.lit)  # type: ignore[union-attr]


def test_the_strip_shows_only_calls_still_in_hand(bridge: Bridge, simulator: DeviceSimulator) -> None:
    strip = lambda: simulator.text(None, "hall_strip")  # noqa: E731
    until(lambda: strip() == "欢迎光临", what="the strip's idle text (not 号窗口 欢迎光临)")
    bridge.on_server("ticket_called", called(1, "E001", 14))
    bridge.on_server("ticket_called", called(2, "A002", 2))
    until(lambda: strip() == "请A002号到2号窗口  请E001号到14号窗口", what="both calls on the strip")
    bridge.on_server("ticket_finished", ended(1, "E001", 14))
    until(lambda: strip() == "请A002号到2号窗口", what="the finished call off the strip")
    bridge.on_server("ticket_no_show", ended(2, "A002", 2))
    until(lambda: strip() == "欢迎光临", what="the strip idle again")
    # after a reconnect: of the day's recent calls, only those a window still has in hand
    snapshot = {
        "room": "hall",
        "windows": [
            {"id": "W14", "state": "open", "current": {"id": 3, "number": "E003", "status": "called"}}
        ],
        "recent_calls": [
            {**called(3, "E003", 14), "recalled": False},
            {**called(1, "E001", 14), "recalled": False},
        ],
    }
    bridge.on_server("snapshot", snapshot)
    until(lambda: strip() == "请E003号到14号窗口", what="the strip after a snapshot")
    bridge.on_server("ticket_transferred", ended(3, "E003", 14))
    until(lambda: strip() == "欢迎光临", what="a transferred call off the strip")


@pytest.mark.parametrize("window", ["W14", "W02"])  # hallq protocol (RATE_CANCEL), Modbus (the lamp's coil)
def test_an_evaluator_goes_dark_when_the_visit_is_rated_elsewhere(
    bridge: Bridge, simulator: DeviceSimulator, window: str
) -> None:
    number = int(window[1:])
    bridge.on_server("ticket_finished", ended(7, "E007", number))
    until(lambda: prompt_lit(simulator, window), what="the prompt after 办结")
    rated = {"ticket_id": 7, "number": "E007", "level": 4, "window": window, "source": "tablet"}
    bridge.on_server("ticket_rated", rated)
    until(lambda: not prompt_lit(simulator, window), what="the prompt out after a rating on the tablet")
    if window == "W14":
        assert not simulator.rate(window, 5)  # a dark pad takes no key
    else:
        simulator.rate(window, 5)
    time.sleep(0.5)
    assert not [path for path, _body in bridge.server.posted if path.endswith("/rating")]  # type: ignore[attr-defined]


@pytest.mark.parametrize("window", ["W14", "W02"])
def test_an_evaluator_goes_dark_at_its_timeout_and_then_records_nothing(
    bridge: Bridge, simulator: DeviceSimulator, window: str
) -> None:
    number = int(window[1:])
    bridge.setup["rating_timeout_s"] = 2
    bridge.on_server("ticket_finished", ended(8, "E008", number))
    until(lambda: prompt_lit(simulator, window), what="the prompt after 办结")
    lit_at = time.monotonic()
    until(lambda: not prompt_lit(simulator, window), timeout=6, what="the prompt out at rating_timeout_s")
    assert time.monotonic() - lit_at > 1.5  # not before its time (2 s)
    if window == "W14":
        assert not simulator.rate(window, 5)
    else:
        simulator.rate(window, 5)
    time.sleep(0.5)
    assert not [path for path, _body in bridge.server.posted if path.endswith("/rating")]  # type: ignore[attr-defined]
    # a new visit lights it again, and its rating is recorded
    bridge.on_server("ticket_finished", ended(9, "E009", number))
    until(lambda: prompt_lit(simulator, window), what="the prompt for the next visit")
    simulator.rate(window, 4)
    until(
        lambda: ("/tickets/9/rating", {"level": 4}) in bridge.server.posted,  # type: ignore[attr-defined]
        what="the next visit's rating",
    )


def test_a_rating_on_the_pad_puts_its_prompt_out(bridge: Bridge, simulator: DeviceSimulator) -> None:
    bridge.on_server("ticket_finished", ended(10, "E010", 14))
    until(lambda: prompt_lit(simulator, "W14"), what="the prompt")
    assert simulator.rate("W14", 4)
    posted = bridge.server.posted  # type: ignore[attr-defined]
    until(lambda: ("/tickets/10/rating", {"level": 4}) in posted, what="the pad's rating")
    assert not prompt_lit(simulator, "W14") and not bridge.prompts.lit


def test_a_case_systems_request_lights_the_pad_again(bridge: Bridge, simulator: DeviceSimulator) -> None:
    """Issue 35: the department's case system arms the window for the visit finished a moment ago."""
    asked = {"window": "W14", "ticket": {"id": 11, "number": "E011"}, "ask_for_s": 30}
    bridge.on_server("rating_requested", asked)
    until(lambda: prompt_lit(simulator, "W14"), what="the prompt the case system asked for")
    assert simulator.rate("W14", 3)
    until(lambda: ("/tickets/11/rating", {"level": 3}) in bridge.server.posted, what="its rating")  # type: ignore[attr-defined]


def test_a_new_configuration_is_taken_without_a_restart(
    bridge: Bridge, hall: dict[str, Any], simulator: DeviceSimulator
) -> None:
    """config_changed: new texts on every board at once; the bus whose devices changed is opened anew with
    them, the other bus runs on untouched; the bridge joins the window rooms of the evaluators it has now."""
    until(lambda: simulator.text("W14") == "14号窗口 欢迎光临", what="the idle text")
    main, modbus = bridge.buses["main"], bridge.buses["modbus"]
    setup = {**hall["setup"], "idle_text": "{window}号窗口 请稍候"}
    setup["devices"] = [d for d in setup["devices"] if d["id"] != "eval-W14"]  # window 14's evaluator leaves
    windows = [{**w, "number": 41} if w["id"] == "W14" else w for w in hall["hall"]["windows"]]
    server = bridge.server
    assert isinstance(server, Server)
    server.configuration = (setup, {**hall["hall"], "windows": windows})
    bridge.on_server("config_changed", {"version": 2})
    until(lambda: simulator.text("W14") == "41号窗口 请稍候", what="window 14's board with its new number")
    until(lambda: simulator.text("W02") == "2号窗口 请稍候", what="the Modbus board's new text")
    assert bridge.buses["main"] is not main and not main._thread.is_alive()
    assert bridge.buses["modbus"] is modbus
    assert ("main", 3) not in bridge.devices or bridge.devices[("main", 3)].id != "eval-W14"
    assert "window:W14" not in server.rooms and "window:W02" in server.rooms
    # the reopened bus works: a call reaches window 14's board
    bridge.on_server("ticket_called", called(7, "A007", 14) | {"window": {"id": "W14", "number": 41}})
    until(lambda: simulator.text("W14") == "请A007号到41号窗口", what="a call after the change")
