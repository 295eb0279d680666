"""Modbus-RTU modules on a pty, played by pymodbus's own server (ModbusSerialServer and its simulator's
SimDevice), not by a model of ours: the bridge meets the framing, CRC and exception answers of a real Modbus
stack. An action hook keeps what the bridge writes (coils, text registers) and feeds the buttons pressed.

pymodbus opens a serial port by name, and a pty's controller side has none, so two ptys stand back to
back: the bridge opens one's device side (a stable symlink, as SimulatedBus does), pymodbus the other's, and
a thread is the cable between them (it can take each byte's wire time at a baud rate, for benchmarks).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import pty
import select
import threading
import time
import tty
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware_bridge.emulators.ptys import raw_pty_at
from firmware_bridge.protocol import wire_time_s

#: coils and discrete inputs each module offers, holding registers of a text module
BITS = 32
#: a pressed button is released after the bridge has read it this many times (a press a poll can't miss)
READS_HELD = 2


@dataclass
class ModuleState:
    """One module as the hall's devices see it: buttons down, lamps lit, text shown."""

    spec: dict[str, Any]
    inputs: list[bool] = field(default_factory=lambda: [False] * BITS)
    held_for: dict[int, int] = field(default_factory=dict)  # input -> reads left before release
    coils: list[bool] = field(default_factory=lambda: [False] * BITS)
    registers: list[int] = field(default_factory=list)
    writes: int = 0
    reads: int = 0  # of its inputs: the first after the module appears only sets the bridge's baseline
    #: a Modbus exception code the module answers every request with while set (4: slave device failure)
    refuse: int | None = None

    def text(self) -> str:
        raw = b"".join(value.to_bytes(2, "big") for value in self.registers)
        return raw.decode("gb2312", errors="replace").rstrip(" \0")

    def lamps(self) -> dict[str, bool]:
        return {name: self.coils[number] for name, number in (self.spec.get("coils") or {}).items()}


class ModbusBusSimulator:
    def __init__(
        self, name: str, specs: list[dict[str, Any]], link: Path, baudrate: int | None = None
    ) -> None:
        self.name, self.link, self.baudrate = name, link, baudrate
        self.modules = {int(spec["address"]): ModuleState(spec) for spec in specs}
        for module in self.modules.values():
            if module.spec.get("registers"):
                module.registers = [0x2020] * int(module.spec["registers"])
        self.lock = threading.Lock()
        self.changes = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._bridge_side: tuple[int, int] | None = None  # controller, device fds of the bridge's pty
        self._cable: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake_write: int | None = None
        #: the silence the bridge kept before each request, from the end of the answer before it (seconds)
        self.gaps: list[float] = []
        self._answered_at: float | None = None

    # -- the modules' side: pymodbus -----------------------------------------------------------------------

    def start(self) -> str:
        controller, device = pty.openpty()
        tty.setraw(controller)
        tty.setraw(device)
        self._module_side = (controller, device)
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(os.ttyname(device), ready), daemon=True).start()
        if not ready.wait(10) or self._server is None:
            raise RuntimeError("the pymodbus server did not start")
        self.plug()
        return str(self.link)

    def _serve(self, port: str, ready: threading.Event) -> None:
        from pymodbus.framer import FramerType
        from pymodbus.server import ModbusSerialServer

        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)

        async def run() -> None:
            self._server = ModbusSerialServer(
                [self._device(address) for address in self.modules], framer=FramerType.RTU, port=port
            )
            self._loop.call_later(0.2, ready.set)  # type: ignore[union-attr]
            await self._server.serve_forever()

        try:
            self._loop.run_until_complete(run())
        except asyncio.CancelledError:
            pass
        finally:
            ready.set()  # start() waits no longer than the server lives

    def _device(self, address: int) -> Any:
        from pymodbus.simulator import DataType, SimData, SimDevice

        module = self.modules[address]
        bits = [SimData(0, count=BITS, values=False, datatype=DataType.BITS)]
        first, count = int(module.spec.get("start_register") or 0), max(1, len(module.registers))
        registers = [SimData(first, count=count, values=0x2020, datatype=DataType.REGISTERS)]
        return SimDevice(
            id=address,
            simdata=(
                bits,
                [SimData(0, count=BITS, values=False, datatype=DataType.BITS)],
                registers,
                registers,
            ),
            action=functools.partial(self._action, address),
        )

    async def _action(
        self,
        address: int,
        function_code: int,
        start_address: int,
        request_address: int,
        count: int,
        current: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> Any:
        module = self.modules[address]
        if module.refuse is not None:  # an exception answer, from pymodbus's own server
            from pymodbus.constants import ExcCodes

            return ExcCodes(module.refuse)
        with self.lock:
            if function_code == 2:  # read discrete inputs: the buttons as they are now
                module.reads += 1
                for index in range(len(current)):
                    word = 0
                    for bit in range(16):
                        number = start_address + index * 16 + bit
                        if number < BITS and module.inputs[number]:
                            word |= 1 << bit
                    current[index] = word
                for number in list(module.held_for):
                    module.held_for[number] -= 1
                    if module.held_for[number] <= 0:
                        module.inputs[number] = False
                        del module.held_for[number]
            elif function_code in (5, 15) and set_values is not None:
                for offset, value in enumerate(set_values):
                    module.coils[request_address + offset] = bool(value)
                module.writes += 1
                self.changes += 1
            elif function_code == 16 and set_values is not None:
                first = request_address - int(module.spec.get("start_register") or 0)
                for offset, value in enumerate(set_values):
                    if 0 <= first + offset < len(module.registers):
                        module.registers[first + offset] = int(value)
                module.writes += 1
                self.changes += 1

    # -- the cable: the bridge's pty <-> the modules' pty ----------------------------------------------------

    def plug(self) -> None:
        controller, device = raw_pty_at(self.link)
        wake_read, self._wake_write = os.pipe()
        self._bridge_side = (controller, device)
        self._stop = threading.Event()
        self._cable = threading.Thread(
            target=self._carry, args=(controller, wake_read, self._stop), daemon=True
        )
        self._cable.start()

    def unplug(self) -> None:
        """As if the USB adapter were pulled: the bridge's port fails until plug()."""
        self._stop.set()
        if self._wake_write is not None:
            with contextlib.suppress(OSError):
                os.write(self._wake_write, b"\0")
        if self._cable is not None:
            self._cable.join(10)  # it closes the bridge side's controller as it ends
        if self._bridge_side is not None:
            with contextlib.suppress(OSError):
                os.close(self._bridge_side[1])
        if self._wake_write is not None:
            with contextlib.suppress(OSError):
                os.close(self._wake_write)
        self._bridge_side = self._cable = self._wake_write = None

    def _carry(self, bridge: int, wake: int, stop: threading.Event) -> None:
        modules = self._module_side[0]
        try:
            while not stop.is_set():
                try:
                    ready, _, _ = select.select([bridge, modules, wake], [], [], 1.0)
                except OSError:
                    return
                if stop.is_set() or wake in ready:
                    return
                for source, target in ((bridge, modules), (modules, bridge)):
                    if source in ready:
                        try:
                            data = os.read(source, 4096)
                        except OSError:
                            return
                        if source == bridge and self._answered_at is not None:
                            self.gaps.append(time.monotonic() - self._answered_at)
                            self._answered_at = None
                        if self.baudrate:
                            time.sleep(wire_time_s(len(data), self.baudrate))
                        with contextlib.suppress(OSError):
                            os.write(target, data)
                        if target == bridge:
                            self._answered_at = time.monotonic()
        finally:
            for fd in (bridge, wake):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def stop(self) -> None:
        self.unplug()
        if self._loop is not None and self._server is not None:
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._server.shutdown(), self._loop).result(5)
        for fd in getattr(self, "_module_side", ()):
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- what a person does ----------------------------------------------------------------------------------

    def press_input(self, address: int, number: int) -> None:
        module = self.modules[address]
        with self.lock:
            module.inputs[number] = True
            module.held_for[number] = READS_HELD
