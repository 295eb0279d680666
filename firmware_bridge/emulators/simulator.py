"""Simulated devices on pty pairs: what `hallq devices simulate`, the demo hall and the tests talk to.

Each bus is a pty; the bridge opens its device side (a stable symlink, so an "unplugged" bus comes back under
the same name, like a USB adapter's /dev/serial/by-id link) and the device models answer on the other side.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware_bridge.drivers import KINDS
from firmware_bridge.drivers.modbus import RATING_INPUTS
from firmware_bridge.emulators.hallq_devices import Bus, CallPad, Device, Evaluator, make_device
from firmware_bridge.emulators.modbus import ModbusBusSimulator, ModuleState
from firmware_bridge.emulators.onbon import OnbonBus, OnbonController
from firmware_bridge.emulators.ptys import raw_pty_at
from firmware_bridge.protocol import Key, wire_time_s

KEYS = {"next": Key.NEXT, "recall": Key.RECALL, "no_show": Key.NO_SHOW, "pause": Key.PAUSE}
KEYS |= {"finish": Key.FINISH, "start": Key.START, "transfer": Key.TRANSFER}


@dataclass
class SimulatedBus:
    name: str
    bus: Bus | OnbonBus
    link: Path
    on_change: Callable[[], None] = lambda: None
    #: a pty has no baud rate: with one set, the devices take each frame's wire time to hear and to answer
    baudrate: int | None = None
    #: the fds unplug() closes (the pty's device side, the wake-up pipe's write end); the serving thread
    #: owns and closes the controller side and the pipe's read end: an fd is only ever closed by whoever
    #: uses it, so no thread reads a number the process has meanwhile given to another file
    _fds: tuple[int, int] | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def plug(self) -> None:
        controller, device = raw_pty_at(self.link)
        wake_read, wake_write = os.pipe()
        self._fds = (device, wake_write)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(controller, wake_read, self._stop), daemon=True
        )
        self._thread.start()

    def unplug(self) -> None:
        """As if the USB adapter were pulled: the bridge's port fails until plug()."""
        self._stop.set()
        if self._fds is not None:
            device, wake_write = self._fds
            with contextlib.suppress(OSError):
                os.write(wake_write, b"\0")
            if self._thread is not None and self._thread is not threading.current_thread():
                self._thread.join(10)  # it closes the controller side as it ends
            for fd in (device, wake_write):
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._fds = self._thread = None

    def _serve(self, controller: int, wake: int, stop: threading.Event) -> None:
        try:
            self._answer(controller, wake, stop)
        finally:
            for fd in (controller, wake):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _answer(self, controller: int, wake: int, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                ready, _, _ = select.select([controller, wake], [], [], 1.0)
                if stop.is_set() or wake in ready:
                    return
                if not ready:
                    continue
                data = os.read(controller, 4096)
            except OSError:
                return
            if self.baudrate:
                time.sleep(wire_time_s(len(data), self.baudrate))
            with self._lock:
                before = self.bus.changes
                answer = self.bus.receive(data, time.monotonic())
                changed = self.bus.changes != before
            if answer and self.baudrate:
                time.sleep(wire_time_s(len(answer), self.baudrate))
            if answer:
                with contextlib.suppress(OSError):
                    os.write(controller, answer)
            if changed:
                self.on_change()


@dataclass
class DeviceSimulator:
    """Every device of a hall's [bridge], by window, on one pty per bus: hallq-protocol devices and Onbon
    controllers modelled here, Modbus modules played by pymodbus's own server (modbus_emulator.py)."""

    folder: Path
    setup: dict[str, Any]
    on_change: Callable[[], None] = lambda: None
    baudrate: int | None = None
    buses: dict[str, SimulatedBus | ModbusBusSimulator] = field(default_factory=dict)
    by_id: dict[str, Device | OnbonController | ModuleState] = field(default_factory=dict)
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def start(self) -> dict[str, str]:
        """Open the ptys; returns bus -> the path the bridge opens."""
        self.folder.mkdir(parents=True, exist_ok=True)
        grouped: dict[str, list[dict[str, Any]]] = {}
        for spec in self.setup["devices"]:
            grouped.setdefault(spec.get("bus", "main"), []).append(spec)
            self.specs[spec["id"]] = spec
        for name, specs in grouped.items():
            link = self.folder / f"bus-{name}"
            driver = specs[0].get("driver", "hallq")
            if driver == "modbus":
                modbus = ModbusBusSimulator(name, specs, link, self.baudrate)
                modbus.start()
                for spec in specs:
                    self.by_id[spec["id"]] = modbus.modules[int(spec["address"])]
                self.buses[name] = modbus
                continue
            bus: Bus | OnbonBus
            devices: dict[int, Device | OnbonController]
            if driver == "onbon-bx":
                controllers = {
                    int(s["address"]): OnbonController(int(s["address"]), s["model"], s.get("colors") or 1)
                    for s in specs
                }
                bus, devices = OnbonBus(controllers), dict(controllers)
            else:
                hallq_devices = {
                    int(s["address"]): make_device(KINDS[s["kind"]], int(s["address"])) for s in specs
                }
                bus, devices = Bus(hallq_devices), dict(hallq_devices)
            for spec in specs:
                self.by_id[spec["id"]] = devices[int(spec["address"])]
            simulated = SimulatedBus(name, bus, link, lambda: self.on_change(), self.baudrate)
            simulated.plug()
            self.buses[name] = simulated
        return {name: str(bus.link) for name, bus in self.buses.items()}

    def stop(self) -> None:
        for bus in self.buses.values():
            bus.stop() if isinstance(bus, ModbusBusSimulator) else bus.unplug()

    def _spec(self, window: str | None, kind: str) -> dict[str, Any]:
        for spec in self.specs.values():
            if spec["kind"] == kind and spec.get("window") == window:
                return spec
        raise KeyError(f"no {kind} for window {window}")

    def device(self, window: str | None, kind: str) -> Device | OnbonController | ModuleState:
        return self.by_id[self._spec(window, kind)["id"]]

    def press(self, window: str, key: str) -> None:
        spec = self._spec(window, "call_pad")
        bus = self.buses[spec.get("bus", "main")]
        if isinstance(bus, ModbusBusSimulator):
            if key in spec["inputs"]:
                bus.press_input(int(spec["address"]), spec["inputs"][key])
            return
        pad = self.by_id[spec["id"]]
        assert isinstance(pad, CallPad)
        with bus._lock:
            pad.press(KEYS[key] if key in KEYS else Key.DIGIT_0 + int(key))

    def rate(self, window: str, level: int) -> bool:
        spec = self._spec(window, "evaluator")
        bus = self.buses[spec.get("bus", "main")]
        if isinstance(bus, ModbusBusSimulator):
            bus.press_input(int(spec["address"]), spec["inputs"][RATING_INPUTS[5 - level]])
            return True
        evaluator = self.by_id[spec["id"]]
        assert isinstance(evaluator, Evaluator)
        with bus._lock:
            return evaluator.press(level, time.monotonic())

    def text(self, window: str | None, kind: str = "window_board") -> str:
        """What a device shows as text (an Onbon board shows pixels: its pages(), not text)."""
        device = self.device(window, kind)
        if isinstance(device, ModuleState):
            return device.text()
        if isinstance(device, OnbonController):
            return ""
        return device.lines.get(0, "")

    def snapshot(self) -> list[dict[str, Any]]:
        """What every device shows now (the live view)."""
        rows = []
        for device_id, spec in self.specs.items():
            device = self.by_id[device_id]
            row: dict[str, Any] = {
                "id": device_id,
                "kind": spec["kind"],
                "window": spec.get("window"),
                "driver": spec.get("driver", "hallq"),
                "text": self.text(spec.get("window"), spec["kind"]),
            }
            if isinstance(device, Evaluator):
                row["lit"] = device.lit
            if isinstance(device, ModuleState):
                row["lamps"] = device.lamps()
                if spec["kind"] == "evaluator":
                    row["lit"] = device.lamps().get("prompt", False)
            if isinstance(device, OnbonController) and 0 in device.areas:
                row["pixels"] = [
                    "".join("#" if on else "." for on in line) for line in device.areas[0].pages[0]
                ]
            rows.append(row)
        return rows
