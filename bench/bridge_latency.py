"""Benchmark: a call pad's key press to the LED board showing the call, and to the display's ticket_called
event, for each device driver.

A real `hallq serve` (eventlet, SQLite), a real `hallq bridge` with pyserial on ptys, and devices on the far
side that take each byte's wire time (a pty has no baud rate of its own): hallq-protocol devices and an Onbon
controller modelled by us, Modbus modules played by pymodbus's server behind a paced cable. One window's
devices plus the hall strip: window 14 (hallq protocol), window 2 (Modbus modules) or window 3 (hallq pad,
Onbon board). Run: `python bench/bridge_latency.py [--calls 100] [--json]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import requests
import socketio
from issue_and_call import prepare, start_server
from loadhall import loopback_only, machine

from firmware_bridge.drivers import make_driver
from firmware_bridge.drivers import onbon_codec as onbon
from firmware_bridge.emulators.onbon import OnbonController
from firmware_bridge.emulators.simulator import DeviceSimulator
from firmware_bridge.master import frame_gap_s
from firmware_bridge.protocol import wire_time_s
from hallq.config.hall import load_hall
from hallq.simulate.report import percentile

#: driver -> (window, number, a service it calls, bytes of the exchange running when a key is pressed)
CASES = {
    "hallq": ("W14", 14, "id_card", 16),  # a POLL and its answer
    "modbus": ("W02", 2, "biz_setup", 14),  # read discrete inputs (8 bytes) and the answer (6)
    "onbon-bx": ("W03", 3, "project_filing", 16),  # the pad is on the hallq bus; the board's bus only pings
}


def call_bytes(driver: str, setup: dict, window: str, text: str) -> int:
    """Bytes on the wire for one call: the key seen, then the board's text and its answer."""
    if driver == "hallq":
        return 8 + 8 + 27 + 8  # POLL + KEY, SHOW_TEXT (请A012号到14号窗口) + ACK
    board = next(d for d in setup["devices"] if d.get("window") == window and d["kind"] == "window_board")
    frame = make_driver(board).frame_for(text) if driver == "onbon-bx" else None  # type: ignore[attr-defined]
    if frame is not None:
        return 8 + 8 + len(frame.encode()) + 8 + 16 + 9 + 2 + 1  # key on the hallq bus, A7 00 and its ACK
    return 8 + 6 + 9 + 2 * int(board["registers"]) + 8  # FC02 and answer, FC16 and answer


def shows(devices: DeviceSimulator, driver: str, window: str, text: str) -> bool:
    if driver != "onbon-bx":
        return devices.text(window) == text
    controller = devices.device(window, "window_board")
    assert isinstance(controller, OnbonController)
    area = controller.areas.get(0)
    return area is not None and area.pages == _dots(text, area.width, area.height)


_DOTS: dict[tuple[str, int, int], list] = {}


def _dots(text: str, width: int, height: int) -> list:
    key = (text, width, height)
    if key not in _DOTS:
        from firmware_bridge.drivers.onbon import DEFAULT_FONT

        _DOTS[key] = onbon.draw_pages(text, width, height, DEFAULT_FONT)
    return _DOTS[key]


def measure(
    url: str, tokens: dict[str, str], devices: DeviceSimulator, calls: int, driver: str
) -> dict[str, float]:
    window, number_of_window, service, _busy = CASES[driver]
    called = threading.Event()
    called_at: list[float] = []
    display = socketio.Client(reconnection=False)

    def on_call(_data: dict) -> None:
        called_at.append(time.perf_counter())
        called.set()

    display.on("ticket_called", on_call)
    display.connect(url, auth={"token": tokens["display"]}, transports=["websocket"])
    display.call("join", {"room": "hall"}, timeout=5)
    kiosk = requests.Session()
    kiosk.headers["Authorization"] = f"Bearer {tokens['kiosk']}"
    to_board, to_display = [], []
    phase = random.Random(7)
    for _ in range(calls):
        number = kiosk.post(f"{url}/api/v1/tickets", json={"service_id": service}, timeout=5).json()["number"]
        expected = f"请{number}号到{number_of_window}号窗口"
        _dots(expected, 64, 16) if driver == "onbon-bx" else None  # drawn before the clock starts
        called.clear()
        time.sleep(phase.uniform(0.02, 0.15))  # a press lands anywhere in the poll round, as a clerk's would
        pressed = time.perf_counter()
        devices.press(window, "next")
        while not shows(devices, driver, window, expected):
            if time.perf_counter() - pressed > 10:
                raise SystemExit(f"{driver}: the board never showed the call {expected}")
            time.sleep(0.0002)
        to_board.append(time.perf_counter() - pressed)
        if not called.wait(5):
            raise SystemExit("the display never heard the call")
        to_display.append(called_at[-1] - pressed)
        devices.press(window, "finish")
        while shows(devices, driver, window, expected):
            time.sleep(0.001)
        time.sleep(0.35)  # past the key debounce
    display.disconnect()
    ms = lambda values, q: round(1000 * percentile(values, q), 1)  # noqa: E731
    return {
        "board_p50_ms": ms(to_board, 0.5),
        "board_p99_ms": ms(to_board, 0.99),
        "display_p50_ms": ms(to_display, 0.5),
        "display_p99_ms": ms(to_display, 0.99),
    }


def run(driver: str, baudrate: int, calls: int, port: int) -> dict[str, float]:
    window, number, _service, busy = CASES[driver]
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        hall, tokens = prepare(instance)
        # one window's devices and the hall strip
        other = re.compile(rf'(?m)^  \{{ id = "(pad|board|eval)-W(?!{window[1:]}")\d+".*\n')
        hall.write_text(other.sub("", hall.read_text(encoding="utf-8")), encoding="utf-8")
        setup = load_hall(hall).bridge.model_dump()
        devices = DeviceSimulator(instance / "devices", setup, baudrate=baudrate)
        ports = devices.start()
        server = start_server(instance, hall, port, "eventlet")
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "hallq", "bridge", "--server", url, "--token", tokens["bridge"]]
        command += [f"--port={bus}={path}" for bus, path in ports.items()] + ["--baudrate", str(baudrate)]
        bridge = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("BENCH_DEBUG") else subprocess.DEVNULL,
        )
        try:
            idle = f"{number}号窗口 欢迎光临"
            deadline = time.monotonic() + 30
            while not shows(devices, driver, window, idle) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1)  # every pad read at least once: a key down at the first reading is no press
            devices.press(window, "pause")  # open the window
            time.sleep(1)
            figures = measure(url, tokens, devices, calls, driver)
        finally:
            bridge.terminate()
            server.terminate()
            bridge.wait(timeout=10)
            server.wait(timeout=10)
            devices.stop()
        expected = f"请A012号到{number}号窗口"
        figures["call_frames_wire_ms"] = round(
            1000 * wire_time_s(call_bytes(driver, setup, window, expected), baudrate), 1
        )
    # the line may be busy twice: an exchange in progress when the key is pressed, and one when the board's
    # text is ready (a pad poll, or a board's or evaluator's liveness poll)
    figures["waiting_wire_ms"] = round(1000 * wire_time_s(2 * busy, baudrate), 1)
    # Modbus RTU asks 3.5 characters of silence before each request (issue 34): part of the line's time,
    # before each of the call's two requests and the two exchanges it may wait for
    figures["gaps_ms"] = round(4 * 1000 * frame_gap_s(baudrate), 1) if driver == "modbus" else 0.0
    figures["target_ms"] = round(
        figures["call_frames_wire_ms"] + figures["waiting_wire_ms"] + figures["gaps_ms"] + 20, 1
    )
    return figures


def main() -> None:
    loopback_only()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--port", type=int, default=5097)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--drivers", default="hallq,modbus,onbon-bx", help="comma-separated")
    args = parser.parse_args()
    runs = [("hallq", 9600), ("hallq", 115200), ("modbus", 9600), ("onbon-bx", 9600)]
    runs = [(driver, baudrate) for driver, baudrate in runs if driver in args.drivers.split(",")]
    results = {
        f"{driver} {baudrate}": run(driver, baudrate, args.calls, args.port) for driver, baudrate in runs
    }
    report = {"date": date.today().isoformat(), "machine": machine(), "calls": args.calls, "results": results}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{report['date']} {report['machine']}, {args.calls} calls a run, one window's devices and the strip"
    )
    for name, f in results.items():
        gaps = f" + {f['gaps_ms']} ms frame gaps" if f["gaps_ms"] else ""
        print(
            f"  {name:>15} baud: key -> board p50/p99 {f['board_p50_ms']}/{f['board_p99_ms']} ms, "
            f"key -> display p50/p99 {f['display_p50_ms']}/{f['display_p99_ms']} ms; wire: "
            f"{f['waiting_wire_ms']} ms waiting + {f['call_frames_wire_ms']} ms call frames{gaps}; "
            f"target board p99 <= {f['target_ms']} ms (wire + 20 ms)"
        )


if __name__ == "__main__":
    main()
