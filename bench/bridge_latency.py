"""Benchmark: a call pad's key press to the LED board's frame and to the display's ticket_called event.

A real `hallq serve` (eventlet, SQLite), a real `hallq bridge` with pyserial on a pty, and simulated devices
on the far side that take each frame's wire time to hear and to answer (a pty has no baud rate of its own).
One window's pad, board and evaluator plus the hall strip on the bus. Run:
`python bench/bridge_latency.py [--calls 100] [--json]`.
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

from firmware_bridge.protocol import wire_time_s
from firmware_bridge.simulator import DeviceSimulator
from hallq.config.hall import load_hall
from hallq.simulate.report import percentile

#: bytes on the wire for one call: POLL + KEY, then SHOW_TEXT (请A012号到14号窗口) + ACK
CALL_BYTES = 8 + 8 + 27 + 8


def measure(url: str, tokens: dict[str, str], devices: DeviceSimulator, calls: int) -> dict[str, float]:
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
        number = kiosk.post(f"{url}/api/v1/tickets", json={"service_id": "id_card"}, timeout=5).json()[
            "number"
        ]
        expected = f"请{number}号到14号窗口"
        called.clear()
        time.sleep(phase.uniform(0.02, 0.15))  # a press lands anywhere in the poll round, as a clerk's would
        pressed = time.perf_counter()
        devices.press("W14", "next")
        while devices.text("W14") != expected:
            if time.perf_counter() - pressed > 5:
                raise SystemExit(f"the board never showed the call; it shows {devices.text('W14')!r}")
            time.sleep(0.0002)
        to_board.append(time.perf_counter() - pressed)
        if not called.wait(5):
            raise SystemExit("the display never heard the call")
        to_display.append(called_at[-1] - pressed)
        devices.press("W14", "finish")
        while devices.text("W14") == expected:
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


def main() -> None:
    loopback_only()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--port", type=int, default=5097)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    for baudrate in (9600, 115200):
        with tempfile.TemporaryDirectory() as folder:
            instance = Path(folder)
            hall, tokens = prepare(instance)
            # one window's devices and the strip on the bus
            other = re.compile(r'(?m)^  \{ id = "(pad|board|eval)-W(0[1-9]|1[0-3])".*\n')
            hall.write_text(other.sub("", hall.read_text(encoding="utf-8")), encoding="utf-8")
            setup = load_hall(hall).bridge.model_dump()
            devices = DeviceSimulator(instance / "devices", setup, baudrate=baudrate)
            bus = devices.start()["main"]
            server = start_server(instance, hall, args.port, "eventlet")
            url = f"http://127.0.0.1:{args.port}"
            bridge = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "hallq",
                    "bridge",
                    "--server",
                    url,
                    "--token",
                    tokens["bridge"],
                    "--port",
                    f"main={bus}",
                    "--baudrate",
                    str(baudrate),
                ],
                stdout=subprocess.DEVNULL,
                stderr=None if os.environ.get("BENCH_DEBUG") else subprocess.DEVNULL,
            )
            try:
                deadline = time.monotonic() + 20
                while devices.text("W14") != "14号窗口 欢迎光临" and time.monotonic() < deadline:
                    time.sleep(0.05)
                devices.press("W14", "pause")  # open window 14
                time.sleep(1)
                figures = measure(url, tokens, devices, args.calls)
            finally:
                bridge.terminate()
                server.terminate()
                bridge.wait(timeout=10)
                server.wait(timeout=10)
                devices.stop()
        figures["call_frames_wire_ms"] = round(1000 * wire_time_s(CALL_BYTES, baudrate), 1)
        # the line may be busy twice: an exchange in progress when the key is pressed, and one when the
        # board's text is ready (a pad poll, or a board's or evaluator's liveness poll): 16 bytes each
        figures["waiting_wire_ms"] = round(1000 * wire_time_s(2 * 16, baudrate), 1)
        figures["target_ms"] = round(figures["call_frames_wire_ms"] + figures["waiting_wire_ms"] + 15, 1)
        results[str(baudrate)] = figures
    report = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "calls": args.calls,
        "results": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['date']} {report['machine']}, {args.calls} calls per speed, 4 devices on the bus")
    for baudrate, f in results.items():
        print(
            f"  {baudrate:>6} baud: key -> board p50/p99 {f['board_p50_ms']}/{f['board_p99_ms']} ms, "
            f"key -> display p50/p99 {f['display_p50_ms']}/{f['display_p99_ms']} ms; wire: "
            f"{f['waiting_wire_ms']} ms waiting + {f['call_frames_wire_ms']} ms call frames; "
            f"target board p99 <= {f['target_ms']} ms"
        )


if __name__ == "__main__":
    main()
