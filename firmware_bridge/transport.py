"""The pyserial side: one thread per bus drives a BusMaster over a port opened with serial_for_url, so
/dev/ttyUSB0, a pty, loop:// and rfc2217:// all work. An unplugged adapter is reopened until it is back."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import serial

from firmware_bridge.master import BusMaster, Event
from firmware_bridge.protocol import wire_time_s

log = logging.getLogger(__name__)

#: "readable" with nothing to read this many times in a row: the port is gone
EMPTY_READS_LOST = 5
#: between rounds when nothing is due (every device offline and waiting for its retry)
IDLE_S = 0.01


class BusPort:
    """Runs a bus: write the master's next frame, read the answer (or time out), hand events on."""

    def __init__(
        self,
        url: str,
        master: BusMaster,
        on_events: Callable[[list[Event]], None],
        *,
        baudrate: int = 9600,
        reopen_s: float = 1.0,
        name: str = "bus",
    ) -> None:
        self.url = url
        self.master = master
        self.on_events = on_events
        self.baudrate = baudrate
        self.reopen_s = reopen_s
        self.name = name
        #: the bridge changes the master (texts to show) from other threads
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.port: serial.SerialBase | None = None
        self.opened = 0  # how many times the port was (re)opened
        self._empty_reads = 0
        self._thread = threading.Thread(target=self._run, name=f"bus-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()
        self._thread.join(timeout=5)
        self._close()

    def _open(self) -> bool:
        try:
            self.port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0, write_timeout=2)
        except (serial.SerialException, OSError, ValueError) as exc:
            log.debug("bus %s: cannot open %s: %s", self.name, self.url, exc)
            # every device on the bus is offline, and the managers are told why (once: the master says
            # each device's change of state only)
            why = f"串口 {self.url} 打不开 / cannot open {self.url}: {exc}"[:200]
            with self.lock:
                events = self.master.port_lost(time.monotonic(), why)
            if events:
                self.on_events(events)
            return False
        self.opened += 1
        log.info("bus %s: opened %s", self.name, self.url)
        return True

    def _close(self) -> None:
        if self.port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self.port.close()
            self.port = None

    def _run(self) -> None:
        while not self.stopped.is_set():
            if self.port is None and not self._open():
                self.stopped.wait(self.reopen_s)
                continue
            try:
                self._round()
            except (serial.SerialException, OSError) as exc:
                log.warning("bus %s: %s lost (%s); reopening", self.name, self.url, exc)
                self._close()
                with self.lock:
                    events = self.master.port_lost(time.monotonic())
                if events:
                    self.on_events(events)
                self.stopped.wait(self.reopen_s)

    def _read(self) -> bytes:
        """What has arrived, at once (timeout 0). A vanished adapter raises; so, now and then, does a pty that
        select() calls readable with nothing to read: only several such reads in a row mean it is gone."""
        assert self.port is not None
        try:
            data = bytes(self.port.read(self.port.in_waiting or 1))
        except serial.SerialException as exc:
            if "returned no data" not in str(exc):
                raise
            self._empty_reads += 1
            if self._empty_reads >= EMPTY_READS_LOST:
                raise
            return b""
        self._empty_reads = 0
        return data

    def _round(self) -> None:
        """One request and its answer."""
        assert self.port is not None
        with self.lock:
            now = time.monotonic()
            frame = self.master.next_request(now)
            silence = self.master.quiet_until - now
        if frame is None:
            if silence > 0:  # the frame gap after the last answer (Modbus RTU's 3.5 characters)
                time.sleep(silence)
                return
            self.wake.wait(IDLE_S)
            self.wake.clear()
            return
        request = frame.encode()
        written_at = time.monotonic()
        self.port.write(request)
        events: list[Event] = []
        on_wire = len(request)
        while True:
            data = self._read()
            on_wire += len(data)
            if not data:
                time.sleep(0.0005)  # the answer is on its way: a 16-byte frame needs 17 ms at 9600 baud
            now = time.monotonic()
            with self.lock:
                if data:
                    events += self.master.receive(data, now)
                if self.master.awaiting is None:
                    break
                again, expired = self.master.expire(now)
                events += expired
            if again is not None:
                self.port.write(again.encode())
                on_wire += len(request)
            elif self.master.awaiting is None:
                break
        if events:
            self.on_events(events)
        # never faster than the line: a pty or a USB-serial device that buffers would otherwise be polled
        # thousands of times a second for nothing (on a real RS-485 line the wire already paces the bus)
        rest = wire_time_s(on_wire, self.baudrate) - (time.monotonic() - written_at)
        if rest > 0:
            self.wake.wait(rest)
            self.wake.clear()
