"""The bus master, sans-IO: which frame to send next, what the answers mean, who is offline.

Fed the bytes read and the time; returns frames to write and events. One master per bus (an RS-485 line or
one USB serial port). Nothing here touches a port or a clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from firmware_bridge.protocol import OVERHEAD, Effect, Frame, Kind, Parser, Type, text_payload, wire_time_s


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
    address: int


Event = KeyPressed | Rated | DeviceUp | DeviceDown
#: which device's waiting command goes first: the board the citizen watches, then the strip, then the rest
FIRST = {Kind.WINDOW_BOARD: 0, Kind.HALL_STRIP: 1, Kind.EVALUATOR: 2, Kind.CALL_PAD: 3}


@dataclass
class Link:
    """The master's view of one device."""

    address: int
    kind: Kind
    online: bool = False
    misses: int = 0
    next_seq: int = 1
    last_event_seq: int = 0
    retry_at: float = 0.0
    polled_at: float = float("-inf")
    outbox: deque[Frame] = field(default_factory=deque)
    #: what the device should show, line -> SHOW_TEXT payload; sent again whenever the device comes back
    shown: dict[int, bytes] = field(default_factory=dict)

    def seq(self) -> int:
        value = self.next_seq
        self.next_seq = value % 255 + 1  # 1..255; 0 means "none" in POLL
        return value


@dataclass
class Timing:
    answer_timeout_s: float = 0.05
    retries: int = 2  # after the first try
    offline_retry_s: float = 2.0
    baudrate: int = 9600
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


@dataclass
class BusMaster:
    links: dict[int, Link]
    timing: Timing = field(default_factory=Timing)
    parser: Parser = field(default_factory=Parser)
    #: the frame waiting for its answer: (frame, sent at, tries so far)
    awaiting: tuple[Frame, float, int] | None = None
    _turn: int = 0

    def __post_init__(self) -> None:
        self._command_order = sorted(self.links.values(), key=lambda link: FIRST.get(link.kind, 9))

    @classmethod
    def for_devices(cls, devices: dict[int, Kind], timing: Timing | None = None) -> BusMaster:
        return cls({address: Link(address, kind) for address, kind in devices.items()}, timing or Timing())

    # -- what the bridge asks ------------------------------------------------------------------------------

    def show_text(self, address: int, text: str, line: int = 0, effect: Effect = Effect.STATIC) -> None:
        link = self.links[address]
        payload = text_payload(text, line, effect)
        if link.shown.get(line) == payload:
            return
        link.shown[line] = payload
        # a newer text for the same line replaces one not sent yet
        link.outbox = deque(
            f for f in link.outbox if not (f.type == Type.SHOW_TEXT and f.payload[:1] == bytes([line]))
        )
        link.outbox.append(Frame(address, 0, Type.SHOW_TEXT, payload))

    def prompt_rating(self, address: int, prompt_id: int, timeout_s: int = 30) -> None:
        payload = prompt_id.to_bytes(2, "little") + bytes([max(1, min(255, timeout_s))])
        self.links[address].outbox.append(Frame(address, 0, Type.RATE_PROMPT, payload))

    # -- the bus -------------------------------------------------------------------------------------------

    def next_request(self, now: float) -> Frame | None:
        """The frame to write now, or None while an answer is awaited or nobody is due."""
        if self.awaiting is not None:
            return None
        # what a board should show goes first: the citizen is looking at it now; polls take turns
        for link in self._command_order:
            if link.online and link.outbox:
                command = link.outbox[0]
                frame = Frame(link.address, link.seq(), command.type, command.payload)
                self.awaiting = (frame, now, 1)
                return frame
        addresses = sorted(self.links)
        for step in range(len(addresses)):
            link = self.links[addresses[(self._turn + step) % len(addresses)]]
            if not link.online and now < link.retry_at:
                continue
            if link.online and now - link.polled_at < self.timing.poll_every_s.get(link.kind, 0.0):
                continue
            self._turn = (self._turn + step + 1) % len(addresses)
            link.polled_at = now
            frame = Frame(link.address, link.seq(), Type.POLL, bytes([link.last_event_seq]))
            self.awaiting = (frame, now, 1)
            return frame
        return None

    def expire(self, now: float) -> tuple[Frame | None, list[Event]]:
        """Past the answer timeout: the same frame again (same seq), or give up and mark the device down."""
        if self.awaiting is None:
            return None, []
        # the timeout counts from the end of the request on the wire to the end of a longest answer
        on_wire = wire_time_s(len(self.awaiting[0].payload) + OVERHEAD * 2 + 16, self.timing.baudrate)
        if now - self.awaiting[1] < self.timing.answer_timeout_s + on_wire:
            return None, []
        frame, _sent, tries = self.awaiting
        link = self.links[frame.address]
        # an offline device gets one try per retry period, so a dead device costs the bus little
        if link.online and tries <= self.timing.retries:
            self.awaiting = (frame, now, tries + 1)
            return frame, []
        self.awaiting = None
        link.retry_at = now + self.timing.offline_retry_s
        if link.online:
            link.online = False
            return None, [DeviceDown(link.address)]
        return None, []

    def receive(self, data: bytes, now: float) -> list[Event]:
        events: list[Event] = []
        for frame in self.parser.feed(data):
            events += self._answer(frame, now)
        return events

    def port_lost(self, now: float) -> list[Event]:
        """The adapter went away: every device is down until it answers again."""
        self.awaiting = None
        self.parser.reset()
        events: list[Event] = []
        for link in self.links.values():
            link.retry_at = now
            if link.online:
                link.online = False
                events.append(DeviceDown(link.address))
        return events

    def _answer(self, frame: Frame, now: float) -> list[Event]:
        if self.awaiting is None or frame.address != self.awaiting[0].address or frame.type < 0x80:
            return []  # not the answer we wait for: noise, a late duplicate, or another master's frame
        request = self.awaiting[0]
        link = self.links[frame.address]
        events: list[Event] = []
        if frame.type in (Type.ACK, Type.NAK) and frame.payload[:1] != bytes([request.seq]):
            return []  # the answer to an earlier try
        self.awaiting = None
        link.misses = 0
        if not link.online:
            link.online = True
            events.append(DeviceUp(link.address))
            self._resync(link)
        if (
            request.type != Type.POLL
            and frame.type in (Type.ACK, Type.NAK)
            and (
                link.outbox
                and link.outbox[0].type == request.type
                and link.outbox[0].payload == request.payload
            )
        ):
            link.outbox.popleft()  # a NAK'ed command is dropped too: sending it again would not help
        if frame.type == Type.KEY and len(frame.payload) == 1 and frame.seq != link.last_event_seq:
            link.last_event_seq = frame.seq
            events.append(KeyPressed(link.address, frame.payload[0]))
        elif frame.type == Type.RATING and len(frame.payload) == 3 and frame.seq != link.last_event_seq:
            link.last_event_seq = frame.seq
            level = frame.payload[2]
            if 1 <= level <= 5:
                events.append(Rated(link.address, int.from_bytes(frame.payload[:2], "little"), level))
        elif frame.type in (Type.KEY, Type.RATING):
            pass  # the same event again (our POLL that acknowledged it was lost): it acts once
        return events

    def _resync(self, link: Link) -> None:
        """A device that comes (back) online gets what it should show, before anything else."""
        pending = [f for f in link.outbox if f.type != Type.SHOW_TEXT]
        texts = [
            Frame(link.address, 0, Type.SHOW_TEXT, payload) for _line, payload in sorted(link.shown.items())
        ]
        link.outbox = deque([*texts, *pending])
