"""Device models, sans-IO: what a call pad, a window board, the hall strip and an evaluator do with frames.

The device simulator (`hallq devices simulate`), the demo hall and the tests run these on the far side
of a pty; firmware follows the same rules (docs/serial-protocol.md).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from firmware_bridge.protocol import BROADCAST, VERSION, Error, Frame, Kind, Parser, Type


@dataclass
class Device:
    address: int
    kind: Kind
    firmware: str = "hallq-sim 1.0"
    #: events not yet acknowledged by a POLL: (seq, type, payload); the first is sent until acknowledged
    events: deque[tuple[int, int, bytes]] = field(default_factory=deque)
    event_seq: int = 0
    last_command_seq: int | None = None
    lines: dict[int, str] = field(default_factory=dict)
    handled: int = 0  # commands carried out (a repeated seq is not carried out twice)
    #: the device's clock (seconds), set by the bus as bytes arrive; a device keeps no time of its own here
    now: float = 0.0

    def tick(self, now: float) -> None:
        """Time passes (before the bytes that arrived at `now` are read)."""
        self.now = now

    def answer(self, frame: Frame) -> Frame | None:
        """The answer to one frame on the bus; None when it is for another address or a broadcast."""
        if frame.address not in (self.address, BROADCAST) or frame.type >= 0x80:
            return None
        repeated = frame.seq == self.last_command_seq
        self.last_command_seq = frame.seq
        if frame.type == Type.POLL:
            acknowledged = frame.payload[0] if frame.payload else 0
            if self.events and self.events[0][0] == acknowledged:
                self.events.popleft()
            if self.events:
                seq, kind, payload = self.events[0]
                return Frame(self.address, seq, kind, payload) if frame.address else None
        elif frame.type == Type.IDENTIFY:
            info = bytes([int(self.kind), VERSION]) + self.firmware.encode("ascii")
            return Frame(self.address, frame.seq, Type.INFO, info) if frame.address else None
        elif not repeated:
            error = self.command(frame)
            if error is not None:
                return Frame(self.address, 0, Type.NAK, bytes([frame.seq, error])) if frame.address else None
            self.handled += 1
        return Frame(self.address, 0, Type.ACK, bytes([frame.seq])) if frame.address else None

    def command(self, frame: Frame) -> int | None:
        """Carry out a command; an Error code when it cannot."""
        if frame.type == Type.SHOW_TEXT and self.kind != Kind.EVALUATOR:
            if len(frame.payload) < 2:
                return Error.BAD_LENGTH
            try:
                self.lines[frame.payload[0]] = frame.payload[2:].decode("gb2312")
            except UnicodeDecodeError:
                return Error.BAD_LENGTH
            return None
        return Error.NOT_SUPPORTED

    def _event(self, kind: Type, payload: bytes) -> None:
        self.event_seq = self.event_seq % 255 + 1
        self.events.append((self.event_seq, int(kind), payload))


@dataclass
class CallPad(Device):
    kind: Kind = Kind.CALL_PAD

    def press(self, key: int) -> None:
        self._event(Type.KEY, bytes([key]))


@dataclass
class Board(Device):
    """A window LED board or the hall strip: it only shows text."""

    kind: Kind = Kind.WINDOW_BOARD


@dataclass
class Evaluator(Device):
    kind: Kind = Kind.EVALUATOR
    prompt_id: int | None = None
    lit_until: float = 0.0

    def tick(self, now: float) -> None:
        super().tick(now)
        if self.prompt_id is not None and now >= self.lit_until:
            self.prompt_id = None  # the prompt's timeout: the light goes out by itself
            self.handled += 1

    def command(self, frame: Frame) -> int | None:
        if frame.type == Type.RATE_PROMPT and len(frame.payload) == 3:
            self.prompt_id = int.from_bytes(frame.payload[:2], "little")
            self.lit_until = self.now + frame.payload[2]
            return None
        if frame.type == Type.RATE_CANCEL and len(frame.payload) == 2:
            if self.prompt_id == int.from_bytes(frame.payload, "little"):
                self.prompt_id = None  # a cancel for an older prompt leaves the newer one lit
            return None
        return super().command(frame)

    @property
    def lit(self) -> bool:
        """Whether the prompt light is on (请您评价)."""
        return self.prompt_id is not None

    def press(self, level: int, now: float | None = None) -> bool:
        """A citizen presses one of the five keys; ignored unless the prompt is lit."""
        if now is not None:
            self.tick(now)
        if self.prompt_id is None or not 1 <= level <= 5:
            return False
        self._event(Type.RATING, self.prompt_id.to_bytes(2, "little") + bytes([level]))
        self.prompt_id = None
        self.handled += 1  # the light went out
        return True


@dataclass
class Bus:
    """The devices on one line, fed what the master writes; returns what they answer."""

    devices: dict[int, Device]
    parser: Parser = field(default_factory=Parser)
    #: commands carried out so far, on every device (a simulator redraws when it changes)
    changes: int = 0

    def receive(self, data: bytes, now: float = 0.0) -> bytes:
        """The devices' answers to `data`, which arrived at `now` (the devices' clock, in seconds)."""
        for each in self.devices.values():
            handled = each.handled
            each.tick(now)
            self.changes += each.handled - handled
        out = b""
        for frame in self.parser.feed(data):
            device = self.devices.get(frame.address)
            if device is not None:
                handled = device.handled
                answer = device.answer(frame)
                self.changes += device.handled - handled
                if answer is not None:
                    out += answer.encode()
        return out


def make_device(kind: Kind, address: int) -> Device:
    if kind == Kind.CALL_PAD:
        return CallPad(address)
    if kind == Kind.EVALUATOR:
        return Evaluator(address)
    return Board(address, kind)
