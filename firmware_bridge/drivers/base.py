"""What every device driver is, sans-IO: one object per device on a bus, which turns the bridge's intents
(show this text, light these lamps, prompt for a rating) into request bytes and reads the answers to them.

The bus master (firmware_bridge/master.py) decides when each device is asked, keeps one request outstanding
(RS-485 is half duplex and the bridge is its only master), retries, and marks devices up and down; the
transport (firmware_bridge/transport.py) moves the bytes. A driver never touches a port or a clock: the time
is passed in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Kind(IntEnum):
    CALL_PAD = 1
    WINDOW_BOARD = 2
    HALL_STRIP = 3
    EVALUATOR = 4


class Effect(IntEnum):
    STATIC = 0
    SCROLL = 1
    BLINK = 2


@dataclass(frozen=True)
class Lamps:
    """What a call pad's lamps show: the window's ticket is called, being served, or the window paused."""

    called: bool = False
    serving: bool = False
    paused: bool = False


@dataclass(frozen=True)
class KeyPressed:
    address: int
    key: int


@dataclass(frozen=True)
class Rated:
    address: int
    prompt_id: int
    level: int


@dataclass(frozen=True)
class DeviceUp:
    address: int


@dataclass(frozen=True)
class DeviceDown:
    """The device does not answer: it stopped, it never did since the bridge started, or its port is gone."""

    address: int
    why: str = "无应答 / not answering"  # zh-CN first: the managers' pages show the part in their language


@dataclass(frozen=True)
class DeviceFault:
    """The device answered, but refused a request (a Modbus exception, an Onbon NACK, a hallq NAK)."""

    address: int
    reason: str


Event = KeyPressed | Rated | DeviceUp | DeviceDown | DeviceFault


class Request(ABC):
    """Bytes for the wire, and how long an answer to them can be (for the answer timeout)."""

    answer_bytes: int = 16

    @abstractmethod
    def encode(self) -> bytes: ...


@dataclass(frozen=True)
class Wire(Request):
    data: bytes
    answer_bytes: int = 16
    #: what the request is about, for the driver reading the answer (a function code, a command name)
    what: Any = None
    #: how long the device has to answer this request; None: the bus's Timing.answer_timeout_s
    timeout_s: float | None = None

    def encode(self) -> bytes:
        return self.data


@dataclass(frozen=True)
class Answer:
    """What a driver made of an answer to the request outstanding."""

    #: a command was carried out (or refused for good): the next one may go
    done: bool = False
    events: tuple[Event, ...] = ()


@dataclass
class DeviceDriver(ABC):
    """One device. Subclasses queue commands in `outbox` (the master sends the first one when the device is
    online, and pops it when the answer says done) and answer `poll()` when the device is to be asked."""

    address: int
    kind: Kind
    outbox: deque[Request] = field(default_factory=deque)

    # -- intents: a driver ignores what its device cannot do -----------------------------------------------

    def show_text(self, text: str, effect: Effect = Effect.STATIC) -> None:  # noqa: B027
        """Show `text` (boards, the strip, a pad's display)."""

    def set_lamps(self, lamps: Lamps) -> None:  # noqa: B027
        """Light a call pad's lamps."""

    def prompt_rating(self, prompt_id: int, timeout_s: int, now: float) -> None:  # noqa: B027
        """Arm an evaluator for one visit; it goes dark by itself after `timeout_s`."""

    def cancel_rating(self, prompt_id: int) -> None:  # noqa: B027
        """The visit was rated elsewhere (the tablet, the phone): put the evaluator's prompt out if it is
        still this visit's."""

    # -- the bus -------------------------------------------------------------------------------------------

    def next_command(self) -> Request | None:
        """The command to send now (the master sends it and, if it must, the same object again)."""
        return self.outbox[0] if self.outbox else None

    def command_done(self, request: Request) -> None:
        if self.outbox and self.outbox[0] is request:
            self.outbox.popleft()

    @abstractmethod
    def poll(self, now: float) -> Request | None:
        """A request asking the device what happened (keys), or only whether it lives; None: not now."""

    @abstractmethod
    def feed(self, request: Request, data: bytes, now: float) -> Answer | None:
        """Bytes that arrived while `request` is outstanding. An Answer once they make the answer to it; None
        while incomplete, and for noise, a bad checksum or someone else's frame. Never raises."""

    def came_back(self) -> None:  # noqa: B027
        """The device answers again after being down: queue what it should show."""

    def reset(self) -> None:  # noqa: B027
        """Forget half-read bytes (a new request goes out, or the port was lost)."""
