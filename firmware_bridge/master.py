"""The bus master, sans-IO and driver-agnostic: which device is asked next, what its answer means (through its
driver), retries, who is offline.

Fed the bytes read and the time; returns requests to write and events. One master per bus (an RS-485 line or
one USB serial port), one request outstanding at a time. Nothing here touches a port or a clock; what the
bytes are is each device's driver's business (firmware_bridge/drivers/).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from firmware_bridge.drivers.base import (
    DeviceDown,
    DeviceDriver,
    DeviceFault,
    DeviceUp,
    Effect,
    Event,
    KeyPressed,
    Kind,
    Lamps,
    Rated,
    Request,
)
from firmware_bridge.protocol import wire_time_s

__all__ = ["BusMaster", "DeviceDown", "DeviceFault", "DeviceUp", "Event", "KeyPressed", "Link", "Rated"]

#: which device's waiting command goes first: the board the citizen watches, then the strip, then the rest
FIRST = {Kind.WINDOW_BOARD: 0, Kind.HALL_STRIP: 1, Kind.EVALUATOR: 2, Kind.CALL_PAD: 3}


@dataclass
class Link:
    """The master's view of one device."""

    driver: DeviceDriver
    online: bool = False
    retry_at: float = 0.0
    polled_at: float = float("-inf")
    #: what the bridge was last told: None (nothing yet), "ok", "offline" or "fault"; events follow changes
    told: str | None = None

    @property
    def address(self) -> int:
        return self.driver.address

    @property
    def kind(self) -> Kind:
        return self.driver.kind


@dataclass
class Timing:
    answer_timeout_s: float = 0.05
    retries: int = 2  # after the first try
    offline_retry_s: float = 2.0
    baudrate: int = 9600
    #: silence on the line before every request, from the end of the last answer: Modbus over serial line
    #: (V1.02, 2.5.1.1) asks 3.5 character times (about 4 ms at 9600 baud), 1.75 ms above 19200 baud;
    #: 0 for framings that do not need it (set by the bridge per bus: frame_gap_s())
    frame_gap_s: float = 0.0
    #: how often each kind is polled at most: pads as fast as the line allows (a key must be seen at once);
    #: an evaluator's rating may wait a moment; boards and the strip send nothing, polls only check they live
    poll_every_s: dict[Kind, float] = field(
        default_factory=lambda: {
            Kind.CALL_PAD: 0.0,
            Kind.EVALUATOR: 0.2,
            Kind.WINDOW_BOARD: 1.0,
            Kind.HALL_STRIP: 1.0,
        }
    )


def frame_gap_s(baudrate: int) -> float:
    """Modbus RTU's inter-frame silence: 3.5 characters of 11 bits, or a fixed 1.75 ms above 19200 baud."""
    return 0.00175 if baudrate > 19200 else 3.5 * 11 / baudrate


@dataclass
class BusMaster:
    links: dict[int, Link]
    timing: Timing = field(default_factory=Timing)
    #: the request waiting for its answer: (link, request, sent at, tries so far, is a command)
    awaiting: tuple[Link, Request, float, int, bool] | None = None
    #: no request before this moment (the frame gap after the last answer or timeout)
    quiet_until: float = float("-inf")
    _turn: int = 0

    def __post_init__(self) -> None:
        self._command_order = sorted(self.links.values(), key=lambda link: FIRST.get(link.kind, 9))

    @classmethod
    def for_drivers(cls, drivers: list[DeviceDriver], timing: Timing | None = None) -> BusMaster:
        return cls({driver.address: Link(driver) for driver in drivers}, timing or Timing())

    @classmethod
    def for_devices(cls, devices: dict[int, Kind], timing: Timing | None = None) -> BusMaster:
        """A bus of devices speaking hallq's own protocol (docs/serial-protocol.md)."""
        from firmware_bridge.drivers.hallq import HallqDevice

        return cls.for_drivers([HallqDevice(address, kind) for address, kind in devices.items()], timing)

    # -- what the bridge asks ------------------------------------------------------------------------------

    def show_text(self, address: int, text: str, effect: Effect = Effect.STATIC) -> None:
        self.links[address].driver.show_text(text, effect)

    def set_lamps(self, address: int, lamps: Lamps) -> None:
        self.links[address].driver.set_lamps(lamps)

    def prompt_rating(self, address: int, prompt_id: int, timeout_s: int = 30, now: float = 0.0) -> None:
        self.links[address].driver.prompt_rating(prompt_id, timeout_s, now)

    def cancel_rating(self, address: int, prompt_id: int) -> None:
        self.links[address].driver.cancel_rating(prompt_id)

    # -- the bus -------------------------------------------------------------------------------------------

    def next_request(self, now: float) -> Request | None:
        """The request to write now, or None while an answer is awaited or nobody is due."""
        if self.awaiting is not None or now < self.quiet_until:
            return None
        # what a board should show goes first: the citizen is looking at it now; polls take turns
        for link in self._command_order:
            command = link.driver.next_command() if link.online else None
            if command is not None:
                return self._send(link, command, now, is_command=True)
        addresses = sorted(self.links)
        for step in range(len(addresses)):
            link = self.links[addresses[(self._turn + step) % len(addresses)]]
            if not link.online and now < link.retry_at:
                continue
            if link.online and now - link.polled_at < self.timing.poll_every_s.get(link.kind, 0.0):
                continue
            poll = link.driver.poll(now)
            if poll is None:
                continue
            self._turn = (self._turn + step + 1) % len(addresses)
            link.polled_at = now
            return self._send(link, poll, now, is_command=False)
        return None

    def _send(self, link: Link, request: Request, now: float, is_command: bool) -> Request:
        link.driver.reset()
        self.awaiting = (link, request, now, 1, is_command)
        return request

    def expire(self, now: float) -> tuple[Request | None, list[Event]]:
        """Past the answer timeout: the same request again, or give up and mark the device down."""
        if self.awaiting is None:
            return None, []
        link, request, sent_at, tries, is_command = self.awaiting
        # the timeout counts from the end of the request on the wire to the end of a longest answer
        on_wire = wire_time_s(len(request.encode()) + request.answer_bytes, self.timing.baudrate)
        timeout_s = getattr(request, "timeout_s", None) or self.timing.answer_timeout_s  # a device's own
        if now - sent_at < timeout_s + on_wire:
            return None, []
        # an offline device gets one try per retry period, so a dead device costs the bus little
        if link.online and tries <= self.timing.retries:
            link.driver.reset()
            self.awaiting = (link, request, now, tries + 1, is_command)
            return request, []
        self.awaiting = None
        self.quiet_until = now + self.timing.frame_gap_s
        link.retry_at = now + self.timing.offline_retry_s
        link.online = False
        # said once, also of a device that never answered since the bridge started
        return None, self._tell(link, "offline", DeviceDown(link.address))

    def receive(self, data: bytes, now: float) -> list[Event]:
        if self.awaiting is None or not data:
            return []  # nobody asked: noise, a late duplicate, or another master's frame
        link, request, _sent_at, _tries, is_command = self.awaiting
        answer = link.driver.feed(request, data, now)
        if answer is None:
            return []
        self.awaiting = None
        self.quiet_until = now + self.timing.frame_gap_s
        events: list[Event] = []
        if not link.online:
            link.online = True
            link.driver.came_back()
        # the device's state follows what it does now: a refusal is a fault, a normal answer ok again
        faults = [event for event in answer.events if isinstance(event, DeviceFault)]
        if faults:
            events += self._tell(link, "fault", None)
        else:
            events += self._tell(link, "ok", DeviceUp(link.address))
        if is_command and answer.done:
            link.driver.command_done(request)
        return events + list(answer.events)

    @staticmethod
    def _tell(link: Link, state: str, event: Event | None) -> list[Event]:
        """The event for a change of state, once (a fault is told by the driver's own DeviceFault)."""
        if link.told == state:
            return []
        link.told = state
        return [event] if event is not None else []

    def port_lost(self, now: float, why: str = "串口断开 / serial port lost") -> list[Event]:
        """The adapter went away, or cannot be opened: every device is down until it answers again."""
        self.awaiting = None
        events: list[Event] = []
        for link in self.links.values():
            link.driver.reset()
            link.retry_at = now
            link.online = False
            events += self._tell(link, "offline", DeviceDown(link.address, why))
        return events
